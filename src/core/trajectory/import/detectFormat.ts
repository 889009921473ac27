import type { ImportedRun, SourceFormat } from './importedRun';
import { isAtif, readAtif } from './readAtif';
import { isMiniSweAgent, readMiniSweAgent } from './readMiniSweAgent';
import { isRebenchRow, isSweAgentRow, readRebenchRow, readSweAgentRow } from './readNebiusRows';
import { isOpenHandsV0, readOpenHands } from './readOpenHands';
import { isOurTrajectory, readOurTrajectory } from './readOurTrajectory';
import { isSweAgentTraj, readSweAgent } from './readSweAgent';
import { isSftText, isSweGymRow, readChatRow } from './readSweGymRow';

const READERS: { format: SourceFormat; is: (v: unknown) => boolean; read: (v: unknown, file: string, entry: number) => ImportedRun }[] = [
  // Ours first: its OpenAI messages would otherwise pass for a SWE-Gym row and lose what it records.
  { format: 'swe-gym-row', is: isOurTrajectory, read: readOurTrajectory },
  { format: 'atif', is: isAtif, read: readAtif },
  { format: 'mini-swe-agent', is: isMiniSweAgent, read: readMiniSweAgent },
  { format: 'swe-agent', is: isSweAgentTraj, read: readSweAgent },
  { format: 'openhands-v0', is: isOpenHandsV0, read: readOpenHands },
  { format: 'swe-gym-row', is: isRebenchRow, read: readRebenchRow },
  { format: 'swe-agent', is: isSweAgentRow, read: readSweAgentRow },
  { format: 'swe-gym-row', is: isSweGymRow, read: (v, f, e) => readChatRow(v, f, e, 'swe-gym-row') },
  { format: 'sft-text', is: isSftText, read: (v, f, e) => readChatRow(v, f, e, 'sft-text') },
];

/** Which scaffold's format a parsed JSON value is in, or undefined. */
export function detectFormat(value: unknown): SourceFormat | undefined {
  const v = unwrapped(value);
  return READERS.find((r) => r.is(v))?.format;
}

/** One run from a parsed JSON value; throws a specific error when it is in no known format. */
export function readRun(raw: unknown, file: string, entry: number): ImportedRun {
  const value = unwrapped(raw);
  const reader = READERS.find((r) => r.is(value));
  if (!reader) throw new Error(`not a trajectory in any known format (${describe(value)}); expected a SWE-Gym row, a nebius SWE-rebench or SWE-agent row, an OpenHands output.jsonl row, a SWE-agent .traj, a mini-swe-agent .traj.json, an SFT {messages} line with <function=...> calls, or ATIF v1.x`);
  const run = reader.read(value, file, entry);
  if (!run.steps.length) throw new Error(`a ${reader.format} trajectory with no agent step`);
  return run;
}

function describe(v: unknown): string {
  if (Array.isArray(v)) return `a JSON list of ${v.length}`;
  if (v && typeof v === 'object') return `keys ${Object.keys(v).slice(0, 8).join(', ') || 'none'}`;
  return `a JSON ${v === null ? 'null' : typeof v}`;
}

/** Rows that hold their conversation as a JSON string (SWE-smith's `tools` split: `json.loads(row["messages"])`). */
function unwrapped(value: unknown): unknown {
  const r = value as { messages?: unknown } | null;
  if (!r || typeof r !== 'object' || Array.isArray(r) || typeof r.messages !== 'string' || !r.messages.trimStart().startsWith('[')) return value;
  try {
    const messages: unknown = JSON.parse(r.messages);
    return Array.isArray(messages) ? { ...r, messages } : value;
  } catch {
    return value;
  }
}
