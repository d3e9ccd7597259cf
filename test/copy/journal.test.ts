/**
 * The journal of a step's writes and its compensations, on their own: newest first, each once,
 * an adopted copy kept, a backup kept while it holds the only copy of a target's value.
 */
import { describe, expect, it } from 'vitest';
import type { Secret } from '../../src/cloudflare/types.js';
import { compensate, Journal, type Undoer } from '../../src/copy/journal.js';
import type { PlannedCopy } from '../../src/plan/plan.js';

const at = '2024-01-01T00:00:00Z';
const secret = (id: string, name: string): Secret => ({
  id,
  name,
  status: 'active',
  store_id: 's',
  created: at,
});
const copy = (name: string): PlannedCopy => ({
  sourceRef: 'SRC',
  sourceId: 'f'.repeat(32),
  name,
  scopes: ['workers'],
});
const TARGET = secret('1'.repeat(32), 'T');
const BACKUP = secret('2'.repeat(32), 'T_BACKUP_1_1');
const NEW = secret('3'.repeat(32), 'T');
const RESTORED = secret('4'.repeat(32), 'T');

/** An undoer that records what it was asked, failing for the ids in `failing`. */
function recorder(failing: string[] = []): Undoer & { calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    remove: async (s) => {
      calls.push(`remove ${s.id}`);
      if (failing.includes(s.id)) throw new Error(`cannot remove ${s.id}`);
    },
    restore: async (backup, target) => {
      calls.push(`restore ${target.id} from ${backup.id}`);
      if (failing.includes(target.id)) throw new Error(`cannot restore ${target.id}`);
      return RESTORED;
    },
  };
}

/** The journal of one replace: backup, delete, duplicate. */
function replaced(adopted = false) {
  const journal = new Journal();
  const line = copy('T');
  journal.record({ kind: 'backup', copy: line, secret: BACKUP, of: TARGET });
  journal.record({ kind: 'delete', copy: line, secret: TARGET, backup: BACKUP });
  journal.record({ kind: 'duplicate', copy: line, secret: NEW, adopted });
  return { journal, line };
}

describe('Journal', () => {
  it('keeps each copy’s writes in order, apart from the others', () => {
    const { journal, line } = replaced();
    const other = copy('U');
    journal.record({
      kind: 'duplicate',
      copy: other,
      secret: secret('5'.repeat(32), 'U'),
      adopted: false,
    });

    expect(journal.of(line).map((e) => e.write.kind)).toEqual(['backup', 'delete', 'duplicate']);
    expect(journal.of(other)).toHaveLength(1);
    expect(journal.open()).toHaveLength(4);
  });
});

describe('compensate', () => {
  it('undoes a replace newest first: delete the copy, restore the target, delete the backup', async () => {
    const { journal, line } = replaced();
    const undo = recorder();

    await compensate(journal.of(line), undo);

    expect(undo.calls).toEqual([
      `remove ${NEW.id}`,
      `restore ${TARGET.id} from ${BACKUP.id}`,
      `remove ${BACKUP.id}`,
    ]);
    expect(journal.of(line).map((e) => e.settled)).toEqual([
      { state: 'undone' },
      { state: 'undone', restoredAs: RESTORED },
      { state: 'undone' },
    ]);
    expect(journal.open()).toEqual([]);
  });

  it('undoes each write once, however often it is asked', async () => {
    const { journal, line } = replaced();
    const undo = recorder();

    await compensate(journal.of(line), undo);
    await compensate(journal.of(line), undo);

    expect(undo.calls).toHaveLength(3);
  });

  it('keeps the backup when the target could not be restored, and says why', async () => {
    const { journal, line } = replaced();
    const undo = recorder([TARGET.id]);

    await compensate(journal.of(line), undo);

    expect(undo.calls).toEqual([`remove ${NEW.id}`, `restore ${TARGET.id} from ${BACKUP.id}`]);
    const [backup, deleted] = journal.of(line);
    expect(deleted!.settled).toEqual({
      state: 'failed',
      error: `Unexpected error: cannot restore ${TARGET.id}`,
    });
    expect(backup!.settled).toEqual({ state: 'kept', why: 'kept: it holds the value of "T"' });
  });

  it('never deletes a copy adopted after a lost answer, but still restores the target', async () => {
    const { journal, line } = replaced(true);
    const undo = recorder();

    await compensate(journal.of(line), undo);

    expect(undo.calls).toEqual([`restore ${TARGET.id} from ${BACKUP.id}`, `remove ${BACKUP.id}`]);
    expect(journal.of(line)[2]!.settled).toMatchObject({ state: 'kept' });
  });

  it('goes on after a compensation fails, recording the failure', async () => {
    const { journal, line } = replaced();
    const undo = recorder([NEW.id]);

    await compensate(journal.of(line), undo);

    expect(undo.calls).toHaveLength(3);
    expect(journal.of(line)[2]!.settled).toEqual({
      state: 'failed',
      error: `Unexpected error: cannot remove ${NEW.id}`,
    });
  });
});
