/** Errors the runtime raises, with messages meant for the user as they are. */
export class EngineUnavailableError extends Error {
  override name = 'EngineUnavailableError';
}
export class ImageUnavailableError extends Error {
  override name = 'ImageUnavailableError';
}
export class ContainerGoneError extends Error {
  override name = 'ContainerGoneError';
  constructor(
    message: string,
    /** The exec could not even be created: nothing ran in the container. */
    readonly beforeExec = false,
  ) {
    super(message);
  }
}
