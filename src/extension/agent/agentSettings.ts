import * as path from 'node:path';
import * as vscode from 'vscode';
import type { ModelPrice } from '../../core/agent/budget';

/** What one agent rollout is started with. Never holds the API key (that lives in SecretStorage only). */
export interface AgentRunConfig {
  /** Empty: OpenAI's endpoint. */
  baseUrl: string;
  model: string;
  temperature?: number;
  topP?: number;
  maxTokens?: number;
  maxSteps: number;
  /** Retries of a failed model request. */
  maxRetries: number;
  maxCostUsd?: number;
  maxMinutes?: number;
  stream: boolean;
  toolMode: 'native' | 'text';
  contextWindowTokens?: number;
  extraHeaders: Record<string, string>;
  extraBody: Record<string, unknown>;
  prices: Record<string, ModelPrice>;
  /** Grade the final patch with the hidden tests. */
  reward: boolean;
  startPaused: boolean;
  /** Open each file the agent edits in the editor. */
  followEdits: boolean;
  /** Offer the python_* tools (our template); undefined in configs saved before the setting. */
  pythonTools?: boolean;
}

export const OPENAI_BASE_URL = 'https://api.openai.com/v1';

/** How model errors tell an extension user to fix the key and the URL (the CLI names its own flags). */
export const EXTENSION_HINTS = { apiKey: 'run “SWE-Gym: Set API Key…” to set it for this endpoint', baseUrl: 'the setting sweGym.agent.baseUrl' };

const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
const obj = <T>(v: unknown): Record<string, T> => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, T>) : {});

/** Typed reads of the `sweGym.agent.*` settings (declared in package.json). */
export function readAgentConfig(): AgentRunConfig {
  const c = vscode.workspace.getConfiguration('sweGym.agent');
  const toolMode = c.get<string>('toolMode');
  return {
    baseUrl: (c.get<string>('baseUrl') ?? '').trim(),
    model: (c.get<string>('model') ?? '').trim(),
    temperature: num(c.get('temperature')),
    topP: num(c.get('topP')),
    maxTokens: num(c.get('maxTokens')),
    maxSteps: Math.max(1, Math.floor(num(c.get('maxSteps')) ?? 50)),
    maxRetries: Math.max(0, Math.floor(num(c.get('maxRetries')) ?? 6)),
    maxCostUsd: num(c.get('maxCostUsd')),
    maxMinutes: num(c.get('maxMinutes')),
    stream: c.get<boolean>('stream') ?? true,
    toolMode: toolMode === 'text' ? 'text' : 'native',
    contextWindowTokens: num(c.get('contextWindowTokens')),
    extraHeaders: obj<string>(c.get('extraHeaders')),
    extraBody: obj<unknown>(c.get('extraBody')),
    prices: obj<ModelPrice>(c.get('prices')),
    reward: c.get<boolean>('reward') ?? true,
    startPaused: c.get<boolean>('startPaused') ?? false,
    followEdits: c.get<boolean>('followEdits') ?? true,
    pythonTools: c.get<boolean>('pythonTools') ?? false,
  };
}

/** Where trajectories go: the setting, or the extension's global storage. */
export function trajectoryRoot(globalStorage: vscode.Uri): string {
  const v = vscode.workspace.getConfiguration('sweGym.agent').get<string>('trajectoryDir')?.trim();
  if (!v) return path.join(globalStorage.fsPath, 'rollouts');
  return v.startsWith('~') ? path.join(process.env.HOME ?? '', v.slice(1)) : path.resolve(v);
}

/** The settings a trajectory records: everything that shaped the rollout, no credential. */
export function recordedConfig(c: AgentRunConfig): Record<string, unknown> {
  const { extraHeaders, ...rest } = c;
  return { ...rest, baseUrl: c.baseUrl || OPENAI_BASE_URL, extraHeaders: Object.keys(extraHeaders) };
}
