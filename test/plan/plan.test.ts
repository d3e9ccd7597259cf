/**
 * makePlan over undici's MockAgent: what it finds, what it refuses, and how many requests it
 * costs. Every interceptor a test sets up must be used, and any other request fails the test.
 */
import { describe, expect, it } from 'vitest';
import { ActionError } from '../../src/shared/errors.js';
import type { ActionConfig } from '../../src/inputs/config.js';
import type { Duplication } from '../../src/inputs/list.js';
import { makePlan } from '../../src/plan/plan.js';
import { ACCOUNT_ID, TOKEN } from '../helpers/credentials.js';
import {
  BASE_URL,
  OTHER_SECRET,
  OTHER_STORE,
  SECRET,
  STORE,
  STORES,
  WIRE,
  rejection,
  secret,
  store,
  useMockCloudflare,
} from '../helpers/mock-cloudflare.js';

const SOURCE = SECRET;
const TAKEN = OTHER_SECRET;
const SECRETS = `${WIRE}/stores/${STORE}/secrets?page=1&per_page=100`;
const GET_SOURCE = `${WIRE}/stores/${STORE}/secrets/${SOURCE}`;

const SOURCE_SECRET = secret(SOURCE, 'DB_URL', { scopes: ['workers', 'dex'] });
const TAKEN_SECRET = secret(TAKEN, 'DB_URL_COPY', { scopes: ['workers'] });

const byId = (id: string, name = 'DB_URL_COPY'): Duplication => ({
  source: { kind: 'id', id },
  name,
});
const byName = (source: string, name = 'DB_URL_COPY'): Duplication => ({
  source: { kind: 'name', name: source },
  name,
});

/** A configuration with every field set; only what makePlan reads matters. */
function config(overrides: Partial<ActionConfig>): ActionConfig {
  return {
    accountId: ACCOUNT_ID,
    credentials: { kind: 'token', token: TOKEN },
    baseUrl: BASE_URL,
    store: { kind: 'id', id: STORE },
    duplications: [byId(SOURCE)],
    fromList: false,
    maxParallel: 1,
    rollbackOnFailure: false,
    scopes: undefined,
    comment: undefined,
    ifExists: 'fail',
    dryRun: false,
    maxRetries: 3,
    timeoutSeconds: 120,
    warnings: [],
    ...overrides,
  } as ActionConfig;
}

const setup = useMockCloudflare({ maxRetries: 0 });

/** The rejection of `promise`, which must be an ActionError. */
const actionError = (promise: Promise<unknown>) => rejection(promise, ActionError);

describe('makePlan request counts', () => {
  it('ids and scopes: no request at all', async () => {
    const { client, urls } = setup();

    const plan = await makePlan(
      config({ scopes: ['workers'], comment: 'copied', ifExists: 'fail' }),
      client,
      { repository: 'acme/app', event: 'release', ref: 'v1.2.3', attempt: '1' },
    );

    expect(plan).toEqual({
      store: { id: STORE },
      copies: [
        {
          sourceRef: SOURCE,
          sourceId: SOURCE,
          name: 'DB_URL_COPY',
          scopes: ['workers'],
          // The source's name is unknown: it was given by id and never read.
          comment: `copied\n[secrets-store-duplicate] source-id=${SOURCE} repo=acme/app event=release ref=v1.2.3 attempt=1`,
        },
      ],
    });
    expect(plan.copies[0]!.existing).toBeUndefined();
    expect(urls()).toEqual([]);
  });

  it('source id without scopes: one GET of the secret, whose scopes are copied', async () => {
    const { client, urls, reply } = setup();
    reply(GET_SOURCE, SOURCE_SECRET);

    const plan = await makePlan(config({}), client);

    expect(plan.copies[0]!.scopes).toEqual(['workers', 'dex']);
    expect(plan.copies[0]!.source?.name).toBe('DB_URL');
    // Read, so the provenance names it.
    expect(plan.copies[0]!.comment).toBe(
      `[secrets-store-duplicate] source=DB_URL source-id=${SOURCE}`,
    );
    expect(urls()).toEqual([`GET ${GET_SOURCE}`]);
  });

  it('store and source by name: one store listing and one secret listing', async () => {
    const { client, urls, reply } = setup();
    reply(STORES, [store(OTHER_STORE, 'staging'), store(STORE, 'production')]);
    reply(SECRETS, [SOURCE_SECRET, secret(TAKEN, 'UNRELATED', { scopes: ['workers'] })]);

    const plan = await makePlan(
      config({ store: { kind: 'name', name: 'production' }, duplications: [byName('DB_URL')] }),
      client,
    );

    expect(plan.store).toEqual({ id: STORE, name: 'production' });
    expect(plan.copies).toHaveLength(1);
    expect(plan.copies[0]).toMatchObject({
      sourceRef: 'DB_URL',
      sourceId: SOURCE,
      name: 'DB_URL_COPY',
      scopes: ['workers', 'dex'],
    });
    expect(plan.copies[0]!.existing).toBeUndefined();
    expect(urls()).toEqual([`GET ${STORES}`, `GET ${SECRETS}`]);
  });

  it("the account's only store is used when no store is given", async () => {
    const { client, urls, reply } = setup();
    reply(STORES, [store(STORE, 'default_secrets_store')]);

    const plan = await makePlan(config({ store: undefined, scopes: ['workers'] }), client);

    expect(plan.store).toEqual({ id: STORE, name: 'default_secrets_store' });
    expect(urls()).toEqual([`GET ${STORES}`]);
  });

  it('dry run: lists the secrets even when ids and scopes are given', async () => {
    const { client, urls, reply } = setup();
    reply(SECRETS, [SOURCE_SECRET]);

    const plan = await makePlan(config({ dryRun: true, scopes: ['access'] }), client);

    expect(plan.copies[0]).toMatchObject({
      sourceId: SOURCE,
      scopes: ['access'],
    });
    expect(plan.copies[0]!.source?.name).toBe('DB_URL');
    expect(urls()).toEqual([`GET ${SECRETS}`]);
  });
});

describe('makePlan refusals', () => {
  it('several stores and none named: lists them', async () => {
    const { client, urls, reply } = setup();
    reply(STORES, [store(STORE, 'production'), store(OTHER_STORE, 'staging')]);

    const error = await actionError(
      makePlan(config({ store: undefined, scopes: ['workers'] }), client),
    );

    expect(error.message).toBe(
      `Account ${ACCOUNT_ID} has 2 stores; set the store input to one of them. ` +
        `Stores in this account: "production" (${STORE}), "staging" (${OTHER_STORE}).`,
    );
    expect(urls()).toEqual([`GET ${STORES}`]);
  });

  it('no store at all', async () => {
    const { client, reply } = setup();
    reply(STORES, []);

    const error = await actionError(makePlan(config({ store: undefined }), client));

    expect(error.message).toBe(
      `Account ${ACCOUNT_ID} has no Secrets Store yet. Create one in the Cloudflare dashboard ` +
        '(or with `wrangler secrets-store store create`), then run the step again.',
    );
  });

  it('a store name that matches none: lists the stores there are', async () => {
    const { client, reply } = setup();
    reply(STORES, [store(STORE, 'production')]);

    const error = await actionError(
      makePlan(config({ store: { kind: 'name', name: 'Production' } }), client),
    );

    expect(error.message).toBe(
      `No store named "Production" in account ${ACCOUNT_ID}. Stores in this account: "production" (${STORE}).`,
    );
  });

  it('a source name that is not in the store', async () => {
    const { client, urls, reply } = setup();
    reply(SECRETS, [secret(SOURCE, 'db_url', { scopes: ['workers'] })]);

    const error = await actionError(makePlan(config({ duplications: [byName('DB_URL')] }), client));

    expect(error.message).toBe(
      `No secret named "DB_URL" in store ${STORE}. Check the secret input ` +
        '(an id is 32 hex characters; a name must match exactly, case included).',
    );
    expect(urls()).toEqual([`GET ${SECRETS}`]);
  });

  it('a source without scopes and no scopes input', async () => {
    const { client, reply } = setup();
    reply(GET_SOURCE, secret(SOURCE, 'DB_URL', { scopes: undefined }));

    const error = await actionError(makePlan(config({}), client));

    expect(error.message).toBe(
      `The source secret "DB_URL" (${SOURCE}) has no scopes to copy; set the scopes input.`,
    );
  });

  it('a taken name with if-exists: fail is refused before any write', async () => {
    const { client, urls, reply } = setup();
    reply(SECRETS, [SOURCE_SECRET, TAKEN_SECRET]);

    const error = await actionError(
      makePlan(config({ duplications: [byName('DB_URL')], ifExists: 'fail' }), client),
    );

    expect(error.message).toBe(
      `A secret named "DB_URL_COPY" already exists in store ${STORE}, with id ${TAKEN}. ` +
        'Set if-exists: skip to use the existing secret, if-exists: replace to replace it, or choose another name.',
    );
    expect(urls()).toEqual([`GET ${SECRETS}`]);
  });
});

describe('makePlan with a taken name and if-exists: skip', () => {
  it('records the existing secret', async () => {
    const { client, urls, reply } = setup();
    reply(SECRETS, [SOURCE_SECRET, TAKEN_SECRET]);

    const plan = await makePlan(
      config({ duplications: [byName('DB_URL')], ifExists: 'skip' }),
      client,
    );

    expect(plan.copies[0]!.existing).toEqual({
      ...TAKEN_SECRET,
      comment: undefined,
    });
    expect(urls()).toEqual([`GET ${SECRETS}`]);
  });
});

describe('makePlan: a secret whose status is deleted is absent', () => {
  const deleted = (id: string, name: string) => secret(id, name, { status: 'deleted' });

  it('is not a source, by name or by id', async () => {
    const { client, reply } = setup();
    reply(SECRETS, [deleted(SOURCE, 'DB_URL')]);

    const error = await actionError(
      makePlan(config({ duplications: [byName('DB_URL'), byId(SOURCE, 'B')] }), client),
    );

    expect(error.message).toContain('Nothing was written: 2 of 2 lines cannot be copied.');
    expect(error.message).toContain(`No secret named "DB_URL" in store ${STORE}.`);
    expect(error.message).toContain(`No secret with id ${SOURCE} in store ${STORE}.`);
  });

  it('is not a source when fetched by id for its scopes', async () => {
    const { client, urls, reply } = setup();
    reply(GET_SOURCE, deleted(SOURCE, 'DB_URL'));

    const error = await actionError(makePlan(config({}), client));

    expect(error.message).toBe(
      `No secret with id ${SOURCE} in store ${STORE}. Check the secret input ` +
        '(an id is 32 hex characters; a name must match exactly, case included).',
    );
    expect(urls()).toEqual([`GET ${GET_SOURCE}`]);
  });

  it('does not hold its name: the copy is planned as new', async () => {
    const { client, reply } = setup();
    reply(SECRETS, [SOURCE_SECRET, deleted(TAKEN, 'DB_URL_COPY')]);

    const plan = await makePlan(
      config({ duplications: [byName('DB_URL')], ifExists: 'fail' }),
      client,
    );

    expect(plan.copies[0]!.existing).toBeUndefined();
  });
});

describe('makePlan with if-exists: replace', () => {
  const QUOTA = `${WIRE}/quota`;
  const replace = (overrides: Partial<ActionConfig>) =>
    config({ ifExists: 'replace', scopes: ['workers'], ...overrides });

  it('lists the store even with ids and scopes, and records the secret to replace', async () => {
    const { client, urls, reply } = setup();
    reply(SECRETS, [SOURCE_SECRET, TAKEN_SECRET]);

    const plan = await makePlan(replace({}), client);

    expect(plan.copies[0]!.existing?.id).toBe(TAKEN);
    expect(urls()).toEqual([`GET ${SECRETS}`]);
  });

  it('refuses a source id that is missing before anything is deleted', async () => {
    const { client, reply } = setup();
    reply(SECRETS, [TAKEN_SECRET]);

    const error = await actionError(makePlan(replace({}), client));

    expect(error.message).toMatch(new RegExp(`^No secret with id ${SOURCE} in store ${STORE}\\.`));
  });

  it.each(['fail', 'skip', 'replace'] as const)(
    'if-exists: %s refuses a target that is the source itself, found by id',
    async (ifExists) => {
      const { client, reply } = setup();
      reply(SECRETS, [SOURCE_SECRET]);

      const error = await actionError(
        // A dry run lists the store whatever if-exists is.
        makePlan(
          replace({ ifExists, dryRun: true, duplications: [byId(SOURCE, 'DB_URL')] }),
          client,
        ),
      );

      expect(error.message).toBe(
        `The new name "DB_URL" is the source secret's own name (${SOURCE}): ` +
          'a secret cannot be copied onto itself; give the copy another name.',
      );
    },
  );

  it("refuses a list whose target is another line's source", async () => {
    const { client, reply } = setup();
    reply(SECRETS, [SOURCE_SECRET, TAKEN_SECRET]);
    reply(QUOTA, { secrets: { quota: 100, usage: 2 } });

    const error = await actionError(
      makePlan(
        replace({
          fromList: true,
          duplications: [
            { ...byName('DB_URL', 'DB_URL_COPY'), line: 1 },
            { ...byName('DB_URL_COPY', 'NEW'), line: 2 },
          ],
        }),
        client,
      ),
    );

    expect(error.message).toBe(
      'Nothing was written: 1 of 2 lines cannot be copied.\n' +
        '- secrets line 1: replacing "DB_URL_COPY" would delete the SOURCE of line 2; a source is never deleted.',
    );
  });

  it('counts only the new names against the quota: a replaced one frees its place first', async () => {
    const { client, reply } = setup();
    reply(SECRETS, [SOURCE_SECRET, TAKEN_SECRET]);
    reply(QUOTA, { secrets: { quota: 3, usage: 2 } });

    const plan = await makePlan(
      replace({
        fromList: true,
        duplications: [
          { ...byName('DB_URL', 'DB_URL_COPY'), line: 1 },
          { ...byName('DB_URL', 'DB_URL_NEW'), line: 2 },
        ],
      }),
      client,
    );

    expect(plan.copies.map((c) => c.existing?.id)).toEqual([TAKEN, undefined]);
  });
});

describe('makePlan of a list and the account quota', () => {
  const QUOTA = `${WIRE}/quota`;
  const list = (overrides: Partial<ActionConfig> = {}) =>
    config({
      fromList: true,
      scopes: ['workers'],
      duplications: [
        { ...byId(SOURCE, 'FIRST_COPY'), line: 1 },
        { ...byId(SOURCE, 'SECOND_COPY'), line: 2 },
      ],
      ...overrides,
    });
  const quota = (usage: number) => ({ secrets: { quota: 10, usage } });

  // Mutant: `usage + toCreate > quota` turned into `>=`, refusing a list that fits exactly.
  it('passes a list that fills the quota exactly (usage + new == quota)', async () => {
    const { client, urls, reply } = setup();
    reply(QUOTA, quota(8));
    reply(SECRETS, [SOURCE_SECRET]);

    const plan = await makePlan(list(), client);

    expect(plan.copies.map((c) => c.name)).toEqual(['FIRST_COPY', 'SECOND_COPY']);
    expect(urls().sort()).toEqual([`GET ${QUOTA}`, `GET ${SECRETS}`].sort());
  });

  it('refuses, before any write, a list one secret over the quota', async () => {
    const { client, reply } = setup();
    reply(QUOTA, quota(9));
    reply(SECRETS, [SOURCE_SECRET]);

    const error = await actionError(makePlan(list(), client));

    expect(error.message).toBe(
      `Nothing was written: this list creates 2 secrets, but account ${ACCOUNT_ID} already uses 9 ` +
        'of its 10 (Secrets Store quota), so only 1 more fit. Delete unused secrets or shorten the list.',
    );
  });

  it('does not count names that already exist (if-exists: skip) against the quota', async () => {
    const { client, reply } = setup();
    reply(QUOTA, quota(9));
    reply(SECRETS, [SOURCE_SECRET, secret(TAKEN, 'SECOND_COPY', { scopes: ['workers'] })]);

    const plan = await makePlan(list({ ifExists: 'skip' }), client);

    expect(plan.copies.map((c) => c.existing?.id)).toEqual([undefined, TAKEN]);
  });

  it('says no more fit, not a negative number, when the account is already over its quota', async () => {
    const { client, reply } = setup();
    reply(QUOTA, quota(12));
    reply(SECRETS, [SOURCE_SECRET]);

    const error = await actionError(makePlan(list(), client));

    expect(error.message).toContain(
      'already uses 12 of its 10 (Secrets Store quota), so only 0 more fit.',
    );
  });
});

describe('makePlan of a list with lines that cannot be copied', () => {
  it('names every bad line by its number, and writes nothing', async () => {
    const { client, urls, reply } = setup();
    reply(`${WIRE}/quota`, { secrets: { quota: 100, usage: 0 } });
    reply(SECRETS, [SOURCE_SECRET, TAKEN_SECRET]);

    const error = await actionError(
      makePlan(
        config({
          fromList: true,
          duplications: [
            { ...byName('DB_URL', 'FINE'), line: 1 },
            { ...byName('NOPE'), line: 3 },
            { ...byName('DB_URL', 'DB_URL_COPY'), line: 4 },
          ],
        }),
        client,
      ),
    );

    expect(error.message).toBe(
      'Nothing was written: 2 of 3 lines cannot be copied.\n' +
        `- secrets line 3: No secret named "NOPE" in store ${STORE}. Check the SOURCE ` +
        '(an id is 32 hex characters; a name must match exactly, case included).\n' +
        `- secrets line 4: A secret named "DB_URL_COPY" already exists in store ${STORE}, with id ${TAKEN}. ` +
        'Set if-exists: skip to use the existing secret, if-exists: replace to replace it, or choose another name.',
    );
    expect(urls().sort()).toEqual([`GET ${WIRE}/quota`, `GET ${SECRETS}`].sort());
  });

  it('a list of one bad line is still reported as a list', async () => {
    const { client, reply } = setup();
    reply(`${WIRE}/quota`, { secrets: { quota: 100, usage: 0 } });
    reply(SECRETS, [SOURCE_SECRET]);

    const error = await actionError(
      makePlan(
        config({
          fromList: true,
          duplications: [{ source: { kind: 'id', id: TAKEN }, name: 'X', line: 2 }],
        }),
        client,
      ),
    );

    expect(error.message).toBe(
      'Nothing was written: 1 of 1 lines cannot be copied.\n' +
        `- secrets line 2: No secret with id ${TAKEN} in store ${STORE}. Check the SOURCE ` +
        '(an id is 32 hex characters; a name must match exactly, case included).',
    );
  });

  it('a failed quota read does not hide the bad lines', async () => {
    const { client, pool, reply } = setup();
    pool.intercept({ path: `${WIRE}/quota`, method: 'GET' }).reply(500, '');
    reply(SECRETS, [SOURCE_SECRET]);

    const error = await actionError(
      makePlan(config({ fromList: true, duplications: [{ ...byName('NOPE'), line: 1 }] }), client),
    );

    expect(error.message).toMatch(/^Nothing was written: 1 of 1 lines cannot be copied\./);
  });
});

describe('makePlan of a list with a pattern line', () => {
  const QUOTA = `${WIRE}/quota`;
  const STAGING = ['A_STAGING', 'B_STAGING', 'C_STAGING'].map((name, i) =>
    secret(i.toString(16).padStart(32, 'a'), name, { scopes: ['workers'] }),
  );
  const patternList = (overrides: Partial<ActionConfig> = {}) =>
    config({
      fromList: true,
      duplications: [
        {
          source: { kind: 'pattern', pattern: '*_STAGING', normalize: false },
          name: '*_PRODUCTION',
          line: 1,
          text: '*_STAGING => *_PRODUCTION',
        },
      ],
      ...overrides,
    });

  it('expands it from the one listing, each copy with its source, scopes and comment', async () => {
    const { client, urls, reply } = setup();
    reply(QUOTA, { secrets: { quota: 10, usage: 7 } });
    reply(SECRETS, [SOURCE_SECRET, ...STAGING]);

    const plan = await makePlan(patternList({ comment: 'promoted' }), client);

    expect(plan.copies.map((c) => [c.line, c.sourceRef, c.sourceId, c.name, c.comment])).toEqual(
      STAGING.map((s) => [
        1,
        s.name,
        s.id,
        s.name.replace('STAGING', 'PRODUCTION'),
        `promoted\n[secrets-store-duplicate] source=${s.name} source-id=${s.id}`,
      ]),
    );
    expect(urls().sort()).toEqual([`GET ${QUOTA}`, `GET ${SECRETS}`].sort());
  });

  it('counts every expanded copy against the quota', async () => {
    const { client, reply } = setup();
    reply(QUOTA, { secrets: { quota: 10, usage: 8 } });
    reply(SECRETS, STAGING);

    const error = await actionError(makePlan(patternList(), client));

    expect(error.message).toContain('this list creates 3 secrets');
  });

  it('with if-exists: fail, refuses each copy whose name is taken', async () => {
    const { client, reply } = setup();
    reply(QUOTA, { secrets: { quota: 10, usage: 0 } });
    reply(SECRETS, [...STAGING, secret(TAKEN, 'B_PRODUCTION', { scopes: ['workers'] })]);

    const error = await actionError(makePlan(patternList(), client));

    expect(error.lines[0]).toBe('Nothing was written: 1 of 3 lines cannot be copied.');
    expect(error.lines[1]).toMatch(
      /^- secrets line 1: A secret named "B_PRODUCTION" already exists/,
    );
  });
});
