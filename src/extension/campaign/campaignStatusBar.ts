import * as vscode from 'vscode';
import { Disposable } from '../util/disposable';
import type { CampaignService } from './campaignService';

const NEXT_ICON = { preparing: ' $(sync~spin)', ready: ' $(check)', failed: '' } as const;

/** "Campaign 12 of 50": the place in the queue, with the next instance's preparation; a click shows the queue and its actions. */
export class CampaignStatusBar extends Disposable {
  readonly item = this.register(vscode.window.createStatusBarItem('sweGym.campaign', vscode.StatusBarAlignment.Left, 50));

  constructor(private readonly campaigns: CampaignService) {
    super();
    this.item.name = 'SWE-Gym campaign';
    this.item.command = 'sweGym.campaign.show';
    this.register(campaigns.onDidChange(() => this.update()));
    this.update();
  }

  update(): void {
    const c = this.campaigns.campaign;
    const p = this.campaigns.progress();
    if (!c || !p) return void this.item.hide();
    const next = this.campaigns.nextState();
    this.item.text = p.finished ? `$(pass) Campaign done · ${p.total}` : `$(checklist) Campaign ${p.text}${next ? NEXT_ICON[next] : ''}`;
    const tip = new vscode.MarkdownString(undefined, true);
    tip.appendText(`${c.name}: ${this.campaigns.summary()}.`);
    if (p.current) tip.appendText(`\nNow: ${p.current}.`);
    if (p.next) tip.appendText(`\nNext: ${p.next}${next === 'ready' ? ' — ready (image and workspace prepared)' : next === 'preparing' ? ' — being prepared' : next === 'failed' ? ' — could not be prepared ahead; launched in full when its turn comes' : ''}.`);
    tip.appendText(`\nDemonstrations in ${c.dir}. Click for the queue, Next, Skip and Stop.`);
    this.item.tooltip = tip;
    this.item.show();
  }
}
