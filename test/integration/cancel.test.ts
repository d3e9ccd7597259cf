/**
 * A cancelled job, through the bundled action: the test sends the process SIGINT or SIGTERM, as
 * the runner does, while the fake API holds one of its requests. The step starts no new write,
 * lets the held request finish, restores or completes a replace caught in the middle, and still
 * writes its outputs, its job summary and an error naming every secret it touched.
 */
import type { ChildProcess } from 'node:child_process';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  promotion,
  secretsNamed,
  secretsPathOf,
  startFake,
  type SeededFake,
} from '../helpers/fake.js';
import { runAction } from '../helpers/action.js';

let seeded: SeededFake;
let oldId: string;
const OLD_VALUE = 'postgres://old-production-value';

beforeEach(async () => {
  seeded = await startFake();
  oldId = seeded.fake.addSecret(seeded.storeId, {
    name: 'DB_URL_PRODUCTION',
    value: OLD_VALUE,
    scopes: ['workers'],
    comment: 'production database',
    created: new Date(Date.now() - 3_600_000).toISOString(),
  }).id;
  seeded.fake.resetRequests();
});

afterEach(async () => {
  await seeded.fake.close();
});

const secretsPath = () => secretsPathOf(seeded);
const named = (name: string) => secretsNamed(seeded, name);

/** Sends `signal` to the action once the fake has received a request matching `method path`. */
function signalOnRequest(method: string, path: string, signal: NodeJS.Signals) {
  return (child: ChildProcess) => {
    const timer = setInterval(() => {
      if (seeded.fake.requests.some((r) => r.method === method && r.path === path)) {
        clearInterval(timer);
        child.kill(signal);
      }
    }, 10);
    child.on('exit', () => clearInterval(timer));
  };
}

const promote = (onSpawn: (child: ChildProcess) => void) =>
  runAction({ inputs: promotion(seeded), onSpawn });

describe('a cancelled replace', () => {
  it('SIGINT while the copy is in flight: the copy completes, and the step says what it did', async () => {
    const duplicate = `${secretsPath()}/${seeded.ids.DB_URL}/duplicate`;
    seeded.fake.addFault({ method: 'POST', path: duplicate, delayMs: 1_500 });

    const result = await promote(signalOnRequest('POST', duplicate, 'SIGINT'));

    expect(result.code).toBe(1);
    const [target] = named('DB_URL_PRODUCTION');
    expect(named('DB_URL_PRODUCTION')).toHaveLength(1);
    expect(seeded.fake.secretValue(target!.id)).toBe('postgres://db-url-value');
    expect(result.warnings[0]).toMatch(/^Received SIGINT: the step is cancelled\./);
    // No write started after the signal: the backup is left, and named.
    const backup = named('DB_URL_PRODUCTION_BACKUP_39U_1')[0]!;
    expect(seeded.fake.secretValue(backup.id)).toBe(OLD_VALUE);
    expect(result.errors).toEqual([
      'The step was cancelled (SIGINT): no write started after that.\n' +
        'Secrets it wrote or deleted:\n' +
        `- DB_URL_PRODUCTION: created ${target!.id}; deleted ${oldId}; left the backup "DB_URL_PRODUCTION_BACKUP_39U_1" (${backup.id})`,
    ]);
    expect(result.outputs).toMatchObject({
      outcome: 'replaced',
      'secret-id': target!.id,
      'replaced-secret-id': oldId,
    });
    expect(result.summary).toContain(`| replaced \`${oldId}\` |`);

    // A re-run converges: it replaces again and deletes the backup left behind.
    const rerun = await runAction({ env: { GITHUB_RUN_ATTEMPT: '2' }, inputs: promotion(seeded) });
    expect(rerun.code).toBe(0);
    expect(named('DB_URL_PRODUCTION_BACKUP_39U_1')).toEqual([]);
    expect(seeded.fake.listSecrets(seeded.storeId)).toHaveLength(4);
  });

  it('SIGINT while the copy hangs: the copy is cut short and the target restored in time', async () => {
    // The step's request timeout is 30 s: without a cut, the hung copy would hold the step far
    // past GitHub's kill, 10 s after the SIGINT.
    const duplicate = `${secretsPath()}/${seeded.ids.DB_URL}/duplicate`;
    seeded.fake.addFault({ method: 'POST', path: duplicate, delayMs: 25_000 });

    const result = await promote(signalOnRequest('POST', duplicate, 'SIGINT'));

    expect(result.code).toBe(1);
    const [restored] = named('DB_URL_PRODUCTION');
    expect(named('DB_URL_PRODUCTION')).toHaveLength(1);
    expect(seeded.fake.secretValue(restored!.id)).toBe(OLD_VALUE);
    expect(restored!.comment).toBe('production database');
    // Uncut, the copy would have been answered after 25 s, and the target would hold the new value.
    expect(result.errors[0]).toContain(
      `- DB_URL_PRODUCTION: deleted ${oldId}; restored it from its backup as ${restored!.id}`,
    );
    expect(named('DB_URL_PRODUCTION_BACKUP_39U_1')).toEqual([]);
  });

  it('SIGTERM while the delete is in flight: no copy starts, the target is restored', async () => {
    const target = `${secretsPath()}/${oldId}`;
    seeded.fake.addFault({ method: 'DELETE', path: target, delayMs: 1_500 });

    const result = await promote(signalOnRequest('DELETE', target, 'SIGTERM'));

    expect(result.code).toBe(1);
    const [restored] = named('DB_URL_PRODUCTION');
    expect(named('DB_URL_PRODUCTION')).toHaveLength(1);
    expect(seeded.fake.secretValue(restored!.id)).toBe(OLD_VALUE);
    expect(restored!.comment).toBe('production database');
    expect(
      seeded.fake.requests.filter(
        (r) => r.method === 'POST' && r.path === `${secretsPath()}/${seeded.ids.DB_URL}/duplicate`,
      ),
    ).toEqual([]);
    expect(result.errors).toHaveLength(1);
    expect(result.errors[0]).toMatch(
      /^The step was cancelled \(SIGTERM\): no write started after that\.\n/,
    );
    expect(result.errors[0]).toContain(
      `- DB_URL_PRODUCTION: deleted ${oldId}; restored it from its backup as ${restored!.id}`,
    );
    expect(result.errors[0]).toContain(
      `It was restored from its backup, with its old value, scopes and comment, as ${restored!.id} (a new id).`,
    );
    expect(JSON.parse(result.outputs['results']!)).toMatchObject([
      { outcome: 'failed', replaced: oldId },
    ]);
    expect(result.summary).toContain('failed: ');
    // Nothing else is left: the three seeds and the restored target.
    expect(seeded.fake.listSecrets(seeded.storeId)).toHaveLength(4);
  });
});

describe('a cancelled list with rollback-on-failure', () => {
  it('deletes the copies it made and starts no more', async () => {
    const second = `${secretsPath()}/${seeded.ids.STRIPE_KEY}/duplicate`;
    seeded.fake.addFault({ method: 'POST', path: second, delayMs: 1_500 });

    const result = await runAction({
      inputs: {
        ...seeded.inputs,
        secrets: 'DB_URL => DB_URL_V2\nSTRIPE_KEY => STRIPE_KEY_V2\nSESSION_SECRET => SESSION_V2',
        'rollback-on-failure': 'true',
        'max-parallel': '1',
      },
      onSpawn: signalOnRequest('POST', second, 'SIGINT'),
    });

    expect(result.code).toBe(1);
    const results = JSON.parse(result.outputs['results']!);
    expect(results.map((r: { outcome: string }) => r.outcome)).toEqual([
      'rolled-back',
      'rolled-back',
      'not-attempted',
    ]);
    expect(named('DB_URL_V2')).toEqual([]);
    expect(named('STRIPE_KEY_V2')).toEqual([]);
    expect(named('SESSION_V2')).toEqual([]);
    expect(result.errors[0]).toMatch(/^The step was cancelled \(SIGINT\)/);
    expect(result.errors[0]).toContain(`- DB_URL_V2: created ${results[0].id}, then deleted it`);
    expect(result.errors[0]).toContain(
      '- line 3 (SESSION_SECRET => SESSION_V2): not attempted: the step was cancelled',
    );
    expect(result.summary).toContain('rolled back (deleted)');
  });
});
