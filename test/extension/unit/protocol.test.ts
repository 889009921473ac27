/** The page protocol end to end in plain Node: client and host wired back to back. */
import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { InstancePageState } from '../../../src/shared/instancePage';
import { PAGE, parseMessage, type HostMessage, type PageEvents, type PageRequests, type WebviewMessage } from '../../../src/shared/protocol';
import { RequestFailedError, RpcClient } from '../../../src/shared/rpcClient';
import { RpcHost, type PageHandlers } from '../../../src/shared/rpcHost';

const parseWebviewMessage = (raw: unknown) => parseMessage(raw, PAGE.spec);

const STATE = { instance: { id: 'a__b-1' } } as unknown as InstancePageState;

function handlers(overrides: Partial<PageHandlers> = {}): PageHandlers {
  const fail = async (): Promise<never> => {
    throw new Error('not used');
  };
  return {
    getState: async () => STATE,
    reveal: fail,
    launch: fail,
    openTerminal: fail,
    runTests: fail,
    refreshCandidate: fail,
    showDiff: fail,
    openWorkspace: fail,
    showLog: fail,
    stop: fail,
    startAgent: fail,
    annotate: fail,
    ...overrides,
  };
}

/** Messages cross asynchronously, as they do through postMessage. */
function wire(h: PageHandlers) {
  const toPage: HostMessage<PageEvents>[] = [];
  const errors: string[] = [];
  const page: { client?: RpcClient<PageRequests, PageEvents> } = {};
  const host = new RpcHost(
    PAGE,
    (m) => {
      toPage.push(m);
      setImmediate(() => page.client?.handle(structuredClone(m)));
    },
    h,
    (reason) => errors.push(reason),
  );
  const client = new RpcClient(PAGE, (m: WebviewMessage<PageRequests>) => setImmediate(() => void host.handle(structuredClone(m))));
  page.client = client;
  return { host, client, toPage, errors };
}

const tick = () => new Promise((r) => setImmediate(r));

describe('page protocol', () => {
  it('holds pushed events until the page says ready, then sends only the latest', async () => {
    const { host, client, toPage } = wire(handlers());
    const seen: InstancePageState[] = [];
    client.on('state', (s) => seen.push(s));
    host.emit('state', { ...STATE, status: 'running' } as InstancePageState);
    host.emit('state', { ...STATE, status: 'resolved' } as InstancePageState);
    await tick();
    assert.equal(toPage.length, 0, 'nothing is posted before ready');
    client.ready();
    await tick();
    await tick();
    assert.deepEqual(seen.map((s) => s.status), ['resolved']);
    host.emit('state', { ...STATE, status: 'failed' } as InstancePageState);
    await tick();
    assert.deepEqual(seen.map((s) => s.status), ['resolved', 'failed']);
  });

  it('matches replies to requests by id, results and errors alike', async () => {
    const { client } = wire(handlers({ stop: async () => { throw new Error('Container is gone'); } }));
    client.ready();
    const [state, stopped] = await Promise.allSettled([client.request('getState', {}), client.request('stop', {})]);
    assert.equal(state.status === 'fulfilled' && state.value.instance.id, 'a__b-1');
    assert.ok(stopped.status === 'rejected' && stopped.reason instanceof RequestFailedError);
    assert.equal((stopped.reason as RequestFailedError).message, 'Container is gone');
  });

  it('a cancel aborts the handler signal and the request rejects as cancelled', async () => {
    let sawAbort = false;
    const { client } = wire(
      handlers({
        runTests: (_p, signal) =>
          new Promise((_resolve, reject) => {
            signal.addEventListener('abort', () => {
              sawAbort = true;
              reject(new Error('aborted'));
            });
          }),
      }),
    );
    client.ready();
    const controller = new AbortController();
    const pending = client.request('runTests', {}, controller.signal);
    await tick();
    controller.abort();
    await assert.rejects(pending, (e: unknown) => e instanceof RequestFailedError && e.error.code === 'cancelled');
    assert.equal(sawAbort, true);
  });

  it('work cancelled another way (a Cancel request) ends its request as cancelled, with what was cancelled', async () => {
    const cancelled = Object.assign(new Error('The run was cancelled'), { name: 'AbortError' });
    const { client } = wire(handlers({ runTests: async () => Promise.reject(cancelled) }));
    client.ready();
    await assert.rejects(client.request('runTests', {}), (e: unknown) => e instanceof RequestFailedError && e.error.code === 'cancelled' && e.message === 'The run was cancelled');
  });

    it('refuses malformed messages with a reason, and answers them when they carry an id', async () => {
    assert.equal(parseWebviewMessage('hello').ok, false);
    assert.equal(parseWebviewMessage({ type: 'request', id: 1, method: 'rm -rf', params: {} }).ok, false);
    assert.equal(parseWebviewMessage({ type: 'request', id: 1, method: 'reveal', params: { what: 'everything' } }).ok, false);
    assert.equal(parseWebviewMessage({ type: 'request', id: 1.5, method: 'getState', params: {} }).ok, false);
    assert.equal(parseWebviewMessage({ type: 'request', id: 2, method: 'reveal', params: { what: 'gold' } }).ok, true);
    const { host, toPage, errors } = wire(handlers());
    await host.handle({ type: 'ready' });
    await host.handle({ type: 'request', id: 7, method: 'format-disk', params: {} });
    assert.match(errors[0] ?? '', /unknown method/);
    assert.deepEqual(toPage.at(-1), { type: 'reply', id: 7, ok: false, error: { message: 'unknown method format-disk', code: 'invalid' } });
  });
});
