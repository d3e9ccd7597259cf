/**
 * executeCopy against a real SecretsStoreClient over undici's MockAgent: the never-double-create
 * rules of src/copy/post.ts, request by request. Nothing waits: the clock is fake.
 */
import { describe, expect, it, vi } from 'vitest';
import { CloudflareError } from '../../src/cloudflare/errors.js';
import {
  StepState,
  UnexpectedAnswer,
  executeCopy,
  type CopyOptions,
} from '../../src/copy/duplicate.js';
import { executePlan, type ExecuteOptions } from '../../src/copy/execute.js';
import { ActionError } from '../../src/shared/errors.js';
import type { PlannedCopy, PlannedStore } from '../../src/plan/plan.js';
import { ACCOUNT_ID } from '../helpers/credentials.js';
import {
  API,
  JSON_HEADERS,
  NEW_SECRET,
  NOT_FOUND,
  OTHER_SECRET,
  OTHER_STORE,
  SCOPES,
  SECRET,
  START,
  STORE,
  STORES,
  WIRE,
  failure,
  ok,
  rejection,
  secret,
  useMockCloudflare,
  type MockOptions,
} from '../helpers/mock-cloudflare.js';

const SOURCE = SECRET;
const CREATED = NEW_SECRET;
const EXISTING = OTHER_SECRET;
const NAME = 'MY_API_KEY';
const HOUR = 3_600_000;

const DUPLICATE = `${WIRE}/stores/${STORE}/secrets/${SOURCE}/duplicate`;
const SEARCH = `${WIRE}/stores/${STORE}/secrets?search=${NAME}&page=1&per_page=100`;
/** The store's whole listing, as the plan reads it (and a step, once, after a refusal). */
const LISTING = `${WIRE}/stores/${STORE}/secrets?page=1&per_page=100`;
const GET_SOURCE = `${WIRE}/stores/${STORE}/secrets/${SOURCE}`;

const MAIN: PlannedStore = { id: STORE, name: 'main' };
const FAIL: CopyOptions = { ifExists: 'fail', dryRun: false };
const SKIP: CopyOptions = { ifExists: 'skip', dryRun: false };

function copy(overrides: Partial<PlannedCopy> = {}): PlannedCopy {
  return {
    sourceRef: SOURCE,
    sourceId: SOURCE,
    name: NAME,
    // What a `secret()` has unless a test says otherwise, so a copy found by name matches.
    scopes: [...SCOPES],
    ...overrides,
  };
}

/** Response headers with a server clock `offsetMs` away from the local fake clock. */
const serverDate = (offsetMs: number) => ({
  ...JSON_HEADERS,
  date: new Date(START + offsetMs).toUTCString(),
});

const mockCloudflare = useMockCloudflare();

/** The file's setup, with `posts()`: the writes alone, whose count the rules bound. */
function setup(options?: MockOptions) {
  const mock = mockCloudflare(options);
  return { ...mock, posts: () => mock.urls().filter((url) => url.startsWith('POST ')) };
}

const takenMessage = (id: string) =>
  `A secret named "${NAME}" already exists in store "main" (${STORE}), with id ${id}. ` +
  'Set if-exists: skip to use the existing secret, if-exists: replace to replace it, or choose another name.';

describe('executeCopy', () => {
  it('creates the copy with one POST carrying name, scopes and comment', async () => {
    const { pool, client, urls } = setup();
    let body: unknown;
    pool.intercept({ path: DUPLICATE, method: 'POST' }).reply((options) => {
      body = JSON.parse(String(options.body));
      return {
        statusCode: 200,
        data: ok(secret(CREATED, NAME, { comment: 'for staging', created: START })),
        responseOptions: { headers: JSON_HEADERS },
      };
    });
    const planned = copy({ comment: 'for staging' });

    const result = await executeCopy(client, MAIN, planned, FAIL);

    expect(result).toEqual({
      copy: planned,
      outcome: 'created',
      secret: {
        id: CREATED,
        name: NAME,
        status: 'active',
        store_id: STORE,
        created: new Date(START).toISOString(),
        modified: new Date(START).toISOString(),
        comment: 'for staging',
        scopes: ['workers', 'ai_gateway'],
      },
      adopted: false,
      warnings: [],
    });
    expect(body).toEqual({ name: NAME, scopes: ['workers', 'ai_gateway'], comment: 'for staging' });
    expect(urls()).toEqual([`POST ${DUPLICATE}`]);
  });

  it('sends no comment key when the plan has no comment', async () => {
    const { pool, client } = setup();
    let body: unknown;
    pool.intercept({ path: DUPLICATE, method: 'POST' }).reply((options) => {
      body = JSON.parse(String(options.body));
      return { statusCode: 200, data: ok(secret(CREATED, NAME)), responseOptions: {} };
    });

    await executeCopy(client, MAIN, copy(), FAIL);

    expect(body).toEqual({ name: NAME, scopes: ['workers', 'ai_gateway'] });
  });

  describe('after an answer was lost', () => {
    it('adopts the secret a 502 hid when it was created after the first attempt (server clock)', async () => {
      const { pool, client, urls, posts } = setup();
      // The server's clock is an hour behind ours: the secret was created 2 s after the first
      // attempt on the server's clock, which is an hour before it on the local clock.
      pool
        .intercept({ path: DUPLICATE, method: 'POST' })
        .reply(502, '<html><title>502 Bad Gateway</title></html>', {
          headers: { 'content-type': 'text/html', date: new Date(START - HOUR).toUTCString() },
        });
      pool
        .intercept({ path: SEARCH, method: 'GET' })
        .reply(
          200,
          ok([secret(CREATED, NAME, { created: START - HOUR + 2_000 })], { total_pages: 1 }),
          { headers: serverDate(-HOUR) },
        );

      const result = await executeCopy(client, MAIN, copy(), FAIL);

      expect(result.outcome).toBe('created');
      expect(result.adopted).toBe(true);
      expect(result.secret?.id).toBe(CREATED);
      expect(result.warnings).toEqual([]);
      expect(posts()).toHaveLength(1);
      expect(urls()).toEqual([`POST ${DUPLICATE}`, `GET ${SEARCH}`]);
    });

    it('adopts after a connection broke once the request was sent', async () => {
      const { pool, client, posts } = setup();
      pool
        .intercept({ path: DUPLICATE, method: 'POST' })
        .replyWithError(Object.assign(new Error('other side closed'), { code: 'UND_ERR_SOCKET' }));
      pool
        .intercept({ path: SEARCH, method: 'GET' })
        .reply(200, ok([secret(CREATED, NAME, { created: START + 500 })]), {
          headers: serverDate(0),
        });

      const result = await executeCopy(client, MAIN, copy(), FAIL);

      expect(result.outcome).toBe('created');
      expect(result.adopted).toBe(true);
      expect(result.secret?.id).toBe(CREATED);
      expect(posts()).toHaveLength(1);
    });

    it('adopts after a 200 whose result it could not read', async () => {
      const { pool, client, urls } = setup();
      pool
        .intercept({ path: DUPLICATE, method: 'POST' })
        .reply(200, ok({ name: NAME }), { headers: JSON_HEADERS });
      pool
        .intercept({ path: SEARCH, method: 'GET' })
        .reply(200, ok([secret(CREATED, NAME, { created: START })]), { headers: JSON_HEADERS });

      const result = await executeCopy(client, MAIN, copy(), FAIL);

      expect(result.outcome).toBe('created');
      expect(result.adopted).toBe(true);
      expect(urls()).toEqual([`POST ${DUPLICATE}`, `GET ${SEARCH}`]);
    });

    it('sends the POST again when the lookup finds nothing (names are unique, so it cannot double)', async () => {
      const { pool, client, clock, urls, posts } = setup();
      pool.intercept({ path: DUPLICATE, method: 'POST' }).reply(502, '');
      pool
        .intercept({ path: SEARCH, method: 'GET' })
        .reply(200, ok([secret(EXISTING, `${NAME}_OLD`)], { total_pages: 1 }), {
          headers: JSON_HEADERS,
        });
      pool
        .intercept({ path: DUPLICATE, method: 'POST' })
        .reply(200, ok(secret(CREATED, NAME)), { headers: JSON_HEADERS });

      const result = await executeCopy(client, MAIN, copy(), FAIL);

      expect(result.outcome).toBe('created');
      expect(result.adopted).toBe(false);
      expect(result.secret?.id).toBe(CREATED);
      expect(posts()).toHaveLength(2);
      expect(urls()).toEqual([`POST ${DUPLICATE}`, `GET ${SEARCH}`, `POST ${DUPLICATE}`]);
      expect(clock.sleeps).toEqual([250]);
    });

    it('reports that nothing was created when the retries run out', async () => {
      const { pool, client, posts } = setup({ maxRetries: 1 });
      pool.intercept({ path: DUPLICATE, method: 'POST' }).reply(503, '').times(2);
      pool
        .intercept({ path: SEARCH, method: 'GET' })
        .reply(200, ok([]), { headers: JSON_HEADERS })
        .times(2);

      const error = await rejection(executeCopy(client, MAIN, copy(), FAIL));

      expect(error).toBeInstanceOf(CloudflareError);
      expect(error.message).toBe(
        `POST ${API}/stores/${STORE}/secrets/${SOURCE}/duplicate failed: HTTP 503: an empty body. ` +
          `No secret named "${NAME}" was created. Not retried: the 1 retry allowed for this run is used up.`,
      );
      expect(posts()).toHaveLength(2);
    });

    it('when the lookup itself fails, resends; a conflict then finds the lost copy and adopts it', async () => {
      // The lookup fails without a retry (403), so the run's one retry resends the duplicate.
      const { pool, client, urls, posts } = setup({ maxRetries: 1 });
      pool.intercept({ path: DUPLICATE, method: 'POST' }).reply(502, '');
      pool
        .intercept({ path: SEARCH, method: 'GET' })
        .reply(403, failure({ code: 10000, message: 'Authentication error' }), {
          headers: JSON_HEADERS,
        });
      pool
        .intercept({ path: DUPLICATE, method: 'POST' })
        .reply(409, failure({ code: 1000, message: 'name already exists' }), {
          headers: JSON_HEADERS,
        });
      pool
        .intercept({ path: SEARCH, method: 'GET' })
        .reply(200, ok([secret(CREATED, NAME, { created: START })]), { headers: JSON_HEADERS });

      const result = await executeCopy(client, MAIN, copy(), FAIL);

      expect(result.outcome).toBe('created');
      expect(result.adopted).toBe(true);
      expect(result.secret?.id).toBe(CREATED);
      expect(result.warnings).toEqual([]);
      expect(posts()).toHaveLength(2);
      expect(urls()).toEqual([
        `POST ${DUPLICATE}`,
        `GET ${SEARCH}`,
        `POST ${DUPLICATE}`,
        `GET ${SEARCH}`,
      ]);
    });

    it('shares one retry budget between the lookup and the resend', async () => {
      // One retry for the run: the failing lookup takes it, so the duplicate is not resent.
      const { pool, client, posts } = setup({ maxRetries: 1 });
      pool.intercept({ path: DUPLICATE, method: 'POST' }).reply(502, '');
      pool.intercept({ path: SEARCH, method: 'GET' }).reply(503, '').times(2);

      const error = await rejection(executeCopy(client, MAIN, copy(), FAIL));

      expect((error as CloudflareError).status).toBe(502);
      expect(error.message).toContain('Whether it took effect is unknown');
      expect(error.message).toMatch(/Not retried: the 1 retry allowed for this run is used up\.$/);
      expect(posts()).toHaveLength(1);
    });

    /** A 502 on the POST, a lookup refused (403), then a resend refused with a 409. */
    function lostThenRefused(pool: ReturnType<typeof setup>['pool']) {
      pool.intercept({ path: DUPLICATE, method: 'POST' }).reply(502, '');
      pool
        .intercept({ path: SEARCH, method: 'GET' })
        .reply(403, failure({ code: 10000, message: 'Authentication error' }), {
          headers: JSON_HEADERS,
        });
      pool
        .intercept({ path: DUPLICATE, method: 'POST' })
        .reply(409, failure({ code: 1000, message: 'name already exists' }), {
          headers: JSON_HEADERS,
        });
    }

    it('a resend refused while the name is still free throws the refusal', async () => {
      const { pool, client, reply, posts } = setup({ maxRetries: 1 });
      lostThenRefused(pool);
      reply(SEARCH, []);

      const error = await rejection(executeCopy(client, MAIN, copy(), FAIL), CloudflareError);

      expect(error.status).toBe(409);
      expect(posts()).toHaveLength(2);
    });

    it('a resend refused because someone else took the name returns theirs under if-exists: skip', async () => {
      const { pool, client, reply } = setup({ maxRetries: 1 });
      lostThenRefused(pool);
      reply(SEARCH, [secret(EXISTING, NAME, { created: START - HOUR })]);

      const result = await executeCopy(client, MAIN, copy(), SKIP);

      expect(result.outcome).toBe('existing');
      expect(result.adopted).toBe(false);
      expect(result.secret?.id).toBe(EXISTING);
    });

    it('a resend refused, whose lookup fails too, throws the refusal', async () => {
      const { pool, client, urls } = setup({ maxRetries: 1 });
      lostThenRefused(pool);
      pool
        .intercept({ path: SEARCH, method: 'GET' })
        .reply(403, failure({ code: 10000, message: 'Authentication error' }), {
          headers: JSON_HEADERS,
        });

      const error = await rejection(executeCopy(client, MAIN, copy(), SKIP), CloudflareError);

      expect(error.status).toBe(409);
      expect(urls()).toEqual([
        `POST ${DUPLICATE}`,
        `GET ${SEARCH}`,
        `POST ${DUPLICATE}`,
        `GET ${SEARCH}`,
      ]);
    });

    it('never adopts the source secret, even when the lookup finds it under the name', async () => {
      const { pool, client, reply } = setup();
      pool.intercept({ path: DUPLICATE, method: 'POST' }).reply(502, '');
      reply(SEARCH, [secret(SOURCE, NAME, { created: START })]);

      const error = await rejection(executeCopy(client, MAIN, copy(), FAIL), ActionError);

      expect(error.message).toBe(takenMessage(SOURCE));
    });

    describe('a same-named secret created before the first attempt (server clock) is not ours', () => {
      // The server's clock is an hour ahead: the secret is 30 min older than the first attempt
      // on the server's clock, though 30 min newer on the local one.
      function olderSecret(pool: ReturnType<typeof setup>['pool'], scopes?: string[]) {
        pool
          .intercept({ path: DUPLICATE, method: 'POST' })
          .reply(502, '', { headers: serverDate(HOUR) });
        pool
          .intercept({ path: SEARCH, method: 'GET' })
          .reply(
            200,
            ok([
              secret(EXISTING, NAME, { created: START + HOUR / 2, scopes: scopes ?? ['workers'] }),
            ]),
            { headers: serverDate(HOUR) },
          );
      }

      it('if-exists: fail names it and throws', async () => {
        const { pool, client, posts } = setup();
        olderSecret(pool, ['workers', 'ai_gateway']);

        const error = await rejection(executeCopy(client, MAIN, copy(), FAIL));

        expect(error).toBeInstanceOf(ActionError);
        expect(error.message).toBe(takenMessage(EXISTING));
        expect(posts()).toHaveLength(1);
      });

      it('if-exists: skip returns it as existing, not adopted', async () => {
        const { pool, client, posts } = setup();
        olderSecret(pool, ['workers', 'ai_gateway']);

        const result = await executeCopy(client, MAIN, copy(), SKIP);

        expect(result.outcome).toBe('existing');
        expect(result.adopted).toBe(false);
        expect(result.secret?.id).toBe(EXISTING);
        expect(result.warnings).toEqual([]);
        expect(posts()).toHaveLength(1);
      });
    });

    it('a found secret with other scopes is not ours, however new', async () => {
      const { pool, client } = setup();
      pool.intercept({ path: DUPLICATE, method: 'POST' }).reply(502, '');
      pool
        .intercept({ path: SEARCH, method: 'GET' })
        .reply(200, ok([secret(EXISTING, NAME, { scopes: ['workers'], created: START + 1_000 })]));

      const result = await executeCopy(client, MAIN, copy(), SKIP);

      expect(result.outcome).toBe('existing');
      expect(result.adopted).toBe(false);
      expect(result.warnings).toHaveLength(1);
    });

    it('a found secret with another comment is not ours', async () => {
      const { pool, client } = setup();
      pool.intercept({ path: DUPLICATE, method: 'POST' }).reply(502, '');
      pool
        .intercept({ path: SEARCH, method: 'GET' })
        .reply(200, ok([secret(EXISTING, NAME, { comment: 'theirs', created: START + 1_000 })]));

      const error = await rejection(executeCopy(client, MAIN, copy({ comment: 'ours' }), FAIL));

      expect(error.message).toBe(takenMessage(EXISTING));
    });

    it('a found secret with our comment (and scopes) is ours', async () => {
      const { pool, client } = setup();
      pool.intercept({ path: DUPLICATE, method: 'POST' }).reply(502, '');
      pool
        .intercept({ path: SEARCH, method: 'GET' })
        .reply(200, ok([secret(CREATED, NAME, { comment: 'ours', created: START + 1_000 })]));

      const result = await executeCopy(client, MAIN, copy({ comment: 'ours' }), FAIL);

      expect(result).toMatchObject({ outcome: 'created', adopted: true });
      expect(result.secret?.id).toBe(CREATED);
    });

    it('a found secret without a comment is not ours when we asked for one', async () => {
      const { pool, client } = setup();
      pool.intercept({ path: DUPLICATE, method: 'POST' }).reply(502, '');
      pool
        .intercept({ path: SEARCH, method: 'GET' })
        .reply(200, ok([secret(EXISTING, NAME, { created: START + 1_000 })]));

      const error = await rejection(executeCopy(client, MAIN, copy({ comment: 'ours' }), FAIL));

      expect(error.message).toBe(takenMessage(EXISTING));
    });

    it('a found secret without scopes is not ours', async () => {
      const { pool, client } = setup();
      pool.intercept({ path: DUPLICATE, method: 'POST' }).reply(502, '');
      pool
        .intercept({ path: SEARCH, method: 'GET' })
        .reply(200, ok([secret(EXISTING, NAME, { scopes: undefined, created: START + 1_000 })]));

      const result = await executeCopy(client, MAIN, copy(), SKIP);

      expect(result).toMatchObject({ outcome: 'existing', adopted: false });
      expect(result.warnings).toEqual([
        `Secret "${NAME}" (${EXISTING}) already exists in store "main" (${STORE}) with scopes [], ` +
          'not the requested [workers, ai_gateway]; it was left as it is (if-exists: skip).',
      ]);
    });

    it('a 500 left after the last retry gets one lookup, not a second one as if it were a conflict', async () => {
      const { pool, client, urls } = setup({ maxRetries: 0 });
      pool.intercept({ path: DUPLICATE, method: 'POST' }).reply(500, '');
      pool.intercept({ path: SEARCH, method: 'GET' }).reply(200, ok([]));

      const error = await rejection(executeCopy(client, MAIN, copy(), FAIL), CloudflareError);

      expect(error.status).toBe(500);
      expect(urls()).toEqual([`POST ${DUPLICATE}`, `GET ${SEARCH}`]);
    });
  });

  describe('a conflict on the first attempt', () => {
    function conflict(pool: ReturnType<typeof setup>['pool'], found: unknown[]) {
      pool
        .intercept({ path: DUPLICATE, method: 'POST' })
        .reply(409, failure({ code: 1000, message: 'secret name already exists' }), {
          headers: JSON_HEADERS,
        });
      pool
        .intercept({ path: LISTING, method: 'GET' })
        .reply(200, ok(found, { total_pages: 1 }), { headers: JSON_HEADERS });
    }

    it('if-exists: fail throws an error naming the existing id and suggesting skip', async () => {
      const { pool, client, urls } = setup();
      conflict(pool, [secret(EXISTING, NAME, { scopes: ['workers'], created: START - HOUR })]);

      const error = await rejection(executeCopy(client, MAIN, copy(), FAIL));

      expect(error).toBeInstanceOf(ActionError);
      expect(error.message).toBe(takenMessage(EXISTING));
      expect(error.message).toContain('if-exists: skip');
      expect(urls()).toEqual([`POST ${DUPLICATE}`, `GET ${LISTING}`]);
    });

    it('if-exists: skip returns the existing secret, warning that its scopes differ', async () => {
      const { pool, client, posts } = setup();
      conflict(pool, [secret(EXISTING, NAME, { scopes: ['workers'], created: START - HOUR })]);

      const result = await executeCopy(client, MAIN, copy(), SKIP);

      expect(result.outcome).toBe('existing');
      expect(result.adopted).toBe(false);
      expect(result.secret?.id).toBe(EXISTING);
      expect(result.warnings).toEqual([
        `Secret "${NAME}" (${EXISTING}) already exists in store "main" (${STORE}) with scopes [workers], ` +
          'not the requested [workers, ai_gateway]; it was left as it is (if-exists: skip).',
      ]);
      expect(posts()).toHaveLength(1);
    });

    it('if-exists: skip lists every scope of the existing secret in its warning', async () => {
      const { pool, client } = setup();
      conflict(pool, [secret(EXISTING, NAME, { scopes: ['dex', 'access'] })]);

      const result = await executeCopy(client, MAIN, copy(), SKIP);

      expect(result.warnings).toEqual([
        `Secret "${NAME}" (${EXISTING}) already exists in store "main" (${STORE}) with scopes [dex, access], ` +
          'not the requested [workers, ai_gateway]; it was left as it is (if-exists: skip).',
      ]);
    });

    it('if-exists: skip gives no warning when the scopes match in another order', async () => {
      const { pool, client } = setup();
      conflict(pool, [secret(EXISTING, NAME, { scopes: ['ai_gateway', 'workers'] })]);

      const result = await executeCopy(client, MAIN, copy(), SKIP);

      expect(result.outcome).toBe('existing');
      expect(result.warnings).toEqual([]);
    });

    it('never adopts: without a lost answer, even a brand-new matching secret is someone else’s', async () => {
      const { pool, client } = setup();
      conflict(pool, [secret(EXISTING, NAME, { created: START + 1_000 })]);

      const error = await rejection(executeCopy(client, MAIN, copy(), FAIL));

      expect(error).toBeInstanceOf(ActionError);
      expect(error.message).toBe(takenMessage(EXISTING));
    });

    it('throws the original HTTP error when the lookup finds no such name', async () => {
      const { pool, client, urls, clock } = setup();
      conflict(pool, [secret(EXISTING, `${NAME}_2`)]);

      const error = await rejection(executeCopy(client, MAIN, copy(), SKIP));

      expect(error).toBeInstanceOf(CloudflareError);
      expect((error as CloudflareError).status).toBe(409);
      expect(error.message).toBe(
        `POST ${API}/stores/${STORE}/secrets/${SOURCE}/duplicate failed: HTTP 409: [1000] secret name already exists.`,
      );
      expect(urls()).toEqual([`POST ${DUPLICATE}`, `GET ${LISTING}`]);
      expect(clock.sleeps).toEqual([]);
    });

    it('throws the original HTTP error when the lookup fails', async () => {
      const { pool, client } = setup();
      pool
        .intercept({ path: DUPLICATE, method: 'POST' })
        .reply(422, failure({ code: 1001, message: 'bad name' }), { headers: JSON_HEADERS });
      pool
        .intercept({ path: LISTING, method: 'GET' })
        .reply(403, failure({ code: 10000, message: 'Authentication error' }), {
          headers: JSON_HEADERS,
        });

      const error = await rejection(executeCopy(client, MAIN, copy(), FAIL));

      expect((error as CloudflareError).status).toBe(422);
      expect(error.message).toContain('HTTP 422: [1001] bad name.');
    });

    it('a 200 with success:false is no taken name: no lookup', async () => {
      const { pool, client, urls } = setup();
      pool
        .intercept({ path: DUPLICATE, method: 'POST' })
        .reply(200, failure({ code: 1000, message: 'no' }), { headers: JSON_HEADERS });

      const error = await rejection(executeCopy(client, MAIN, copy(), FAIL), CloudflareError);

      expect(error.status).toBe(200);
      expect(urls()).toEqual([`POST ${DUPLICATE}`]);
    });

    it.each([400, 401, 403, 404, 429])(
      'HTTP %i is not treated as a taken name when no lookup could explain it',
      async (status) => {
        // 401/403/429 are never conflicts; 400 is, so it gets a lookup; 404 gets a diagnosis.
        const { pool, client, urls } = setup({ maxRetries: 0 });
        pool
          .intercept({ path: DUPLICATE, method: 'POST' })
          .reply(status, failure({ code: 1000, message: 'no' }), { headers: JSON_HEADERS });
        if (status === 400) {
          pool
            .intercept({ path: LISTING, method: 'GET' })
            .reply(200, ok([]), { headers: JSON_HEADERS });
        }
        if (status === 404) {
          pool
            .intercept({ path: STORES, method: 'GET' })
            .reply(200, ok([{ id: STORE, name: 'main' }]), { headers: JSON_HEADERS });
          pool
            .intercept({ path: GET_SOURCE, method: 'GET' })
            .reply(200, ok(secret(SOURCE, 'SOURCE')), { headers: JSON_HEADERS });
        }

        const error = await rejection(executeCopy(client, MAIN, copy(), SKIP));

        expect((error as CloudflareError).status).toBe(status);
        expect(urls().filter((url) => url.startsWith('POST '))).toHaveLength(1);
        expect(urls().filter((url) => url.startsWith(`GET ${LISTING}`))).toHaveLength(
          status === 400 ? 1 : 0,
        );
      },
    );
  });

  describe('a 404', () => {
    it('says the source secret is missing from the store', async () => {
      const { pool, client, urls } = setup();
      pool.intercept({ path: DUPLICATE, method: 'POST' }).reply(404, NOT_FOUND, {
        headers: JSON_HEADERS,
      });
      pool
        .intercept({ path: STORES, method: 'GET' })
        .reply(200, ok([{ id: STORE, name: 'main' }], { total_pages: 1 }), {
          headers: JSON_HEADERS,
        });
      pool.intercept({ path: GET_SOURCE, method: 'GET' }).reply(404, NOT_FOUND, {
        headers: JSON_HEADERS,
      });

      const error = await rejection(executeCopy(client, MAIN, copy(), FAIL));

      expect(error).toBeInstanceOf(CloudflareError);
      expect(error.message).toBe(
        `POST ${API}/stores/${STORE}/secrets/${SOURCE}/duplicate failed: HTTP 404: [7003] No route for the URI. ` +
          `Secret ${SOURCE} is not in store ${STORE}. Check the secret input.`,
      );
      expect(urls()).toEqual([`POST ${DUPLICATE}`, `GET ${STORES}`, `GET ${GET_SOURCE}`]);
    });

    it('says the store is missing from the account, listing the stores it has', async () => {
      const { pool, client, urls } = setup();
      pool.intercept({ path: DUPLICATE, method: 'POST' }).reply(404, NOT_FOUND, {
        headers: JSON_HEADERS,
      });
      pool
        .intercept({ path: STORES, method: 'GET' })
        .reply(200, ok([{ id: OTHER_STORE, name: 'other' }], { total_pages: 1 }), {
          headers: JSON_HEADERS,
        });

      const error = await rejection(executeCopy(client, MAIN, copy(), FAIL));

      expect(error.message).toBe(
        `POST ${API}/stores/${STORE}/secrets/${SOURCE}/duplicate failed: HTTP 404: [7003] No route for the URI. ` +
          `Store ${STORE} is not in account ${ACCOUNT_ID}; its stores: "other" (${OTHER_STORE}). Check the store input.`,
      );
      expect(urls()).toEqual([`POST ${DUPLICATE}`, `GET ${STORES}`]);
    });
  });

  it('keeps the write failure in front when the lookup after it fails too', async () => {
    const { pool, client, urls } = setup({ maxRetries: 0 });
    pool
      .intercept({ path: DUPLICATE, method: 'POST' })
      .reply(502, failure({ code: 1000, message: 'bad gateway' }), { headers: JSON_HEADERS });
    pool
      .intercept({ path: SEARCH, method: 'GET' })
      .reply(403, failure({ code: 10000, message: 'Authentication error' }), {
        headers: JSON_HEADERS,
      });

    const error = await rejection(executeCopy(client, MAIN, copy(), FAIL));

    expect(error).toBeInstanceOf(CloudflareError);
    expect((error as CloudflareError).summary).toBe(
      `POST ${API}/stores/${STORE}/secrets/${SOURCE}/duplicate failed: HTTP 502: [1000] bad gateway. ` +
        `Whether it took effect is unknown: looking for "${NAME}" also failed ` +
        `(GET ${API}/stores/${STORE}/secrets failed: HTTP 403: [10000] Authentication error.).`,
    );
    expect(urls()).toEqual([`POST ${DUPLICATE}`, `GET ${SEARCH}`]);
  });

  it('makes no request when the plan already found the name taken', async () => {
    const { client, urls } = setup();
    const existing = secret(EXISTING, NAME, { scopes: ['dex'] });

    const skipped = await executeCopy(client, MAIN, copy({ existing }), SKIP);
    const failed = await rejection(executeCopy(client, MAIN, copy({ existing }), FAIL));

    expect(skipped.outcome).toBe('existing');
    expect(skipped.secret).toBe(existing);
    expect(skipped.adopted).toBe(false);
    expect(skipped.warnings).toHaveLength(1);
    expect(failed).toBeInstanceOf(ActionError);
    expect(failed.message).toBe(takenMessage(EXISTING));
    expect(urls()).toEqual([]);
  });

  it('makes no request on a dry run', async () => {
    const { client, urls } = setup();
    const planned = copy();

    const result = await executeCopy(client, MAIN, planned, { ifExists: 'fail', dryRun: true });

    expect(result).toEqual({ copy: planned, outcome: 'dry-run', adopted: false, warnings: [] });
    expect(urls()).toEqual([]);
  });
});

/** Answers the next duplicate POST with 200 and `result`. */
function answer(pool: ReturnType<typeof setup>['pool'], result: unknown) {
  pool
    .intercept({ path: DUPLICATE, method: 'POST' })
    .reply(200, ok(result), { headers: JSON_HEADERS });
}

const deletePath = (id: string) => `${WIRE}/stores/${STORE}/secrets/${id}`;

/** A plan of two lines, A and B, from the same source. */
const linesAB = () => ({ store: MAIN, copies: [copy({ name: 'A' }), copy({ name: 'B' })] });

/** Answers the DELETE of secret `id` with 200. */
function deletable(pool: ReturnType<typeof setup>['pool'], id: string) {
  pool
    .intercept({ path: deletePath(id), method: 'DELETE' })
    .reply(200, ok(null), { headers: JSON_HEADERS });
}

/** A list run: one copy at a time, so the order of requests is fixed. */
const LIST: ExecuteOptions = {
  ...FAIL,
  maxParallel: 1,
  rollbackOnFailure: false,
  waitForActive: false,
};
const ROLLBACK: ExecuteOptions = { ...LIST, rollbackOnFailure: true };

describe('the answer to a duplicate is checked against the request', () => {
  it.each([
    ['the source id', secret(SOURCE, NAME), `it names the source secret ${SOURCE}`],
    ['another name', secret(CREATED, 'OTHER_NAME'), `its name is not "${NAME}"`],
    [
      'other scopes',
      secret(CREATED, NAME, { scopes: ['workers'] }),
      'its scopes are not the requested [workers, ai_gateway]',
    ],
    [
      'no scopes',
      secret(CREATED, NAME, { scopes: undefined }),
      'its scopes are not the requested [workers, ai_gateway]',
    ],
    ['the status deleted', secret(CREATED, NAME, { status: 'deleted' }), 'its status is deleted'],
  ])(
    'fails the copy when it carries %s, and sends nothing more',
    async (_label, result, problem) => {
      const { pool, client, urls } = setup();
      answer(pool, result);

      const error = await rejection(executeCopy(client, MAIN, copy(), FAIL), UnexpectedAnswer);

      expect(error.message).toMatch(
        new RegExp(
          `^Got an unexpected answer from Cloudflare to the duplicate of ${SOURCE} as "${NAME}": `,
        ),
      );
      expect(error.message).toContain(problem);
      expect(error.message).toContain('Whether the copy was made is unknown');
      expect(urls()).toEqual([`POST ${DUPLICATE}`]);
    },
  );

  it('fails the copy when it carries an id that is not an id: the client refuses the answer', async () => {
    const { pool, client, urls, reply } = setup();
    answer(pool, secret('../../stores', NAME));
    reply(SEARCH, []);

    const error = await rejection(executeCopy(client, MAIN, copy(), FAIL), CloudflareError);

    expect(error.message).toContain(
      'returned an unexpected answer from Cloudflare (HTTP 200): result.id is string "../../stores", ' +
        'not an id (32 lowercase hex characters).',
    );
    // An answer that cannot be read may come from a write that took effect: the name is looked
    // up once, and nothing is sent again.
    expect(urls()).toEqual([`POST ${DUPLICATE}`, `GET ${SEARCH}`]);
  });

  it('fails the copy when the answer names a secret read before the write', async () => {
    const { pool, client, reply } = setup();
    reply(LISTING, [secret(SOURCE, 'SOURCE'), secret(EXISTING, 'THEIRS')]);
    await client.listSecrets(STORE);
    answer(pool, secret(EXISTING, NAME));

    const error = await rejection(executeCopy(client, MAIN, copy(), FAIL), UnexpectedAnswer);

    expect(error.message).toContain(`it names secret ${EXISTING}, which existed before`);
  });

  it('fails the copy when the answer names a secret another copy of the step made', async () => {
    const { pool, client } = setup();
    const step = new StepState(client, STORE);
    step.claimed.set(CREATED, copy({ name: 'FIRST' }));
    answer(pool, secret(CREATED, NAME));

    const error = await rejection(executeCopy(client, MAIN, copy(), FAIL, step), UnexpectedAnswer);

    expect(error.message).toContain(
      `it names secret ${CREATED}, which another copy of this step made`,
    );
  });

  it('lists every problem of an answer, and says to check the store', async () => {
    const { pool, client } = setup();
    answer(pool, secret(CREATED, 'OTHER_NAME', { scopes: ['workers'] }));

    const error = await rejection(executeCopy(client, MAIN, copy(), FAIL), UnexpectedAnswer);

    expect(error.message).toBe(
      `Got an unexpected answer from Cloudflare to the duplicate of ${SOURCE} as "${NAME}": ` +
        `its name is not "${NAME}"; its scopes are not the requested [workers, ai_gateway]. ` +
        'Whether the copy was made is unknown, and nothing it names is touched: check the store ' +
        'before running the step again.',
    );
  });

  it('accepts the requested scopes in another order (Cloudflare sorts them)', async () => {
    const { pool, client } = setup();
    answer(pool, secret(CREATED, NAME, { scopes: ['ai_gateway', 'workers'] }));

    const result = await executeCopy(
      client,
      MAIN,
      copy({ scopes: ['workers', 'ai_gateway'] }),
      FAIL,
    );

    expect(result.outcome).toBe('created');
    expect(result.secret?.id).toBe(CREATED);
  });

  it.each([
    ['a secret that existed before', EXISTING],
    ['the copy of another line', CREATED],
  ])('with rollback, never deletes %s that a forged answer names', async (_label, forged) => {
    const { pool, client, reply, urls } = setup();
    // The plan's listing.
    reply(LISTING, [secret(SOURCE, 'SOURCE'), secret(EXISTING, 'THEIRS')]);
    await client.listSecrets(STORE);
    answer(pool, secret(CREATED, 'A'));
    answer(pool, secret(forged, 'B'));
    deletable(pool, CREATED);

    const results = await executePlan(client, linesAB(), ROLLBACK);

    expect(results.map((r) => r.outcome)).toEqual(['rolled-back', 'failed']);
    expect(results[1]!.secret).toBeUndefined();
    expect(results[1]!.error).toContain('unexpected answer from Cloudflare');
    expect(urls().filter((url) => url.startsWith('DELETE '))).toEqual([
      `DELETE ${deletePath(CREATED)}`,
    ]);
  });
});

describe('adoption after a lost answer is strict', () => {
  it('never adopts a secret whose id was read before the first attempt, however new it claims to be', async () => {
    const { pool, client, reply, posts } = setup();
    // Listed before the write; then found under our name with a `created` after the attempt.
    reply(LISTING, [secret(EXISTING, 'THEIRS', { created: START + 1_000 })]);
    await client.listSecrets(STORE);
    pool.intercept({ path: DUPLICATE, method: 'POST' }).reply(502, '', { headers: serverDate(0) });
    pool
      .intercept({ path: SEARCH, method: 'GET' })
      .reply(200, ok([secret(EXISTING, NAME, { created: START + 1_000 })]), {
        headers: serverDate(0),
      });

    const result = await executeCopy(client, MAIN, copy(), SKIP);

    expect(result.outcome).toBe('existing');
    expect(result.adopted).toBe(false);
    expect(posts()).toHaveLength(1);
  });

  it('never adopts a secret that another copy of the step claimed', async () => {
    const { pool, client } = setup();
    const step = new StepState(client, STORE);
    step.claimed.set(CREATED, copy({ name: 'FIRST' }));
    pool.intercept({ path: DUPLICATE, method: 'POST' }).reply(502, '', { headers: serverDate(0) });
    pool
      .intercept({ path: SEARCH, method: 'GET' })
      .reply(200, ok([secret(CREATED, NAME, { created: START + 1_000 })]), {
        headers: serverDate(0),
      });

    const error = await rejection(executeCopy(client, MAIN, copy(), FAIL, step), ActionError);

    expect(error.message).toBe(takenMessage(CREATED));
  });

  it('the issue case: a same-named secret from 2020 found after a 502 is not adopted, and rollback leaves it', async () => {
    const { pool, client, reply, urls } = setup();
    // The plan's listing: the name B is free.
    reply(LISTING, [secret(SOURCE, 'SOURCE')]);
    await client.listSecrets(STORE);
    answer(pool, secret(CREATED, 'A', { comment: 'promoted' }));
    pool
      .intercept({ path: DUPLICATE, method: 'POST' })
      .reply(502, '<html><title>502 Bad Gateway</title></html>', {
        headers: { 'content-type': 'text/html', date: new Date(START).toUTCString() },
      });
    pool
      .intercept({
        path: `${WIRE}/stores/${STORE}/secrets?search=B&page=1&per_page=100`,
        method: 'GET',
      })
      .reply(
        200,
        ok([
          secret(EXISTING, 'B', { created: '2020-05-01T10:00:00.000000Z', comment: 'promoted' }),
        ]),
        { headers: serverDate(0) },
      );
    deletable(pool, CREATED);

    const results = await executePlan(
      client,
      {
        store: MAIN,
        copies: [
          copy({ name: 'A', comment: 'promoted' }),
          copy({ name: 'B', comment: 'promoted' }),
        ],
      },
      ROLLBACK,
    );

    expect(results.map((r) => r.outcome)).toEqual(['rolled-back', 'failed']);
    expect(results[1]!.error).toContain(`A secret named "B" already exists`);
    expect(urls().filter((url) => url.startsWith('DELETE '))).toEqual([
      `DELETE ${deletePath(CREATED)}`,
    ]);
  });
});

describe('a secret whose status is deleted is absent', () => {
  it('is not adopted after a lost answer: the name is free, so the POST is sent again', async () => {
    const { pool, client, posts } = setup();
    pool.intercept({ path: DUPLICATE, method: 'POST' }).reply(502, '', { headers: serverDate(0) });
    pool
      .intercept({ path: SEARCH, method: 'GET' })
      .reply(200, ok([secret(EXISTING, NAME, { created: START + 1_000, status: 'deleted' })]), {
        headers: serverDate(0),
      });
    answer(pool, secret(CREATED, NAME));

    const result = await executeCopy(client, MAIN, copy(), FAIL);

    expect(result.outcome).toBe('created');
    expect(result.adopted).toBe(false);
    expect(result.secret?.id).toBe(CREATED);
    expect(posts()).toHaveLength(2);
  });

  it('is not a name conflict: a refusal it would explain is reported as Cloudflare gave it', async () => {
    const { pool, client, reply } = setup();
    pool
      .intercept({ path: DUPLICATE, method: 'POST' })
      .reply(409, failure({ code: 1000, message: 'conflict' }), { headers: JSON_HEADERS });
    reply(LISTING, [secret(EXISTING, NAME, { status: 'deleted' })]);

    const error = await rejection(executeCopy(client, MAIN, copy(), SKIP), CloudflareError);

    expect(error.status).toBe(409);
  });
});

describe('no request storms', () => {
  it('stops after the same refusal fails 3 lines, with one listing for all of them', async () => {
    const { pool, client, urls } = setup();
    pool
      .intercept({ path: DUPLICATE, method: 'POST' })
      .reply(400, failure({ code: 1002, message: 'bad request' }), { headers: JSON_HEADERS })
      .times(3);
    pool
      .intercept({ path: LISTING, method: 'GET' })
      .reply(200, ok([secret(SOURCE, 'SOURCE')]), { headers: JSON_HEADERS });
    const copies = Array.from({ length: 6 }, (_, i) => copy({ name: `LINE_${i + 1}` }));

    const results = await executePlan(client, { store: MAIN, copies }, LIST);

    expect(results.map((r) => r.outcome)).toEqual([
      'failed',
      'failed',
      'failed',
      'not-attempted',
      'not-attempted',
      'not-attempted',
    ]);
    expect(results[3]!.error).toBe(
      'not attempted: 3 copies failed with the same error (HTTP 400 [1002]), so no more were sent',
    );
    expect(urls()).toEqual([
      `POST ${DUPLICATE}`,
      `GET ${LISTING}`,
      `POST ${DUPLICATE}`,
      `POST ${DUPLICATE}`,
    ]);
  });

  it('one listing tells taken names from other refusals for every line', async () => {
    const { pool, client, urls } = setup();
    pool
      .intercept({ path: DUPLICATE, method: 'POST' })
      .reply(409, failure({ code: 1000, message: 'refused' }), { headers: JSON_HEADERS })
      .times(2);
    pool
      .intercept({ path: LISTING, method: 'GET' })
      .reply(200, ok([secret(EXISTING, 'TAKEN', { created: START + 1_000 })]), {
        headers: JSON_HEADERS,
      });

    const results = await executePlan(
      client,
      { store: MAIN, copies: [copy({ name: 'TAKEN' }), copy({ name: 'FREE' })] },
      { ...LIST, ifExists: 'skip' },
    );

    expect(results.map((r) => r.outcome)).toEqual(['existing', 'failed']);
    expect(results[0]!.secret?.id).toBe(EXISTING);
    expect(results[1]!.error).toContain('HTTP 409: [1000] refused.');
    expect(urls()).toEqual([`POST ${DUPLICATE}`, `GET ${LISTING}`, `POST ${DUPLICATE}`]);
  });

  it('different errors do not add up to a stop', async () => {
    const { pool, client, reply } = setup({ maxRetries: 0 });
    for (const code of [1, 2, 1, 2]) {
      pool
        .intercept({ path: DUPLICATE, method: 'POST' })
        .reply(422, failure({ code, message: 'no' }), { headers: JSON_HEADERS });
    }
    reply(LISTING, []);
    const copies = Array.from({ length: 4 }, (_, i) => copy({ name: `LINE_${i + 1}` }));

    const results = await executePlan(client, { store: MAIN, copies }, LIST);

    expect(results.map((r) => r.outcome)).toEqual(['failed', 'failed', 'failed', 'failed']);
  });

  describe('the stop names the error that repeated', () => {
    const copies = Array.from({ length: 4 }, (_, i) => copy({ name: `LINE_${i + 1}` }));
    const refusals = (pool: ReturnType<typeof setup>['pool'], status: number, codes: number[]) =>
      pool
        .intercept({ path: DUPLICATE, method: 'POST' })
        .reply(status, failure(...codes.map((code) => ({ code, message: 'no' }))), {
          headers: JSON_HEADERS,
        })
        .times(3);

    it.each([
      [[1, 2, 3, 4], 'HTTP 403 [1, 2, 3, …]'],
      [[1, 2, 3], 'HTTP 403 [1, 2, 3]'],
      [[], 'HTTP 403'],
    ])('Cloudflare codes %j: %s', async (codes, label) => {
      const { pool, client } = setup();
      refusals(pool, 403, codes);

      const results = await executePlan(client, { store: MAIN, copies }, LIST);

      expect(results[3]!.error).toBe(
        `not attempted: 3 copies failed with the same error (${label}), so no more were sent`,
      );
    });

    it('a failure without a status: its kind', async () => {
      const { client } = setup();
      vi.spyOn(client, 'duplicateSecret').mockRejectedValue(
        new CloudflareError('POST failed: connection refused.', {
          kind: 'network',
          method: 'POST',
          path: '/duplicate',
        }),
      );

      const results = await executePlan(client, { store: MAIN, copies }, LIST);

      expect(results[3]!.error).toBe(
        'not attempted: 3 copies failed with the same error (network), so no more were sent',
      );
    });

    it('an answer that does not describe the copy', async () => {
      const { pool, client } = setup();
      for (const line of copies.slice(0, 3)) answer(pool, secret(SOURCE, line.name));

      const results = await executePlan(client, { store: MAIN, copies }, LIST);

      expect(results[3]!.error).toBe(
        'not attempted: 3 copies failed with the same error (an unexpected answer from Cloudflare), so no more were sent',
      );
    });
  });

  it('the same codes under another status are another error', async () => {
    const { pool, client } = setup({ maxRetries: 0 });
    for (const status of [403, 401, 403, 401]) {
      pool
        .intercept({ path: DUPLICATE, method: 'POST' })
        .reply(status, failure({ code: 10000, message: 'no' }), { headers: JSON_HEADERS });
    }
    const copies = Array.from({ length: 4 }, (_, i) => copy({ name: `LINE_${i + 1}` }));

    const results = await executePlan(client, { store: MAIN, copies }, LIST);

    expect(results.map((r) => r.outcome)).toEqual(['failed', 'failed', 'failed', 'failed']);
  });
});

describe('time kept for rollback', () => {
  it('keeps a quarter of the budget (1 to 30 s) from the copies, only when rollback is on', async () => {
    for (const [options, expected] of [
      [LIST, 8_000],
      [ROLLBACK, 6_000],
    ] as const) {
      const { pool, client } = setup({ deadline: START + 8_000 });
      let left: number | undefined;
      pool.intercept({ path: DUPLICATE, method: 'POST' }).reply(() => {
        left = client.remainingMs();
        return { statusCode: 200, data: ok(secret(CREATED, NAME)), responseOptions: {} };
      });

      await executePlan(client, { store: MAIN, copies: [copy()] }, options);

      expect(left).toBe(expected);
      expect(client.remainingMs()).toBe(8_000);
    }
  });

  it('a copy that hangs until the deadline still leaves time to delete what the others made', async () => {
    const { pool, client, clock, urls } = setup({ deadline: START + 8_000, maxRetries: 0 });
    answer(pool, secret(CREATED, 'A'));
    // B's POST takes all the time it is given, as a request that hangs until its timeout.
    pool.intercept({ path: DUPLICATE, method: 'POST' }).reply(() => {
      clock.advance(client.remainingMs());
      return { statusCode: 504, data: '', responseOptions: {} };
    });
    deletable(pool, CREATED);

    const results = await executePlan(client, linesAB(), ROLLBACK);

    expect(results.map((r) => r.outcome)).toEqual(['rolled-back', 'failed']);
    expect(results[1]!.error).toContain(
      'was not sent: the time budget is spent (the last 2 s of it are kept for rollback)',
    );
    expect(urls()).toContain(`DELETE ${deletePath(CREATED)}`);
  });

  it('keeps at most half of a short budget', async () => {
    const { pool, client } = setup({ deadline: START + 1_500 });
    let left: number | undefined;
    pool.intercept({ path: DUPLICATE, method: 'POST' }).reply(() => {
      left = client.remainingMs();
      return { statusCode: 200, data: ok(secret(CREATED, NAME)), responseOptions: {} };
    });

    await executePlan(client, { store: MAIN, copies: [copy()] }, ROLLBACK);

    expect(left).toBe(750);
  });
});

describe('executePlan', () => {
  const SKIP_LIST: ExecuteOptions = {
    ...SKIP,
    maxParallel: 1,
    rollbackOnFailure: false,
    waitForActive: false,
  };
  const SKIP_ROLLBACK: ExecuteOptions = { ...SKIP_LIST, rollbackOnFailure: true };
  /** A distinct secret id for the nth copy. */
  const idOf = (n: number) => `${n}`.padStart(32, 'e');
  const secretPath = (id: string) => `${WIRE}/stores/${STORE}/secrets/${id}`;
  const plan = (...copies: PlannedCopy[]) => ({ store: MAIN, copies });
  const named = (name: string, overrides: Partial<PlannedCopy> = {}) =>
    copy({ name, sourceRef: `${name}_SOURCE`, ...overrides });
  const refusal = (name: string) =>
    `POST ${API}/stores/${STORE}/secrets/${SOURCE}/duplicate failed: HTTP 422: [1001] ${name} is a bad name.`;

  type Pool = ReturnType<typeof setup>['pool'];
  /** The duplicate under `name` is created as secret `id`. */
  function creates(pool: Pool, name: string, id: string) {
    pool
      .intercept({ path: DUPLICATE, method: 'POST', body: (b) => JSON.parse(b).name === name })
      .reply(200, ok(secret(id, name)), { headers: JSON_HEADERS });
  }
  /**
   * The duplicate under `name` is refused with a 422; the step's listing that follows (one per
   * step) finds no such name.
   */
  function refuses(pool: Pool, name: string) {
    pool
      .intercept({ path: DUPLICATE, method: 'POST', body: (b) => JSON.parse(b).name === name })
      .reply(422, failure({ code: 1001, message: `${name} is a bad name` }), {
        headers: JSON_HEADERS,
      });
    pool
      .intercept({ path: LISTING, method: 'GET' })
      .reply(200, ok([], { total_pages: 1 }), { headers: JSON_HEADERS });
  }
  function deletes(pool: Pool, id: string, status = 200) {
    pool
      .intercept({ path: secretPath(id), method: 'DELETE' })
      .reply(status, status === 200 ? ok(null) : failure({ code: 1002, message: 'try later' }), {
        headers: JSON_HEADERS,
      });
  }

  it('a failed copy does not stop the others without rollback-on-failure', async () => {
    const { pool, client, urls } = setup();
    refuses(pool, 'A');
    creates(pool, 'B', idOf(2));

    const results = await executePlan(client, plan(named('A'), named('B')), SKIP_LIST);

    expect(results.map((r) => [r.copy.name, r.outcome, r.error])).toEqual([
      ['A', 'failed', refusal('A')],
      ['B', 'created', undefined],
    ]);
    expect(results[0]).toMatchObject({ adopted: false, warnings: [] });
    expect(results[0]!.secret).toBeUndefined();
    expect(urls().filter((url) => url.startsWith('DELETE '))).toEqual([]);
  });

  it('with rollback-on-failure, starts no copy after a failure and deletes what it created', async () => {
    const { pool, client, urls } = setup();
    creates(pool, 'A', idOf(1));
    refuses(pool, 'B');
    deletes(pool, idOf(1));
    // Written by no one: an existing name with if-exists: skip is reported, never deleted.
    const existing = secret(EXISTING, 'D');

    const results = await executePlan(
      client,
      plan(named('A'), named('B'), named('C'), named('D', { existing })),
      SKIP_ROLLBACK,
    );

    expect(results.map((r) => [r.copy.name, r.outcome, r.error])).toEqual([
      ['A', 'rolled-back', undefined],
      ['B', 'failed', refusal('B')],
      ['C', 'not-attempted', 'not attempted: another copy failed and rollback-on-failure is set'],
      ['D', 'existing', undefined],
    ]);
    expect(results[0]!.secret?.id).toBe(idOf(1));
    expect(results[2]).toMatchObject({ adopted: false, warnings: [] });
    expect(results[2]!.secret).toBeUndefined();
    expect(results[3]!.secret).toBe(existing);
    expect(urls()).toEqual([
      `POST ${DUPLICATE}`,
      `POST ${DUPLICATE}`,
      `GET ${LISTING}`,
      `DELETE ${secretPath(idOf(1))}`,
    ]);
  });

  it('with rollback-on-failure and no failure, deletes nothing', async () => {
    const { pool, client, urls } = setup();
    creates(pool, 'A', idOf(1));
    creates(pool, 'B', idOf(2));

    const results = await executePlan(client, plan(named('A'), named('B')), SKIP_ROLLBACK);

    expect(results.map((r) => r.outcome)).toEqual(['created', 'created']);
    expect(urls()).toEqual([`POST ${DUPLICATE}`, `POST ${DUPLICATE}`]);
  });

  it('a delete that fails during the rollback leaves the copy created, saying so', async () => {
    const { pool, client } = setup({ maxRetries: 0 });
    creates(pool, 'A', idOf(1));
    creates(pool, 'B', idOf(2));
    refuses(pool, 'C');
    deletes(pool, idOf(1), 500);
    deletes(pool, idOf(2));

    const results = await executePlan(
      client,
      plan(named('A'), named('B'), named('C')),
      SKIP_ROLLBACK,
    );

    // The failed delete does not stop the rollback of the others.
    expect(results.map((r) => [r.copy.name, r.outcome, r.error])).toEqual([
      [
        'A',
        'created',
        `created, and the rollback failed: DELETE ${API}/stores/${STORE}/secrets/${idOf(1)} ` +
          'failed: HTTP 500: [1002] try later.',
      ],
      ['B', 'rolled-back', undefined],
      ['C', 'failed', refusal('C')],
    ]);
  });

  it("runs up to `maxParallel` copies at once, and returns the results in the plan's order", async () => {
    const { client } = setup();
    let inFlight = 0;
    let most = 0;
    const finished: string[] = [];
    // The copies take 4, 1, 3 and 2 turns of the event loop: they finish out of order.
    const turns: Record<string, number> = { A: 4, B: 1, C: 3, D: 2 };
    vi.spyOn(client, 'duplicateSecret').mockImplementation(async (_store, _source, body) => {
      inFlight++;
      most = Math.max(most, inFlight);
      for (let turn = 0; turn < turns[body.name]!; turn++) await new Promise(setImmediate);
      inFlight--;
      finished.push(body.name);
      return secret(idOf(body.name.charCodeAt(0)), body.name);
    });

    const results = await executePlan(
      client,
      plan(named('A'), named('B'), named('C'), named('D')),
      { ...SKIP_LIST, maxParallel: 2 },
    );

    expect(most).toBe(2);
    expect(finished).not.toEqual(['A', 'B', 'C', 'D']);
    expect(results.map((r) => [r.copy.name, r.outcome])).toEqual([
      ['A', 'created'],
      ['B', 'created'],
      ['C', 'created'],
      ['D', 'created'],
    ]);
  });

  it('runs the copies one at a time even when told maxParallel 0', async () => {
    const { pool, client } = setup();
    creates(pool, 'A', idOf(1));
    creates(pool, 'B', idOf(2));

    const results = await executePlan(client, plan(named('A'), named('B')), {
      ...SKIP_LIST,
      maxParallel: 0,
    });

    expect(results.map((r) => r.outcome)).toEqual(['created', 'created']);
  });

  it('an empty plan makes no request', async () => {
    const { client, urls } = setup();

    expect(await executePlan(client, plan(), SKIP_ROLLBACK)).toEqual([]);
    expect(urls()).toEqual([]);
  });

  it('with rollback-on-failure, keeps a copy adopted after a lost answer: it may be another run’s', async () => {
    const { pool, client, urls } = setup();
    pool
      .intercept({ path: DUPLICATE, method: 'POST', body: (b) => JSON.parse(b).name === 'A' })
      .reply(502, '');
    pool
      .intercept({
        path: `${WIRE}/stores/${STORE}/secrets?search=A&page=1&per_page=100`,
        method: 'GET',
      })
      .reply(200, ok([secret(idOf(1), 'A', { created: START })]), { headers: JSON_HEADERS });
    pool
      .intercept({ path: DUPLICATE, method: 'POST', body: (b) => JSON.parse(b).name === 'B' })
      .reply(403, failure({ code: 10000, message: 'no' }), { headers: JSON_HEADERS });

    const results = await executePlan(client, plan(named('A'), named('B')), SKIP_ROLLBACK);

    expect(results.map((r) => [r.outcome, r.adopted])).toEqual([
      ['created', true],
      ['failed', false],
    ]);
    expect(results[0]!.error).toBe(
      `"A" (${idOf(1)}) was kept: it was found after a lost answer and may have been made by ` +
        'another run, so a rollback never deletes it.',
    );
    expect(urls().filter((url) => url.startsWith('DELETE '))).toEqual([]);
  });

  it('rolls back `maxParallel` copies at a time', async () => {
    const { pool, client } = setup();
    creates(pool, 'A', idOf(1));
    creates(pool, 'B', idOf(2));
    refuses(pool, 'C');
    let inFlight = 0;
    let most = 0;
    vi.spyOn(client, 'deleteSecret').mockImplementation(async () => {
      inFlight++;
      most = Math.max(most, inFlight);
      await new Promise(setImmediate);
      inFlight--;
    });

    const results = await executePlan(
      client,
      plan(named('A'), named('B'), named('C')),
      SKIP_ROLLBACK,
    );

    expect(results.map((r) => r.outcome)).toEqual(['rolled-back', 'rolled-back', 'failed']);
    expect(most).toBe(1);
  });
});
