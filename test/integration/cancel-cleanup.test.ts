/**
 * A replace cancelled while it finishes (deleting its backup): the step completes what it had
 * started, but starts nothing new: the backups earlier runs left behind are left for a re-run.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  addOldSecret,
  promotion,
  secretsNamed,
  startFake,
  type SeededFake,
} from '../helpers/fake.js';
import { runAction } from '../helpers/action.js';
import { cancelWhen } from '../helpers/cancel.js';

let seeded: SeededFake;
let oldId: string;
let leftoverId: string;

beforeEach(async () => {
  seeded = await startFake();
  oldId = addOldSecret(seeded, 'DB_URL_PRODUCTION');
  // What a cancelled run 100 left: a backup of an earlier value.
  leftoverId = addOldSecret(seeded, 'DB_URL_PRODUCTION_BACKUP_2S_1', {
    comment:
      'Backup of "DB_URL_PRODUCTION" (0123456789abcdef0123456789abcdef) made by run 100 of ' +
      'acme/web-app while replacing it (secrets-store-duplicate-action backup); the step deletes ' +
      'it once the new copy is in place.',
  });
  seeded.fake.resetRequests();
});

afterEach(async () => {
  await seeded.fake.close();
});

const named = (name: string) => secretsNamed(seeded, name);

describe('a replace cancelled while it deletes its backup', () => {
  it('finishes that delete, but deletes no backup an earlier run left', async () => {
    // The first DELETE is the target's; the second, the step's own backup, is held.
    seeded.fake.addFault({
      method: 'DELETE',
      path: /\/secrets\/[0-9a-f]{32}$/,
      skip: 1,
      delayMs: 1_500,
    });
    const onSpawn = cancelWhen(
      seeded.fake,
      (requests) => requests.filter((r) => r.method === 'DELETE').length === 2,
    );

    const result = await runAction({ inputs: promotion(seeded), onSpawn });

    expect(result.code, result.stdout).toBe(1);
    const [copy] = named('DB_URL_PRODUCTION');
    expect(seeded.fake.secretValue(copy!.id)).toBe('postgres://db-url-value');
    expect(named('DB_URL_PRODUCTION_BACKUP_39U_1')).toEqual([]);
    // No write started after the signal: the earlier run's backup is still there.
    expect(named('DB_URL_PRODUCTION_BACKUP_2S_1').map((s) => s.id)).toEqual([leftoverId]);
    expect(seeded.fake.requests.filter((r) => r.method === 'DELETE')).toHaveLength(2);
    expect(result.errors[0]).toBe(
      'The step was cancelled (SIGINT): no write started after that.\n' +
        'Secrets it wrote or deleted:\n' +
        `- DB_URL_PRODUCTION: created ${copy!.id}; deleted ${oldId}`,
    );
  });
});
