/** How a failure reads: connection errors and timeouts, and the retries or deadline used up. */
import { describe, expect, it } from 'vitest';
import { CloudflareError } from '../../src/cloudflare/errors.js';
import {
  RATE_LIMIT_HINT,
  connectionError,
  deadlineError,
  exhaustedError,
} from '../../src/cloudflare/failures.js';

const request = { method: 'PUT', path: '/accounts/a/secrets_store/stores/s/secrets' };
const where = 'PUT /accounts/a/secrets_store/stores/s/secrets';

/** A Node-style system error: a message and a `code`, optionally with a `cause`. */
function systemError(message: string, code?: string, cause?: unknown): Error {
  const error = new Error(message, cause === undefined ? undefined : { cause });
  if (code !== undefined) Object.assign(error, { code });
  return error;
}

describe('connectionError', () => {
  it('returns a CloudflareError as it is', () => {
    const failure = new CloudflareError('x', { kind: 'http', method: 'GET', path: '/x' });

    expect(connectionError(failure, request, 500, true, 1_000)).toBe(failure);
  });

  it('says how long a timed-out request waited, and that it may have been sent', () => {
    const error = connectionError(new Error('aborted'), request, undefined, true, 30_000);

    expect(error.message).toBe(`${where} timed out after 30 s.`);
    expect(error).toMatchObject({ kind: 'timeout', status: undefined, ambiguous: true });
  });

  it('says when the headers of a timed-out request arrived but its body did not', () => {
    const error = connectionError(new Error('aborted'), request, 200, true, 2_500);

    expect(error.message).toBe(
      `${where} timed out after 2.5 s (HTTP 200 headers arrived, the body did not).`,
    );
    expect(error).toMatchObject({ kind: 'timeout', status: 200, ambiguous: true });
  });

  it.each(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'UND_ERR_CONNECT_TIMEOUT'])(
    'knows a request that failed with %s was never sent',
    (code) => {
      const error = connectionError(systemError('no way', code), request, undefined, false, 1_000);

      expect(error.message).toBe(`${where} failed: the connection failed (${code}: no way).`);
      expect(error).toMatchObject({ kind: 'network', status: undefined, ambiguous: false });
    },
  );

  it.each(['ECONNRESET', 'UND_ERR_SOCKET', 'EPIPE'])(
    'counts a request that failed with %s as maybe sent',
    (code) => {
      const error = connectionError(systemError('broke', code), request, undefined, false, 1_000);

      expect(error).toMatchObject({ kind: 'network', ambiguous: true });
    },
  );

  it('counts a connection error without a code as maybe sent', () => {
    const error = connectionError(new Error('other side hung up'), request, undefined, false, 1);

    expect(error.message).toBe(`${where} failed: the connection failed (other side hung up).`);
    expect(error).toMatchObject({ kind: 'network', ambiguous: true });
  });

  // Mutant: `status === undefined` as `true` (or `&&` as `||`), calling a body that broke off
  // after the headers arrived unsent when its code is one of the never-sent ones.
  it('counts a body that broke off as maybe sent, whatever its code', () => {
    const error = connectionError(systemError('gone', 'ECONNREFUSED'), request, 200, false, 1);

    expect(error.message).toBe(
      `${where} failed: HTTP 200 arrived but its body broke off (ECONNREFUSED: gone).`,
    );
    expect(error).toMatchObject({ kind: 'invalid-response', status: 200, ambiguous: true });
  });

  it('finds the code in the chain of causes (as undici wraps them)', () => {
    const wrapped = new TypeError('fetch failed', {
      cause: systemError('outer', undefined, systemError('getaddrinfo ENOTFOUND x', 'ENOTFOUND')),
    });

    const error = connectionError(wrapped, request, undefined, false, 1);

    expect(error.message).toBe(`${where} failed: the connection failed (ENOTFOUND: fetch failed).`);
    expect(error.ambiguous).toBe(false);
  });

  it('reads no code that is not a string', () => {
    const error = connectionError(
      Object.assign(new Error('odd'), { code: 42, cause: systemError('inner', 'ENOTFOUND') }),
      request,
      undefined,
      false,
      1,
    );

    expect(error.message).toBe(`${where} failed: the connection failed (ENOTFOUND: odd).`);
  });

  // Mutant: errorCode following a cause that is the error itself, forever.
  it('stops at a cause that is the error itself', () => {
    const looped = new Error('looped');
    Object.assign(looped, { cause: looped });

    const error = connectionError(looped, request, undefined, false, 1);

    expect(error.message).toBe(`${where} failed: the connection failed (looped).`);
    expect(error.ambiguous).toBe(true);
  });

  // Mutant: `error === null` as `false`, reading `.code` of a null cause.
  it('reads a thrown null, or a null cause, as having no code', () => {
    expect(connectionError(null, request, undefined, false, 1).message).toBe(
      `${where} failed: the connection failed (null).`,
    );
    expect(
      connectionError(new Error('bare', { cause: null }), request, undefined, false, 1).message,
    ).toBe(`${where} failed: the connection failed (bare).`);
  });

  it('shows only the first line of the message, cut at 200 characters', () => {
    const long = 'x'.repeat(250);
    const lines = connectionError(
      new Error('first\nheaders: secret'),
      request,
      undefined,
      false,
      1,
    );
    const cut = connectionError(new Error(long), request, undefined, false, 1);

    expect(lines.message).toBe(`${where} failed: the connection failed (first).`);
    expect(cut.message).toBe(`${where} failed: the connection failed (${'x'.repeat(200)}).`);
  });
});

describe('exhaustedError', () => {
  const failure = new CloudflareError('GET /x returned HTTP 503.', {
    kind: 'http',
    method: 'GET',
    path: '/x',
    status: 503,
    ambiguous: true,
    hint: 'Try again later.',
  });

  it('says that the one retry allowed is used up', () => {
    const error = exhaustedError(failure, 1) as CloudflareError;

    expect(error.message).toBe(
      'GET /x returned HTTP 503. Not retried: the 1 retry allowed for this run is used up. Try again later.',
    );
    expect(error).toMatchObject({ kind: 'http', status: 503, ambiguous: true });
  });

  it('says how many retries allowed are used up', () => {
    expect((exhaustedError(failure, 4) as CloudflareError).summary).toBe(
      'GET /x returned HTTP 503. Not retried: the 4 retries allowed for this run are used up.',
    );
  });

  it('explains nothing with retries turned off, or for what is not a CloudflareError', () => {
    const bug = new TypeError('bug');

    expect(exhaustedError(failure, 0)).toBe(failure);
    expect(exhaustedError(bug, 3)).toBe(bug);
  });
});

describe('deadlineError', () => {
  const failure = (status: number | undefined, retryAfterMs?: number, hint?: string) =>
    new CloudflareError(`GET /x returned HTTP ${status}.`, {
      kind: 'http',
      method: 'GET',
      path: '/x',
      status,
      retryAfterMs,
      ambiguous: true,
      hint,
    });

  it('stops a 429 whose Retry-After is longer than the time left, with the rate-limit hint', () => {
    const error = deadlineError(failure(429, 90_000), 90_000, 12_340, '') as CloudflareError;

    expect(error.message).toBe(
      'GET /x returned HTTP 429. Cloudflare asked to wait 90 s before retrying (Retry-After), ' +
        "more than the 12.3 s left of the step's time budget, so the step stops now instead of sleeping. " +
        RATE_LIMIT_HINT,
    );
    expect(error).toMatchObject({ kind: 'deadline', method: 'GET', path: '/x', status: 429 });
  });

  // Mutant: the 429 branch taken without a Retry-After (`&&` as `||`, or a side as `true`).
  it('says only that the next attempt would pass the deadline for a 429 with no Retry-After', () => {
    const error = deadlineError(failure(429), 5_000, 1_000, ' (10 s kept back)') as CloudflareError;

    expect(error.message).toBe(
      "GET /x returned HTTP 429. Not retried: the next attempt would pass the 1 s left of the step's time budget (10 s kept back).",
    );
    expect(error).toMatchObject({ kind: 'deadline', status: 429, ambiguous: true });
  });

  // Mutant: `error.status === 429` as `true`, sending a 503 with a Retry-After down the 429 branch.
  it('says only that the next attempt would pass the deadline for another status', () => {
    const error = deadlineError(failure(503, 60_000), 60_000, -5, '') as CloudflareError;

    expect(error.message).toBe(
      "GET /x returned HTTP 503. Not retried: the next attempt would pass the 0 s left of the step's time budget.",
    );
    expect(error).toMatchObject({ kind: 'deadline', status: 503, ambiguous: true });
  });

  // Mutant: `error.hint ?? ''` as `error.hint && ''`, dropping the failure's hint.
  it("keeps the failure's hint", () => {
    const error = deadlineError(failure(503, undefined, 'Try later.'), 1, 0, '') as CloudflareError;

    expect(error.hint).toBe('Try later.');
    expect(error.message).toMatch(/ Try later\.$/);
  });

  // Mutant: the `''` of `error.hint ?? ''` as any other text, added as a hint.
  it('adds no hint when the failure had none', () => {
    const error = deadlineError(failure(500), 1, 0, '') as CloudflareError;

    expect(error.hint).toBe('');
    expect(error.message).toBe(error.summary);
  });

  // Mutant: the CloudflareError check as `false`, dressing up any error as a deadline.
  it('returns what is not a CloudflareError as it is', () => {
    const bug = new TypeError('bug');

    expect(deadlineError(bug, 1, 0, '')).toBe(bug);
  });
});
