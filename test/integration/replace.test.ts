/**
 * `if-exists: replace`, through the bundled action against the fake API: a promotion that runs
 * again and again ends with one target holding the source's value, and a copy that fails
 * leaves the target holding its old value.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ACCOUNT_ID, TOKEN } from '../helpers/credentials.js';
import { promotion, secretsNamed, startFake, type SeededFake } from '../helpers/fake.js';
import { runAction } from '../helpers/action.js';

let seeded: SeededFake;
/** The production copy that exists before the step: what replace deletes. */
let oldId: string;

beforeEach(async () => {
  seeded = await startFake();
  oldId = seeded.fake.addSecret(seeded.storeId, {
    name: 'DB_URL_PRODUCTION',
    value: 'postgres://old-production-value',
    scopes: ['workers'],
    created: new Date(Date.now() - 3_600_000).toISOString(),
  }).id;
  seeded.fake.resetRequests();
});

afterEach(async () => {
  await seeded.fake.close();
});

const BASE = `/accounts/${ACCOUNT_ID}/secrets_store`;
const secretsPath = () => `${BASE}/stores/${seeded.storeId}/secrets`;
const requestLines = () => seeded.fake.requests.map((r) => `${r.method} ${r.path}`);
const named = (name: string) => secretsNamed(seeded, name);
const promote = (extra: Record<string, string> = {}) =>
  runAction({ inputs: promotion(seeded, extra) });

describe('if-exists: replace of one secret', () => {
  it('deletes the old copy, duplicates the source under its name and outputs both ids', async () => {
    const result = await promote();

    expect(result.code).toBe(0);
    const [copy] = named('DB_URL_PRODUCTION');
    expect(named('DB_URL_PRODUCTION')).toHaveLength(1);
    expect(copy!.id).not.toBe(oldId);
    expect(seeded.fake.secretValue(copy!.id)).toBe('postgres://db-url-value');
    expect(seeded.fake.getSecret(oldId)).toBeUndefined();
    // Backup, delete, duplicate, backup delete: 4 writes; the store listing and the plan's
    // listing, which also shows the backups earlier runs left: 2 reads.
    const backupId = seeded.fake.requests.find((r) => r.method === 'POST')!;
    expect(backupId.path).toBe(`${secretsPath()}/${oldId}/duplicate`);
    expect(backupId.body).toMatchObject({ name: 'DB_URL_PRODUCTION_BACKUP_39U_1' });
    expect(requestLines()).toEqual([
      `GET ${BASE}/stores`,
      `GET ${secretsPath()}`,
      `POST ${secretsPath()}/${oldId}/duplicate`,
      `DELETE ${secretsPath()}/${oldId}`,
      `POST ${secretsPath()}/${seeded.ids.DB_URL}/duplicate`,
      expect.stringMatching(new RegExp(`^DELETE ${secretsPath()}/[0-9a-f]{32}$`)),
    ]);
    // The backup is gone: the store holds the three seeds and the new copy.
    expect(seeded.fake.listSecrets(seeded.storeId)).toHaveLength(4);
    expect(result.outputs).toMatchObject({
      outcome: 'replaced',
      'secret-id': copy!.id,
      'secret-name': 'DB_URL_PRODUCTION',
      'replaced-secret-id': oldId,
      'secret-ids': JSON.stringify({ DB_URL_PRODUCTION: copy!.id }),
    });
    expect(JSON.parse(result.outputs['results']!)).toEqual([
      {
        source: 'DB_URL',
        name: 'DB_URL_PRODUCTION',
        id: copy!.id,
        outcome: 'replaced',
        replaced: oldId,
        previous: null,
        error: null,
      },
    ]);
    expect(result.stdout).toContain(
      `Replaced secret "DB_URL_PRODUCTION": deleted ${oldId}, created ${copy!.id}.`,
    );
    expect(result.summary).toContain(`| replaced \`${oldId}\` |`);
  });

  it("leaves another run's recent backup of the target alone: its replace may need it", async () => {
    const backup = (name: string, minutesAgo: number) =>
      seeded.fake.addSecret(seeded.storeId, {
        name,
        value: 'an older value',
        scopes: ['workers'],
        comment:
          `Backup of "DB_URL_PRODUCTION" (${'a'.repeat(32)}) made by run 77 while replacing it ` +
          '(secrets-store-duplicate-action backup); the step deletes it once the new copy is in place.',
        created: new Date(Date.now() - minutesAgo * 60_000).toISOString(),
      }).id;
    const racing = backup('DB_URL_PRODUCTION_BACKUP_25_1', 1);
    const stale = backup('DB_URL_PRODUCTION_BACKUP_24_1', 62);
    seeded.fake.resetRequests();

    const result = await promote();

    expect(result.code).toBe(0);
    expect(seeded.fake.getSecret(racing)).toBeDefined();
    expect(seeded.fake.getSecret(stale)).toBeUndefined();
  });

  it('creates a target that does not exist yet, with outcome created', async () => {
    const result = await promote({ name: 'DB_URL_CANARY' });

    expect(result.code).toBe(0);
    expect(result.outputs['outcome']).toBe('created');
    expect(result.outputs['replaced-secret-id']).toBe('');
    expect(requestLines().filter((l) => !l.startsWith('GET'))).toEqual([
      `POST ${secretsPath()}/${seeded.ids.DB_URL}/duplicate`,
    ]);
  });

  it('dry run names the secret it would replace and writes nothing', async () => {
    const result = await promote({ 'dry-run': 'true' });

    expect(result.code).toBe(0);
    expect(result.outputs['outcome']).toBe('dry-run');
    expect(result.outputs['replaced-secret-id']).toBe(oldId);
    expect(result.stdout).toContain(
      `Dry run: "DB_URL_PRODUCTION" (${oldId}) would be deleted and created again as a copy; nothing written.`,
    );
    expect(result.summary).toContain(`| dry run: would replace \`${oldId}\` |`);
    expect(requestLines()).toEqual([`GET ${BASE}/stores`, `GET ${secretsPath()}`]);
    expect(named('DB_URL_PRODUCTION').map((s) => s.id)).toEqual([oldId]);
  });

  it('an outage of the duplicate endpoint stops before the delete: the target is unchanged', async () => {
    seeded.fake.addFault({ method: 'POST', path: /\/duplicate$/, status: 503, times: 10 });

    const failed = await promote({ 'max-retries': '0' });

    expect(failed.code).toBe(1);
    expect(failed.errors[0]).toMatch(
      /^"DB_URL_PRODUCTION" \([0-9a-f]{32}\) was not replaced and is unchanged: its backup "DB_URL_PRODUCTION_BACKUP_39U_1" could not be made: POST .* HTTP 503/,
    );
    expect(requestLines().filter((l) => l.startsWith('DELETE'))).toEqual([]);
    expect(named('DB_URL_PRODUCTION').map((s) => s.id)).toEqual([oldId]);
    expect(seeded.fake.secretValue(oldId)).toBe('postgres://old-production-value');
  });

  it('a copy that fails after the delete restores the target, with its old value', async () => {
    // The source's duplicate answers 503; the backup and its restore go through.
    seeded.fake.addFault({
      method: 'POST',
      path: `${secretsPath()}/${seeded.ids.DB_URL}/duplicate`,
      status: 503,
    });

    const failed = await promote({ 'max-retries': '0' });

    expect(failed.code).toBe(1);
    const [target] = named('DB_URL_PRODUCTION');
    expect(named('DB_URL_PRODUCTION')).toHaveLength(1);
    expect(seeded.fake.secretValue(target!.id)).toBe('postgres://old-production-value');
    expect(target!.scopes).toEqual(['workers']);
    expect(failed.errors[0]).toMatch(
      new RegExp(
        `^Deleted "DB_URL_PRODUCTION" \\(${oldId}\\) to replace it, but copying the source under that name failed: ` +
          `POST .* HTTP 503: .* No secret named "DB_URL_PRODUCTION" was created\\. ` +
          `It was restored from its backup, with its old value, scopes and comment, as ${target!.id} \\(a new id\\)\\.$`,
      ),
    );
    expect(JSON.parse(failed.outputs['results']!)).toMatchObject([
      { outcome: 'failed', id: null, replaced: oldId },
    ]);
    // No backup is left: the three seeds and the restored target.
    expect(seeded.fake.listSecrets(seeded.storeId)).toHaveLength(4);

    seeded.fake.resetRequests();
    const rerun = await promote();

    expect(rerun.code).toBe(0);
    expect(rerun.outputs['outcome']).toBe('replaced');
    expect(seeded.fake.secretValue(named('DB_URL_PRODUCTION')[0]!.id)).toBe(
      'postgres://db-url-value',
    );
  });
});

describe('if-exists: replace of a list line', () => {
  it('replaces the taken TARGET, creates the new one, and reports each line', async () => {
    const result = await runAction({
      inputs: {
        ...seeded.inputs,
        secrets: 'DB_URL => DB_URL_PRODUCTION\nSTRIPE_KEY => STRIPE_KEY_PRODUCTION',
        'if-exists': 'replace',
      },
    });

    expect(result.code).toBe(0);
    const db = named('DB_URL_PRODUCTION')[0]!;
    const stripe = named('STRIPE_KEY_PRODUCTION')[0]!;
    expect(named('DB_URL_PRODUCTION')).toHaveLength(1);
    expect(seeded.fake.secretValue(db.id)).toBe('postgres://db-url-value');
    expect(seeded.fake.secretValue(stripe.id)).toBe('sk_stripe_value');
    expect(JSON.parse(result.outputs['results']!)).toEqual([
      {
        source: 'DB_URL',
        name: 'DB_URL_PRODUCTION',
        id: db.id,
        outcome: 'replaced',
        replaced: oldId,
        previous: null,
        error: null,
      },
      {
        source: 'STRIPE_KEY',
        name: 'STRIPE_KEY_PRODUCTION',
        id: stripe.id,
        outcome: 'created',
        replaced: null,
        previous: null,
        error: null,
      },
    ]);
    expect(result.outputs['replaced-secret-id']).toBeUndefined();
    expect(requestLines().slice(0, 3).sort()).toEqual([
      `GET ${BASE}/quota`,
      `GET ${BASE}/stores`,
      `GET ${secretsPath()}`,
    ]);
    // Backup, delete, duplicate and backup delete for the replaced line; one duplicate for the other.
    const writes = requestLines().filter((l) => !l.startsWith('GET'));
    expect(writes).toHaveLength(5);
    expect(writes).toEqual(
      expect.arrayContaining([
        `POST ${secretsPath()}/${oldId}/duplicate`,
        `DELETE ${secretsPath()}/${oldId}`,
        `POST ${secretsPath()}/${seeded.ids.DB_URL}/duplicate`,
        `POST ${secretsPath()}/${seeded.ids.STRIPE_KEY}/duplicate`,
      ]),
    );
    // The delete of a line comes before its own duplicate.
    const lines = requestLines();
    expect(lines.indexOf(`DELETE ${secretsPath()}/${oldId}`)).toBeLessThan(
      lines.indexOf(`POST ${secretsPath()}/${seeded.ids.DB_URL}/duplicate`),
    );
  });

  it("refuses a TARGET that is another line's SOURCE, deleting nothing", async () => {
    const result = await runAction({
      inputs: {
        ...seeded.inputs,
        secrets: 'DB_URL => SESSION_SECRET\nSESSION_SECRET => SESSION_SECRET_PRODUCTION',
        'if-exists': 'replace',
      },
    });

    expect(result.code).toBe(1);
    expect(result.errors).toEqual([
      'Nothing was written: 1 of 2 lines cannot be copied.\n' +
        '- secrets line 1: replacing "SESSION_SECRET" would delete the SOURCE of line 2; a source is never deleted.',
    ]);
    expect(seeded.fake.requests.filter((r) => r.method !== 'GET')).toEqual([]);
  });
});

describe('if-exists: replace refusals, before anything is deleted', () => {
  it('refuses a target named like its source before any request', async () => {
    const result = await promote({ name: 'DB_URL' });

    expect(result.code).toBe(1);
    expect(result.errors).toEqual([
      'Invalid input: secret and name are both "DB_URL": a secret cannot be copied onto itself; give the copy another name.',
    ]);
    expect(seeded.fake.requests).toEqual([]);
  });

  it('refuses a source given by id whose name is the target, after the listing only', async () => {
    const result = await promote({ secret: seeded.ids.DB_URL!, name: 'DB_URL' });

    expect(result.code).toBe(1);
    expect(result.errors).toEqual([
      `The new name "DB_URL" is the source secret's own name (${seeded.ids.DB_URL}): ` +
        'a secret cannot be copied onto itself; give the copy another name.',
    ]);
    expect(requestLines()).toEqual([`GET ${BASE}/stores`, `GET ${secretsPath()}`]);
    expect(seeded.fake.getSecret(seeded.ids.DB_URL!)).toBeDefined();
  });

  it('refuses a missing source without deleting the target', async () => {
    const result = await promote({ secret: 'DB_URL_STAGING' });

    expect(result.code).toBe(1);
    expect(result.errors[0]).toMatch(/^No secret named "DB_URL_STAGING" in store/);
    expect(seeded.fake.requests.filter((r) => r.method !== 'GET')).toEqual([]);
    expect(named('DB_URL_PRODUCTION').map((s) => s.id)).toEqual([oldId]);
  });
});

describe('done when', () => {
  it('a promotion run ten times ends each time with exactly one target holding the source value', async () => {
    const source = seeded.ids.DB_URL!;
    for (let run = 1; run <= 10; run++) {
      // Staging moves on between promotions: a new value each time.
      const value = `postgres://staging-value-${run}`;
      const patched = await fetch(`${seeded.fake.url}${secretsPath()}/${source}`, {
        method: 'PATCH',
        headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
        body: JSON.stringify({ value }),
      });
      expect(patched.status).toBe(200);

      const result = await promote();

      expect(result.code, result.stdout).toBe(0);
      expect(result.outputs['outcome']).toBe('replaced');
      const targets = named('DB_URL_PRODUCTION');
      expect(targets).toHaveLength(1);
      expect(targets[0]!.id).toBe(result.outputs['secret-id']);
      expect(seeded.fake.secretValue(targets[0]!.id)).toBe(value);
    }
    // Nothing else was created or lost on the way.
    expect(seeded.fake.listSecrets(seeded.storeId)).toHaveLength(4);
  }, 180_000);
});
