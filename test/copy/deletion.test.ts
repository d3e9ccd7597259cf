/**
 * deleteUntilGone over undici's MockAgent: done when the secret is gone, whoever's request
 * removed it; the delete's error when it may still be there.
 */
import { describe, expect, it } from 'vitest';
import { CloudflareError } from '../../src/cloudflare/errors.js';
import { deleteUntilGone } from '../../src/copy/deletion.js';
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
} from '../helpers/mock-cloudflare.js';

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

  it('confirms a 400 secret_not_found with a GET before it counts the secret gone', async () => {
    const { pool, client, urls } = setup();
    const notFound = failure({ code: 1001, message: 'secret_not_found' });
    pool
      .intercept({ path: PATH, method: 'DELETE' })
      .reply(400, notFound, { headers: JSON_HEADERS });
    pool.intercept({ path: PATH, method: 'GET' }).reply(400, notFound, { headers: JSON_HEADERS });

    await deleteUntilGone(client, STORE, SECRET);

    expect(urls()).toEqual([`DELETE ${PATH}`, `GET ${PATH}`]);
  });

  it('throws a 400 secret_not_found that a GET contradicts: the secret is still there', async () => {
    const { pool, client } = setup();
    const notFound = failure({ code: 1001, message: 'secret_not_found' });
    pool
      .intercept({ path: PATH, method: 'DELETE' })
      .reply(400, notFound, { headers: JSON_HEADERS });
    pool
      .intercept({ path: PATH, method: 'GET' })
      .reply(200, ok(secret(SECRET, 'OLD')), { headers: JSON_HEADERS });

    expect((await rejection(deleteUntilGone(client, STORE, SECRET), CloudflareError)).status).toBe(
      400,
    );
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
