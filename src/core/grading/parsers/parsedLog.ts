import type { StatusMap } from '../testStatus';
import { isTestStatus } from './pyText';

/**
 * What a parser read from a log.
 *
 * The reference parsers store whatever token sits where a status should be, so a line like
 * `ERROR: file or directory not found: x` records `file -> "ERROR:"`. Such values are neither a
 * pass nor a failure when graded, which differs from a missing test. `raw` keeps every entry in
 * the reference's insertion order (values as found); `statuses` keeps only real statuses.
 */
export interface ParsedLog {
  statuses: StatusMap;
  raw: Record<string, string>;
  /**
   * Lines on which the reference Python parser raises (IndexError): the reference harness then
   * reports an evaluation error for the instance instead of grading it. Empty when it would not.
   */
  harnessErrors: string[];
}

/** Collects entries the way a Python dict does: an overwrite keeps the key's first position. */
export class StatusRecorder {
  private readonly entries = new Map<string, string>();
  private readonly errors: string[] = [];

  set(testId: string, status: string): void {
    this.entries.set(testId, status);
  }

  harnessError(lineNumber: number, line: string, why: string): void {
    const shown = line.length > 200 ? `${line.slice(0, 200)}...` : line;
    this.errors.push(`line ${lineNumber}: ${why}: ${JSON.stringify(shown)}`);
  }

  finish(): ParsedLog {
    const statuses: StatusMap = {};
    const raw: Record<string, string> = {};
    for (const [id, status] of this.entries) {
      // defineProperty: a test id such as "__proto__" stays an ordinary own key.
      define(raw, id, status);
      if (isTestStatus(status)) {
        define(statuses, id, status);
      }
    }
    return { statuses, raw, harnessErrors: [...this.errors] };
  }
}

function define<T>(target: Record<string, T>, key: string, value: T): void {
  Object.defineProperty(target, key, { value, writable: true, enumerable: true, configurable: true });
}
