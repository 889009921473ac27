import { commandRegistrar } from '../util/commandRegistrar';
import * as vscode from 'vscode';
import type { PickedBy } from '../../core/campaign/campaign';
import { knownIds, readInstanceList } from '../../core/campaign/instanceList';
import type { DatasetStore } from '../datasets/datasetStore';
import type { InstanceTreeProvider } from '../tree/instanceTree';
import type { Logger } from '../util/logger';
import type { CampaignService } from './campaignService';

export interface CampaignCommandDeps {
  campaigns: CampaignService;
  datasets: DatasetStore;
  tree: InstanceTreeProvider;
  log: Logger;
  notices: string[];
}

/** What a script (or a test) may pass to sweGym.campaign.start instead of answering the questions. */
interface StartArgs {
  instanceIds?: string[];
  listFile?: string;
  /** Take the instances the tree shows (its filter and sort), the first `count`. */
  fromTree?: boolean;
  count?: number;
  name?: string;
  /** An unfinished campaign in the annotator's folder: resume it or replace it (asked when unset). */
  existing?: 'resume' | 'replace';
}

/** sweGym.campaign.*: start (the tree's filter or a list file), next, skip (with a reason), stop, show. */
export function registerCampaignCommands(d: CampaignCommandDeps): vscode.Disposable[] {
  const command = commandRegistrar(d, 'Campaign command');

  const fromList = (file: string): { ids: string[]; pickedBy: PickedBy } => ({
    ids: knownIds(readInstanceList(file), (id) => !!d.datasets.find(id), file, 'the open datasets'),
    pickedBy: { kind: 'list', file },
  });
  const fromTree = (): { ids: string[]; pickedBy: PickedBy } => ({ ids: d.tree.shownInstances(), pickedBy: { kind: 'filter', description: d.tree.describeFilter() ?? 'every instance the tree shows' } });

  /** The questions: where the instances come from, and how many. */
  const ask = async (): Promise<{ ids: string[]; pickedBy: PickedBy } | undefined> => {
    const shown = d.tree.shownInstances().length;
    const how = await vscode.window.showQuickPick(
      [
        { id: 'tree', label: '$(filter) The instances the tree shows', description: `${shown} · ${d.tree.describeFilter() ?? 'no filter'}`, detail: 'In the tree’s order: set a filter and a sort first (Filter…, Sort…) to pick them.' },
        { id: 'list', label: '$(file) From a list file…', description: 'one instance id a line; # starts a comment' },
      ],
      { title: 'Start a demonstration campaign', ignoreFocusOut: true },
    );
    if (!how) return undefined;
    let picked: { ids: string[]; pickedBy: PickedBy };
    if (how.id === 'list') {
      const file = (await vscode.window.showOpenDialog({ canSelectMany: false, openLabel: 'Use this list', filters: { 'Instance lists': ['txt', 'list'], All: ['*'] } }))?.[0];
      if (!file) return undefined;
      picked = fromList(file.fsPath);
    } else picked = fromTree();
    if (!picked.ids.length) throw new Error('The tree shows no instance: change its filter, or pick a list file.');
    const count = await vscode.window.showInputBox({
      title: `How many of the ${picked.ids.length} instances?`,
      value: String(Math.min(picked.ids.length, 50)),
      ignoreFocusOut: true,
      validateInput: (v) => (/^\d+$/.test(v.trim()) && Number(v) >= 1 && Number(v) <= picked.ids.length ? undefined : `A number from 1 to ${picked.ids.length}`),
    });
    if (!count) return undefined;
    return { ...picked, ids: picked.ids.slice(0, Number(count)) };
  };

  /** An unfinished campaign in the folder is resumed or replaced, never overwritten silently. */
  const existingChoice = async (given: StartArgs['existing']): Promise<'resume' | 'replace' | 'none' | undefined> => {
    const waiting = d.campaigns.waiting();
    const p = waiting?.progress();
    if (!waiting || !p || p.finished) return 'none';
    if (given) return given;
    const pick = await vscode.window.showQuickPick(
      [
        { id: 'resume' as const, label: `$(debug-continue) Resume “${waiting.name}”`, description: `${p.text} · ${p.done} done, ${p.skipped} skipped` },
        { id: 'replace' as const, label: '$(new-file) Start a new campaign', description: 'the unfinished one is kept beside as a copy' },
      ],
      { title: 'A campaign is in progress in your folder', ignoreFocusOut: true },
    );
    return pick?.id;
  };

  return [
    command('sweGym.campaign.start', async (arg?: StartArgs) => {
      const existing = await existingChoice(arg?.existing);
      if (!existing) return undefined;
      if (existing === 'resume') return (await d.campaigns.resume()).file;
      const scripted = arg && (arg.instanceIds || arg.listFile || arg.fromTree);
      const picked = !scripted ? await ask() : arg.listFile ? fromList(arg.listFile) : arg.fromTree ? fromTree() : { ids: arg.instanceIds ?? [], pickedBy: { kind: 'filter' as const, description: 'given by a script' } };
      if (!picked) return undefined;
      const ids = scripted && arg.count ? picked.ids.slice(0, arg.count) : picked.ids;
      const c = await d.campaigns.start({ instanceIds: ids, pickedBy: picked.pickedBy, ...(arg?.name ? { name: arg.name } : {}), replace: existing === 'replace' });
      return c.file;
    }),
    command('sweGym.campaign.next', () => d.campaigns.next()),
    command('sweGym.campaign.skip', async (reason?: unknown) => {
      const p = d.campaigns.progress();
      if (!p?.current) throw new Error(d.campaigns.campaign ? 'The campaign is finished: nothing to skip.' : 'No campaign is running.');
      const why =
        typeof reason === 'string'
          ? reason
          : await vscode.window.showInputBox({
              title: `Skip ${p.current}`,
              prompt: 'Why? (kept in the campaign; a recording of it is discarded)',
              placeHolder: 'e.g. needs network access, the issue is unclear, tests are broken',
              ignoreFocusOut: true,
              validateInput: (v) => (v.trim() ? undefined : 'Say why: the reason is kept with the campaign.'),
            });
      if (!why) return;
      await d.campaigns.skip(why);
    }),
    command('sweGym.campaign.stop', () => d.campaigns.stop()),
    command('sweGym.campaign.show', async () => {
      const c = d.campaigns.campaign;
      const p = d.campaigns.progress();
      if (!c || !p) return vscode.commands.executeCommand('sweGym.campaign.start');
      const icon = { pending: '$(circle-outline)', done: '$(pass)', skipped: '$(debug-step-over)' } as const;
      const actions: (vscode.QuickPickItem & { run?: string })[] = p.current
        ? [
            { label: '$(arrow-right) Next', description: 'finish the demonstration (graded), or open the current instance', run: 'sweGym.campaign.next' },
            { label: '$(debug-step-over) Skip…', description: 'with a reason', run: 'sweGym.campaign.skip' },
          ]
        : [];
      const items: (vscode.QuickPickItem & { run?: string })[] = [
        ...actions,
        { label: '$(close) Stop the campaign', description: 'its file stays: resume it from Start', run: 'sweGym.campaign.stop' },
        { label: '', kind: vscode.QuickPickItemKind.Separator },
        ...c.items.map((x) => ({
          label: `${x.instance_id === p.current ? '$(record)' : icon[x.state]} ${x.instance_id}`,
          description: x.state === 'skipped' ? `skipped: ${x.reason ?? ''}` : x.state === 'done' ? (x.resolved ? 'resolved' : x.resolved === false ? 'not resolved' : 'done') : x.instance_id === p.current ? 'now' : x.instance_id === p.next ? `next${d.campaigns.nextState() === 'ready' ? ' · ready' : d.campaigns.nextState() === 'preparing' ? ' · being prepared' : ''}` : '',
        })),
      ];
      const chosen = await vscode.window.showQuickPick(items, { title: `${c.name}: ${p.text} (${d.campaigns.summary()})` });
      if (chosen?.run) await vscode.commands.executeCommand(chosen.run);
      return undefined;
    }),
  ];
}
