import type * as vscode from 'vscode';

/** A thin, scoped front for the extension's one LogOutputChannel (no console.* anywhere). */
export class Logger {
  constructor(
    private readonly channel: vscode.LogOutputChannel,
    private readonly scope?: string,
  ) {}

  child(scope: string): Logger {
    return new Logger(this.channel, this.scope ? `${this.scope}/${scope}` : scope);
  }

  trace(message: string): void {
    this.channel.trace(this.prefix(message));
  }
  debug(message: string): void {
    this.channel.debug(this.prefix(message));
  }
  info(message: string): void {
    this.channel.info(this.prefix(message));
  }
  warn(message: string): void {
    this.channel.warn(this.prefix(message));
  }
  error(message: string, error?: unknown): void {
    const detail = error instanceof Error ? (error.stack ?? error.message) : error === undefined ? '' : String(error);
    this.channel.error(this.prefix(detail ? `${message}: ${detail}` : message));
  }

  show(): void {
    this.channel.show(true);
  }

  private prefix(message: string): string {
    return this.scope ? `[${this.scope}] ${message}` : message;
  }
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
