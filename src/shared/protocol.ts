/**
 * The one message protocol between the extension host and the instance page webview, imported
 * by both builds. Requests carry ids and get exactly one reply (a result or an error); the host
 * also pushes events. The webview says `ready` first; the host posts nothing before that, since
 * messages sent to a webview that has not loaded yet are lost.
 */
import type { InstancePageState, RevealKind } from './instancePage';

/** Page -> host requests: method name -> params and result. */
export interface PageRequests {
  getState: { params: Record<string, never>; result: InstancePageState };
  reveal: { params: { what: RevealKind }; result: InstancePageState };
  launch: { params: Record<string, never>; result: InstancePageState };
  openTerminal: { params: Record<string, never>; result: null };
  runTests: { params: Record<string, never>; result: InstancePageState };
  refreshCandidate: { params: Record<string, never>; result: InstancePageState };
  showDiff: { params: { against: 'base' | 'gold' }; result: null };
  openWorkspace: { params: Record<string, never>; result: null };
  showLog: { params: Record<string, never>; result: null };
  stop: { params: Record<string, never>; result: InstancePageState };
}

/** Host -> page pushed events. */
export interface PageEvents {
  state: InstancePageState;
}

export type RequestMethod = keyof PageRequests;
export type EventName = keyof PageEvents;

export type WebviewToHost =
  | { type: 'ready' }
  | { [M in RequestMethod]: { type: 'request'; id: number; method: M; params: PageRequests[M]['params'] } }[RequestMethod]
  | { type: 'cancel'; id: number };

export interface ProtocolError {
  message: string;
  /** `cancelled` when the request was cancelled, `invalid` for malformed requests. */
  code?: 'cancelled' | 'invalid' | 'failed';
}

export type HostToWebview =
  | { type: 'reply'; id: number; ok: true; result: unknown }
  | { type: 'reply'; id: number; ok: false; error: ProtocolError }
  | { [E in EventName]: { type: 'event'; event: E; payload: PageEvents[E] } }[EventName];

const METHODS: ReadonlySet<string> = new Set<RequestMethod>([
  'getState', 'reveal', 'launch', 'openTerminal', 'runTests', 'refreshCandidate', 'showDiff', 'openWorkspace', 'showLog', 'stop',
]);

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Validates a message from the webview. Webview content renders dataset text, so its messages
 * are checked rather than trusted; the reason comes back so a bad message can be logged.
 */
export function parseWebviewMessage(raw: unknown): { ok: true; message: WebviewToHost } | { ok: false; reason: string } {
  if (!isRecord(raw) || typeof raw.type !== 'string') return { ok: false, reason: 'not an object with a type' };
  switch (raw.type) {
    case 'ready':
      return { ok: true, message: { type: 'ready' } };
    case 'cancel':
      if (!Number.isSafeInteger(raw.id)) return { ok: false, reason: 'cancel without an integer id' };
      return { ok: true, message: { type: 'cancel', id: raw.id as number } };
    case 'request': {
      if (!Number.isSafeInteger(raw.id)) return { ok: false, reason: 'request without an integer id' };
      if (typeof raw.method !== 'string' || !METHODS.has(raw.method)) return { ok: false, reason: `unknown method ${String(raw.method)}` };
      const params = raw.params ?? {};
      if (!isRecord(params)) return { ok: false, reason: `${raw.method}: params must be an object` };
      if (raw.method === 'reveal' && params.what !== 'gold' && params.what !== 'tests') return { ok: false, reason: 'reveal: what must be gold or tests' };
      if (raw.method === 'showDiff' && params.against !== 'base' && params.against !== 'gold') return { ok: false, reason: 'showDiff: against must be base or gold' };
      return { ok: true, message: { type: 'request', id: raw.id as number, method: raw.method, params } as WebviewToHost };
    }
    default:
      return { ok: false, reason: `unknown message type ${raw.type}` };
  }
}

export function isHostMessage(raw: unknown): raw is HostToWebview {
  return isRecord(raw) && (raw.type === 'reply' || raw.type === 'event');
}
