/**
 * deleteUntilGone over undici's MockAgent: done when the secret is gone, whoever's request
 * removed it; the delete's error when it may still be there.
 */
import { describe, expect, it } from 'vitest';
import { CloudflareError } from '../src/cloudflare/errors.js';
import { deleteUntilGone, isGone } from '../src/deletion.js';
import {
  JSON_HEADERS,
  NOT_FOUND,
  SECRET,
  STORE,
  WIRE,
  failure,
  ok,
  rejection,
  secret,
  useMockCloudflare,
} from './helpers/mock-cloudflare.js';

const PATH = `${WIRE}/stores/${STORE}/secrets/${SECRET}`;

const setup = useMockCloudflare({ maxRetries: 0 });

describe('deleteUntilGone', () => {
  it('sends one DELETE when it succeeds', async () => {
    const { pool, client, urls } = setup();
    pool.intercept({ path: PATH, method: 'DELETE' }).reply(202, ok(null));

    await deleteUntilGone(client, STORE, SECRET);

    expect(urls()).toEqual([`DELETE ${PATH}`]);
  });

  it('takes a 404 as done: the secret is already gone', async () => {
    const { pool, client, urls } = setup();
    pool.intercept({ path: PATH, method: 'DELETE' }).reply(404, NOT_FOUND);

    await deleteUntilGone(client, STORE, SECRET);

    expect(urls()).toEqual([`DELETE ${PATH}`]);
  });

  it.each([
    ['answers 404', 404, NOT_FOUND],
    ['shows it deleted', 200, ok(secret(SECRET, 'OLD', { status: 'deleted' }))],
  ])(
    'after a lost answer with no retry left, counts it done when a GET %s',
    async (_label, status, body) => {
      const { pool, client, urls } = setup();
      pool.intercept({ path: PATH, method: 'DELETE' }).reply(502, '');
      pool.intercept({ path: PATH, method: 'GET' }).reply(status, body, { headers: JSON_HEADERS });

      await deleteUntilGone(client, STORE, SECRET);

      expect(urls()).toEqual([`DELETE ${PATH}`, `GET ${PATH}`]);
    },
  );

  it.each([
    ['shows it still there', 200, ok(secret(SECRET, 'OLD'))],
    ['fails', 500, failure({ code: 1000, message: 'Internal error' })],
  ])('after a lost answer, throws the delete’s error when a GET %s', async (_l, status, body) => {
    const { pool, client, urls } = setup();
    pool.intercept({ path: PATH, method: 'DELETE' }).reply(502, '');
    pool.intercept({ path: PATH, method: 'GET' }).reply(status, body, { headers: JSON_HEADERS });

    const error = await rejection(deleteUntilGone(client, STORE, SECRET), CloudflareError);

    expect(error.method).toBe('DELETE');
    expect(error.status).toBe(502);
    expect(urls()).toEqual([`DELETE ${PATH}`, `GET ${PATH}`]);
  });

  it('throws a refusal at once, without looking', async () => {
    const { pool, client, urls } = setup();
    pool
      .intercept({ path: PATH, method: 'DELETE' })
      .reply(403, failure({ code: 10000, message: 'Authentication error' }));

    const error = await rejection(deleteUntilGone(client, STORE, SECRET), CloudflareError);

    expect(error.status).toBe(403);
    expect(urls()).toEqual([`DELETE ${PATH}`]);
  });
});

describe('isGone: the one place that decides "not there"', () => {
  const http = (status: number, errors: { code: number; message: string }[] = []) =>
    new CloudflareError('DELETE x failed', {
      kind: 'http',
      method: 'DELETE',
      path: 'x',
      status,
      errors,
    });

  it('is a 404, whatever its body says', () => {
    expect(isGone(http(404))).toBe(true);
  });

  it('is any 4xx whose errors say code 1001 secret_not_found or store_not_found', () => {
    expect(isGone(http(400, [{ code: 1001, message: 'secret_not_found' }]))).toBe(true);
    expect(isGone(http(422, [{ code: 1001, message: 'store_not_found' }]))).toBe(true);
  });

  it('is not a 1001 that says something else, another code, a 5xx or anything else thrown', () => {
    expect(isGone(http(400, [{ code: 1001, message: 'secret_scope_invalid' }]))).toBe(false);
    expect(isGone(http(400, [{ code: 1002, message: 'secret_not_found' }]))).toBe(false);
    expect(isGone(http(500, [{ code: 1001, message: 'secret_not_found' }]))).toBe(false);
    expect(isGone(new Error('secret_not_found'))).toBe(false);
  });

  it('takes a 400 secret_not_found on a DELETE as done', async () => {
    const { pool, client } = setup();
    pool
      .intercept({ path: PATH, method: 'DELETE' })
      .reply(400, failure({ code: 1001, message: 'secret_not_found' }), { headers: JSON_HEADERS });

    await deleteUntilGone(client, STORE, SECRET);
  });
});
