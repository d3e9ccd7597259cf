/**
 * if-exists: replace in executeCopy and executePlan, request by request over undici's MockAgent:
 * the delete comes first, then the duplicate with the usual reconciliation, and a failure after
 * the delete says what state it left.
 */
import { describe, expect, it, vi } from 'vitest';
import { CloudflareError } from '../src/cloudflare/errors.js';
import { executeCopy, executePlan, ReplaceFailed, type CopyOptions } from '../src/duplicate.js';
import { ActionError } from '../src/errors.js';
import type { PlannedCopy, PlannedStore } from '../src/plan.js';
import {
  API,
  JSON_HEADERS,
  NEW_SECRET,
  OTHER_SECRET,
  SCOPES,
  SECRET,
  START,
  STORE,
  WIRE,
  failure,
  ok,
  rejection,
  secret,
  useMockCloudflare,
} from './helpers/mock-cloudflare.js';

const SOURCE = SECRET;
const CREATED = NEW_SECRET;
const OLD = OTHER_SECRET;
const NAME = 'DB_URL_PRODUCTION';

const DUPLICATE = `${WIRE}/stores/${STORE}/secrets/${SOURCE}/duplicate`;
const OLD_PATH = `${WIRE}/stores/${STORE}/secrets/${OLD}`;
const SEARCH = `${WIRE}/stores/${STORE}/secrets?search=${NAME}&page=1&per_page=100`;
/** The step's one listing, read after a write is refused with a 4xx. */
const LISTING = `${WIRE}/stores/${STORE}/secrets?page=1&per_page=100`;

const MAIN: PlannedStore = { id: STORE, name: 'main' };
const REPLACE: CopyOptions = { ifExists: 'replace', dryRun: false };
const OLD_SECRET = secret(OLD, NAME, { created: '2024-01-01T00:00:00.000000Z' });

function copy(overrides: Partial<PlannedCopy> = {}): PlannedCopy {
  return {
    sourceRef: 'DB_URL_STAGING',
    sourceId: SOURCE,
    name: NAME,
    scopes: [...SCOPES],
    existing: OLD_SECRET,
    ...overrides,
  };
}

const setup = useMockCloudflare({ maxRetries: 2 });

/** Cloudflare's answer to a DELETE: no result. */
const deleted = () => ok(null);

describe('executeCopy with if-exists: replace', () => {
  it('deletes the secret that has the name, then duplicates the source under it', async () => {
    const { pool, client, urls } = setup();
    pool.intercept({ path: OLD_PATH, method: 'DELETE' }).reply(200, deleted());
    pool
      .intercept({ path: DUPLICATE, method: 'POST' })
      .reply(200, ok(secret(CREATED, NAME)), { headers: JSON_HEADERS });

    const result = await executeCopy(client, MAIN, copy(), REPLACE);

    expect(result.outcome).toBe('replaced');
    expect(result.secret?.id).toBe(CREATED);
    expect(result.replaced).toBe(OLD_SECRET);
    expect(result.adopted).toBe(false);
    expect(urls()).toEqual([`DELETE ${OLD_PATH}`, `POST ${DUPLICATE}`]);
  });

  it('simply creates a name that does not exist', async () => {
    const { pool, client, urls } = setup();
    pool
      .intercept({ path: DUPLICATE, method: 'POST' })
      .reply(200, ok(secret(CREATED, NAME)), { headers: JSON_HEADERS });

    const result = await executeCopy(client, MAIN, copy({ existing: undefined }), REPLACE);

    expect(result.outcome).toBe('created');
    expect(result.replaced).toBeUndefined();
    expect(urls()).toEqual([`POST ${DUPLICATE}`]);
  });

  it('dry run: names what would be replaced and sends nothing', async () => {
    const { client, urls } = setup();

    const result = await executeCopy(client, MAIN, copy(), { ...REPLACE, dryRun: true });

    expect(result.outcome).toBe('dry-run');
    expect(result.replaced).toBe(OLD_SECRET);
    expect(result.secret).toBeUndefined();
    expect(urls()).toEqual([]);
  });

  it('goes on when the secret is already gone (404): the name is free', async () => {
    const { pool, client, urls } = setup();
    pool
      .intercept({ path: OLD_PATH, method: 'DELETE' })
      .reply(404, failure({ code: 1001, message: 'secret_not_found' }));
    pool
      .intercept({ path: DUPLICATE, method: 'POST' })
      .reply(200, ok(secret(CREATED, NAME)), { headers: JSON_HEADERS });

    const result = await executeCopy(client, MAIN, copy(), REPLACE);

    expect(result.outcome).toBe('replaced');
    expect(urls()).toEqual([`DELETE ${OLD_PATH}`, `POST ${DUPLICATE}`]);
  });

  it('a delete that is refused writes nothing and says the secret was not replaced', async () => {
    const { pool, client, urls } = setup();
    pool
      .intercept({ path: OLD_PATH, method: 'DELETE' })
      .reply(403, failure({ code: 10000, message: 'Authentication error' }), {
        headers: JSON_HEADERS,
      });

    const error = await rejection(executeCopy(client, MAIN, copy(), REPLACE), CloudflareError);

    expect(error).not.toBeInstanceOf(ReplaceFailed);
    expect(error.summary).toBe(
      `"${NAME}" (${OLD}) was not replaced: deleting it failed: ` +
        `DELETE ${API}/stores/${STORE}/secrets/${OLD} failed: HTTP 403: [10000] Authentication error.`,
    );
    expect(error.status).toBe(403);
    expect(urls()).toEqual([`DELETE ${OLD_PATH}`]);
  });

  it('a failure after the delete says the target is deleted, not re-created, and that a re-run creates it', async () => {
    const { pool, client, urls } = setup({ maxRetries: 0 });
    pool.intercept({ path: OLD_PATH, method: 'DELETE' }).reply(200, deleted());
    pool
      .intercept({ path: DUPLICATE, method: 'POST' })
      .reply(400, failure({ code: 1005, message: 'quota exceeded' }), { headers: JSON_HEADERS });
    pool
      .intercept({ path: LISTING, method: 'GET' })
      .reply(200, ok([], { total_pages: 1 }), { headers: JSON_HEADERS });

    const error = await rejection(executeCopy(client, MAIN, copy(), REPLACE), ReplaceFailed);

    expect(error).toBeInstanceOf(ActionError);
    expect(error.name).toBe('ReplaceFailed');
    expect(error.replaced).toBe(OLD_SECRET);
    expect(error.message).toMatch(
      new RegExp(
        `^Deleted "${NAME}" \\(${OLD}\\) to replace it, but its new copy was not created: POST .* HTTP 400: \\[1005\\] quota exceeded\\. ` +
          "Cloudflare refused it for the account's Secrets Store quota: .* " +
          'The target is deleted and not re-created; re-running the step creates it \\(with if-exists: replace, a missing target is simply created\\)\\.$',
      ),
    );
    expect(urls()).toEqual([`DELETE ${OLD_PATH}`, `POST ${DUPLICATE}`, `GET ${LISTING}`]);
  });

  it('a delete that fails other than with a Cloudflare failure throws that failure as it is', async () => {
    const { client, urls } = setup();
    const failure = new TypeError('not a Cloudflare failure');
    vi.spyOn(client, 'deleteSecret').mockRejectedValue(failure);

    const error = await rejection(executeCopy(client, MAIN, copy(), REPLACE));

    expect(error).toBe(failure);
    expect(urls()).toEqual([]);
  });

  it('after the delete, a copy whose lost answer is found only after a refused resend is adopted', async () => {
    const { pool, client, urls } = setup({ maxRetries: 1 });
    pool.intercept({ path: OLD_PATH, method: 'DELETE' }).reply(200, deleted());
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
      .reply(200, ok([secret(CREATED, NAME, { created: START })], { total_pages: 1 }), {
        headers: JSON_HEADERS,
      });

    const result = await executeCopy(client, MAIN, copy(), REPLACE);

    expect(result.outcome).toBe('replaced');
    expect(result.adopted).toBe(true);
    expect(result.secret?.id).toBe(CREATED);
    expect(result.replaced).toBe(OLD_SECRET);
    expect(urls()).toEqual([
      `DELETE ${OLD_PATH}`,
      `POST ${DUPLICATE}`,
      `GET ${SEARCH}`,
      `POST ${DUPLICATE}`,
      `GET ${SEARCH}`,
    ]);
  });

  it('after the delete, a copy whose answer was lost is found and adopted', async () => {
    const { pool, client, urls } = setup();
    pool.intercept({ path: OLD_PATH, method: 'DELETE' }).reply(200, deleted());
    pool.intercept({ path: DUPLICATE, method: 'POST' }).reply(502, '');
    pool
      .intercept({ path: SEARCH, method: 'GET' })
      .reply(200, ok([secret(CREATED, NAME, { created: START })], { total_pages: 1 }), {
        headers: JSON_HEADERS,
      });

    const result = await executeCopy(client, MAIN, copy(), REPLACE);

    expect(result.outcome).toBe('replaced');
    expect(result.adopted).toBe(true);
    expect(result.secret?.id).toBe(CREATED);
    expect(urls()).toEqual([`DELETE ${OLD_PATH}`, `POST ${DUPLICATE}`, `GET ${SEARCH}`]);
  });

  it('after the delete, a same-named secret that is not ours is left alone and reported', async () => {
    const { pool, client } = setup({ maxRetries: 0 });
    pool.intercept({ path: OLD_PATH, method: 'DELETE' }).reply(200, deleted());
    pool
      .intercept({ path: DUPLICATE, method: 'POST' })
      .reply(409, failure({ code: 1004, message: 'exists' }), { headers: JSON_HEADERS });
    pool
      .intercept({ path: LISTING, method: 'GET' })
      .reply(200, ok([secret(CREATED, NAME, { scopes: ['dex'] })], { total_pages: 1 }), {
        headers: JSON_HEADERS,
      });

    const error = await rejection(executeCopy(client, MAIN, copy(), REPLACE), ReplaceFailed);

    expect(error.message).toBe(
      `Deleted "${NAME}" (${OLD}) to replace it, but then: A secret named "${NAME}" (${CREATED}) appeared ` +
        `in store "main" (${STORE}) while this step was writing, and this step did not create it; ` +
        'it was left as it is. Re-run the step to replace it.',
    );
  });

  it('a name that was free in the plan and taken at write time is not deleted', async () => {
    const { pool, client, urls } = setup({ maxRetries: 0 });
    pool
      .intercept({ path: DUPLICATE, method: 'POST' })
      .reply(409, failure({ code: 1004, message: 'exists' }), { headers: JSON_HEADERS });
    pool
      .intercept({ path: LISTING, method: 'GET' })
      .reply(200, ok([secret(OLD, NAME)], { total_pages: 1 }), { headers: JSON_HEADERS });

    const error = await rejection(
      executeCopy(client, MAIN, copy({ existing: undefined }), REPLACE),
      ActionError,
    );

    expect(error).not.toBeInstanceOf(ReplaceFailed);
    expect(error.message).toContain(`A secret named "${NAME}" (${OLD}) appeared in store`);
    expect(urls()).toEqual([`POST ${DUPLICATE}`, `GET ${LISTING}`]);
  });
});

describe('executePlan with if-exists: replace', () => {
  it('records the deleted secret on a line that then failed, and on one that succeeded', async () => {
    const { pool, client } = setup({ maxRetries: 0 });
    const otherOld = secret('d'.repeat(32), 'OTHER', {});
    pool.intercept({ path: OLD_PATH, method: 'DELETE' }).reply(200, deleted());
    pool
      .intercept({ path: DUPLICATE, method: 'POST' })
      .reply(200, ok(secret(CREATED, NAME)), { headers: JSON_HEADERS });
    pool
      .intercept({ path: `${WIRE}/stores/${STORE}/secrets/${'d'.repeat(32)}`, method: 'DELETE' })
      .reply(200, deleted());
    pool
      .intercept({ path: DUPLICATE, method: 'POST' })
      .reply(400, failure({ code: 1005, message: 'quota exceeded' }), { headers: JSON_HEADERS });
    pool
      .intercept({ path: LISTING, method: 'GET' })
      .reply(200, ok([], { total_pages: 1 }), { headers: JSON_HEADERS });

    const results = await executePlan(
      client,
      {
        store: MAIN,
        copies: [copy({ line: 1 }), copy({ line: 2, name: 'OTHER', existing: otherOld })],
      },
      { ...REPLACE, maxParallel: 1, rollbackOnFailure: false, waitForActive: false },
    );

    expect(results.map((r) => [r.outcome, r.replaced?.id])).toEqual([
      ['replaced', OLD],
      ['failed', 'd'.repeat(32)],
    ]);
    expect(results[1]!.error).toContain('The target is deleted and not re-created');
  });
});
