import { INSTALL_END, INSTALL_START } from '../grading/outputMarkers';

/** How the eval script's install re-run went, read from the markers it prints (see evalScript.ts). */
export type InstallStep =
  | { state: 'none' }
  | { state: 'skipped' }
  | { state: 'ran' }
  /** `exitCode` is the first failing command's; null when the step never reached its end marker. */
  | { state: 'failed'; exitCode: number | null; tail: string };

const START = `+ : '${INSTALL_START}'`;
const END = new RegExp(`^\\+ : '${INSTALL_END.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} (\\d+)'$`);
const TAIL_LINES = 12;

export function installStepOf(log: string, options: { hasInstall: boolean; skipped: boolean }): InstallStep {
  if (!options.hasInstall) return { state: 'none' };
  if (options.skipped) return { state: 'skipped' };
  const lines = log.split('\n').map((l) => l.replace(/\r$/, ''));
  const start = lines.indexOf(START);
  // No start marker: the script died before the step (that failure is reported on its own).
  if (start < 0) return { state: 'ran' };
  let end = -1;
  let code: number | null = null;
  for (let i = start + 1; i < lines.length; i++) {
    const m = END.exec(lines[i] ?? '');
    if (m) {
      end = i;
      code = Number(m[1]);
      break;
    }
  }
  if (code === 0) return { state: 'ran' };
  const body = lines.slice(start + 1, end < 0 ? lines.length : end).filter((l) => !/^\++ (unset __swe_gym_install|trap |__swe_gym_install=)/.test(l));
  return { state: 'failed', exitCode: code, tail: body.slice(-TAIL_LINES).join('\n').trim() };
}

/** One line for a card, a test message or a CLI report; undefined when there is nothing to say. */
export function describeInstallStep(step: InstallStep | undefined): string | undefined {
  switch (step?.state) {
    case 'skipped':
      return 'Install step skipped (setting sweGym.evaluation.skipInstall): the verdict may differ from the harness’s.';
    case 'failed':
      return step.exitCode === null
        ? 'Install step did not finish: the tests ran on the image’s install, so the verdict may differ from the harness’s.'
        : `Install step failed (exit ${step.exitCode}): the tests ran on the image’s install, so the verdict may differ from the harness’s.`;
    default:
      return undefined;
  }
}
