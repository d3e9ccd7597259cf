/**
 * A cancelled step that is waiting, not sending: a retry's backoff or a 429's Retry-After can be
 * longer than the 10 s GitHub gives a cancelled step before it kills it. The runner is played
 * out in full (SIGINT, SIGTERM 7.5 s later, SIGKILL 2.5 s after that), so a step that sleeps
 * through its cancellation dies without outputs, summary or an error naming the backup.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  addOldSecret,
  promotion,
  secretsNamed,
  secretsPathOf,
  startFake,
  type SeededFake,
} from '../helpers/fake.js';
import { runAction } from '../helpers/action.js';
import { cancelWhen } from '../helpers/cancel.js';

let seeded: SeededFake;
let oldId: string;
const OLD_VALUE = 'postgres://old-production-value';

beforeEach(async () => {
  seeded = await startFake();
  oldId = addOldSecret(seeded, 'DB_URL_PRODUCTION', { value: OLD_VALUE });
  seeded.fake.resetRequests();
});

afterEach(async () => {
  await seeded.fake.close();
});

const named = (name: string) => secretsNamed(seeded, name);

describe('a replace cancelled while it waits to retry', () => {
  it("SIGINT during a 429's Retry-After of a minute: the step reports the backup before the kill", async () => {
    const duplicate = `${secretsPathOf(seeded)}/${seeded.ids.DB_URL}/duplicate`;
    seeded.fake.addFault({
      method: 'POST',
      path: duplicate,
      status: 429,
      headers: { 'retry-after': '60' },
    });

    const result = await runAction({
      inputs: promotion(seeded, { 'timeout-seconds': '300' }),
      // Once the 429 is answered: the step is then waiting to retry.
      onSpawn: cancelWhen(
        seeded.fake,
        (requests) => requests.some((r) => r.path === duplicate && r.status !== null),
        { asGitHub: true },
      ),
    });

    expect(result.code, result.stdout).toBe(1);
    // Cloudflare's pause holds every request, the restore too: the backup stays, and is named.
    expect(named('DB_URL_PRODUCTION')).toEqual([]);
    const backup = named('DB_URL_PRODUCTION_BACKUP_39U_1')[0]!;
    expect(seeded.fake.secretValue(backup.id)).toBe(OLD_VALUE);
    expect(result.errors).toHaveLength(1);
    expect(result.errors[0]).toMatch(/^The step was cancelled \(SIGINT\)/);
    expect(result.errors[0]).toContain(
      `- DB_URL_PRODUCTION: deleted ${oldId}; left the backup "DB_URL_PRODUCTION_BACKUP_39U_1" (${backup.id})`,
    );
    expect(result.errors[0]).toContain(
      `Its value is kept in the backup "DB_URL_PRODUCTION_BACKUP_39U_1" (${backup.id})`,
    );
    expect(JSON.parse(result.outputs['results']!)).toMatchObject([
      { outcome: 'failed', replaced: oldId },
    ]);
    expect(result.summary).toContain('failed: ');
  }, 30_000);
});
