/** CloudflareError's own fields, and which of them the client retries. */
import { describe, expect, it } from 'vitest';
import { retryDecision } from '../../src/cloudflare/client.js';
import { CloudflareError } from '../../src/cloudflare/errors.js';

describe('CloudflareError', () => {
  it('is named, and has no Cloudflare errors unless given', () => {
    const error = new CloudflareError('GET /x failed.', {
      kind: 'network',
      method: 'GET',
      path: '/x',
    });

    expect(error.name).toBe('CloudflareError');
    expect(String(error)).toBe('CloudflareError: GET /x failed.');
    expect(error.errors).toEqual([]);
    expect(error.ambiguous).toBe(false);
  });
});

describe('retryDecision', () => {
  const failure = (kind: CloudflareError['kind'], status?: number, retryAfterMs?: number) =>
    new CloudflareError('x', { kind, method: 'GET', path: '/x', status, retryAfterMs });

  it.each([
    ['network', undefined, true],
    ['timeout', undefined, true],
    ['timeout', 200, true],
    ['invalid-response', undefined, true],
    ['invalid-response', 500, true],
    ['invalid-response', 499, false],
    ['invalid-response', 200, false],
    ['http', 500, true],
    ['http', 503, true],
    ['http', 499, false],
    ['http', 404, false],
    ['http', undefined, false],
    ['deadline', 503, false],
  ] as const)('%s with HTTP %s: retry %s', (kind, status, retry) => {
    expect(retryDecision(failure(kind, status))).toEqual({ retry });
  });

  it('retries a 429 after its Retry-After, when it sent one', () => {
    expect(retryDecision(failure('http', 429, 2_000))).toEqual({ retry: true, afterMs: 2_000 });
    expect(retryDecision(failure('http', 429))).toEqual({ retry: true, afterMs: undefined });
  });

  it('never retries what is not a CloudflareError', () => {
    expect(retryDecision(new TypeError('bug'))).toEqual({ retry: false });
    expect(retryDecision('thrown')).toEqual({ retry: false });
  });
});
