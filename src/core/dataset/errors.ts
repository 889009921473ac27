/** A dataset source that cannot be read at all (as opposed to single bad rows, which become issues). */
export class DatasetLoadError extends Error {
  override name = 'DatasetLoadError';
}
