/** A request the gym refuses, with the HTTP status that says why (MCP reports the message as a tool error). */
export class GymError extends Error {
  override name = 'GymError';
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}
