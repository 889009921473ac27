import { createTwoFilesPatch } from 'diff';
import { stripTerminalControl } from '../agent/tools/bashSession';

export type StepVerdict = 'same' | 'noise' | 'different';

/** What made two observations differ without the environment really differing. */
export type NoiseKind = 'paths' | 'rendering' | 'line ends' | 'colour codes' | 'interpreter path' | 'prompt' | 'timings' | 'hash abbreviations' | 'listing order' | 'trailing whitespace';

export interface ObservationVerdict {
  verdict: StepVerdict;
  noise: NoiseKind[];
  /** Unified diff of the recorded (paths mapped) and the replayed observation, when they differ. */
  diff?: string;
}

export interface CompareContext {
  tool: string;
  /** The command line of an execute_bash call (its echo is part of our observations). */
  command?: string;
  /** Recorded paths onto the replay's (`/workspace/x__1.0` → `/testbed`). */
  mapRecorded: (s: string) => string;
}

/**
 * Classifies a replayed observation against the recorded one: the same bytes; the same up to
 * environment noise (paths, the scaffold's rendering of a command's output, pty line ends, colour
 * codes, the interpreter path, the prompt line, timings, abbreviated hashes, the order of a
 * directory listing); or different, with the diff.
 */
export function compareObservations(recorded: string, replayed: string, ctx: CompareContext): ObservationVerdict {
  if (recorded === replayed) return { verdict: 'same', noise: [] };
  // What a scaffold answers to its own finish/submit call is its wording, not the environment's
  // (SWE-agent shows the submission, which is compared as a patch instead).
  if (ctx.tool === 'finish') return { verdict: 'noise', noise: ['rendering'] };
  const noise: NoiseKind[] = [];
  let a = recorded;
  let b = replayed;
  const step = (kind: NoiseKind, f: (s: string) => string) => {
    if (a === b) return;
    const na = f(a);
    const nb = f(b);
    if (na !== a || nb !== b) noise.push(kind);
    a = na;
    b = nb;
  };
  const mapped = ctx.mapRecorded(a);
  if (mapped !== a) noise.push('paths');
  a = mapped;
  const ca = core(a, ctx);
  const cb = core(b, ctx);
  if (ca.exitCode !== undefined && cb.exitCode !== undefined && ca.exitCode !== cb.exitCode) return different(recorded, replayed, ctx);
  if (ca.text !== a || cb.text !== b) {
    if (ca.wrapped !== cb.wrapped || ca.prefix !== cb.prefix) noise.push('rendering');
    if (ca.interpreter !== cb.interpreter && ca.interpreter && cb.interpreter) noise.push('interpreter path');
    if (ca.prompt !== cb.prompt && ca.prompt && cb.prompt) noise.push('prompt');
    a = ca.text;
    b = cb.text;
  }
  step('line ends', (s) => s.replace(/\r\n?/g, '\n'));
  step('colour codes', stripTerminalControl);
  step('interpreter path', (s) => s.replace(/\[Python Interpreter: [^\]\n]*\]/g, '[Python Interpreter]'));
  step('prompt', (s) => s.replace(/^[\w.-]+@[\w.-]+:[^\n]* [#$] ?$/gm, '<prompt>'));
  step('timings', (s) => s.replace(/\b\d+(?:\.\d+)?\s?(?:s|ms|sec|secs|seconds|minutes?)\b/g, '<time>'));
  step('hash abbreviations', (s) => s.replace(/\b(?=[0-9a-f]*[a-f])(?=[0-9a-f]*\d)[0-9a-f]{7,40}\b/g, '<hash>'));
  step('trailing whitespace', (s) => s.replace(/[ \t]+$/gm, '').replace(/\n+$/, ''));
  if (a !== b && isListing(ctx, a) && sameEntries(a, b)) {
    noise.push('listing order');
    a = b;
  }
  if (a === b) return { verdict: 'noise', noise: [...new Set(noise)] };
  return different(recorded, replayed, ctx);
}

function different(recorded: string, replayed: string, ctx: CompareContext): ObservationVerdict {
  return { verdict: 'different', noise: [], diff: createTwoFilesPatch('recorded', 'replayed', ctx.mapRecorded(recorded), replayed, undefined, undefined, { context: 2 }) };
}

interface Core {
  text: string;
  exitCode?: number;
  interpreter?: string;
  prompt?: string;
  /** Inside a command wrapper (ours, or mini-swe-agent's returncode/output). */
  wrapped: string;
  prefix: string;
}

/** An observation without what the scaffold wraps around the tool's own output. */
function core(text: string, ctx: CompareContext): Core {
  let t = text;
  let prefix = '';
  const pre = /^(OBSERVATION:\n|EXECUTION RESULT of \[[^\]]+\]:\n)/.exec(t);
  if (pre) {
    prefix = pre[1]?.startsWith('OBSERVATION') ? 'observation' : 'execution result';
    t = t.slice(pre[0].length);
  }
  const mini = /^<returncode>(-?\d+)<\/returncode>\n<output>\n([\s\S]*)<\/output>$/.exec(t);
  if (mini) return { text: mini[2] ?? '', exitCode: Number(mini[1]), wrapped: 'mini', prefix };
  const ours = /^([\s\S]*?)(?:\[Python Interpreter: ([^\]\n]*)\])?\n([^\n]*)\n\[Command finished with exit code (-?\d+)\]$/.exec(t);
  if (ours && ctx.tool === 'execute_bash') {
    let body = ours[1] ?? '';
    const command = ctx.command !== undefined ? ctx.mapRecorded(ctx.command) : undefined;
    for (const c of [ctx.command, command]) {
      if (c !== undefined && body.startsWith(c)) {
        body = body.slice(c.length).replace(/^\r?\n/, '');
        break;
      }
    }
    return { text: body, exitCode: Number(ours[4]), interpreter: ours[2], prompt: ours[3], wrapped: 'ours', prefix };
  }
  return { text: t, wrapped: '', prefix };
}

/** A directory listing, whose order is the file system's: our two-level view, `ls`, `find`. */
function isListing(ctx: CompareContext, text: string): boolean {
  if (ctx.tool === 'str_replace_editor') return text.startsWith("Here's the files and directories up to 2 levels deep");
  return ctx.tool === 'execute_bash' && /^\s*(?:cd\s+\S+\s*(?:&&|;)\s*)?(?:ls|find|tree)\b/.test(ctx.command ?? '');
}

/** The same entries in another order (`ls` columns re-flow, so entries are compared, not lines). */
function sameEntries(a: string, b: string): boolean {
  const tokens = (s: string) => s.split(/\s+/).filter(Boolean).sort().join('\n');
  return tokens(a) === tokens(b);
}
