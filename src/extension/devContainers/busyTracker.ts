import * as vscode from 'vscode';
import type { BusyView } from '../../shared/instancePage';
import { abortSignalFrom, anySignal } from '../util/cancellation';
import { Disposable } from '../util/disposable';

export type Report = (message: string, fraction?: number) => void;

interface Busy {
  view: BusyView;
  controller: AbortController;
}

/**
 * One long operation per instance at a time, shown as a cancellable notification and mirrored on
 * the instance page. Cancelling from either place (or from a caller's signal) aborts the work.
 */
export class BusyTracker extends Disposable {
  private readonly busy = new Map<string, Busy>();
  private readonly changed = this.register(new vscode.EventEmitter<string>());
  readonly onDidChange = this.changed.event;

  get(instanceId: string): BusyView | undefined {
    return this.busy.get(instanceId)?.view;
  }

  cancel(instanceId: string): void {
    this.busy.get(instanceId)?.controller.abort();
  }

  cancelAll(): void {
    for (const b of this.busy.values()) b.controller.abort();
  }

  async run<T>(
    instanceId: string,
    operation: BusyView['operation'],
    title: string,
    work: (signal: AbortSignal, report: Report) => Promise<T>,
    callerSignal?: AbortSignal,
  ): Promise<T> {
    const current = this.busy.get(instanceId);
    if (current) throw new Error(`${instanceId} is busy (${current.view.message}); wait for it or cancel it first.`);
    const controller = new AbortController();
    const entry: Busy = { view: { operation, message: title, cancellable: true }, controller };
    this.busy.set(instanceId, entry);
    this.changed.fire(instanceId);
    try {
      return await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title, cancellable: true },
        async (progress, token) => {
          const fromToken = abortSignalFrom(token);
          const signal = anySignal([controller.signal, fromToken.signal, callerSignal]);
          signal.addEventListener('abort', () => controller.abort(), { once: true });
          let lastFraction = 0;
          let lastFire = 0;
          const report: Report = (message, fraction) => {
            const increment = fraction !== undefined && fraction > lastFraction ? (fraction - lastFraction) * 100 : undefined;
            if (fraction !== undefined) lastFraction = Math.max(lastFraction, fraction);
            progress.report({ message, increment });
            entry.view = { ...entry.view, message, ...(fraction !== undefined ? { fraction } : {}) };
            // The page re-renders on each event: at most a few per second is plenty.
            const now = Date.now();
            if (now - lastFire > 200) {
              lastFire = now;
              this.changed.fire(instanceId);
            }
          };
          try {
            return await work(signal, report);
          } finally {
            fromToken.dispose();
          }
        },
      );
    } finally {
      this.busy.delete(instanceId);
      this.changed.fire(instanceId);
    }
  }
}
