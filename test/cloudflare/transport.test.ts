/**
 * The transport on its own, over undici's MockAgent: how a complete answer that is not a
 * success reads, the query and the Content-Length it trusts, and the pause a 429 sets.
 */
import { Readable } from 'node:stream';
import { MockAgent, type Dispatcher } from 'undici';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { CloudflareError } from '../../src/cloudflare/errors.js';
import { MAX_BODY_BYTES } from '../../src/cloudflare/envelope.js';
import { Transport, type TransportOptions } from '../../src/cloudflare/transport.js';
import { TOKEN } from '../helpers/credentials.js';
import { BASE_URL, START, fakeClock, ok, rejection } from '../helpers/mock-cloudflare.js';

let agent: MockAgent | undefined;

afterEach(async () => {
  vi.restoreAllMocks();
  agent?.assertNoPendingInterceptors();
  await agent?.close();
  agent = undefined;
});

/** A Transport to BASE_URL over a fresh MockAgent, with a fake clock and no retries. */
function setup(options: Partial<TransportOptions> = {}) {
  agent = new MockAgent();
  agent.disableNetConnect();
  const clock = fakeClock();
  const transport = new Transport({
    credentials: { kind: 'token', token: TOKEN },
    baseUrl: BASE_URL,
    dispatcher: agent,
    maxRetries: 0,
    clock,
    ...options,
  });
  return { pool: agent.get(new URL(BASE_URL).origin), transport, clock };
}

/** A Transport to BASE_URL over `dispatcher`, a stand-in for what MockAgent cannot play. */
const over = (dispatcher: Dispatcher, options: Partial<TransportOptions> = {}) =>
  new Transport({
    credentials: { kind: 'token', token: TOKEN },
    baseUrl: BASE_URL,
    dispatcher,
    maxRetries: 0,
    clock: fakeClock(),
    ...options,
  });

const PATH = '/things';
const WIRE_PATH = '/client/v4/things';
const read = (transport: Transport, query?: Record<string, string | number | undefined>) =>
  transport.call({ method: 'GET', path: PATH, query }, 1, (result) => result);

describe('an answer that is not a success', () => {
  // Mutant: `status < 200` as `false`, or `status >= 300 && status < 400` as `status < 400`.
  // undici answers no request with a 1xx, so a dispatcher stands in for it.
  it('fails on a status under 200 even with a successful envelope, with no word on redirects', async () => {
    const dispatcher = {
      request: async () => ({
        statusCode: 199,
        headers: {},
        body: Readable.from([Buffer.from(JSON.stringify(ok('x')))]),
      }),
    } as unknown as Dispatcher;
    const transport = over(dispatcher);

    const error = await rejection(read(transport), CloudflareError);

    expect(error.message).toBe('GET /things failed: HTTP 199: no error details given.');
    expect(error).toMatchObject({ kind: 'http', status: 199, ambiguous: false });
  });

  // Mutant: `status >= 300` as `status > 300`, in both checks.
  it('fails on HTTP 300 as on any redirect, which it does not follow', async () => {
    const { pool, transport } = setup();
    pool.intercept({ path: WIRE_PATH }).reply(300, ok('x'));

    const error = await rejection(read(transport), CloudflareError);

    expect(error.message).toBe(
      'GET /things failed: HTTP 300: no error details given. ' +
        'Redirects are not followed, so credentials never go to another address.',
    );
  });

  // Mutant: the `content-type` header of a failed answer not read.
  it("describes a failed answer's body by its Content-Type", async () => {
    const { pool, transport } = setup();
    pool
      .intercept({ path: WIRE_PATH })
      .reply(502, 'upstream gone', { headers: { 'content-type': 'text/plain; charset=utf-8' } });

    const error = await rejection(read(transport), CloudflareError);

    expect(error.message).toBe(
      'GET /things failed: HTTP 502: a body of type text/plain (13 bytes).',
    );
    expect(error).toMatchObject({ kind: 'http', status: 502, ambiguous: true });
  });

  // Mutant: the `content-type` header of a 2xx answer that is no envelope not read, or the
  // answer not counted as maybe having taken effect.
  it('fails on a 2xx that is no envelope, describing it by its Content-Type, as maybe done', async () => {
    const { pool, transport } = setup();
    pool
      .intercept({ path: WIRE_PATH })
      .reply(200, 'all good', { headers: { 'content-type': 'text/plain' } });

    const error = await rejection(read(transport), CloudflareError);

    expect(error.message).toBe(
      'GET /things returned HTTP 200 with a body of type text/plain (8 bytes), not a Cloudflare API response.',
    );
    expect(error).toMatchObject({ kind: 'invalid-response', status: 200, ambiguous: true });
  });

  // Mutant: the `content-length` header not read, so an answer said to be too big is read anyway.
  it('does not read an answer whose Content-Length is over MAX_BODY_BYTES', async () => {
    const { pool, transport } = setup();
    pool
      .intercept({ path: WIRE_PATH })
      .reply(200, ok('x'), { headers: { 'content-length': String(MAX_BODY_BYTES + 1) } });

    const error = await rejection(read(transport), CloudflareError);

    expect(error.message).toBe(
      'GET /things returned HTTP 200 with a body larger than 4 MiB; it was not read.',
    );
  });
});

describe('a request', () => {
  // Mutant: `value !== undefined` as `true`, sending `page=undefined`.
  it('leaves out a query parameter that is undefined', async () => {
    const { pool, transport } = setup();
    pool.intercept({ path: `${WIRE_PATH}?per_page=100` }).reply(200, ok('listed'));

    expect(await read(transport, { page: undefined, per_page: 100 })).toBe('listed');
  });

  // Mutant: `clearTimeout(timer)` dropped, leaving each request's timeout pending.
  it('clears its timeout once the answer is in', async () => {
    const { pool, transport } = setup({ requestTimeoutMs: 12_345 });
    pool.intercept({ path: WIRE_PATH }).reply(200, ok('x'));
    const set = vi.spyOn(globalThis, 'setTimeout');
    const cleared = vi.spyOn(globalThis, 'clearTimeout');

    await read(transport);

    const timers = set.mock.calls.flatMap((call, i) =>
      call[1] === 12_345 ? [set.mock.results[i]!.value as unknown] : [],
    );
    expect(timers).toHaveLength(1);
    expect(cleared.mock.calls.map((call) => call[0] as unknown)).toContain(timers[0]);
  });

  // Mutant: the ShapeError check as `false`, reporting a bug in the parser as an odd answer.
  it('does not report an error of its parser as an unexpected answer from Cloudflare', async () => {
    const { pool, transport } = setup();
    pool.intercept({ path: WIRE_PATH }).reply(200, ok('x'));

    const error = await rejection(
      transport.call({ method: 'GET', path: PATH }, 1, () => {
        throw new TypeError('parser bug');
      }),
      CloudflareError,
    );

    expect(error.message).toContain('parser bug');
    expect(error.message).not.toContain('unexpected answer');
  });
});

describe('the pause of a 429', () => {
  // Mutant: the pause taken for any failure, so that a 503's Retry-After holds back the next call.
  it('is set by a 429 only, not by a 503 that sent a Retry-After', async () => {
    const { pool, transport, clock } = setup();
    pool.intercept({ path: WIRE_PATH }).reply(503, 'busy', { headers: { 'retry-after': '30' } });
    pool.intercept({ path: WIRE_PATH }).reply(200, ok('x'));

    await rejection(read(transport), CloudflareError);
    expect(await read(transport)).toBe('x');

    expect(clock.sleeps).toEqual([]);
  });

  it('holds back the next call for the Retry-After of a 429', async () => {
    const { pool, transport, clock } = setup();
    pool
      .intercept({ path: WIRE_PATH })
      .reply(429, 'slow down', { headers: { 'retry-after': '30' } });
    pool.intercept({ path: WIRE_PATH }).reply(200, ok('x'));

    await rejection(read(transport), CloudflareError);
    expect(await read(transport)).toBe('x');

    expect(clock.sleeps).toEqual([30_000]);
  });

  // Mutant: `wait >= remainingMs` as `>`, sleeping until the very deadline and sending then.
  it('stops the next call when it would end just at the deadline', async () => {
    const { pool, transport, clock } = setup({ deadline: START + 30_000 });
    pool
      .intercept({ path: WIRE_PATH })
      .reply(429, 'slow down', { headers: { 'retry-after': '30' } });

    await rejection(read(transport), CloudflareError);
    const error = await rejection(read(transport), CloudflareError);

    expect(error.message).toMatch(
      /^GET \/things was not sent: Cloudflare rate-limited this account/,
    );
    expect(error).toMatchObject({ kind: 'deadline', status: 429 });
    expect(clock.sleeps).toEqual([]);
  });
});

describe('retrying', () => {
  // Mutant: the CloudflareError check of onRetry as `true`, reporting a retry of any error.
  it('reports only the retries of a CloudflareError', async () => {
    const onRetry = vi.fn();
    const { transport } = setup({ maxRetries: 1, onRetry });
    let attempts = 0;

    const result = await transport.retrying(
      async () => {
        attempts += 1;
        if (attempts === 1) throw new Error('not from Cloudflare');
        return 'done';
      },
      () => ({ retry: true }),
    );

    expect(result).toBe('done');
    expect(onRetry).not.toHaveBeenCalled();
  });
});

describe('windDown', () => {
  it('brings the deadline near, never later', () => {
    const { transport } = setup({ deadline: START + 60_000 });
    transport.windDown(7_000);
    expect(transport.remainingMs()).toBe(7_000);
    transport.windDown(20_000);
    expect(transport.remainingMs()).toBe(7_000);
  });

  it('ends the pause of a 429 when what is left of it passes the new deadline', async () => {
    const { pool, transport, clock } = setup({ deadline: START + 120_000 });
    pool
      .intercept({ path: WIRE_PATH })
      .reply(429, 'slow down', { headers: { 'retry-after': '60' } });
    await rejection(read(transport), CloudflareError);
    // The step is cancelled 1 s into the pause.
    clock.sleep = async (ms, signal) => {
      clock.sleeps.push(ms);
      clock.advance(1_000);
      expect(signal?.aborted).toBe(false);
      transport.windDown(7_000);
      expect(signal?.aborted).toBe(true);
    };

    const error = await rejection(read(transport), CloudflareError);

    expect(error.message).toMatch(
      /^GET \/things was not sent: .* asked to wait 59 s, more than the 7 s left/,
    );
    expect(clock.sleeps).toEqual([60_000]);
  });

  it('cuts a request in flight at half its time, as a timeout that may have taken effect', async () => {
    // A server that never answers: only the request's signal ends the wait.
    const dispatcher = {
      request: ({ signal }: { signal: AbortSignal }) =>
        new Promise((_resolve, reject) => {
          signal.addEventListener('abort', () => reject(new Error('aborted')));
        }),
    } as unknown as Dispatcher;
    const transport = over(dispatcher, { requestTimeoutMs: 30_000 });
    const call = read(transport);
    await new Promise((resolve) => setTimeout(resolve, 20));
    transport.windDown(100);

    const error = await rejection(call, CloudflareError);
    expect(error.kind).toBe('timeout');
    expect(error.ambiguous).toBe(true);
    expect(error.summary).toBe(`GET ${PATH} timed out after 0.1 s.`);
  });
});
