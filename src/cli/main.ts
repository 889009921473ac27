import { terminalSafe, terminalSafeStream } from '../core/util/terminalText';
import { HelpRequested, UsageError, type CliContext } from './cliContext';
import { isAbortError } from '../core/util/abortError';
import { annotationsCommand } from './commands/annotations';
import { campaignCommand } from './commands/campaign';
import { cleanupCommand } from './commands/cleanup';
import { demoCommand } from './commands/demo';
import { evalCommand } from './commands/eval';
import { exportCommand } from './commands/export';
import { gradeCommand } from './commands/grade';
import { importCommand } from './commands/import';
import { listCommand } from './commands/list';
import { replayCommand } from './commands/replay';
import { rolloutCommand } from './commands/rollout';
import { serveCommand } from './commands/serve';
import { mcpCommand } from './commands/mcp';
import { selectCommand } from './commands/select';
import { showCommand } from './commands/show';
import { validateCommand } from './commands/validate';

const COMMANDS: Record<string, { run: (ctx: CliContext) => Promise<number>; help: string }> = {
  list: { run: listCommand, help: 'list the instances of a dataset (file, folder, HF cache, or `samples`)' },
  show: { run: showCommand, help: 'show one instance' },
  eval: { run: evalCommand, help: 'evaluate predictions (a file, `gold` or `empty`) in fresh containers' },
  validate: { run: validateCommand, help: 'check that gold resolves and the base does not; --reruns finds flaky tests' },
  grade: { run: gradeCommand, help: 'grade an existing test log without running anything' },
  cleanup: { run: cleanupCommand, help: 'remove containers left behind by crashed runs' },
  demo: { run: demoCommand, help: 'evaluate gold, empty and tempting patches on the bundled samples' },
  rollout: { run: rolloutCommand, help: 'roll out an OpenAI-compatible model on instances (N per instance), rewarding each rollout' },
  export: { run: exportCommand, help: 'export a rollout run as SWE-Gym rows, SFT lines or SWE-bench predictions' },
  import: { run: importCommand, help: 'import other scaffolds\' trajectories (SWE-Gym rows, OpenHands, SWE-agent, mini-swe-agent, SFT text, ATIF) into our format' },
  replay: { run: replayCommand, help: 'replay a recorded SWE-Gym trajectory afresh and compare observations, patch and reward' },
  serve: { run: serveCommand, help: 'serve a gym: outside scaffolds drive instances over HTTP (sessions, steps, evaluate) and MCP at /mcp' },
  select: { run: selectCommand, help: 'best-of-N: score a run\'s rollouts with a verifier model (P(YES) from log-probabilities), pick one per instance' },
  annotations: { run: annotationsCommand, help: 'export difficulty annotations with gold size, F2P count, agent success, human time and validate\'s flags (CSV or JSONL)' },
  campaign: { run: campaignCommand, help: 'where a demonstration campaign stands: `campaign status --dir D` (12 of 50, skips and why)' },
  mcp: { run: mcpCommand, help: 'the gym as an MCP server on stdio (start_session, the tools, evaluate)' },
};

function usage(): string {
  return ['usage: swe-gym <command> [options]', '', ...Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(9)} ${c.help}`), '', 'Run `swe-gym <command> --help` for its options.'].join('\n');
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(`${usage()}\n`);
    return name ? 0 : 2;
  }
  const command = COMMANDS[name];
  if (!command) {
    process.stderr.write(`Unknown command "${name}".\n\n${usage()}\n`);
    return 2;
  }
  const abort = new AbortController();
  let interrupts = 0;
  const onSigint = () => {
    interrupts++;
    if (interrupts > 1) process.exit(130);
    process.stderr.write('Cancelling: removing containers (Ctrl+C again to exit at once)...\n');
    abort.abort();
  };
  process.on('SIGINT', onSigint);
  process.on('SIGTERM', onSigint);
  try {
    // Everything printed passes through terminalSafe: dataset text never reaches a terminal raw.
    const stdout = terminalSafeStream(process.stdout);
    const stderr = terminalSafeStream(process.stderr);
    try {
      return await command.run({ argv: rest, stdout, stderr, signal: abort.signal });
    } finally {
      await Promise.all([stdout, stderr].map((s) => new Promise<void>((resolve) => s.end(resolve))));
    }
  } catch (err) {
    const e = err instanceof Error ? err : new Error(String(err));
    if (e instanceof HelpRequested) {
      process.stdout.write(terminalSafe(`${name}: ${command.help}\n${e.message}\n`));
      return 0;
    }
    if (isAbortError(e, abort.signal)) {
      process.stderr.write(terminalSafe(`Cancelled: ${e.message}\n`));
      return 130;
    }
    process.stderr.write(terminalSafe(`error: ${e.message}\n`));
    return e instanceof UsageError ? 2 : 1;
  } finally {
    process.off('SIGINT', onSigint);
    process.off('SIGTERM', onSigint);
  }
}
