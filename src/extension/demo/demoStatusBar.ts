import * as vscode from 'vscode';
import { Disposable } from '../util/disposable';
import type { DemoController } from './demoController';

/** While a demonstration is recorded: its instance, the active time (pauses left out) and steps; a click offers its actions. */
export class DemoStatusBar extends Disposable {
  readonly item = this.register(vscode.window.createStatusBarItem('sweGym.demo', vscode.StatusBarAlignment.Left, 49));
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly demos: DemoController) {
    super();
    this.item.name = 'SWE-Gym demonstration';
    this.item.command = 'sweGym.demo.showPanel';
    this.register(demos.onDidChange(() => this.update()));
    this.register({ dispose: () => clearInterval(this.timer) });
    this.update();
  }

  update(): void {
    const c = this.demos.current;
    if (!c) {
      clearInterval(this.timer);
      this.timer = undefined;
      this.item.hide();
      return;
    }
    this.timer ??= setInterval(() => this.update(), 1000);
    const r = c.recorder;
    const paused = r.state === 'paused';
    // Recorded steps, as the demonstration panel counts them (a save of two files is one step, two tool calls).
    const steps = `${r.stepCount} step${r.stepCount === 1 ? '' : 's'}`;
    const calls = `${r.actionCount} tool call${r.actionCount === 1 ? '' : 's'}`;
    this.item.text = `${paused ? '$(debug-pause)' : '$(record)'} Demo ${clock(r.activeMs)} · ${steps}${paused ? ' · paused' : ''}`;
    this.item.tooltip = `Recording a demonstration of ${c.instanceId}${paused ? ' (paused)' : ''}: ${clock(r.activeMs)} active, ${steps} (${calls})${r.note ? `, note for the next step: “${r.note}”` : ''}${r.revealed.length ? `, revealed: ${r.revealed.join(', ')}` : ''}. Click for the demonstration panel (steps, notes, pause, finish, discard).`;
    this.item.backgroundColor = paused ? undefined : new vscode.ThemeColor('statusBarItem.warningBackground');
    this.item.show();
  }
}

export function clock(ms: number): string {
  const s = Math.floor(ms / 1000);
  const h = Math.floor(s / 3600);
  const mm = String(Math.floor((s % 3600) / 60)).padStart(2, '0');
  const ss = String(s % 60).padStart(2, '0');
  return h ? `${h}:${mm}:${ss}` : `${mm}:${ss}`;
}
