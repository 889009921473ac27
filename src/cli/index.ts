// The bundled CLI's entry: runs at once, unlike main.ts, which tests import.
import { main } from './main';

/** Grace for output to drain after the command is done; anything still pending then is a stuck request. */
const EXIT_GRACE_MS = 3000;

/**
 * The command has finished (its containers removed or reported); a request the engine never
 * answers must not keep the process alive. The timer is unref'd: a clean run exits before it fires.
 */
function exitEvenIfSomethingHangs(): void {
  setTimeout(() => process.exit(), EXIT_GRACE_MS).unref();
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
    exitEvenIfSomethingHangs();
  },
  (err: unknown) => {
    process.stderr.write(`fatal: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exitCode = 1;
    exitEvenIfSomethingHangs();
  },
);
