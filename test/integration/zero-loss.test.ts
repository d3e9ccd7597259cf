/**
 * Zero loss, through the bundled action against the fake API with scripted faults: a replace
 * list that fails line after line, or meets an outage, loses no target; an all-or-nothing list
 * (rollback-on-failure with replace) restores every target; keep-previous keeps exactly one
 * `<TARGET>_PREVIOUS`. Every target is checked by the value it holds, not only by its name.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { secretsNamed, secretsPathOf, startFake, type SeededFake } from '../helpers/fake.js';
import { runAction } from '../helpers/action.js';

let seeded: SeededFake;
const TARGETS = ['T1', 'T2', 'T3', 'T4', 'T5', 'T6'];
const oldValue = (name: string) => `old-value-of-${name}`;

beforeEach(async () => {
  seeded = await startFake();
  for (const name of TARGETS) {
    seeded.fake.addSecret(seeded.storeId, {
      name,
      value: oldValue(name),
      scopes: ['workers'],
      created: new Date(Date.now() - 3_600_000).toISOString(),
    });
  }
  seeded.fake.resetRequests();
});

afterEach(async () => {
  await seeded.fake.close();
});

const secretsPath = () => secretsPathOf(seeded);
const named = (name: string) => secretsNamed(seeded, name);
const valueOf = (name: string) => {
  const [secret, ...more] = named(name);
  expect(more, `one secret named ${name}`).toEqual([]);
  return secret ? seeded.fake.secretValue(secret.id) : undefined;
};
const writes = () => seeded.fake.requests.filter((r) => r.method !== 'GET');
const promoteAll = (extra: Record<string, string> = {}) =>
  runAction({
    inputs: {
      ...seeded.inputs,
      secrets: TARGETS.map((t) => `DB_URL => ${t}`).join('\n'),
      'if-exists': 'replace',
      'max-parallel': '1',
      'max-retries': '0',
      ...extra,
    },
  });

describe('a replace list that keeps failing loses no target', () => {
  it('a mistyped scope: three backups refused, no delete, every target holds its old value', async () => {
    // Off the contract on purpose: the mistyped scope is what Cloudflare refuses.
    seeded.fake.expectViolations(/\/duplicate: request body \/scopes\/0: .*\(enum\)$/);
    const result = await promoteAll({ scopes: 'worker' });

    expect(result.code).toBe(1);
    expect(writes().filter((r) => r.method === 'DELETE')).toEqual([]);
    expect(writes()).toHaveLength(3);
    for (const name of TARGETS) expect(valueOf(name)).toBe(oldValue(name));
    const outcomes = JSON.parse(result.outputs['results']!).map(
      (r: { outcome: string }) => r.outcome,
    );
    expect(outcomes).toEqual(['failed', 'failed', 'failed', ...Array(3).fill('not-attempted')]);
    expect(result.errors[0]).toContain('was not replaced and is unchanged');
  });

  it('an outage of the duplicate endpoint (503) while DELETE works: no delete at all', async () => {
    seeded.fake.addFault({ method: 'POST', path: /\/duplicate$/, status: 503, times: 100 });

    const result = await promoteAll();

    expect(result.code).toBe(1);
    expect(writes().filter((r) => r.method === 'DELETE')).toEqual([]);
    for (const name of TARGETS) expect(valueOf(name)).toBe(oldValue(name));
  });

  it('an outage after the first backup: the target is restored and the list stops', async () => {
    // The source's duplicate answers 503; backups and restores duplicate other secrets and
    // go through.
    seeded.fake.addFault({
      method: 'POST',
      path: `${secretsPath()}/${seeded.ids.DB_URL}/duplicate`,
      status: 503,
      times: 100,
    });

    const result = await promoteAll();

    expect(result.code).toBe(1);
    for (const name of TARGETS) expect(valueOf(name)).toBe(oldValue(name));
    expect(writes().filter((r) => r.method === 'DELETE')).toHaveLength(2); // T1, then its backup
    expect(seeded.fake.listSecrets(seeded.storeId).map((s) => s.name)).not.toContainEqual(
      expect.stringMatching(/_BACKUP_/),
    );
    const results = JSON.parse(result.outputs['results']!);
    expect(results[1].error).toBe(
      'not attempted: a replace failed after deleting its target, so no more were sent',
    );
  });
});

describe('a copy that hangs until the time budget is spent', () => {
  it('leaves the restore its time: the target is restored, not only backed up', async () => {
    // timeout-seconds 18: each request may take 6 s, and a write is counted at 5 s. Each attempt
    // of the copy hangs until its timeout; without time kept back, the retries would spend the
    // whole budget and the restore would not be sent.
    seeded.fake.addFault({
      method: 'POST',
      path: `${secretsPath()}/${seeded.ids.DB_URL}/duplicate`,
      delayMs: 70_000,
      times: 5,
    });

    const result = await runAction({
      inputs: {
        ...seeded.inputs,
        secret: 'DB_URL',
        name: 'T1',
        'if-exists': 'replace',
        'timeout-seconds': '18',
      },
    });

    expect(result.code).toBe(1);
    expect(valueOf('T1')).toBe(oldValue('T1'));
    expect(result.errors[0]).toMatch(/It was restored from its backup/);
    expect(
      seeded.fake.listSecrets(seeded.storeId).filter((x) => x.name.includes('_BACKUP_')),
    ).toEqual([]);
  }, 40_000);
});

describe('rollback-on-failure with replace: all or nothing', () => {
  it('a line that fails restores every target replaced before it, and says which ids changed', async () => {
    // T1..T3 are replaced; T4's copy is refused; T5 and T6 never start.
    seeded.fake.addFault({
      method: 'POST',
      path: `${secretsPath()}/${seeded.ids.DB_URL}/duplicate`,
      status: 400,
      body: JSON.stringify({
        success: false,
        errors: [{ code: 1002, message: 'bad_request' }],
        messages: [],
        result: null,
      }),
      headers: { 'content-type': 'application/json' },
      // The first three copies go through: the fault applies to the fourth.
      skip: 3,
    });

    const result = await promoteAll({ 'rollback-on-failure': 'true' });

    expect(result.code).toBe(1);
    for (const name of TARGETS) expect(valueOf(name)).toBe(oldValue(name));
    expect(seeded.fake.listSecrets(seeded.storeId).map((s) => s.name)).not.toContainEqual(
      expect.stringMatching(/_BACKUP_/),
    );
    const results = JSON.parse(result.outputs['results']!);
    expect(results.map((r: { outcome: string }) => r.outcome)).toEqual([
      'rolled-back',
      'rolled-back',
      'rolled-back',
      'failed',
      'not-attempted',
      'not-attempted',
    ]);
    expect(result.errors[0]).toContain('Rolled back (deleted) 3 secret(s) this step had created:');
    for (const name of ['T1', 'T2', 'T3']) {
      expect(result.errors[0]).toContain(
        `- ${name} (${results[TARGETS.indexOf(name)].id}); restored its target from the backup as ${named(name)[0]!.id}`,
      );
    }
    expect(JSON.parse(result.outputs['secret-ids']!)).toEqual({});
  });
});

describe('keep-previous', () => {
  it('twice in a row leaves exactly one <TARGET>_PREVIOUS, with the value before the last promotion', async () => {
    const promote = () =>
      runAction({
        inputs: {
          ...seeded.inputs,
          secret: 'DB_URL',
          name: 'T1',
          'if-exists': 'replace',
          'keep-previous': 'true',
        },
      });

    const first = await promote();
    expect(first.code, first.stdout).toBe(0);
    expect(valueOf('T1_PREVIOUS')).toBe(oldValue('T1'));
    expect(first.outputs['previous-secret-id']).toBe(named('T1_PREVIOUS')[0]!.id);

    const second = await promote();
    expect(second.code, second.stdout).toBe(0);
    expect(valueOf('T1')).toBe('postgres://db-url-value');
    // The value before the last promotion is the first promotion's copy.
    expect(valueOf('T1_PREVIOUS')).toBe('postgres://db-url-value');
    expect(named('T1_PREVIOUS')).toHaveLength(1);
    expect(JSON.parse(second.outputs['results']!)[0].previous).toBe(named('T1_PREVIOUS')[0]!.id);
    expect(seeded.fake.listSecrets(seeded.storeId).map((s) => s.name)).not.toContainEqual(
      expect.stringMatching(/_BACKUP_/),
    );
  });
});
