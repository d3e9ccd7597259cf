/**
 * wait-for-active with if-exists: replace. A copy that is still pending when the time is up is
 * a failure: Cloudflare may yet give up on it, and then the name holds nothing. The backup of the
 * value it replaced must outlive the step, and the error must name it.
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

let seeded: SeededFake;
let oldId: string;
const OLD_VALUE = 'postgres://old-production-value';

beforeEach(async () => {
  // Copies stay pending for good (the fake's default).
  seeded = await startFake({ duplicateStatus: 'pending' });
  oldId = addOldSecret(seeded, 'DB_URL_PRODUCTION', { value: OLD_VALUE });
  seeded.fake.resetRequests();
});

afterEach(async () => {
  await seeded.fake.close();
});

const named = (name: string) => secretsNamed(seeded, name);

describe('a replace whose copy never becomes active', () => {
  it('keeps the backup of the old value, and the error names it', async () => {
    // 16 s: just over the 3 writes of 5 s a replace needs before its delete.
    const result = await runAction({
      inputs: promotion(seeded, { 'wait-for-active': 'true', 'timeout-seconds': '16' }),
    });

    expect(result.code, result.stdout).toBe(1);
    const [copy] = named('DB_URL_PRODUCTION');
    expect(copy!.status).toBe('pending');
    const [backup, ...more] = named('DB_URL_PRODUCTION_BACKUP_39U_1');
    expect(more).toEqual([]);
    expect(seeded.fake.secretValue(backup!.id)).toBe(OLD_VALUE);
    expect(result.errors).toHaveLength(1);
    expect(result.errors[0]).toContain(`was still "pending", not active`);
    expect(result.errors[0]).toContain(
      `The value it replaced (${oldId}) is kept in the backup "DB_URL_PRODUCTION_BACKUP_39U_1" (${backup!.id})`,
    );
    expect(JSON.parse(result.outputs['results']!)).toMatchObject([
      { outcome: 'replaced', id: copy!.id, replaced: oldId },
    ]);
  }, 30_000);
});
