/** CloudflareError's own fields, and which of them the client retries. */
import { describe, expect, it } from 'vitest';
import { retryDecision } from '../../src/cloudflare/client.js';
import { CloudflareError, isNotFound, refusalHint } from '../../src/cloudflare/errors.js';

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

describe('refusalHint', () => {
  const TOKEN = { reached: false, globalKey: false };
  const AUTH = [{ code: 10000, message: 'Authentication error' }];
  const QUOTA = [{ code: 1005, message: 'secrets quota exceeded' }];

  it('names the account id first on a 403 before any request to the account succeeded', () => {
    const hint = refusalHint(403, AUTH, TOKEN)!;
    expect(hint).toMatch(/^The account id is the likeliest cause: check first/);
    expect(hint).toContain("the token's account resources must include that account");
    expect(hint).not.toContain('Global API key');
  });

  it('names the permission once a request to the account succeeded', () => {
    const hint = refusalHint(403, AUTH, { ...TOKEN, reached: true })!;
    expect(hint).toMatch(
      /^Earlier requests to this account succeeded, so the account id and the token's account resources are right/,
    );
    expect(hint).toContain('Check first that it has the "Secrets Store Write" permission');
  });

  it('names the token itself on a 401', () => {
    expect(refusalHint(401, AUTH, TOKEN)).toMatch(
      /^Cloudflare did not accept the API token: check first that it was copied whole/,
    );
  });

  it('with the Global API key pair, names the account id and the key, not a token', () => {
    for (const status of [401, 403]) {
      const hint = refusalHint(status, AUTH, { reached: false, globalKey: true })!;
      expect(hint).toMatch(/^Check first that the account id is the one/);
      expect(hint).not.toMatch(/token/i);
    }
  });

  it.each([400, 403, 409])(
    'says quota, not credentials, for a quota refusal (HTTP %i)',
    (status) => {
      const hint = refusalHint(status, QUOTA, TOKEN)!;
      expect(hint).toBe(
        "Cloudflare refused it for the account's Secrets Store quota: delete secrets the account " +
          'no longer needs, or ask Cloudflare for a higher limit, then run the step again.',
      );
    },
  );

  it('gives the usage and limit when they were read', () => {
    expect(
      refusalHint(403, QUOTA, { ...TOKEN, reached: true, quota: { quota: 100, usage: 99 } }),
    ).toContain('quota (it used 99 of its 100 secrets when this step read it):');
  });

  it('reads a maximum_…_exceeded identifier as a quota refusal too', () => {
    const errors = [{ code: 1003, message: 'maximum_secrets_exceeded' }];
    expect(refusalHint(400, errors, TOKEN)).toMatch(/Secrets Store quota/);
  });

  it('has nothing to say for other failures', () => {
    expect(refusalHint(400, [{ code: 1001, message: 'bad name' }], TOKEN)).toBeUndefined();
    expect(refusalHint(404, QUOTA, TOKEN)).toBeUndefined();
    expect(refusalHint(429, QUOTA, TOKEN)).toBeUndefined();
    expect(refusalHint(500, AUTH, TOKEN)).toBeUndefined();
    expect(refusalHint(undefined, AUTH, TOKEN)).toBeUndefined();
  });
});
