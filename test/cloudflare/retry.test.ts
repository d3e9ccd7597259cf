import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import fc from 'fast-check';
import { Agent } from 'undici';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { SecretsStoreClient } from '../../src/cloudflare/client.js';
import {
  DEFAULT_BACKOFF,
  RetryBudget,
  backoffDelay,
  systemClock,
  parseRetryAfter,
  withRetries,
  type RetryDecision,
  type RetryPolicy,
} from '../../src/cloudflare/retry.js';
import { START, fakeClock } from '../helpers/mock-cloudflare.js';

function policy(overrides: Partial<RetryPolicy> = {}): RetryPolicy {
  return {
    maxRetries: 3,
    deadline: START + 60_000,
    baseDelayMs: 100,
    maxDelayMs: 1_000,
    ...overrides,
  };
}

class Retryable extends Error {
  constructor(
    readonly n: number,
    readonly afterMs?: number,
  ) {
    super(`retryable ${n}`);
  }
}
class Fatal extends Error {}

function classify(error: unknown): RetryDecision {
  if (error instanceof Retryable) {
    return error.afterMs === undefined ? { retry: true } : { retry: true, afterMs: error.afterMs };
  }
  return { retry: false };
}

/** An attempt function that fails with `failures` in order, then returns 'ok'. */
function failing(failures: Error[]) {
  const attempts: number[] = [];
  const fn = async (attempt: number) => {
    attempts.push(attempt);
    const failure = failures[attempts.length - 1];
    if (failure) throw failure;
    return 'ok';
  };
  return { fn, attempts };
}

describe('backoffDelay', () => {
  it('is full jitter below a cap that doubles from the base up to the maximum', () => {
    const p = policy({ baseDelayMs: 100, maxDelayMs: 1_000 });
    const almostOne = () => 0.999999;
    expect([0, 1, 2, 3, 4, 5, 10].map((n) => backoffDelay(n, p, almostOne))).toEqual([
      99, 199, 399, 799, 999, 999, 999,
    ]);
    expect([0, 1, 2, 3, 4].map((n) => backoffDelay(n, p, () => 0.5))).toEqual([
      50, 100, 200, 400, 500,
    ]);
    expect([0, 3, 9].map((n) => backoffDelay(n, p, () => 0))).toEqual([0, 0, 0]);
  });

  it('stays within [0, min(max, base * 2^n)) for any random value in [0, 1)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 64 }),
        fc.integer({ min: 1, max: 10_000 }),
        fc.integer({ min: 1, max: 100_000 }),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        (retry, baseDelayMs, maxDelayMs, r) => {
          const p = policy({ baseDelayMs, maxDelayMs });
          const delay = backoffDelay(retry, p, () => r);
          const cap = Math.min(maxDelayMs, baseDelayMs * 2 ** retry);
          expect(Number.isInteger(delay)).toBe(true);
          expect(delay).toBeGreaterThanOrEqual(0);
          expect(delay).toBeLessThan(cap);
        },
      ),
    );
  });

  it('defaults to a 500 ms base and an 8 s ceiling', () => {
    expect(DEFAULT_BACKOFF).toEqual({ baseDelayMs: 500, maxDelayMs: 8_000 });
  });
});

describe('withRetries', () => {
  it('returns the first success without waiting', async () => {
    const clock = fakeClock([]);
    const { fn, attempts } = failing([]);
    await expect(withRetries(fn, { policy: policy(), clock, classify })).resolves.toBe('ok');
    expect(attempts).toEqual([1]);
    expect(clock.sleeps).toEqual([]);
  });

  it('retries retryable failures with full-jitter backoff, then succeeds', async () => {
    const clock = fakeClock([0.5, 0.25, 0.999]);
    const { fn, attempts } = failing([new Retryable(1), new Retryable(2), new Retryable(3)]);
    await expect(withRetries(fn, { policy: policy(), clock, classify })).resolves.toBe('ok');
    expect(attempts).toEqual([1, 2, 3, 4]);
    // Caps 100, 200, 400 ms: floor(0.5 * 100), floor(0.25 * 200), floor(0.999 * 400).
    expect(clock.sleeps).toEqual([50, 50, 399]);
  });

  it('never waits more than the maximum delay', async () => {
    const clock = fakeClock(Array(8).fill(0.999999));
    const failures = Array.from({ length: 8 }, (_, i) => new Retryable(i + 1));
    const { fn } = failing(failures);
    await withRetries(fn, {
      policy: policy({ maxRetries: 8, baseDelayMs: 100, maxDelayMs: 1_000 }),
      clock,
      classify,
    });
    expect(clock.sleeps).toEqual([99, 199, 399, 799, 999, 999, 999, 999]);
  });

  it('stops after maxRetries retries and throws the last error', async () => {
    const clock = fakeClock([0, 0, 0]);
    const failures = [1, 2, 3, 4, 5].map((n) => new Retryable(n));
    const { fn, attempts } = failing(failures);
    const thrown = await withRetries(fn, { policy: policy({ maxRetries: 3 }), clock, classify })
      .then(() => undefined)
      .catch((error: unknown) => error);
    expect(thrown).toBe(failures[3]);
    expect(attempts).toEqual([1, 2, 3, 4]);
    expect(clock.sleeps).toEqual([0, 0, 0]);
  });

  it('makes exactly one attempt when maxRetries is 0', async () => {
    const clock = fakeClock([]);
    const failure = new Retryable(1);
    const { fn, attempts } = failing([failure]);
    await expect(
      withRetries(fn, { policy: policy({ maxRetries: 0 }), clock, classify }),
    ).rejects.toBe(failure);
    expect(attempts).toEqual([1]);
    expect(clock.sleeps).toEqual([]);
  });

  it('shares a budget between calls: retries taken by one are gone for the next', async () => {
    const clock = fakeClock([0, 0, 0]);
    const budget = new RetryBudget(3);
    const first = failing([new Retryable(1), new Retryable(2)]);
    await expect(
      withRetries(first.fn, { policy: policy(), clock, classify, budget }),
    ).resolves.toBe('ok');
    expect(budget.remaining).toBe(1);

    const lastFailure = new Retryable(4);
    const second = failing([new Retryable(3), lastFailure]);
    await expect(
      withRetries(second.fn, { policy: policy(), clock, classify, budget }),
    ).rejects.toBe(lastFailure);
    expect(second.attempts).toEqual([1, 2]);
    expect(budget.remaining).toBe(0);
  });

  it('builds the thrown error with onExhausted when the retries are used up, not otherwise', async () => {
    const clock = fakeClock([0]);
    const failures = [new Retryable(1), new Retryable(2)];
    const exhausted = new Error('used up');
    const { fn } = failing(failures);
    await expect(
      withRetries(fn, {
        policy: policy({ maxRetries: 1 }),
        clock,
        classify,
        onExhausted: (error) => (error === failures[1] ? exhausted : error),
      }),
    ).rejects.toBe(exhausted);

    const fatal = new Fatal('no');
    await expect(
      withRetries(failing([fatal]).fn, {
        policy: policy(),
        clock,
        classify,
        onExhausted: () => exhausted,
      }),
    ).rejects.toBe(fatal);
  });

  it('throws a non-retryable error at once', async () => {
    const clock = fakeClock([]);
    const fatal = new Fatal('bad request');
    const { fn, attempts } = failing([fatal]);
    const events: unknown[] = [];
    await expect(
      withRetries(fn, { policy: policy(), clock, classify, onRetry: (e) => events.push(e) }),
    ).rejects.toBe(fatal);
    expect(attempts).toEqual([1]);
    expect(clock.sleeps).toEqual([]);
    expect(events).toEqual([]);
  });

  it('stops at the first non-retryable error after retries', async () => {
    const clock = fakeClock([0.5]);
    const fatal = new Fatal('gone');
    const { fn, attempts } = failing([new Retryable(1), fatal]);
    await expect(withRetries(fn, { policy: policy(), clock, classify })).rejects.toBe(fatal);
    expect(attempts).toEqual([1, 2]);
    expect(clock.sleeps).toEqual([50]);
  });

  it("waits exactly the server's Retry-After, even beyond the maximum delay", async () => {
    const clock = fakeClock([]); // random() would throw: it must not be used
    const { fn, attempts } = failing([new Retryable(1, 2_500), new Retryable(2, 0)]);
    await expect(withRetries(fn, { policy: policy(), clock, classify })).resolves.toBe('ok');
    expect(attempts).toEqual([1, 2, 3]);
    expect(clock.sleeps).toEqual([2_500, 0]);
  });

  it('calls onDeadline instead of sleeping when the wait would pass the deadline', async () => {
    const clock = fakeClock([]);
    const failure = new Retryable(1, 5_000);
    const { fn, attempts } = failing([failure]);
    const calls: unknown[][] = [];
    const replacement = new Error('out of time');
    const retries: unknown[] = [];
    await expect(
      withRetries(fn, {
        policy: policy({ deadline: START + 1_000 }),
        clock,
        classify,
        onDeadline: (...args) => {
          calls.push(args);
          return replacement;
        },
        onRetry: (e) => retries.push(e),
      }),
    ).rejects.toBe(replacement);
    expect(calls).toEqual([[failure, 5_000, 1_000]]);
    expect(attempts).toEqual([1]);
    expect(clock.sleeps).toEqual([]);
    expect(retries).toEqual([]);
  });

  it('treats a wait equal to the time left as passing the deadline', async () => {
    const clock = fakeClock([]);
    const { fn } = failing([new Retryable(1, 1_000)]);
    const calls: unknown[][] = [];
    await expect(
      withRetries(fn, {
        policy: policy({ deadline: START + 1_000 }),
        clock,
        classify,
        onDeadline: (...args) => {
          calls.push(args);
          return new Error('deadline');
        },
      }),
    ).rejects.toThrow('deadline');
    expect(calls[0]?.slice(1)).toEqual([1_000, 1_000]);
    expect(clock.sleeps).toEqual([]);
  });

  it('sleeps a wait just shorter than the time left', async () => {
    const clock = fakeClock([]);
    const { fn } = failing([new Retryable(1, 999)]);
    await expect(
      withRetries(fn, { policy: policy({ deadline: START + 1_000 }), clock, classify }),
    ).resolves.toBe('ok');
    expect(clock.sleeps).toEqual([999]);
  });

  it('throws the last error itself at the deadline when there is no onDeadline', async () => {
    const clock = fakeClock([]);
    const failure = new Retryable(1, 5_000);
    const { fn } = failing([failure]);
    await expect(
      withRetries(fn, { policy: policy({ deadline: START + 1_000 }), clock, classify }),
    ).rejects.toBe(failure);
    expect(clock.sleeps).toEqual([]);
  });

  it('counts the time the attempts themselves took against the deadline', async () => {
    const clock = fakeClock([0.5, 0.5, 0.5]);
    const attempts: number[] = [];
    const calls: unknown[][] = [];
    await expect(
      withRetries(
        async (attempt) => {
          attempts.push(attempt);
          clock.advance(400); // a slow request
          throw new Retryable(attempt);
        },
        {
          policy: policy({ deadline: START + 1_000, maxRetries: 5 }),
          clock,
          classify,
          onDeadline: (...args) => {
            calls.push(args);
            return new Error('deadline');
          },
        },
      ),
    ).rejects.toThrow('deadline');
    // t=400: wait 50 of 600 left, sleeps; t=850: wait 100 of 150 left, sleeps;
    // t=1350: wait 200 with -350 left, so the deadline stops it.
    expect(attempts).toEqual([1, 2, 3]);
    expect(clock.sleeps).toEqual([50, 100]);
    expect(calls[0]?.slice(1)).toEqual([200, -350]);
  });

  it('reports each retry to onRetry before sleeping', async () => {
    const clock = fakeClock([0.5, 0.5]);
    const log: string[] = [];
    const events: { attempt: number; waitMs: number; error: unknown }[] = [];
    const e1 = new Retryable(1);
    const e2 = new Retryable(2, 1_234);
    const e3 = new Retryable(3);
    const { fn } = failing([e1, e2, e3]);
    const sleep = clock.sleep;
    clock.sleep = async (ms) => {
      log.push(`sleep ${ms}`);
      await sleep(ms);
    };
    await withRetries(fn, {
      policy: policy(),
      clock,
      classify,
      onRetry: (event) => {
        log.push(`retry ${event.attempt}`);
        events.push(event);
      },
    });
    expect(events).toEqual([
      { attempt: 1, waitMs: 50, error: e1 },
      { attempt: 2, waitMs: 1_234, error: e2 },
      { attempt: 3, waitMs: 200, error: e3 },
    ]);
    expect(log).toEqual(['retry 1', 'sleep 50', 'retry 2', 'sleep 1234', 'retry 3', 'sleep 200']);
  });

  it('passes the attempt number to each attempt', async () => {
    const clock = fakeClock([0, 0]);
    const seen: number[] = [];
    const value = await withRetries(
      async (attempt) => {
        seen.push(attempt);
        if (attempt < 3) throw new Retryable(attempt);
        return attempt * 10;
      },
      { policy: policy(), clock, classify },
    );
    expect(value).toBe(30);
    expect(seen).toEqual([1, 2, 3]);
  });

  describe('when the deadline is brought nearer during a wait (a cancelled step)', () => {
    /** A clock whose first sleep is cut after 1 s by `interrupt`, the deadline moved to 7 s on. */
    function cutClock(p: RetryPolicy, interrupt: AbortController) {
      const clock = fakeClock([]);
      const sleep = clock.sleep;
      clock.sleep = async (ms, signal) => {
        if (signal && !signal.aborted) {
          clock.advance(1_000);
          p.deadline = clock.now() + 7_000;
          interrupt.abort();
          clock.sleeps.push(ms);
          return;
        }
        await sleep(ms);
      };
      return clock;
    }

    // The second: what is left of the wait ends exactly at the new deadline.
    it.each([
      ['passes', 60_000, 59_000],
      ['ends exactly at', 8_000, 7_000],
    ])(
      'stops waiting and gives up when what is left of the wait %s the new deadline',
      async (_, waitMs, leftMs) => {
        const p = policy({ deadline: START + 120_000 });
        const interrupt = new AbortController();
        const clock = cutClock(p, interrupt);
        const failure = new Retryable(1, waitMs);
        const { fn, attempts } = failing([failure]);
        const calls: unknown[][] = [];
        await expect(
          withRetries(fn, {
            policy: p,
            clock,
            classify,
            interrupt: interrupt.signal,
            onDeadline: (...args) => {
              calls.push(args);
              return new Error('deadline');
            },
          }),
        ).rejects.toThrow('deadline');
        expect(calls).toEqual([[failure, leftMs, 7_000]]);
        expect(attempts).toEqual([1]);
        expect(clock.now()).toBe(START + 1_000);
      },
    );

    it('waits out the rest when it still fits, then tries again', async () => {
      const p = policy({ deadline: START + 120_000 });
      const interrupt = new AbortController();
      const clock = cutClock(p, interrupt);
      const { fn, attempts } = failing([new Retryable(1, 3_000)]);
      await expect(
        withRetries(fn, { policy: p, clock, classify, interrupt: interrupt.signal }),
      ).resolves.toBe('ok');
      expect(attempts).toEqual([1, 2]);
      expect(clock.sleeps).toEqual([3_000, 2_000]);
    });

    // A wait that was over when the interrupt came (a mutant of `left > 0` survived).
    it('does not wait again when the wait was over as the interrupt came', async () => {
      const p = policy({ deadline: START + 120_000 });
      const interrupt = new AbortController();
      const clock = cutClock(p, interrupt);
      const { fn, attempts } = failing([new Retryable(1, 1_000)]);
      await expect(
        withRetries(fn, { policy: p, clock, classify, interrupt: interrupt.signal }),
      ).resolves.toBe('ok');
      expect(attempts).toEqual([1, 2]);
      expect(clock.sleeps).toEqual([1_000]);
    });
  });
});

describe('systemClock.sleep', () => {
  it('ends as soon as its signal is aborted, and at once when it already is', async () => {
    await systemClock.sleep(60_000, AbortSignal.abort());
    const controller = new AbortController();
    const slept = systemClock.sleep(60_000, controller.signal);
    controller.abort();
    await slept;
  });
});

describe('systemClock.sleep, on timers', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('without a signal, waits its whole time', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    let over = false;
    const slept = systemClock.sleep(1_000).then(() => (over = true));
    await vi.advanceTimersByTimeAsync(999);
    expect(over).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    await slept;
    expect(over).toBe(true);
  });

  it('cut short, leaves no timer running and no listener on the signal', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const controller = new AbortController();
    const removed = vi.spyOn(controller.signal, 'removeEventListener');
    const slept = systemClock.sleep(60_000, controller.signal);
    expect(vi.getTimerCount()).toBe(1);
    controller.abort();
    await slept;
    expect(vi.getTimerCount()).toBe(0);
    expect(removed).toHaveBeenCalledWith('abort', expect.any(Function));
  });

  it('waited out, takes its listener off the signal', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const controller = new AbortController();
    const added = vi.spyOn(controller.signal, 'addEventListener');
    const removed = vi.spyOn(controller.signal, 'removeEventListener');
    const slept = systemClock.sleep(1_000, controller.signal);
    await vi.advanceTimersByTimeAsync(1_000);
    await slept;
    expect(added).toHaveBeenCalledWith('abort', expect.any(Function), { once: true });
    expect(removed).toHaveBeenCalledWith('abort', added.mock.calls[0]![1]);
  });
});

describe('parseRetryAfter', () => {
  const now = Date.parse('Wed, 21 Oct 2015 07:28:00 GMT');

  it('reads whole seconds', () => {
    expect(parseRetryAfter('0', now)).toBe(0);
    expect(parseRetryAfter('1', now)).toBe(1_000);
    expect(parseRetryAfter('120', now)).toBe(120_000);
    expect(parseRetryAfter('300', now)).toBe(300_000);
  });

  it('ignores white space around the value', () => {
    expect(parseRetryAfter('  7 ', now)).toBe(7_000);
  });

  it('reads an HTTP date as the time left until it', () => {
    expect(parseRetryAfter('Wed, 21 Oct 2015 07:28:30 GMT', now)).toBe(30_000);
    expect(parseRetryAfter('Wed, 21 Oct 2015 07:33:00 GMT', now)).toBe(300_000);
  });

  it('reads an HTTP date in the past as no wait', () => {
    expect(parseRetryAfter('Wed, 21 Oct 2015 07:27:00 GMT', now)).toBe(0);
  });

  it('returns undefined when the header is absent or empty', () => {
    expect(parseRetryAfter(undefined, now)).toBeUndefined();
    expect(parseRetryAfter('', now)).toBeUndefined();
    expect(parseRetryAfter('   ', now)).toBeUndefined();
  });

  it('returns undefined for garbage', () => {
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter('5s', now)).toBeUndefined();
    expect(parseRetryAfter('<html>', now)).toBeUndefined();
  });

  it('returns undefined for a date with more around it, or no such day', () => {
    // Date.parse alone would read each of the first two, at another time than the header says.
    expect(parseRetryAfter('xWed, 21 Oct 2015 07:28:30 GMT', now)).toBeUndefined();
    expect(parseRetryAfter('Wed, 21 Oct 2015 07:28:30 GMT+0100', now)).toBeUndefined();
    expect(parseRetryAfter('Wed, 99 Oct 2015 07:28:30 GMT', now)).toBeUndefined();
  });

  it('returns undefined for numbers that are not whole seconds', () => {
    // RFC 9110: delay-seconds is 1*DIGIT. These are neither that nor an HTTP date, so they
    // must be ignored (falling back to backoff), not read as a date in 2001 (= no wait at all).
    expect(parseRetryAfter('1.5', now)).toBeUndefined();
    expect(parseRetryAfter('-1', now)).toBeUndefined();
  });
});

describe('SecretsStoreClient over real HTTP', () => {
  const ACCOUNT = '985e105f4ecef8ad9ca31a8372d0c353';
  const STORE = '023e105f4ecef8ad9ca31a8372d0c353';
  const SECRET = '3fd85f74b32742f1bff64a85009dda07';
  const result = {
    id: SECRET,
    name: 'MY_API_KEY',
    status: 'active',
    store_id: STORE,
    created: '2023-09-21T18:56:32.624632Z',
    modified: '2023-09-21T18:56:32.624632Z',
    scopes: ['workers'],
  };

  // The wait is on the client's injected clock, so the test spends no real second on it.
  it('waits for a 429 with Retry-After: 1, then succeeds', async () => {
    const clock = fakeClock();
    const requests: { at: number; url: string | undefined; headers: IncomingHttpHeaders }[] = [];
    const server = createServer((req, res) => {
      requests.push({ at: clock.now(), url: req.url, headers: req.headers });
      if (requests.length === 1) {
        res.writeHead(429, { 'content-type': 'application/json', 'retry-after': '1' });
        res.end(
          JSON.stringify({
            success: false,
            errors: [
              { code: 971, message: 'Please wait and consider throttling your request speed' },
            ],
            messages: [],
            result: null,
          }),
        );
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ success: true, errors: [], messages: [], result }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const agent = new Agent();
    try {
      const retries: { waitMs: number; reason: string }[] = [];
      const client = new SecretsStoreClient({
        accountId: ACCOUNT,
        credentials: { kind: 'token', token: 't' },
        dispatcher: agent,
        baseUrl: `http://127.0.0.1:${port}`,
        maxRetries: 1,
        clock,
        onRetry: ({ waitMs, reason }) => retries.push({ waitMs, reason }),
      });
      const secret = await client.getSecret(STORE, SECRET);

      expect(secret).toEqual({ ...result, comment: undefined });
      expect(requests).toHaveLength(2);
      const path = `/accounts/${ACCOUNT}/secrets_store/stores/${STORE}/secrets/${SECRET}`;
      expect(requests.map((r) => r.url)).toEqual([path, path]);
      expect(requests[1]!.headers.authorization).toBe('Bearer t');
      expect(retries.map((r) => r.waitMs)).toEqual([1_000]);
      expect(clock.sleeps).toEqual([1_000]);
      expect(requests.map((r) => r.at - START)).toEqual([0, 1_000]);
    } finally {
      await agent.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});
