/**
 * explainingNotFound over undici's MockAgent: Cloudflare's 404 does not say
 * whether the account, the store or the secret is missing, so the diagnosis reads to find out.
 */
import { describe, expect, it } from 'vitest';
import { CloudflareError } from '../../src/cloudflare/errors.js';
import { explainingNotFound } from '../../src/plan/diagnose.js';
import { ACCOUNT_ID } from '../helpers/credentials.js';
import {
  API,
  JSON_HEADERS,
  NOT_FOUND,
  OTHER_STORE,
  SECRET,
  STORE,
  STORES,
  WIRE,
  ok,
  secret,
  useMockCloudflare,
} from '../helpers/mock-cloudflare.js';

const GET_SECRET = `${WIRE}/stores/${STORE}/secrets/${SECRET}`;
const ACCOUNT_HINT =
  `Account ${ACCOUNT_ID} was not found, or the credentials cannot see it: check account-id ` +
  "(Cloudflare dashboard, Workers & Pages, Account ID) and the token's account access.";

const DB_URL = secret(SECRET, 'DB_URL');

const setup = useMockCloudflare({ maxRetries: 2 });

/** The hint explainingNotFound gives a 404 from a call on `storeId` (and `secretId`); '' for none. */
async function explainNotFound(
  client: Parameters<typeof explainingNotFound>[0],
  storeId: string,
  secretId?: string,
): Promise<string> {
  const notFound = new CloudflareError('GET /x failed: HTTP 404.', {
    kind: 'http',
    method: 'GET',
    path: '/x',
    status: 404,
  });
  const error = await explainingNotFound(client, storeId, secretId, () =>
    Promise.reject(notFound),
  ).then(
    () => expect.unreachable('a 404 always rethrows'),
    (thrown: unknown) => thrown as CloudflareError,
  );
  return error.hint ?? '';
}

describe('the diagnosis of a 404', () => {
  it('a 404 on the store listing means the account', async () => {
    const { pool, client, urls } = setup();
    pool
      .intercept({ path: STORES, method: 'GET' })
      .reply(404, NOT_FOUND, { headers: JSON_HEADERS });

    expect(await explainNotFound(client, STORE, SECRET)).toBe(ACCOUNT_HINT);
    // Only one listing: the 404 is not retried and the secret is not looked at.
    expect(urls()).toEqual([`GET ${STORES}`]);
  });

  it('a store missing from the listing is named, with the stores the account has', async () => {
    const { client, urls, reply } = setup();
    reply(STORES, [
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
    const { client, reply } = setup();
    reply(STORES, []);

    expect(await explainNotFound(client, STORE)).toBe(
      `Store ${STORE} is not in account ${ACCOUNT_ID}; its stores: none. Check the store input.`,
    );
  });

  it('a store that is there and a secret that is not: names the secret', async () => {
    const { pool, client, urls, reply } = setup();
    reply(STORES, [{ id: STORE, name: 'production' }]);
    pool
      .intercept({ path: GET_SECRET, method: 'GET' })
      .reply(404, NOT_FOUND, { headers: JSON_HEADERS });

    expect(await explainNotFound(client, STORE, SECRET)).toBe(
      `Secret ${SECRET} is not in store ${STORE}. Check the secret input.`,
    );
    expect(urls()).toEqual([`GET ${STORES}`, `GET ${GET_SECRET}`]);
  });

  it('a secret that is returned with status deleted is as missing as one never made', async () => {
    const { client, reply } = setup();
    reply(STORES, [{ id: STORE, name: 'production' }]);
    reply(GET_SECRET, secret(SECRET, 'DB_URL', { status: 'deleted' }));

    expect(await explainNotFound(client, STORE, SECRET)).toBe(
      `Secret ${SECRET} is not in store ${STORE} (it was deleted). Check the secret input.`,
    );
  });

  it('explains nothing when store and secret both exist', async () => {
    const { pool, client, urls, reply } = setup();
    reply(STORES, [{ id: STORE, name: 'production' }]);
    pool
      .intercept({ path: GET_SECRET, method: 'GET' })
      .reply(200, ok(DB_URL), { headers: JSON_HEADERS });

    expect(await explainNotFound(client, STORE, SECRET)).toBe('');
    expect(urls()).toEqual([`GET ${STORES}`, `GET ${GET_SECRET}`]);
  });

  it('without a secret id, a store that exists needs no further read', async () => {
    const { client, urls, reply } = setup();
    reply(STORES, [{ id: STORE, name: 'production' }]);

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
    const { pool, client, reply } = setup();
    reply(STORES, [{ id: OTHER_STORE, name: 'staging' }]);
    pool
      .intercept({ path: `${WIRE}/stores/${STORE}/secrets?page=1&per_page=100`, method: 'GET' })
      .reply(404, NOT_FOUND, { headers: JSON_HEADERS });

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
      .reply(200, ok(DB_URL), { headers: JSON_HEADERS });

    const found = await explainingNotFound(client, STORE, SECRET, () =>
      client.getSecret(STORE, SECRET),
    );

    expect(found.name).toBe('DB_URL');
  });
});
