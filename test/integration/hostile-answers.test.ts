/**
 * Answers that cannot be taken at their word (issue 11), through the bundled action: the fake API
 * set up where the real one may be less kind than its defaults, and scripted faults for what a
 * hostile server would send.
 */
import { randomBytes } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { copyByIds, startFake, type FakeOptions, type SeededFake } from '../helpers/fake.js';
import { runAction } from '../helpers/action.js';

/**
 * The fake where the real API may be less kind than its defaults: no total_pages, deleted
 * secrets left in listings (a rollback's deletes included), DELETE answered with 202.
 */
const LIKE_THE_REAL_API: FakeOptions = { totalPages: false, listDeleted: true, deleteStatus: 202 };

let seeded: SeededFake;

async function useFake(options: FakeOptions): Promise<void> {
  await seeded.fake.close();
  seeded = await startFake({ ...LIKE_THE_REAL_API, ...options });
}

beforeEach(async () => {
  seeded = await startFake(LIKE_THE_REAL_API);
});

afterEach(async () => {
  await seeded.fake.close();
});

const DUPLICATE = /\/duplicate$/;
const LISTING = /\/secrets$/;
const JSON_TYPE = { 'content-type': 'application/json' };

const requests = (method: string, path: RegExp) =>
  seeded.fake.requests.filter((r) => r.method === method && path.test(r.path));
/** The names of the secrets that exist (not `deleted`), oldest first. */
const names = () =>
  seeded.fake
    .listSecrets(seeded.storeId)
    .filter((s) => s.status !== 'deleted')
    .map((s) => s.name);
/** A list run with rollback on, one line at a time so the order is fixed. */
const withRollback = (secrets: string, extra: Record<string, string> = {}) => ({
  ...seeded.inputs,
  secrets,
  'rollback-on-failure': 'true',
  'max-parallel': '1',
  ...extra,
});
const duplicateOf = (name: string) => new RegExp(`/${seeded.ids[name]}/duplicate$`);

interface Entry {
  name: string;
  id: string | null;
  outcome: string;
  error: string | null;
}
const results = (outputs: Record<string, string>) =>
  JSON.parse(outputs['results'] ?? 'null') as Entry[];

/** A successful Cloudflare envelope, as a scripted body. */
const envelope = (result: unknown, resultInfo?: Record<string, number>) =>
  JSON.stringify({
    success: true,
    errors: [],
    messages: [],
    result,
    ...(resultInfo ? { result_info: resultInfo } : {}),
  });

/** A secret as the API shows it, for forged listings and answers. */
function secretJson(name: string, fields: Record<string, unknown> = {}) {
  const now = new Date().toISOString();
  return {
    id: randomBytes(16).toString('hex'),
    name,
    status: 'active',
    store_id: seeded.storeId,
    created: now,
    modified: now,
    comment: '',
    scopes: ['workers'],
    ...fields,
  };
}

describe('listings', () => {
  it('without total_pages, from a server that serves 2 per page: every page is read', async () => {
    await useFake({ maxPerPage: 2 });
    // Five secrets, newest first: pages of 2, 2 and 1, the oldest (the source) on the last.
    seeded.fake.addSecret(seeded.storeId, { name: 'FILLER' });
    seeded.fake.addSecret(seeded.storeId, {
      name: 'OLDEST',
      scopes: ['dex'],
      created: '2020-05-01T10:00:00.000Z',
    });
    const result = await runAction({
      inputs: { ...seeded.inputs, secret: 'OLDEST', name: 'OLDEST_COPY' },
    });

    expect(result.code).toBe(0);
    expect(requests('GET', LISTING).map((r) => r.query['page'])).toEqual(['1', '2', '3']);
    expect(result.outputs['scopes']).toBe('dex');
  });

  it('a server that never ends a listing: an error, never a partial list', async () => {
    const page = Array.from({ length: 100 }, (_, i) => secretJson(`FILLER_${i}`));
    seeded.fake.addFault({
      method: 'GET',
      path: LISTING,
      status: 200,
      headers: JSON_TYPE,
      body: envelope(page, { per_page: 100, count: 100 }),
      times: 200,
    });
    const result = await runAction({
      inputs: { ...seeded.inputs, secret: 'DB_URL', name: 'COPY' },
    });

    expect(result.code).toBe(1);
    expect(result.errors[0]).toMatch(
      /^GET \S+\/secrets cannot be listed in full: page 2 repeats items of earlier pages\. A partial list is not used\.$/,
    );
    expect(requests('POST', /./)).toHaveLength(0);
  });
});

describe('secrets whose status is deleted', () => {
  it('one holding the new name does not take it', async () => {
    const gone = seeded.fake.addSecret(seeded.storeId, { name: 'DB_URL_PROD' });
    seeded.fake.setSecretStatus(gone.id, 'deleted');
    const result = await runAction({
      inputs: { ...seeded.inputs, secret: 'DB_URL', name: 'DB_URL_PROD' },
    });

    expect(result.code).toBe(0);
    expect(result.outputs['outcome']).toBe('created');
    expect(result.outputs['secret-id']).not.toBe(gone.id);
    expect(names()).toContain('DB_URL_PROD');
  });

  it('is not a source', async () => {
    seeded.fake.setSecretStatus(seeded.ids.DB_URL!, 'deleted');
    const result = await runAction({
      inputs: { ...seeded.inputs, secret: 'DB_URL', name: 'COPY' },
    });

    expect(result.code).toBe(1);
    expect(result.errors[0]).toContain(`No secret named "DB_URL" in store`);
    expect(requests('POST', /./)).toHaveLength(0);
  });
});

describe('a duplicate answer that does not match the request', () => {
  it('naming the source secret: the copy fails and no output carries that id', async () => {
    seeded.fake.addFault({
      method: 'POST',
      path: DUPLICATE,
      status: 200,
      headers: JSON_TYPE,
      body: envelope(secretJson('DB_URL_PROD', { id: seeded.ids.DB_URL })),
    });
    const result = await runAction({ inputs: copyByIds(seeded) });

    expect(result.code).toBe(1);
    expect(result.errors[0]).toContain(
      `Got an unexpected answer from Cloudflare to the duplicate of ${seeded.ids.DB_URL} as "DB_URL_PROD": ` +
        `it names the source secret ${seeded.ids.DB_URL}.`,
    );
    expect(result.outputs['secret-id']).toBeUndefined();
    expect(result.outputs['secret-ids']).toBe('{}');
    expect(requests('POST', DUPLICATE)).toHaveLength(1);
  });

  it('with another name or other scopes: the copy fails', async () => {
    seeded.fake.addFault({
      method: 'POST',
      path: DUPLICATE,
      status: 200,
      headers: JSON_TYPE,
      body: envelope(secretJson('SOMETHING_ELSE', { scopes: ['dex'] })),
    });
    const result = await runAction({ inputs: copyByIds(seeded) });

    expect(result.code).toBe(1);
    expect(result.errors[0]).toContain(
      'its name is not "DB_URL_PROD"; its scopes are not the requested [workers].',
    );
  });

  it('naming a secret that existed: rollback deletes only what this step created', async () => {
    seeded.fake.addFault({
      method: 'POST',
      path: duplicateOf('STRIPE_KEY'),
      status: 200,
      headers: JSON_TYPE,
      body: envelope(
        secretJson('B', { id: seeded.ids.SESSION_SECRET, scopes: ['ai_gateway', 'workers'] }),
      ),
    });
    const result = await runAction({ inputs: withRollback('DB_URL => A\nSTRIPE_KEY => B') });

    expect(result.code).toBe(1);
    const entries = results(result.outputs);
    expect(entries.map((e) => e.outcome)).toEqual(['rolled-back', 'failed']);
    expect(entries[1]!.error).toContain(
      `it names secret ${seeded.ids.SESSION_SECRET}, which existed before`,
    );
    expect(names()).toEqual(['DB_URL', 'STRIPE_KEY', 'SESSION_SECRET']);
    expect(requests('DELETE', /./).map((r) => r.path.split('/').at(-1))).toEqual([entries[0]!.id]);
  });
});

describe('adoption after a lost answer', () => {
  it('a same-named secret from 2020, not in the plan, is not adopted and survives rollback', async () => {
    const legacy = seeded.fake.addSecret(seeded.storeId, {
      name: 'LEGACY',
      scopes: ['workers'],
      comment: 'promoted',
      created: '2020-05-01T10:00:00.000Z',
    });
    // The plan's listing does not show LEGACY, so its name looks free...
    const shown = seeded.fake.listSecrets(seeded.storeId).filter((s) => s.name !== 'LEGACY');
    seeded.fake.addFault({
      method: 'GET',
      path: LISTING,
      status: 200,
      headers: JSON_TYPE,
      body: envelope(shown, { page: 1, per_page: 100, count: shown.length, total_pages: 1 }),
    });
    // ...the duplicate's answer is lost, and the lookup after it finds LEGACY.
    seeded.fake.addFault({
      method: 'POST',
      path: duplicateOf('SESSION_SECRET'),
      status: 502,
      headers: { 'content-type': 'text/html' },
      body: '<html><title>502 Bad Gateway</title></html>',
    });
    // A later line fails, so rollback runs whatever happened to LEGACY.
    seeded.fake.addFault({ method: 'POST', path: duplicateOf('STRIPE_KEY'), status: 400 });
    const result = await runAction({
      inputs: withRollback('DB_URL => A\nSESSION_SECRET => LEGACY\nSTRIPE_KEY => C', {
        scopes: 'workers',
        comment: 'promoted',
      }),
    });

    expect(result.code).toBe(1);
    const entries = results(result.outputs);
    expect(entries[0]!.outcome).toBe('rolled-back');
    expect(entries[1]!.outcome).toBe('failed');
    expect(entries[1]!.error).toContain(`A secret named "LEGACY" already exists`);
    expect(seeded.fake.getSecret(legacy.id)).toBeDefined();
    expect(requests('DELETE', /./).map((r) => r.path.split('/').at(-1))).toEqual([entries[0]!.id]);
    expect(result.stdout).not.toContain('::notice::');
  });
});

describe('no request storms', () => {
  it.each([1, 4])(
    'a list refused line after line stops after 3, with one extra listing (max-parallel %i)',
    async (maxParallel) => {
      seeded.fake.addFault({ method: 'POST', path: DUPLICATE, status: 400, times: 20 });
      const lines = Array.from({ length: 20 }, (_, i) => `DB_URL => COPY_${i}`).join('\n');
      const result = await runAction({
        inputs: { ...seeded.inputs, secrets: lines, 'max-parallel': String(maxParallel) },
      });

      expect(result.code).toBe(1);
      // Copies already in flight finish; none starts after the third failure.
      expect(requests('POST', DUPLICATE).length).toBeLessThanOrEqual(2 + maxParallel);
      expect(requests('GET', LISTING)).toHaveLength(2);
      const entries = results(result.outputs);
      const notAttempted = entries.filter((e) => e.outcome === 'not-attempted');
      expect(notAttempted).toHaveLength(20 - requests('POST', DUPLICATE).length);
      expect(notAttempted[0]!.error).toBe(
        'not attempted: 3 copies failed with the same error (HTTP 400 [1000]), so no more were sent',
      );
      expect(names()).toEqual(['DB_URL', 'STRIPE_KEY', 'SESSION_SECRET']);
    },
  );

  it('a list longer than the account quota allows is refused before any write', async () => {
    const lines = Array.from({ length: 2000 }, (_, i) => `DB_URL => COPY_${i}`).join('\n');
    const result = await runAction({ inputs: { ...seeded.inputs, secrets: lines } });

    expect(result.code).toBe(1);
    expect(result.errors[0]).toContain('Nothing was written: this list creates 2000 secrets');
    expect(requests('POST', /./)).toHaveLength(0);
  });
});

describe('rollback under a deadline', () => {
  it('timeout-seconds 3 and a hanging line: the rollback deletes are still sent', async () => {
    seeded.fake.addFault({
      method: 'POST',
      path: duplicateOf('STRIPE_KEY'),
      delayMs: 30_000,
      times: 10,
    });
    const result = await runAction({
      inputs: withRollback('DB_URL => A\nSTRIPE_KEY => B', { 'timeout-seconds': '3' }),
    });

    expect(result.code).toBe(1);
    const entries = results(result.outputs);
    expect(entries.map((e) => e.outcome)).toEqual(['rolled-back', 'failed']);
    expect(requests('DELETE', /./)).toHaveLength(1);
    expect(names()).toEqual(['DB_URL', 'STRIPE_KEY', 'SESSION_SECRET']);
  });
});
