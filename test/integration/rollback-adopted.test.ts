/**
 * rollback-on-failure with replace, when the copy of a line that succeeded was found after a lost
 * answer: a rollback never deletes such a copy (it may be another run's), so its target cannot be
 * restored under its name. The old value then stays in the backup, and the error must name it.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  addOldSecret,
  secretsNamed,
  secretsPathOf,
  startFake,
  type SeededFake,
} from '../helpers/fake.js';
import { runAction } from '../helpers/action.js';

let seeded: SeededFake;
const ids: Record<string, string> = {};

beforeEach(async () => {
  seeded = await startFake();
  for (const name of ['T1', 'T2']) {
    ids[name] = addOldSecret(seeded, name, { value: `old-value-of-${name}` });
  }
  seeded.fake.resetRequests();
});

afterEach(async () => {
  await seeded.fake.close();
});

const named = (name: string) => secretsNamed(seeded, name);

describe('a rollback that cannot restore a target', () => {
  it('names the backup that holds its old value', async () => {
    const copyPath = `${secretsPathOf(seeded)}/${seeded.ids.DB_URL}/duplicate`;
    // T1's copy is made but its answer lost; T2's copy is refused.
    seeded.fake.addFault({ method: 'POST', path: copyPath, action: 'commit-then-drop' });
    seeded.fake.addFault({
      method: 'POST',
      path: copyPath,
      status: 400,
      body: JSON.stringify({
        success: false,
        errors: [{ code: 1002, message: 'bad_request' }],
        messages: [],
        result: null,
      }),
      headers: { 'content-type': 'application/json' },
    });

    const result = await runAction({
      inputs: {
        ...seeded.inputs,
        secrets: 'DB_URL => T1\nDB_URL => T2',
        'if-exists': 'replace',
        'rollback-on-failure': 'true',
        'max-parallel': '1',
        'max-retries': '0',
      },
    });

    expect(result.code, result.stdout).toBe(1);
    // T1 keeps the adopted copy; its old value is only in the backup.
    const [copy] = named('T1');
    expect(seeded.fake.secretValue(copy!.id)).toBe('postgres://db-url-value');
    const [backup] = named('T1_BACKUP_39U_1');
    expect(seeded.fake.secretValue(backup!.id)).toBe('old-value-of-T1');
    expect(seeded.fake.secretValue(named('T2')[0]!.id)).toBe('old-value-of-T2');
    const [t1] = JSON.parse(result.outputs['results']!);
    expect(t1).toMatchObject({ name: 'T1', id: copy!.id, replaced: ids.T1 });
    expect(t1.error).toContain(
      `Its old value is kept in the backup "T1_BACKUP_39U_1" (${backup!.id})`,
    );
    expect(result.errors[0]).toContain(
      `Its old value is kept in the backup "T1_BACKUP_39U_1" (${backup!.id})`,
    );
  });
});
