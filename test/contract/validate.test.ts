/**
 * The contract (secrets-store.schema.yaml) and its validator: the client and the fake stay
 * within it, and an exchange off it fails the test that made it.
 */
import { readFileSync } from 'node:fs';
import { Agent } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { SecretsStoreClient } from '../../src/cloudflare/client.js';
import { createFakeCloudflare, type FakeCloudflare } from '../fake-cloudflare/server.js';
import { ACCOUNT_ID, TOKEN } from '../helpers/credentials.js';
import { startFake, type SeededFake } from '../helpers/fake.js';
import { contract } from './validate.js';

const A = '1'.repeat(32);
const S = '2'.repeat(32);
const ID = '3'.repeat(32);
const SECRETS = `/accounts/${A}/secrets_store/stores/${S}/secrets`;
const DUPLICATE = `${SECRETS}/${ID}/duplicate`;
const DUPLICATE_OP =
  'POST /accounts/{account_id}/secrets_store/stores/{store_id}/secrets/{secret_id}/duplicate';
const LIST_OP = 'GET /accounts/{account_id}/secrets_store/stores/{store_id}/secrets';
const DELETE_OP =
  'DELETE /accounts/{account_id}/secrets_store/stores/{store_id}/secrets/{secret_id}';

const SECRET = {
  id: ID,
  name: 'COPY',
  store_id: S,
  created: '2026-01-01T00:00:00.123456Z',
  modified: '2026-01-01T00:00:00.123456Z',
  status: 'pending',
  scopes: ['workers'],
};
const ok = (result: unknown, extra: object = {}) =>
  JSON.stringify({ success: true, errors: [], messages: [], result, ...extra });

function exchange(fields: Partial<Parameters<ReturnType<typeof contract>['check']>[0]>) {
  return {
    method: 'GET',
    path: SECRETS,
    query: {},
    body: undefined,
    bodyIsJson: true,
    response: undefined,
    ...fields,
  };
}

describe('the contract file', () => {
  it('names its source: the repository, the commit and the date it was read', () => {
    const text = readFileSync(new URL('./secrets-store.schema.yaml', import.meta.url), 'utf8');
    const header = text.slice(0, text.indexOf('openapi:'));
    expect(header).toContain('https://github.com/cloudflare/api-schemas');
    expect(header).toMatch(/commit\s+#?\s*[0-9a-f]{40}/);
    expect(header).toMatch(/read \d{4}-\d{2}-\d{2}/);
  });

  it('describes every endpoint the fake serves', async () => {
    const fake = await createFakeCloudflare();
    try {
      const described = contract().endpoints();
      expect(fake.endpoints().filter((e) => !described.includes(e))).toEqual([]);
    } finally {
      await fake.close();
    }
  });
});

describe('check()', () => {
  it('passes an exchange within the contract', () => {
    const duplicate = exchange({
      method: 'POST',
      path: DUPLICATE,
      body: { name: 'COPY', scopes: ['workers'], comment: '' },
      response: { status: 200, body: ok(SECRET) },
    });
    const listing = exchange({
      query: { page: '1', per_page: '100', search: 'COPY', scopes: 'workers,dex' },
      response: { status: 200, body: ok([SECRET], { result_info: { page: 1 } }) },
    });
    const failure = exchange({
      path: `${SECRETS}/${ID}`,
      response: {
        status: 400,
        body: JSON.stringify({ success: false, errors: [], messages: [], result: null }),
      },
    });
    for (const conforming of [duplicate, listing, failure]) {
      expect(contract().check(conforming)).toEqual([]);
    }
  });

  it.each([
    [
      'a path the contract does not have',
      exchange({ path: `/accounts/${A}/secrets_store/stores/${S}/keys` }),
      `GET /accounts/${A}/secrets_store/stores/${S}/keys: no path of the contract matches`,
    ],
    [
      'a method the path does not take',
      exchange({ method: 'PUT', path: `${SECRETS}/${ID}` }),
      `PUT ${SECRETS}/${ID}: the contract has no PUT here (only GET, PATCH, DELETE)`,
    ],
    [
      'an id longer than 32 characters',
      exchange({ path: `${SECRETS}/${ID}0` }),
      'GET /accounts/{account_id}/secrets_store/stores/{store_id}/secrets/{secret_id}: path secret_id: must NOT have more than 32 characters (maxLength)',
    ],
    [
      'per_page over 100',
      exchange({ query: { per_page: '500' } }),
      `${LIST_OP}: query per_page: must be <= 100 (maximum)`,
    ],
    [
      'an order the endpoint does not know',
      exchange({ query: { order: 'id' } }),
      `${LIST_OP}: query order: must be equal to one of the allowed values (enum)`,
    ],
    [
      'a query parameter the endpoint does not take',
      exchange({ query: { limit: '5' } }),
      `${LIST_OP}: query limit: not a parameter of this operation`,
    ],
    [
      'scopes as repeated keys',
      exchange({ query: { scopes: ['workers', 'dex'] } }),
      `${LIST_OP}: query scopes: sent as repeated keys; the schema joins its values with commas (explode: false)`,
    ],
    [
      'a duplicate without scopes',
      exchange({ method: 'POST', path: DUPLICATE, body: { name: 'COPY' } }),
      `${DUPLICATE_OP}: request body: must have required property 'scopes' (required)`,
    ],
    [
      'a scope outside the enum',
      exchange({ method: 'POST', path: DUPLICATE, body: { name: 'C', scopes: ['kv'] } }),
      `${DUPLICATE_OP}: request body /scopes/0: must be equal to one of the allowed values (enum)`,
    ],
    [
      'a body on a GET',
      exchange({ body: { name: 'x' } }),
      `${LIST_OP}: request body: this operation takes none`,
    ],
    [
      'a DELETE answered 200 where the schema says 202',
      exchange({
        method: 'DELETE',
        path: `${SECRETS}/${ID}`,
        response: { status: 200, body: ok(null) },
      }),
      `${DELETE_OP}: status 200: not an answer of this operation (it answers 202, 4XX)`,
    ],
    [
      'a secret answered without its status',
      exchange({
        method: 'POST',
        path: DUPLICATE,
        body: { name: 'COPY', scopes: ['workers'] },
        response: { status: 200, body: ok({ ...SECRET, status: undefined }) },
      }),
      `${DUPLICATE_OP}: answer 200 body /result: must have required property 'status' (required)`,
    ],
    [
      'a failure whose success is true',
      exchange({
        response: { status: 404, body: ok(null) },
      }),
      `${LIST_OP}: answer 404 body /success: must be equal to one of the allowed values (enum)`,
    ],
    [
      'an answer that is not JSON',
      exchange({ response: { status: 200, body: '<html></html>' } }),
      `${LIST_OP}: answer 200: body is not JSON`,
    ],
  ])('names the operation, the field and the rule for %s', (_label, offContract, line) => {
    expect(contract().check(offContract)).toContain(line);
  });

  it('takes a scope the API being played knows as in the enum, and only that one', () => {
    const newer = exchange({
      method: 'POST',
      path: DUPLICATE,
      body: { name: 'C', scopes: ['workers', 'vectorize', 'kv'] },
      response: { status: 200, body: ok({ ...SECRET, scopes: ['vectorize', 'workers'] }) },
    });
    expect(contract().check(newer, { knownScopes: ['workers', 'vectorize'] })).toEqual([
      `${DUPLICATE_OP}: request body /scopes/2: must be equal to one of the allowed values (enum)`,
    ]);
  });
});

describe('the fake held to the contract', () => {
  let fake: FakeCloudflare | undefined;
  afterEach(async () => {
    await fake?.close().catch(() => undefined);
    fake = undefined;
  });

  const get = (seeded: SeededFake, query: string) =>
    fetch(
      `${seeded.fake.url}/accounts/${ACCOUNT_ID}/secrets_store/stores/${seeded.storeId}/secrets?${query}`,
      {
        headers: { authorization: `Bearer ${TOKEN}` },
      },
    );

  it('fails the test at close when an exchange was off the contract', async () => {
    const seeded = await startFake();
    fake = seeded.fake;
    await get(seeded, 'per_page=500');

    await expect(seeded.fake.close()).rejects.toThrow(
      `The fake saw 1 exchange(s) off the contract (test/contract/secrets-store.schema.yaml):\n${LIST_OP}: query per_page: must be <= 100 (maximum)`,
    );
  });

  it('lets a test declare the violations it makes on purpose, and only those', async () => {
    const seeded = await startFake();
    fake = seeded.fake;
    seeded.fake.expectViolations(/query per_page: must be <= 100/);
    await get(seeded, 'per_page=500');
    await get(seeded, 'order=id');

    expect(seeded.fake.violations).toHaveLength(2);
    expect(seeded.fake.unexpectedViolations()).toEqual([
      `${LIST_OP}: query order: must be equal to one of the allowed values (enum)`,
    ]);
  });

  it('checks the request of a scripted fault but not the hostile answer it scripts', async () => {
    const seeded = await startFake();
    fake = seeded.fake;
    seeded.fake.addFault({
      method: 'GET',
      status: 502,
      body: '<html>bad gateway</html>',
      times: 2,
    });
    await get(seeded, 'per_page=5');
    expect(seeded.fake.violations).toEqual([]);
    await get(seeded, 'per_page=500');
    expect(seeded.fake.violations).toEqual([
      `${LIST_OP}: query per_page: must be <= 100 (maximum)`,
    ]);
    seeded.fake.expectViolations(/per_page/);
  });
});

describe('the client held to the contract', () => {
  /**
   * Every public method of SecretsStoreClient that talks to the API, with a call of it. A method
   * that is not here and not in LOCAL fails the test below: describe its endpoint in the
   * contract and add it here.
   */
  const CALLS: Record<
    string,
    (client: SecretsStoreClient, seeded: SeededFake) => Promise<unknown>
  > = {
    listStores: (client) => client.listStores(),
    getSecret: (client, { storeId, ids }) => client.getSecret(storeId, ids.DB_URL!),
    listSecrets: (client, { storeId }) => client.listSecrets(storeId),
    findSecretByName: (client, { storeId }) => client.findSecretByName(storeId, 'DB_URL'),
    duplicateSecret: (client, { storeId, ids }) =>
      client.duplicateSecret(storeId, ids.DB_URL!, { name: 'COPY', scopes: ['workers'] }),
    createSecret: (client, { storeId }) =>
      client.createSecret(storeId, { name: 'NEW', value: 'v', scopes: ['workers'], comment: 'c' }),
    deleteSecret: (client, { storeId, ids }) => client.deleteSecret(storeId, ids.SESSION_SECRET!),
    getQuota: (client) => client.getQuota(),
  };
  /** Methods that are no endpoint of their own: local ones, and private helpers of the above. */
  const NOT_ENDPOINTS = [
    'constructor',
    'seenMark',
    'seenBefore',
    'remainingMs',
    'keepingBack',
    'windDown',
    'now',
    'sleep',
    'serverTime',
    'retrying',
    'noteSeen',
    'live',
    'accountPath',
    'storesPath',
    'storePath',
    'secretPath',
    'listAll',
    'endlessListing',
  ];

  it('has a call here for every method, so a new endpoint cannot go unchecked', () => {
    const methods = Object.getOwnPropertyNames(SecretsStoreClient.prototype).filter(
      (name) => !NOT_ENDPOINTS.includes(name),
    );
    expect(methods.sort()).toEqual(Object.keys(CALLS).sort());
  });

  it('sends only requests the contract describes, and the fake answers only as it allows', async () => {
    const seeded = await startFake();
    const agent = new Agent();
    const client = new SecretsStoreClient({
      accountId: ACCOUNT_ID,
      credentials: { kind: 'token', token: TOKEN },
      baseUrl: seeded.fake.url,
      dispatcher: agent,
    });
    try {
      for (const call of Object.values(CALLS)) await call(client, seeded);
      expect(seeded.fake.requests.length).toBeGreaterThanOrEqual(Object.keys(CALLS).length);
      expect(seeded.fake.violations).toEqual([]);
    } finally {
      await agent.close();
      await seeded.fake.close();
    }
  });
});
