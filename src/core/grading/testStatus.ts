/** Test statuses as the SWE-bench log parsers emit them. XPASS is not a status. */
export type TestStatus = 'PASSED' | 'FAILED' | 'SKIPPED' | 'ERROR' | 'XFAIL';
export const TEST_STATUSES: readonly TestStatus[] = ['PASSED', 'FAILED', 'SKIPPED', 'ERROR', 'XFAIL'];

/** test id -> status, later lines of a log overwriting earlier ones. */
export type StatusMap = Record<string, TestStatus>;

/** A log parser turns a test log into a status map. */
export type LogParser = (log: string) => StatusMap;
