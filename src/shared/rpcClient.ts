/** The webview's side of the protocol: numbered requests, replies matched by id, cancel, events. */
import { isHostMessage, type ProtocolError, type RequestMap, type WebviewMessage, type WebviewProtocol } from './protocol';

export class RequestFailedError extends Error {
  override name = 'RequestFailedError';
  constructor(readonly error: ProtocolError) {
    super(error.message);
  }
}

interface Pending {
  resolve: (value: unknown) => void;
  reject: (error: Error) => void;
}

export class RpcClient<R extends RequestMap<R>, E> {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private readonly listeners = new Map<keyof E, Set<(payload: never) => void>>();

  /** The protocol types the client (its checks run on the host). */
  constructor(_protocol: WebviewProtocol<R, E>, private readonly post: (message: WebviewMessage<R>) => void) {}

  /** Tells the host the webview is listening; call once handlers are attached. */
  ready(): void {
    this.post({ type: 'ready' });
  }

  request<M extends keyof R & string>(method: M, params: R[M]['params'], signal?: AbortSignal): Promise<R[M]['result']> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      if (signal?.aborted) {
        reject(new RequestFailedError({ message: 'Cancelled', code: 'cancelled' }));
        return;
      }
      const onAbort = (): void => this.post({ type: 'cancel', id });
      signal?.addEventListener('abort', onAbort, { once: true });
      this.pending.set(id, {
        resolve: (v) => {
          signal?.removeEventListener('abort', onAbort);
          resolve(v as R[M]['result']);
        },
        reject: (e) => {
          signal?.removeEventListener('abort', onAbort);
          reject(e);
        },
      });
      this.post({ type: 'request', id, method, params } as WebviewMessage<R>);
    });
  }

  on<K extends keyof E>(event: K, listener: (payload: E[K]) => void): () => void {
    let set = this.listeners.get(event);
    if (!set) this.listeners.set(event, (set = new Set()));
    set.add(listener as (payload: never) => void);
    return () => set.delete(listener as (payload: never) => void);
  }

  /** Feed every message received from the host here. Returns false for foreign messages. */
  handle(raw: unknown): boolean {
    if (!isHostMessage<E>(raw)) return false;
    if (raw.type === 'reply') {
      const p = this.pending.get(raw.id);
      if (!p) return true;
      this.pending.delete(raw.id);
      if (raw.ok) p.resolve(raw.result);
      else p.reject(new RequestFailedError(raw.error));
      return true;
    }
    for (const l of this.listeners.get(raw.event as keyof E) ?? []) (l as (payload: unknown) => void)(raw.payload);
    return true;
  }
}
