import * as vscode from 'vscode';
import { isAbortError } from './cancellation';
import { errorMessage, type Logger } from './logger';

export interface CommandErrorSink {
  /** Messages shown to the user, newest last (the extension's API exposes them to tests). */
  notices: string[];
  log: Logger;
}

/**
 * Registers commands that show their own errors (a notice, the log, an error message) and then
 * return undefined, so no command's failure reaches VS Code as an unhandled rejection. A cancel is
 * not an error; `quiet` names other errors that end a command silently.
 */
export function commandRegistrar(sink: CommandErrorSink, what: string, quiet: (err: unknown) => boolean = () => false) {
  return <A extends unknown[], R>(id: string, run: (...args: A) => Promise<R> | R): vscode.Disposable =>
    vscode.commands.registerCommand(id, async (...args: A) => {
      try {
        return await run(...args);
      } catch (err) {
        if (isAbortError(err) || quiet(err)) return undefined;
        const text = errorMessage(err);
        sink.notices.push(text);
        sink.log.error(`${what} failed: ${id}`, err);
        void vscode.window.showErrorMessage(text);
        return undefined;
      }
    });
}
