/**
 * explainNotFound / explainingNotFound over undici's MockAgent: Cloudflare's 404 does not say
 * whether the account, the store or the secret is missing, so the diagnosis reads to find out.
 */
import { MockAgent } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { SecretsStoreClient } from '../src/cloudflare/client.js';
import { CloudflareError } from '../src/cloudflare/errors.js';
import type { Clock } from '../src/cloudflare/retry.js';
import { explainNotFound, explainingNotFound } from '../src/diagnose.js';
import { ACCOUNT_ID, TOKEN } from './helpers/credentials.js';

const ORIGIN = 'https://api.cloudflare.test';
const BASE_URL = `${ORIGIN}/client/v4`;
const STORE = '023e105f4ecef8ad9ca31a8372d0c353';
const OTHER_STORE = '9b2e4f6a8c0d1e3f5a7b9c1d3e5f7a9b';
const SECRET = '3fd85f74b32742f1bff64a85009dda07';
const API = `/accounts/${ACCOUNT_ID}/secrets_store`;
const WIRE = `/client/v4${API}`;
const STORES = `${WIRE}/stores?page=1&per_page=100`;
const GET_SECRET = `${WIRE}/stores/${STORE}/secrets/${SECRET}`;
const JSON_HEADERS = { 'content-type': 'application/json' };
const ACCOUNT_HINT =
  `Account ${ACCOUNT_ID} was not found, or the credentials cannot see it: check account-id ` +
  "(Cloudflare dashboard, Workers & Pages, Account ID) and the token's account access.";

const ok = (result: unknown, resultInfo?: Record<string, number>) => ({
  success: true,
  errors: [],
  messages: [],
  result,
  ...(resultInfo ? { result_info: resultInfo } : {}),
});
const notFound = {
  success: false,
  errors: [{ code: 7003, message: 'No route for the URI' }],
  messages: [],
  result: null,
};
const secret = {
  id: SECRET,
  name: 'DB_URL',
  status: 'active',
  store_id: STORE,
  created: '2023-09-21T18:56:32.624632Z',
  scopes: ['workers'],
};

let agent: MockAgent | undefined;

function setup() {
  agent = new MockAgent({ enableCallHistory: true });
  agent.disableNetConnect();
  const mock = agent;
  const pool = agent.get(ORIGIN);
  let now = 1_700_000_000_000;
  const sleeps: number[] = [];
  const clock: Clock = {
    now: () => now,
    sleep: async (ms) => {
      sleeps.push(ms);
      now += ms;
    },
    random: () => 0.5,
  };
  const client = new SecretsStoreClient({
    accountId: ACCOUNT_ID,
    credentials: { kind: 'token', token: TOKEN },
    baseUrl: BASE_URL,
    dispatcher: agent,
    clock,
    maxRetries: 2,
  });
  const urls = () =>
    (mock.getCallHistory()?.calls() ?? []).map(
      (call) => `${call.method} ${call.fullUrl.slice(ORIGIN.length)}`,
    );
  const stores = (list: { id: string; name: string }[]) =>
    pool
      .intercept({ path: STORES, method: 'GET' })
      .reply(200, ok(list, { total_pages: 1 }), { headers: JSON_HEADERS });
  return { pool, client, urls, stores, sleeps };
}

afterEach(async () => {
  if (!agent) return;
  const current = agent;
  agent = undefined;
  try {
    current.assertNoPendingInterceptors();
  } finally {
    await current.close();
  }
});

describe('explainNotFound', () => {
  it('a 404 on the store listing means the account', async () => {
    const { pool, client, urls } = setup();
    pool.intercept({ path: STORES, method: 'GET' }).reply(404, notFound, { headers: JSON_HEADERS });

    expect(await explainNotFound(client, STORE, SECRET)).toBe(ACCOUNT_HINT);
    // Only one listing: the 404 is not retried and the secret is not looked at.
    expect(urls()).toEqual([`GET ${STORES}`]);
  });

  it('a store missing from the listing is named, with the stores the account has', async () => {
    const { client, urls, stores } = setup();
    stores([
      { id: OTHER_STORE, name: 'staging' },
      { id: 'aaaabbbbccccddddeeeeffff00001111', name: 'prod' },
    ]);

    expect(await explainNotFound(client, STORE, SECRET)).toBe(
      `Store ${STORE} is not in account ${ACCOUNT_ID}; its stores: "staging" (${OTHER_STORE}), ` +
        '"prod" (aaaabbbbccccddddeeeeffff00001111). Check the store input.',
    );
    expect(urls()).toEqual([`GET ${STORES}`]);
  });

  it('a missing store in an account without stores says none', async () => {
    const { client, stores } = setup();
    stores([]);

    expect(await explainNotFound(client, STORE)).toBe(
      `Store ${STORE} is not in account ${ACCOUNT_ID}; its stores: none. Check the store input.`,
    );
  });

  it('a store that is there and a secret that is not: names the secret', async () => {
    const { pool, client, urls, stores } = setup();
    stores([{ id: STORE, name: 'production' }]);
    pool
      .intercept({ path: GET_SECRET, method: 'GET' })
      .reply(404, notFound, { headers: JSON_HEADERS });

    expect(await explainNotFound(client, STORE, SECRET)).toBe(
      `Secret ${SECRET} is not in store ${STORE}. Check the secret input.`,
    );
    expect(urls()).toEqual([`GET ${STORES}`, `GET ${GET_SECRET}`]);
  });

  it('explains nothing when store and secret both exist', async () => {
    const { pool, client, urls, stores } = setup();
    stores([{ id: STORE, name: 'production' }]);
    pool
      .intercept({ path: GET_SECRET, method: 'GET' })
      .reply(200, ok(secret), { headers: JSON_HEADERS });

    expect(await explainNotFound(client, STORE, SECRET)).toBe('');
    expect(urls()).toEqual([`GET ${STORES}`, `GET ${GET_SECRET}`]);
  });

  it('without a secret id, a store that exists needs no further read', async () => {
    const { client, urls, stores } = setup();
    stores([{ id: STORE, name: 'production' }]);

    expect(await explainNotFound(client, STORE)).toBe('');
    expect(urls()).toEqual([`GET ${STORES}`]);
  });

  it('explains nothing when the diagnosis itself fails otherwise than with a 404', async () => {
    const { pool, client, urls } = setup();
    pool
      .intercept({ path: STORES, method: 'GET' })
      .reply(403, { success: false, errors: [{ code: 10000, message: 'Authentication error' }] });

    expect(await explainNotFound(client, STORE, SECRET)).toBe('');
    expect(urls()).toEqual([`GET ${STORES}`]);
  });
});

describe('explainingNotFound', () => {
  it('adds the explanation to a 404 as its hint', async () => {
    const { pool, client, stores } = setup();
    stores([{ id: OTHER_STORE, name: 'staging' }]);
    pool
      .intercept({ path: `${WIRE}/stores/${STORE}/secrets?page=1&per_page=100`, method: 'GET' })
      .reply(404, notFound, { headers: JSON_HEADERS });

    const error = await explainingNotFound(client, STORE, undefined, () =>
      client.listSecrets(STORE),
    ).then(
      () => undefined,
      (e: unknown) => e,
    );

    expect(error).toBeInstanceOf(CloudflareError);
    expect((error as CloudflareError).status).toBe(404);
    expect((error as CloudflareError).message).toBe(
      `GET ${API}/stores/${STORE}/secrets failed: HTTP 404: [7003] No route for the URI. ` +
        `Store ${STORE} is not in account ${ACCOUNT_ID}; its stores: "staging" (${OTHER_STORE}). Check the store input.`,
    );
  });

  it('leaves other failures as they are, without reads', async () => {
    const { pool, client, urls } = setup();
    pool
      .intercept({ path: GET_SECRET, method: 'GET' })
      .reply(409, { success: false, errors: [{ code: 1000, message: 'busy' }] });

    const error = await explainingNotFound(client, STORE, SECRET, () =>
      client.getSecret(STORE, SECRET),
    ).then(
      () => undefined,
      (e: unknown) => e,
    );

    expect((error as CloudflareError).message).toBe(
      `GET ${API}/stores/${STORE}/secrets/${SECRET} failed: HTTP 409: [1000] busy.`,
    );
    expect(urls()).toEqual([`GET ${GET_SECRET}`]);
  });

  it('returns the result of a call that succeeds', async () => {
    const { pool, client } = setup();
    pool
      .intercept({ path: GET_SECRET, method: 'GET' })
      .reply(200, ok(secret), { headers: JSON_HEADERS });

    const found = await explainingNotFound(client, STORE, SECRET, () =>
      client.getSecret(STORE, SECRET),
    );

    expect(found.name).toBe('DB_URL');
  });
});
