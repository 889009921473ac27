/**
 * The extension's side of the protocol, independent of the vscode module so it can be tested in
 * plain Node: validates incoming messages, runs one handler per request with an AbortSignal that
 * a `cancel` message aborts, and holds pushed events until the webview has said `ready`.
 */
import { parseMessage, type AgentRequests, type HostMessage, type PageRequests, type RequestMap, type WebviewProtocol } from './protocol';

export type Handlers<R extends RequestMap<R>> = {
  [M in keyof R]: (params: R[M]['params'], signal: AbortSignal) => Promise<R[M]['result']>;
};
export type PageHandlers = Handlers<PageRequests>;
export type AgentHandlers = Handlers<AgentRequests>;

export class RpcHost<R extends RequestMap<R>, E> {
  private isReady = false;
  /** Latest payload per event while the webview is not ready: older states are worthless. */
  private readonly queued = new Map<keyof E, unknown>();
  private readonly running = new Map<number, AbortController>();
  private readonly readyListeners = new Set<() => void>();

  constructor(
    private readonly protocol: WebviewProtocol<R, E>,
    private readonly post: (message: HostMessage<E>) => unknown,
    private readonly handlers: Handlers<R>,
    private readonly onProtocolError: (reason: string) => void,
  ) {}

  get ready(): boolean {
    return this.isReady;
  }

  onReady(listener: () => void): () => void {
    this.readyListeners.add(listener);
    return () => this.readyListeners.delete(listener);
  }

  /** The webview was disposed or reloaded its document: wait for a new `ready`. */
  reset(): void {
    this.isReady = false;
    for (const c of this.running.values()) c.abort();
    this.running.clear();
  }

  emit<K extends keyof E & string>(event: K, payload: E[K]): void {
    if (!this.isReady) {
      this.queued.set(event, payload);
      return;
    }
    void this.post({ type: 'event', event, payload } as HostMessage<E>);
  }

  /** Posts only to a ready webview and never queues (for events a fresh state supersedes). */
  emitIfReady<K extends keyof E & string>(event: K, payload: E[K]): boolean {
    if (!this.isReady) return false;
    void this.post({ type: 'event', event, payload } as HostMessage<E>);
    return true;
  }

  async handle(raw: unknown): Promise<void> {
    const parsed = parseMessage(raw, this.protocol.spec);
    if (!parsed.ok) {
      this.onProtocolError(parsed.reason);
      const id = typeof raw === 'object' && raw !== null ? (raw as { id?: unknown }).id : undefined;
      if (Number.isSafeInteger(id)) void this.post({ type: 'reply', id: id as number, ok: false, error: { message: parsed.reason, code: 'invalid' } });
      return;
    }
    const message = parsed.message;
    if (message.type === 'ready') {
      this.isReady = true;
      const queued = [...this.queued];
      this.queued.clear();
      for (const [event, payload] of queued) void this.post({ type: 'event', event, payload } as HostMessage<E>);
      for (const l of [...this.readyListeners]) l();
      return;
    }
    if (message.type === 'cancel') {
      this.running.get(message.id)?.abort();
      return;
    }
    const controller = new AbortController();
    this.running.set(message.id, controller);
    try {
      const handler = this.handlers[message.method as keyof R] as (params: unknown, signal: AbortSignal) => Promise<unknown>;
      const result = await handler(message.params, controller.signal);
      void this.post({ type: 'reply', id: message.id, ok: true, result: result ?? null });
    } catch (e) {
      const text = e instanceof Error ? e.message : String(e);
      // Cancelled by this request's own cancel, or by another way (a Cancel request, a command):
      // the work says so with an AbortError, and the view takes it as a cancel, not a failure.
      const cancelled = controller.signal.aborted || (e instanceof Error && e.name === 'AbortError');
      void this.post({ type: 'reply', id: message.id, ok: false, error: { message: controller.signal.aborted ? 'Cancelled' : text, code: cancelled ? 'cancelled' : 'failed' } });
    } finally {
      this.running.delete(message.id);
    }
  }
}
