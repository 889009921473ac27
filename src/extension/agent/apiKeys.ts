import type * as vscode from 'vscode';
import { OPENAI_BASE_URL } from './agentSettings';

const PREFIX = 'sweGym.agent.apiKey:';

/**
 * API keys in VS Code's SecretStorage, one per endpoint origin, so a key for one server is never
 * sent to another. Nothing else in the extension stores or logs them.
 */
export class ApiKeys {
  constructor(private readonly secrets: vscode.SecretStorage) {}

  static origin(baseUrl: string): string {
    try {
      return new URL(baseUrl || OPENAI_BASE_URL).origin;
    } catch {
      throw new Error(`The agent base URL "${baseUrl}" is not a URL (sweGym.agent.baseUrl), e.g. http://127.0.0.1:8000/v1.`);
    }
  }

  /** The stored key; undefined when none was ever set, '' when set to none (local servers). */
  get(baseUrl: string): Thenable<string | undefined> {
    return this.secrets.get(PREFIX + ApiKeys.origin(baseUrl));
  }

  async set(baseUrl: string, key: string): Promise<void> {
    await this.secrets.store(PREFIX + ApiKeys.origin(baseUrl), key.trim());
  }

  async clear(baseUrl: string): Promise<void> {
    await this.secrets.delete(PREFIX + ApiKeys.origin(baseUrl));
  }
}

/** Endpoints that always need a key (asking first beats a 401 after the container is up). */
export function needsKey(baseUrl: string): boolean {
  return /(^|\.)openai\.com$|(^|\.)anthropic\.com$|(^|\.)together\.xyz$|(^|\.)groq\.com$|(^|\.)openrouter\.ai$/.test(new URL(baseUrl || OPENAI_BASE_URL).hostname);
}
