/**
 * The writes one step made, in order, each with the way to undo it. A failed replace, a rollback
 * and a cancelled step all run the same thing: the compensations of the journal, newest first.
 * Nothing here knows GitHub or the API's paths: undoing is done through the `Undoer` it is given.
 */
import type { Secret } from '../cloudflare/types.js';
import { failureText } from '../shared/errors.js';
import type { PlannedCopy } from '../plan/plan.js';

export type Write =
  /** A copy made by this step's duplicate; `adopted` when it was found after a lost answer. */
  | { kind: 'duplicate'; copy: PlannedCopy; secret: Secret; adopted: boolean }
  /** A copy of replace target `of`, made before deleting it: the way back to its value. */
  | { kind: 'backup'; copy: PlannedCopy; secret: Secret; of: Secret }
  /** Replace target `secret`, deleted; `backup` holds its value. */
  | { kind: 'delete'; copy: PlannedCopy; secret: Secret; backup: Secret };

/** How a write ended, once it is no longer just "made". */
type Settled =
  /** Undone: deleted, or (a delete) brought back from its backup as `restoredAs`. */
  | { state: 'undone'; restoredAs?: Secret }
  /** Left in place on purpose: `why` says for the report. */
  | { state: 'kept'; why: string }
  /** Its compensation failed: `error` says how. */
  | { state: 'failed'; error: string };

export interface Entry {
  readonly write: Write;
  settled?: Settled;
}

/** What undoing needs: delete a secret (gone already counts), re-create a target from a backup. */
export interface Undoer {
  remove(secret: Secret): Promise<void>;
  restore(backup: Secret, target: Secret): Promise<Secret>;
}

export class Journal {
  readonly entries: Entry[] = [];

  record(write: Write): Entry {
    const entry: Entry = { write };
    this.entries.push(entry);
    return entry;
  }

  /** The entries of one copy, oldest first. */
  of(copy: PlannedCopy): Entry[] {
    return this.entries.filter((entry) => entry.write.copy === copy);
  }

  /** Every entry not settled yet: what a rollback must undo, or what the step leaves written. */
  open(entries: readonly Entry[] = this.entries): Entry[] {
    return entries.filter((entry) => entry.settled === undefined);
  }
}

/**
 * Undoes `entries` (one copy's), newest first, each at most once. A secret adopted after a lost
 * answer is kept: it may be another run's. A backup whose target could not be restored is kept:
 * it holds the only copy of the target's value. Never throws for a failed compensation.
 */
export async function compensate(entries: readonly Entry[], undo: Undoer): Promise<void> {
  const needed = new Set<string>();
  for (const entry of [...entries].reverse()) {
    if (entry.settled) continue;
    const write = entry.write;
    if (write.kind === 'duplicate' && write.adopted) {
      entry.settled = {
        state: 'kept',
        why:
          'kept: it was found after a lost answer and may have been made by another run, so a ' +
          'rollback never deletes it',
      };
      continue;
    }
    if (write.kind === 'backup' && needed.has(write.secret.id)) {
      entry.settled = { state: 'kept', why: `kept: it holds the value of "${write.of.name}"` };
      continue;
    }
    try {
      if (write.kind === 'delete') {
        entry.settled = {
          state: 'undone',
          restoredAs: await undo.restore(write.backup, write.secret),
        };
      } else {
        await undo.remove(write.secret);
        entry.settled = { state: 'undone' };
      }
    } catch (error) {
      entry.settled = { state: 'failed', error: failureText(error) };
      if (write.kind === 'delete') needed.add(write.backup.id);
    }
  }
}
