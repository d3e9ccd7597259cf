/**
 * Unit tests of SecretsStoreClient over undici's MockAgent: no socket is opened and, apart from
 * the one timeout test, nothing waits (the injected clock's sleep only moves `now` forward).
 */
import { MockAgent } from 'undici';
import { describe, expect, it } from 'vitest';
import { MAX_PAGES, SecretsStoreClient } from '../../src/cloudflare/client.js';
import { CloudflareError } from '../../src/cloudflare/errors.js';
import { MAX_BODY_BYTES } from '../../src/cloudflare/envelope.js';
import { EMAIL, GLOBAL_KEY, TOKEN } from '../helpers/credentials.js';
import {
  API,
  BASE_URL,
  JSON_HEADERS,
  NEW_SECRET,
  ORIGIN,
  SECRET,
  START,
  STORE,
  STORES,
  WIRE,
  failure,
  ok,
  rejection,
  secret,
  store,
  useMockCloudflare,
} from '../helpers/mock-cloudflare.js';

const PERMISSION_HINT = {
  // The first request: nothing yet proves the account id right.
  403:
    'The account id is the likeliest cause: check first that it is the Account ID the Cloudflare ' +
    "dashboard shows for the account that holds the store. If it is, the token's account resources " +
    'must include that account, and it needs the "Secrets Store Write" permission (Account, Secrets Store, Edit).',
  401:
    'Cloudflare did not accept the API token: check first that it was copied whole and is still ' +
    'active (Cloudflare dashboard, My Profile, API Tokens). It needs the "Secrets Store Write" ' +
    'permission (Account, Secrets Store, Edit).',
} as const;

/** 32 lowercase hex characters derived from `n`, for lists of distinct ids. */
const hexId = (n: number) => n.toString(16).padStart(32, '0');

const setup = useMockCloudflare();

/** The rejection of `promise`, which must be a CloudflareError. */
const cloudflareError = (promise: Promise<unknown>) => rejection(promise, CloudflareError);

const SECRET_PATH = `${API}/stores/${STORE}/secrets/${SECRET}`;
const DUPLICATE_PATH = `${SECRET_PATH}/duplicate`;
const BODY = { name: 'MY_API_KEY', scopes: ['workers', 'ai_gateway'], comment: 'copy' };

describe('headers', () => {
  it('sends a Bearer token on a GET, with no content-type and no Global API key headers', async () => {
    const { pool, client, calls } = setup();
    pool
      .intercept({ path: `${WIRE}/stores/${STORE}/secrets/${SECRET}`, method: 'GET' })
      .reply(200, ok(secret(SECRET, 'SOURCE')), { headers: JSON_HEADERS });

    await client.getSecret(STORE, SECRET);

    expect(calls()).toHaveLength(1);
    expect(calls()[0]!.headers).toEqual({
      accept: 'application/json',
      'user-agent': 'secrets-store-duplicate-action',
      authorization: `Bearer ${TOKEN}`,
    });
    expect(calls()[0]!.body).toBeUndefined();
  });

  it('adds content-type only when a body is sent', async () => {
    const { pool, client, calls } = setup();
    pool
      .intercept({ path: `${WIRE}/stores/${STORE}/secrets/${SECRET}/duplicate`, method: 'POST' })
      .reply(200, ok(secret(NEW_SECRET, 'MY_API_KEY')), { headers: JSON_HEADERS });

    await client.duplicateSecret(STORE, SECRET, BODY);

    expect(calls()[0]!.headers).toEqual({
      accept: 'application/json',
      'user-agent': 'secrets-store-duplicate-action',
      'content-type': 'application/json',
      authorization: `Bearer ${TOKEN}`,
    });
    expect(JSON.parse(calls()[0]!.body!)).toEqual(BODY);
  });

  it('sends the Global API key pair and no Authorization header', async () => {
    const { pool, client, calls } = setup({
      credentials: { kind: 'global-key', email: EMAIL, key: GLOBAL_KEY },
    });
    pool
      .intercept({ path: `${WIRE}/stores?page=1&per_page=100`, method: 'GET' })
      .reply(200, ok([store(STORE, 'main')], { total_pages: 1 }), { headers: JSON_HEADERS });
    pool
      .intercept({ path: `${WIRE}/stores/${STORE}/secrets/${SECRET}/duplicate`, method: 'POST' })
      .reply(200, ok(secret(NEW_SECRET, 'MY_API_KEY')), { headers: JSON_HEADERS });

    await client.listStores();
    await client.duplicateSecret(STORE, SECRET, BODY);

    const [get, post] = calls();
    expect(get!.headers).toEqual({
      accept: 'application/json',
      'user-agent': 'secrets-store-duplicate-action',
      'x-auth-email': EMAIL,
      'x-auth-key': GLOBAL_KEY,
    });
    expect(post!.headers).toEqual({
      accept: 'application/json',
      'user-agent': 'secrets-store-duplicate-action',
      'content-type': 'application/json',
      'x-auth-email': EMAIL,
      'x-auth-key': GLOBAL_KEY,
    });
  });

  it('joins a base URL with a trailing slash without doubling it', async () => {
    const { pool, client, urls } = setup({ baseUrl: `${BASE_URL}//` });
    pool
      .intercept({ path: `${WIRE}/stores/${STORE}/secrets/${SECRET}`, method: 'GET' })
      .reply(200, ok(secret(SECRET, 'main')), { headers: JSON_HEADERS });

    expect(await client.getSecret(STORE, SECRET)).toEqual(secret(SECRET, 'main'));
    expect(urls()).toEqual([`GET ${WIRE}/stores/${STORE}/secrets/${SECRET}`]);
  });
});

describe('pagination', () => {
  it('listStores follows result_info.total_pages although each page is shorter than per_page', async () => {
    const { pool, client, urls } = setup();
    for (const page of [1, 2, 3]) {
      pool.intercept({ path: `${WIRE}/stores?page=${page}&per_page=100`, method: 'GET' }).reply(
        200,
        ok([store(hexId(page * 10), `s${page}a`), store(hexId(page * 10 + 1), `s${page}b`)], {
          page,
          per_page: 2,
          count: 2,
          total_count: 6,
          total_pages: 3,
        }),
        { headers: JSON_HEADERS },
      );
    }

    const stores = await client.listStores();

    expect(stores.map((s) => s.name)).toEqual(['s1a', 's1b', 's2a', 's2b', 's3a', 's3b']);
    expect(urls()).toEqual([
      `GET ${WIRE}/stores?page=1&per_page=100`,
      `GET ${WIRE}/stores?page=2&per_page=100`,
      `GET ${WIRE}/stores?page=3&per_page=100`,
    ]);
  });

  it('without total_pages, asks for the next page after a full one and stops at a short one', async () => {
    const { pool, client, urls } = setup();
    const page1 = Array.from({ length: 100 }, (_, i) => secret(hexId(i + 1), `S${i}`));
    pool
      .intercept({ path: `${WIRE}/stores/${STORE}/secrets?page=1&per_page=100`, method: 'GET' })
      .reply(200, ok(page1), { headers: JSON_HEADERS });
    pool
      .intercept({ path: `${WIRE}/stores/${STORE}/secrets?page=2&per_page=100`, method: 'GET' })
      .reply(200, ok([secret(hexId(101), 'S100')]), { headers: JSON_HEADERS });

    const secrets = await client.listSecrets(STORE);

    expect(secrets).toHaveLength(101);
    expect(secrets[100]!.name).toBe('S100');
    expect(urls()).toEqual([
      `GET ${WIRE}/stores/${STORE}/secrets?page=1&per_page=100`,
      `GET ${WIRE}/stores/${STORE}/secrets?page=2&per_page=100`,
    ]);
  });

  it('without total_pages, stops at an empty page after a full one', async () => {
    const { pool, client, urls } = setup();
    const full = Array.from({ length: 100 }, (_, i) => secret(hexId(i + 1), `S${i}`));
    pool
      .intercept({ path: `${WIRE}/stores/${STORE}/secrets?page=1&per_page=100`, method: 'GET' })
      .reply(200, ok(full, { page: 1, per_page: 100, count: 100 }), { headers: JSON_HEADERS });
    pool
      .intercept({ path: `${WIRE}/stores/${STORE}/secrets?page=2&per_page=100`, method: 'GET' })
      .reply(200, ok([], { page: 2, per_page: 100, count: 0 }), { headers: JSON_HEADERS });

    expect(await client.listSecrets(STORE)).toHaveLength(100);
    expect(urls()).toHaveLength(2);
  });

  it('without total_pages, follows a server that serves fewer per page than asked and says so', async () => {
    const { pool, client, urls } = setup();
    const pages = [['A', 'B'], ['C', 'D'], ['E']];
    pages.forEach((names, i) => {
      pool
        .intercept({
          path: `${WIRE}/stores/${STORE}/secrets?page=${i + 1}&per_page=100`,
          method: 'GET',
        })
        .reply(
          200,
          ok(
            names.map((name, j) => secret(hexId(i * 10 + j + 1), name)),
            { page: i + 1, per_page: 2, count: names.length },
          ),
          { headers: JSON_HEADERS },
        );
    });

    const secrets = await client.listSecrets(STORE);

    expect(secrets.map((s) => s.name)).toEqual(['A', 'B', 'C', 'D', 'E']);
    expect(urls()).toHaveLength(3);
  });

  it(`a listing that never ends is an error after ${MAX_PAGES} pages, never a partial list`, async () => {
    const { pool, client, urls } = setup();
    // Every page is full and new, with no total_pages: a server that never says it is done.
    pool
      .intercept({ path: (path) => path.includes('/secrets?page='), method: 'GET' })
      .reply((options) => {
        const page = Number(new URL(options.path, ORIGIN).searchParams.get('page'));
        const items = Array.from({ length: 100 }, (_, i) =>
          secret(hexId(page * 1000 + i), `S${page}_${i}`),
        );
        return { statusCode: 200, data: ok(items), responseOptions: { headers: JSON_HEADERS } };
      })
      .times(MAX_PAGES);

    const error = await cloudflareError(client.listSecrets(STORE));

    expect(error.message).toBe(
      `GET ${API}/stores/${STORE}/secrets cannot be listed in full: it did not end after ${MAX_PAGES} pages. ` +
        'A partial list is not used.',
    );
    expect(urls()).toHaveLength(MAX_PAGES);
  });

  it('a full page that repeats earlier items (a server ignoring page) is an error at once', async () => {
    const { pool, client, urls } = setup();
    const full = Array.from({ length: 100 }, (_, i) => secret(hexId(i + 1), `S${i}`));
    pool
      .intercept({ path: (path) => path.includes('/secrets?page='), method: 'GET' })
      .reply(200, ok(full, { total_pages: 50 }), { headers: JSON_HEADERS })
      .times(2);

    const error = await cloudflareError(client.listSecrets(STORE));

    expect(error.message).toContain(
      'cannot be listed in full: page 2 repeats items of earlier pages.',
    );
    expect(error.status).toBe(200);
    expect(urls()).toHaveLength(2);
  });

  it('keeps one of an item that a shift between pages brings twice', async () => {
    const { pool, client } = setup();
    pool
      .intercept({ path: `${WIRE}/stores?page=1&per_page=100`, method: 'GET' })
      .reply(
        200,
        ok([store(hexId(1), 'a'), store(hexId(2), 'b')], { per_page: 2, total_pages: 2 }),
        {
          headers: JSON_HEADERS,
        },
      );
    pool
      .intercept({ path: `${WIRE}/stores?page=2&per_page=100`, method: 'GET' })
      .reply(
        200,
        ok([store(hexId(2), 'b'), store(hexId(3), 'c')], { per_page: 2, total_pages: 2 }),
        {
          headers: JSON_HEADERS,
        },
      );

    expect((await client.listStores()).map((s) => s.name)).toEqual(['a', 'b', 'c']);
  });

  it('listSecrets stops at the last page that total_pages announces', async () => {
    const { pool, client, urls } = setup();
    pool
      .intercept({ path: `${WIRE}/stores/${STORE}/secrets?page=1&per_page=100`, method: 'GET' })
      .reply(200, ok([secret(hexId(1), 'A')], { page: 1, total_pages: 2 }), {
        headers: JSON_HEADERS,
      });
    pool
      .intercept({ path: `${WIRE}/stores/${STORE}/secrets?page=2&per_page=100`, method: 'GET' })
      .reply(200, ok([secret(hexId(2), 'B')], { page: 2, total_pages: 2 }), {
        headers: JSON_HEADERS,
      });

    expect((await client.listSecrets(STORE)).map((s) => s.name)).toEqual(['A', 'B']);
    expect(urls()).toEqual([
      `GET ${WIRE}/stores/${STORE}/secrets?page=1&per_page=100`,
      `GET ${WIRE}/stores/${STORE}/secrets?page=2&per_page=100`,
    ]);
  });

  it('stops on an empty page even when total_pages claims more', async () => {
    const { pool, client, urls } = setup();
    pool
      .intercept({ path: `${WIRE}/stores?page=1&per_page=100`, method: 'GET' })
      .reply(200, ok([store(STORE, 'main')], { total_pages: 50 }), { headers: JSON_HEADERS });
    pool
      .intercept({ path: `${WIRE}/stores?page=2&per_page=100`, method: 'GET' })
      .reply(200, ok([], { total_pages: 50 }), { headers: JSON_HEADERS });

    expect((await client.listStores()).map((s) => s.id)).toEqual([STORE]);
    expect(urls()).toHaveLength(2);
  });

  it('findSecretByName searches, follows pages and keeps only the exact name', async () => {
    const { pool, client, urls } = setup();
    pool
      .intercept({
        path: `${WIRE}/stores/${STORE}/secrets?search=API_KEY&page=1&per_page=100`,
        method: 'GET',
      })
      .reply(
        200,
        ok(
          [
            secret(hexId(1), 'API_KEY_OLD'),
            secret(hexId(2), 'OLD_API_KEY'),
            secret(hexId(3), 'api_key'),
            secret(hexId(4), 'OTHER', { comment: 'replaces API_KEY' }),
          ],
          { total_pages: 2 },
        ),
        { headers: JSON_HEADERS },
      );
    pool
      .intercept({
        path: `${WIRE}/stores/${STORE}/secrets?search=API_KEY&page=2&per_page=100`,
        method: 'GET',
      })
      .reply(200, ok([secret(hexId(5), 'API_KEY')], { total_pages: 2 }), {
        headers: JSON_HEADERS,
      });

    const found = await client.findSecretByName(STORE, 'API_KEY');

    expect(found?.id).toBe(hexId(5));
    expect(urls()).toEqual([
      `GET ${WIRE}/stores/${STORE}/secrets?search=API_KEY&page=1&per_page=100`,
      `GET ${WIRE}/stores/${STORE}/secrets?search=API_KEY&page=2&per_page=100`,
    ]);
  });

  it('findSecretByName returns undefined when only substring matches come back', async () => {
    const { pool, client } = setup();
    pool
      .intercept({
        path: `${WIRE}/stores/${STORE}/secrets?search=KEY&page=1&per_page=100`,
        method: 'GET',
      })
      .reply(200, ok([secret(hexId(1), 'KEY_2'), secret(hexId(2), 'MY_KEY')], { total_pages: 1 }), {
        headers: JSON_HEADERS,
      });

    expect(await client.findSecretByName(STORE, 'KEY')).toBeUndefined();
  });

  it('findSecretByName encodes the name in the query string', async () => {
    const { pool, client, urls } = setup();
    pool
      .intercept({
        path: `${WIRE}/stores/${STORE}/secrets?search=A%26B%3D1&page=1&per_page=100`,
        method: 'GET',
      })
      .reply(200, ok([secret(hexId(1), 'A&B=1')], { total_pages: 1 }), { headers: JSON_HEADERS });

    expect((await client.findSecretByName(STORE, 'A&B=1'))?.id).toBe(hexId(1));
    expect(urls()).toEqual([
      `GET ${WIRE}/stores/${STORE}/secrets?search=A%26B%3D1&page=1&per_page=100`,
    ]);
  });
});

describe('ids are checked before they enter a path', () => {
  const bad = [
    '',
    STORE.toUpperCase(),
    STORE.slice(1),
    `${STORE}0`,
    '../../../../user/tokens',
    `${STORE.slice(0, 31)}g`,
    `${STORE}/secrets`,
  ];

  it.each(bad)('store id %j', async (id) => {
    const { client, urls } = setup();
    await expect(client.getSecret(id, SECRET)).rejects.toThrow(
      new TypeError(
        `Refusing to use ${JSON.stringify(id)} as a store id: not 32 lowercase hex characters.`,
      ),
    );
    await expect(client.listSecrets(id)).rejects.toThrow(TypeError);
    await expect(client.findSecretByName(id, 'X')).rejects.toThrow(TypeError);
    await expect(client.duplicateSecret(id, SECRET, BODY)).rejects.toThrow(TypeError);
    expect(urls()).toEqual([]);
  });

  it.each(bad)('secret id %j', async (id) => {
    const { client, urls } = setup();
    await expect(client.getSecret(STORE, id)).rejects.toThrow(
      new TypeError(
        `Refusing to use ${JSON.stringify(id)} as a secret id: not 32 lowercase hex characters.`,
      ),
    );
    await expect(client.duplicateSecret(STORE, id, BODY)).rejects.toThrow(TypeError);
    await expect(client.deleteSecret(STORE, id)).rejects.toThrow(TypeError);
    expect(urls()).toEqual([]);
  });

  it('refuses a bad account id when the client is made', () => {
    expect(
      () =>
        new SecretsStoreClient({
          accountId: '../stores',
          credentials: { kind: 'token', token: TOKEN },
          dispatcher: new MockAgent(),
        }),
    ).toThrow('Refusing to use "../stores" as an account id');
  });
});

describe('answer size', () => {
  const big = (bytes: number) => JSON.stringify(ok([store(STORE, 'x'.repeat(bytes))]));

  it('reads an answer of up to MAX_BODY_BYTES', async () => {
    const { pool, client } = setup();
    const body = big(MAX_BODY_BYTES - 200);
    expect(body.length).toBeLessThanOrEqual(MAX_BODY_BYTES);
    pool.intercept({ path: STORES, method: 'GET' }).reply(200, body, { headers: JSON_HEADERS });

    expect(await client.listStores()).toHaveLength(1);
  });

  it.each([
    ['announced by Content-Length', true],
    ['without Content-Length', false],
  ])('refuses a bigger answer, %s, naming the request', async (_, announced) => {
    const { pool, client } = setup({ maxRetries: 0 });
    const body = big(MAX_BODY_BYTES);
    const headers = announced
      ? { ...JSON_HEADERS, 'content-length': String(body.length) }
      : JSON_HEADERS;
    pool.intercept({ path: STORES, method: 'GET' }).reply(200, body, { headers });

    const error = await cloudflareError(client.listStores());

    expect(error.message).toBe(
      `GET ${API}/stores returned HTTP 200 with a body larger than 4 MiB; it was not read.`,
    );
    expect(error.kind).toBe('invalid-response');
    // Like any answer that cannot be read, it may come from a write that took effect.
    expect(error.ambiguous).toBe(true);
  });
});

describe('envelope handling', () => {
  it('a non-2xx with Cloudflare errors names the status and every error, with its documentation', async () => {
    const { pool, client, urls } = setup();
    pool.intercept({ path: `${WIRE}/stores/${STORE}/secrets/${SECRET}`, method: 'GET' }).reply(
      400,
      failure(
        {
          code: 6003,
          message: 'Invalid request headers',
          documentation_url: 'https://x.test/6003',
        },
        { code: 6103, message: 'Invalid format for X-Auth-Key header' },
      ),
      { headers: JSON_HEADERS },
    );

    const error = await cloudflareError(client.getSecret(STORE, SECRET));

    expect(error.message).toBe(
      `GET ${SECRET_PATH} failed: HTTP 400: [6003] Invalid request headers (https://x.test/6003); ` +
        '[6103] Invalid format for X-Auth-Key header.',
    );
    expect(error.kind).toBe('http');
    expect(error.status).toBe(400);
    expect(error.errors).toEqual([
      { code: 6003, message: 'Invalid request headers', documentation_url: 'https://x.test/6003' },
      { code: 6103, message: 'Invalid format for X-Auth-Key header' },
    ]);
    expect(urls()).toHaveLength(1);
  });

  it.each([401, 403] as const)('HTTP %i carries the hint for its status', async (status) => {
    const { pool, client } = setup();
    pool
      .intercept({ path: `${WIRE}/stores/${STORE}/secrets/${SECRET}/duplicate`, method: 'POST' })
      .reply(
        status,
        failure({
          code: 10000,
          message: 'Authentication error',
          documentation_url: 'https://developers.cloudflare.com/fundamentals/api/',
        }),
        { headers: JSON_HEADERS },
      );

    const error = await cloudflareError(client.duplicateSecret(STORE, SECRET, BODY));

    expect(error.message).toBe(
      `POST ${DUPLICATE_PATH} failed: HTTP ${status}: [10000] Authentication error ` +
        `(https://developers.cloudflare.com/fundamentals/api/). ${PERMISSION_HINT[status]}`,
    );
    expect(error.hint).toBe(PERMISSION_HINT[status]);
  });

  it('after a request to the account succeeded, a 403 names the permission, not the account id', async () => {
    const { pool, client } = setup();
    pool
      .intercept({ path: STORES, method: 'GET' })
      .reply(200, ok([store(STORE, 'main')], { total_pages: 1 }), { headers: JSON_HEADERS });
    pool
      .intercept({ path: `${WIRE}/stores/${STORE}/secrets/${SECRET}/duplicate`, method: 'POST' })
      .reply(403, failure({ code: 10000, message: 'Authentication error' }), {
        headers: JSON_HEADERS,
      });

    await client.listStores();
    const error = await cloudflareError(client.duplicateSecret(STORE, SECRET, BODY));

    expect(error.hint).toMatch(/^Earlier requests to this account succeeded/);
  });

  it('a quota refusal gives the usage and limit the client last read', async () => {
    const { pool, client } = setup();
    pool
      .intercept({ path: `${WIRE}/quota`, method: 'GET' })
      .reply(200, ok({ secrets: { quota: 10, usage: 9 } }), { headers: JSON_HEADERS });
    pool
      .intercept({ path: `${WIRE}/stores/${STORE}/secrets/${SECRET}/duplicate`, method: 'POST' })
      .reply(403, failure({ code: 1005, message: 'secrets quota exceeded' }), {
        headers: JSON_HEADERS,
      });

    await client.getQuota();
    const error = await cloudflareError(client.duplicateSecret(STORE, SECRET, BODY));

    expect(error.hint).toBe(
      "Cloudflare refused it for the account's Secrets Store quota (it used 9 of its 10 secrets when " +
        'this step read it): delete secrets the account no longer needs, or ask Cloudflare for a ' +
        'higher limit, then run the step again.',
    );
  });

  it('an HTML 502 page gives the status and the page title, not a TypeError', async () => {
    const { pool, client } = setup({ maxRetries: 0 });
    pool
      .intercept({ path: `${WIRE}/stores/${STORE}/secrets/${SECRET}`, method: 'GET' })
      .reply(
        502,
        '<!DOCTYPE html><html><head><title>api.cloudflare.test | 502: Bad gateway</title></head><body>x</body></html>',
        { headers: { 'content-type': 'text/html; charset=UTF-8' } },
      );

    const error = await cloudflareError(client.getSecret(STORE, SECRET));

    expect(error.message).toBe(
      `GET ${SECRET_PATH} failed: HTTP 502: an HTML page titled "api.cloudflare.test | 502: Bad gateway".`,
    );
    expect(error.kind).toBe('http');
    expect(error.status).toBe(502);
    expect(error.ambiguous).toBe(true);
  });

  it('an empty 503 body is described as such', async () => {
    const { pool, client } = setup({ maxRetries: 0 });
    pool
      .intercept({ path: `${WIRE}/stores/${STORE}/secrets/${SECRET}`, method: 'GET' })
      .reply(503, '');

    const error = await cloudflareError(client.getSecret(STORE, SECRET));

    expect(error.message).toBe(
      `GET ${API}/stores/${STORE}/secrets/${SECRET} failed: HTTP 503: an empty body.`,
    );
  });

  it('truncated JSON with HTTP 200 is a clear invalid-response error', async () => {
    const { pool, client, urls } = setup();
    const text = '{"success":true,"errors":[],"result":{"id":"3fd85f74b3';
    pool
      .intercept({ path: `${WIRE}/stores/${STORE}/secrets/${SECRET}`, method: 'GET' })
      .reply(200, text, { headers: JSON_HEADERS });

    const error = await cloudflareError(client.getSecret(STORE, SECRET));

    expect(error.message).toBe(
      `GET ${SECRET_PATH} returned HTTP 200 with truncated or malformed JSON (${text.length} bytes), ` +
        'not a Cloudflare API response.',
    );
    expect(error.kind).toBe('invalid-response');
    expect(error.status).toBe(200);
    expect(urls()).toHaveLength(1);
  });

  it('JSON that is not an envelope is refused', async () => {
    const { pool, client } = setup();
    pool
      .intercept({ path: `${WIRE}/stores/${STORE}/secrets/${SECRET}`, method: 'GET' })
      .reply(200, { id: STORE, name: 'main' }, { headers: JSON_HEADERS });

    const error = await cloudflareError(client.getSecret(STORE, SECRET));

    expect(error.message).toBe(
      `GET ${API}/stores/${STORE}/secrets/${SECRET} returned HTTP 200 with JSON that is not a Cloudflare envelope, not a Cloudflare API response.`,
    );
  });

  it('success:false with HTTP 200 is an error that names the status', async () => {
    const { pool, client, urls } = setup();
    pool
      .intercept({ path: `${WIRE}/stores/${STORE}/secrets/${SECRET}`, method: 'GET' })
      .reply(200, failure({ code: 1001, message: 'Something odd' }), { headers: JSON_HEADERS });

    const error = await cloudflareError(client.getSecret(STORE, SECRET));

    expect(error.message).toBe(
      `GET ${SECRET_PATH} failed: HTTP 200 but success=false: [1001] Something odd.`,
    );
    expect(error.kind).toBe('http');
    expect(error.status).toBe(200);
    expect(urls()).toHaveLength(1);
  });

  it('success:false without errors says no details were given', async () => {
    const { pool, client } = setup();
    pool
      .intercept({ path: `${WIRE}/stores/${STORE}/secrets/${SECRET}`, method: 'GET' })
      .reply(200, { success: false, result: null }, { headers: JSON_HEADERS });

    const error = await cloudflareError(client.getSecret(STORE, SECRET));

    expect(error.message).toBe(
      `GET ${API}/stores/${STORE}/secrets/${SECRET} failed: HTTP 200 but success=false: no error details given.`,
    );
  });

  it('a result without id is an invalid-response error naming result.id', async () => {
    const { pool, client } = setup();
    const withoutId: Record<string, unknown> = secret(NEW_SECRET, 'MY_API_KEY');
    delete withoutId.id;
    pool
      .intercept({ path: `${WIRE}/stores/${STORE}/secrets/${SECRET}/duplicate`, method: 'POST' })
      .reply(200, ok(withoutId), { headers: JSON_HEADERS });

    const error = await cloudflareError(client.duplicateSecret(STORE, SECRET, BODY));

    expect(error.message).toBe(
      `POST ${DUPLICATE_PATH} returned an unexpected answer from Cloudflare (HTTP 200): result.id is missing.`,
    );
    expect(error.kind).toBe('invalid-response');
    // The write may have happened: the caller must look before trying again.
    expect(error.ambiguous).toBe(true);
  });

  it.each([301, 307, 308])('does not follow a %i redirect', async (status) => {
    const { pool, client, urls } = setup();
    pool
      .intercept({ path: `${WIRE}/stores/${STORE}/secrets/${SECRET}`, method: 'GET' })
      .reply(status, '', { headers: { location: `${ORIGIN}/elsewhere` } });

    const error = await cloudflareError(client.getSecret(STORE, SECRET));

    expect(error.message).toBe(
      `GET ${SECRET_PATH} failed: HTTP ${status}: an empty body. Redirects are not followed, ` +
        'so credentials never go to another address.',
    );
    expect(error.status).toBe(status);
    expect(urls()).toEqual([`GET ${WIRE}/stores/${STORE}/secrets/${SECRET}`]);
  });
});

describe('deleteSecret', () => {
  const path = `${WIRE}/stores/${STORE}/secrets/${SECRET}`;

  it.each([
    ['a 404', 404, failure({ code: 1003, message: 'secret not found' })],
    ['a 400 secret_not_found', 400, failure({ code: 1001, message: 'secret_not_found' })],
  ])(
    'takes %s on a retry as done: the first attempt deleted it but its answer was lost',
    async (_label, status, body) => {
      const { pool, client, urls } = setup({ maxRetries: 2 });
      pool.intercept({ path, method: 'DELETE' }).reply(502, '');
      pool.intercept({ path, method: 'DELETE' }).reply(status, body, { headers: JSON_HEADERS });

      await expect(client.deleteSecret(STORE, SECRET)).resolves.toBeUndefined();
      expect(urls()).toEqual([`DELETE ${path}`, `DELETE ${path}`]);
    },
  );

  it('reports a 404 on the first attempt: there was nothing to delete', async () => {
    const { pool, client } = setup();
    pool
      .intercept({ path, method: 'DELETE' })
      .reply(404, failure({ code: 1003, message: 'secret not found' }), { headers: JSON_HEADERS });

    expect((await cloudflareError(client.deleteSecret(STORE, SECRET))).status).toBe(404);
  });

  it.each([
    ['202 with an envelope (the schema)', 202, ok(null)],
    ['200 with an envelope', 200, ok(null)],
    ['204 with no body', 204, ''],
    ['202 with no body', 202, ''],
  ])('takes %s as done', async (_label, status, body) => {
    const { pool, client, urls } = setup();
    pool.intercept({ path, method: 'DELETE' }).reply(status, body, { headers: JSON_HEADERS });

    await expect(client.deleteSecret(STORE, SECRET)).resolves.toBeUndefined();
    expect(urls()).toEqual([`DELETE ${path}`]);
  });

  it('still refuses a 2xx GET with no body: only a DELETE may answer without an envelope', async () => {
    const { pool, client } = setup({ maxRetries: 0 });
    pool.intercept({ path, method: 'GET' }).reply(200, '');

    expect((await cloudflareError(client.getSecret(STORE, SECRET))).kind).toBe('invalid-response');
  });
});

describe('answers the schema allows', () => {
  it('a listing ends at its first empty page, whatever total_pages claims', async () => {
    const { pool, client, urls } = setup();
    pool
      .intercept({ path: (p) => p.includes('/secrets?page=1&'), method: 'GET' })
      .reply(200, ok([secret(hexId(1), 'A')], { page: 1, per_page: 1, total_pages: 100 }), {
        headers: JSON_HEADERS,
      });
    pool
      .intercept({ path: (p) => p.includes('/secrets?page=2&'), method: 'GET' })
      .reply(200, ok([], { page: 2, per_page: 1, total_pages: 100 }), { headers: JSON_HEADERS });

    expect((await client.listSecrets(STORE)).map((s) => s.id)).toEqual([hexId(1)]);
    expect(urls()).toHaveLength(2);
  });

  it('reports a failure envelope with no errors by its status, as an envelope', async () => {
    const { pool, client } = setup({ maxRetries: 0 });
    pool.intercept({ path: `${WIRE}/stores/${STORE}/secrets/${SECRET}`, method: 'GET' }).reply(
      400,
      { success: false, errors: [], messages: [], result: null },
      {
        headers: JSON_HEADERS,
      },
    );

    const error = await cloudflareError(client.getSecret(STORE, SECRET));

    expect(error.message).toBe(
      `GET ${API}/stores/${STORE}/secrets/${SECRET} failed: HTTP 400: no error details given.`,
    );
    expect(error).toMatchObject({ kind: 'http', status: 400, errors: [] });
  });
});

describe('retries of reads', () => {
  it('retries 5xx with full-jitter backoff and then succeeds', async () => {
    const { pool, client, clock, urls } = setup({ maxRetries: 3 });
    const path = `${WIRE}/stores/${STORE}/secrets/${SECRET}`;
    pool.intercept({ path, method: 'GET' }).reply(503, '');
    pool.intercept({ path, method: 'GET' }).reply(500, '');
    pool
      .intercept({ path, method: 'GET' })
      .reply(200, ok(secret(SECRET, 'SOURCE')), { headers: JSON_HEADERS });

    expect((await client.getSecret(STORE, SECRET)).name).toBe('SOURCE');
    // random() = 0.5: half of 500 ms, then half of 1000 ms.
    expect(clock.sleeps).toEqual([250, 500]);
    expect(urls()).toHaveLength(3);
  });

  it('gives up after maxRetries retries with the last error', async () => {
    const { pool, client, clock, urls } = setup({ maxRetries: 2 });
    pool
      .intercept({ path: `${WIRE}/stores/${STORE}/secrets/${SECRET}`, method: 'GET' })
      .reply(503, '')
      .times(3);

    const error = await cloudflareError(client.getSecret(STORE, SECRET));

    expect(error.status).toBe(503);
    expect(clock.sleeps).toEqual([250, 500]);
    expect(urls()).toHaveLength(3);
  });

  it('shares maxRetries between every request of the client: one budget for the run', async () => {
    const { pool, client, urls } = setup({ maxRetries: 2 });
    const path = `${WIRE}/stores/${STORE}/secrets/${SECRET}`;
    pool.intercept({ path, method: 'GET' }).reply(503, '').times(2);
    pool
      .intercept({ path, method: 'GET' })
      .reply(200, ok(secret(SECRET, 'main')), { headers: JSON_HEADERS });
    pool.intercept({ path, method: 'GET' }).reply(503, '');

    expect((await client.getSecret(STORE, SECRET)).name).toBe('main');
    const error = await cloudflareError(client.getSecret(STORE, SECRET));

    expect(error.status).toBe(503);
    expect(error.message).toBe(
      `GET ${API}/stores/${STORE}/secrets/${SECRET} failed: HTTP 503: an empty body. ` +
        'Not retried: the 2 retries allowed for this run are used up.',
    );
    expect(urls()).toHaveLength(4);
  });

  it('retries a 429 and a network error', async () => {
    const { pool, client, clock, urls, retries } = setup({ maxRetries: 3 });
    const path = `${WIRE}/stores/${STORE}/secrets/${SECRET}`;
    pool
      .intercept({ path, method: 'GET' })
      .reply(429, failure({ code: 971, message: 'slow down' }));
    pool.intercept({ path, method: 'GET' }).replyWithError(new Error('socket hang up'));
    pool
      .intercept({ path, method: 'GET' })
      .reply(200, ok(secret(SECRET, 'main')), { headers: JSON_HEADERS });

    expect((await client.getSecret(STORE, SECRET)).name).toBe('main');
    expect(urls()).toHaveLength(3);
    expect(clock.sleeps).toEqual([250, 500]);
    expect(retries).toEqual([
      {
        method: 'GET',
        path: `${API}/stores/${STORE}/secrets/${SECRET}`,
        waitMs: 250,
        reason: `GET ${API}/stores/${STORE}/secrets/${SECRET} failed: HTTP 429: [971] slow down.`,
      },
      {
        method: 'GET',
        path: `${API}/stores/${STORE}/secrets/${SECRET}`,
        waitMs: 500,
        reason: `GET ${API}/stores/${STORE}/secrets/${SECRET} failed: the connection failed (socket hang up).`,
      },
    ]);
  });

  it.each([400, 401, 403, 404, 409])('does not retry HTTP %i', async (status) => {
    const { pool, client, clock, urls } = setup({ maxRetries: 3 });
    pool
      .intercept({ path: `${WIRE}/stores/${STORE}/secrets/${SECRET}`, method: 'GET' })
      .reply(status, failure({ code: 1000, message: 'no' }), { headers: JSON_HEADERS });

    const error = await cloudflareError(client.getSecret(STORE, SECRET));

    expect(error.status).toBe(status);
    expect(error.ambiguous).toBe(false);
    expect(clock.sleeps).toEqual([]);
    expect(urls()).toHaveLength(1);
  });

  it("waits exactly a 429's Retry-After seconds before retrying", async () => {
    const { pool, client, clock, urls } = setup({ maxRetries: 3 });
    const path = `${WIRE}/stores?page=1&per_page=100`;
    pool
      .intercept({ path, method: 'GET' })
      .reply(429, failure({ code: 971, message: 'Please wait' }), {
        headers: { ...JSON_HEADERS, 'retry-after': '7' },
      });
    pool
      .intercept({ path, method: 'GET' })
      .reply(429, failure({ code: 971, message: 'Please wait' }), {
        headers: { ...JSON_HEADERS, 'retry-after': '13' },
      });
    pool
      .intercept({ path, method: 'GET' })
      .reply(200, ok([store(STORE, 'main')], { total_pages: 1 }), { headers: JSON_HEADERS });

    expect((await client.listStores()).map((s) => s.id)).toEqual([STORE]);
    expect(clock.sleeps).toEqual([7_000, 13_000]);
    expect(urls()).toHaveLength(3);
  });

  it('reads an HTTP-date Retry-After on the server clock of the same answer', async () => {
    const { pool, client, clock } = setup({ maxRetries: 1 });
    const path = `${WIRE}/stores?page=1&per_page=100`;
    // The server's clock is an hour ahead of ours; it asks for 9 s on its own clock.
    const serverNow = START + 3_600_000;
    pool
      .intercept({ path, method: 'GET' })
      .reply(429, failure({ code: 971, message: 'Please wait' }), {
        headers: {
          ...JSON_HEADERS,
          date: new Date(serverNow).toUTCString(),
          'retry-after': new Date(serverNow + 9_000).toUTCString(),
        },
      });
    pool
      .intercept({ path, method: 'GET' })
      .reply(200, ok([store(STORE, 'main')], { total_pages: 1 }), { headers: JSON_HEADERS });

    await client.listStores();
    expect(clock.sleeps).toEqual([9_000]);
  });

  it('stops at once when Retry-After is beyond the deadline, without sleeping', async () => {
    const { pool, client, clock, urls } = setup({ maxRetries: 3, deadline: START + 120_000 });
    pool
      .intercept({ path: `${WIRE}/stores/${STORE}/secrets/${SECRET}`, method: 'GET' })
      .reply(429, failure({ code: 971, message: 'Please wait' }), {
        headers: { ...JSON_HEADERS, 'retry-after': '300' },
      });

    const error = await cloudflareError(client.getSecret(STORE, SECRET));

    expect(error.kind).toBe('deadline');
    expect(error.status).toBe(429);
    expect(error.message).toContain('asked to wait 300 s');
    expect(error.message).toContain('more than the 120 s left');
    expect(error.message).toContain('5 minutes');
    expect(clock.sleeps).toEqual([]);
    expect(urls()).toHaveLength(1);
  });

  it("a 429's Retry-After holds back the next request too", async () => {
    const { pool, client, clock, urls } = setup({ maxRetries: 0 });
    const sentAt: number[] = [];
    pool
      .intercept({ path: `${WIRE}/stores/${STORE}/secrets/${SECRET}`, method: 'GET' })
      .reply(() => {
        sentAt.push(clock.now());
        return {
          statusCode: 429,
          data: failure({ code: 971, message: 'Please wait' }),
          responseOptions: { headers: { ...JSON_HEADERS, 'retry-after': '5' } },
        };
      });
    pool
      .intercept({ path: `${WIRE}/stores/${STORE}/secrets/${SECRET}`, method: 'GET' })
      .reply(() => {
        sentAt.push(clock.now());
        return { statusCode: 200, data: ok(secret(SECRET, 'SOURCE')), responseOptions: {} };
      });

    // No retries: the 429 comes straight back to the caller...
    expect((await cloudflareError(client.getSecret(STORE, SECRET))).status).toBe(429);
    expect(clock.sleeps).toEqual([]);
    // ...but the next request, on another path, still waits out the Retry-After.
    expect((await client.getSecret(STORE, SECRET)).name).toBe('SOURCE');
    expect(clock.sleeps).toEqual([5_000]);
    expect(sentAt).toEqual([START, START + 5_000]);
    expect(urls()).toHaveLength(2);
  });

  it('a pause longer than the time left fails the next request without sending it', async () => {
    const { pool, client, clock, urls } = setup({ maxRetries: 0, deadline: START + 120_000 });
    pool
      .intercept({ path: `${WIRE}/stores/${STORE}/secrets/${SECRET}`, method: 'GET' })
      .reply(429, failure({ code: 971, message: 'Please wait' }), {
        headers: { ...JSON_HEADERS, 'retry-after': '300' },
      });
    await cloudflareError(client.getSecret(STORE, SECRET));

    const error = await cloudflareError(client.duplicateSecret(STORE, SECRET, BODY));

    expect(error.kind).toBe('deadline');
    expect(error.message).toContain(
      `POST ${DUPLICATE_PATH} was not sent: Cloudflare rate-limited this account and asked to wait 300 s, ` +
        "more than the 120 s left of the step's time budget.",
    );
    expect(error.message).toContain('5 minutes');
    expect(clock.sleeps).toEqual([]);
    expect(urls()).toEqual([`GET ${WIRE}/stores/${STORE}/secrets/${SECRET}`]);
  });

  it('does not start a request once the deadline has passed', async () => {
    const { client, urls } = setup({ deadline: START });

    const error = await cloudflareError(client.getSecret(STORE, SECRET));

    expect(error.message).toBe(
      `GET ${API}/stores/${STORE}/secrets/${SECRET} was not sent: the time budget is spent.`,
    );
    expect(urls()).toEqual([]);
  });
});

describe('writes', () => {
  it('sends the duplicate to the documented URL with the body as given', async () => {
    const { pool, client, urls, calls } = setup();
    pool
      .intercept({ path: `${WIRE}/stores/${STORE}/secrets/${SECRET}/duplicate`, method: 'POST' })
      .reply(200, ok(secret(NEW_SECRET, 'MY_API_KEY', { status: 'pending' })), {
        headers: JSON_HEADERS,
      });

    const created = await client.duplicateSecret(STORE, SECRET, BODY);

    expect(created.id).toBe(NEW_SECRET);
    expect(created.status).toBe('pending');
    expect(urls()).toEqual([`POST ${WIRE}/stores/${STORE}/secrets/${SECRET}/duplicate`]);
    expect(calls()[0]!.body).toBe(JSON.stringify(BODY));
  });

  it.each([502, 503, 429])('sends duplicateSecret once, even on HTTP %i', async (status) => {
    const { pool, client, clock, urls } = setup({ maxRetries: 5 });
    pool
      .intercept({ path: `${WIRE}/stores/${STORE}/secrets/${SECRET}/duplicate`, method: 'POST' })
      .reply(status, '')
      .persist();

    const error = await cloudflareError(client.duplicateSecret(STORE, SECRET, BODY));

    expect(error.status).toBe(status);
    expect(clock.sleeps).toEqual([]);
    expect(urls()).toHaveLength(1);
  });

  it.each([
    [500, true],
    [502, true],
    [503, true],
    [400, false],
    [403, false],
    [404, false],
    [409, false],
    [422, false],
    [429, false],
  ])('HTTP %i: ambiguous is %s', async (status, ambiguous) => {
    const { pool, client } = setup();
    pool
      .intercept({ path: `${WIRE}/stores/${STORE}/secrets/${SECRET}/duplicate`, method: 'POST' })
      .reply(status, failure({ code: 1000, message: 'x' }), { headers: JSON_HEADERS });

    const error = await cloudflareError(client.duplicateSecret(STORE, SECRET, BODY));

    expect(error.kind).toBe('http');
    expect(error.ambiguous).toBe(ambiguous);
  });

  it('a connection that breaks after sending is ambiguous', async () => {
    const { pool, client, urls } = setup();
    pool
      .intercept({ path: `${WIRE}/stores/${STORE}/secrets/${SECRET}/duplicate`, method: 'POST' })
      .replyWithError(Object.assign(new Error('other side closed'), { code: 'UND_ERR_SOCKET' }));

    const error = await cloudflareError(client.duplicateSecret(STORE, SECRET, BODY));

    expect(error.kind).toBe('network');
    expect(error.ambiguous).toBe(true);
    expect(error.message).toBe(
      `POST ${DUPLICATE_PATH} failed: the connection failed (UND_ERR_SOCKET: other side closed).`,
    );
    expect(urls()).toHaveLength(1);
  });

  it('a connection that was refused is not ambiguous', async () => {
    const { pool, client } = setup();
    pool
      .intercept({ path: `${WIRE}/stores/${STORE}/secrets/${SECRET}/duplicate`, method: 'POST' })
      .replyWithError(
        Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:443'), { code: 'ECONNREFUSED' }),
      );

    const error = await cloudflareError(client.duplicateSecret(STORE, SECRET, BODY));

    expect(error.kind).toBe('network');
    expect(error.ambiguous).toBe(false);
  });

  it('a timeout is ambiguous and is not retried', async () => {
    const { pool, client, urls } = setup({ requestTimeoutMs: 50, maxRetries: 3 });
    pool
      .intercept({ path: `${WIRE}/stores/${STORE}/secrets/${SECRET}/duplicate`, method: 'POST' })
      .reply(200, ok(secret(NEW_SECRET, 'MY_API_KEY')), { headers: JSON_HEADERS })
      .delay(150);

    const error = await cloudflareError(client.duplicateSecret(STORE, SECRET, BODY));

    expect(error.kind).toBe('timeout');
    expect(error.ambiguous).toBe(true);
    expect(error.message).toBe(`POST ${DUPLICATE_PATH} timed out after 0.1 s.`);
    expect(urls()).toHaveLength(1);
  });
});

describe('onRequest', () => {
  it('reports method, path, status and attempt of every try, and never headers', async () => {
    const { pool, client, events } = setup({ maxRetries: 3 });
    const path = `${WIRE}/stores/${STORE}/secrets/${SECRET}`;
    pool.intercept({ path, method: 'GET' }).reply(502, '');
    pool.intercept({ path, method: 'GET' }).replyWithError(new Error('socket hang up'));
    pool
      .intercept({ path, method: 'GET' })
      .reply(200, ok(secret(SECRET, 'SOURCE')), { headers: JSON_HEADERS });

    await client.getSecret(STORE, SECRET);

    expect(events).toEqual([
      {
        method: 'GET',
        path: SECRET_PATH,
        attempt: 1,
        status: 502,
        durationMs: 0,
        error: `GET ${SECRET_PATH} failed: HTTP 502: an empty body.`,
      },
      {
        method: 'GET',
        path: SECRET_PATH,
        attempt: 2,
        status: undefined,
        durationMs: 0,
        error: `GET ${SECRET_PATH} failed: the connection failed (socket hang up).`,
      },
      {
        method: 'GET',
        path: SECRET_PATH,
        attempt: 3,
        status: 200,
        durationMs: 0,
        error: undefined,
      },
    ]);
    for (const event of events) {
      expect(Object.keys(event).sort()).toEqual([
        'attempt',
        'durationMs',
        'error',
        'method',
        'path',
        'status',
      ]);
    }
    expect(JSON.stringify(events)).not.toContain(TOKEN);
  });

  it('reports the path without the query string, and the write as attempt 1', async () => {
    const { pool, client, events } = setup({
      credentials: { kind: 'global-key', email: EMAIL, key: GLOBAL_KEY },
    });
    pool
      .intercept({ path: `${WIRE}/stores?page=1&per_page=100`, method: 'GET' })
      .reply(200, ok([store(STORE, 'main')], { total_pages: 1 }), { headers: JSON_HEADERS });
    pool
      .intercept({ path: `${WIRE}/stores/${STORE}/secrets/${SECRET}/duplicate`, method: 'POST' })
      .reply(409, failure({ code: 1000, message: 'exists' }), { headers: JSON_HEADERS });

    await client.listStores();
    await cloudflareError(client.duplicateSecret(STORE, SECRET, BODY));

    expect(
      events.map(({ method, path, attempt, status }) => ({ method, path, attempt, status })),
    ).toEqual([
      { method: 'GET', path: `${API}/stores`, attempt: 1, status: 200 },
      { method: 'POST', path: DUPLICATE_PATH, attempt: 1, status: 409 },
    ]);
    const printed = JSON.stringify(events);
    expect(printed).not.toContain(GLOBAL_KEY);
    expect(printed).not.toContain(EMAIL);
  });
});

describe('secrets whose status is deleted', () => {
  it('listSecrets leaves them out', async () => {
    const { client, reply } = setup();
    reply(`${WIRE}/stores/${STORE}/secrets?page=1&per_page=100`, [
      secret(hexId(1), 'GONE', { status: 'deleted' }),
      secret(hexId(2), 'KEPT', { status: 'pending' }),
    ]);

    expect((await client.listSecrets(STORE)).map((s) => s.name)).toEqual(['KEPT']);
  });

  it('findSecretByName skips a deleted one and finds the live one of the same name', async () => {
    const { client, reply } = setup();
    reply(`${WIRE}/stores/${STORE}/secrets?search=KEY&page=1&per_page=100`, [
      secret(hexId(1), 'KEY', { status: 'deleted' }),
      secret(hexId(2), 'KEY'),
    ]);

    expect((await client.findSecretByName(STORE, 'KEY'))?.id).toBe(hexId(2));
  });

  it('findSecretByName finds nothing when the only match is deleted', async () => {
    const { client, reply } = setup();
    reply(`${WIRE}/stores/${STORE}/secrets?search=KEY&page=1&per_page=100`, [
      secret(hexId(1), 'KEY', { status: 'deleted' }),
    ]);

    expect(await client.findSecretByName(STORE, 'KEY')).toBeUndefined();
  });
});

describe('ids seen', () => {
  it('tells the ids read before a mark from those read after it, deleted ones included', async () => {
    const { client, reply } = setup();
    reply(`${WIRE}/stores/${STORE}/secrets?page=1&per_page=100`, [
      secret(hexId(1), 'A'),
      secret(hexId(2), 'GONE', { status: 'deleted' }),
    ]);
    reply(`${WIRE}/stores/${STORE}/secrets/${hexId(3)}`, secret(hexId(3), 'C'));

    await client.listSecrets(STORE);
    const mark = client.seenMark();
    await client.getSecret(STORE, hexId(3));

    expect(client.seenBefore(hexId(1), mark)).toBe(true);
    expect(client.seenBefore(hexId(2), mark)).toBe(true);
    expect(client.seenBefore(hexId(3), mark)).toBe(false);
    expect(client.seenBefore(hexId(3), client.seenMark())).toBe(true);
    expect(client.seenBefore(hexId(4), client.seenMark())).toBe(false);
  });

  it('does not count the answer of a duplicate as seen', async () => {
    const { pool, client } = setup();
    pool
      .intercept({ path: `${WIRE}/stores/${STORE}/secrets/${SECRET}/duplicate`, method: 'POST' })
      .reply(200, ok(secret(NEW_SECRET, 'MY_API_KEY')), { headers: JSON_HEADERS });

    await client.duplicateSecret(STORE, SECRET, BODY);

    expect(client.seenBefore(NEW_SECRET, client.seenMark())).toBe(false);
  });
});
