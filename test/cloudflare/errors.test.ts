/** CloudflareError's own fields, and which of them the client retries. */
import { describe, expect, it } from 'vitest';
import { retryDecision } from '../../src/cloudflare/client.js';
import { CloudflareError, isNotFound } from '../../src/cloudflare/errors.js';

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

describe('isNotFound', () => {
  const httpError = (status: number, ...errors: { code: number; message: string }[]) =>
    new CloudflareError('GET /x failed.', {
      kind: 'http',
      method: 'GET',
      path: '/x',
      status,
      errors,
    });

  it.each([
    [
      'a 404, whatever its errors say',
      httpError(404, { code: 7003, message: 'No route for the URI' }),
    ],
    ['a 404 with no errors', httpError(404)],
    ['a 400 saying secret_not_found', httpError(400, { code: 1001, message: 'secret_not_found' })],
    ['a 400 saying store_not_found', httpError(400, { code: 1001, message: 'store_not_found' })],
    [
      'a 422 whose second error says secret_not_found',
      httpError(
        422,
        { code: 1001, message: 'secret_name_empty' },
        { code: 1001, message: 'secret_not_found' },
      ),
    ],
  ])('is true for %s', (_label, error) => {
    expect(isNotFound(error)).toBe(true);
  });

  it.each([
    [
      'a 400 validation error with the same code',
      httpError(400, { code: 1001, message: 'secret_scope_invalid' }),
    ],
    ['a 409 name conflict', httpError(409, { code: 1003, message: 'secret_name_already_exists' })],
    ['a 400 with no errors', httpError(400)],
    ['a 500 saying secret_not_found', httpError(500, { code: 1001, message: 'secret_not_found' })],
    ['a 200 saying secret_not_found', httpError(200, { code: 1001, message: 'secret_not_found' })],
    ['a 403', httpError(403, { code: 10000, message: 'Authentication error' })],
    [
      'a network failure',
      new CloudflareError('GET /x failed.', { kind: 'network', method: 'GET', path: '/x' }),
    ],
    ['an Error that is not a CloudflareError', new Error('secret_not_found')],
    ['a value that is not an error', { status: 404 }],
  ])('is false for %s', (_label, error) => {
    expect(isNotFound(error)).toBe(false);
  });
});
