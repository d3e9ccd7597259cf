/**
 * `if-exists: replace` that keeps the old value until the new one is in place: back the target
 * up (a server-side duplicate), delete it, duplicate the source under its name, then delete the
 * backup (or keep it as `<TARGET>_PREVIOUS`). When the copy fails, the target is restored from
 * the backup; when even that fails, the backup stays and the error names it.
 */
import { CloudflareError } from '../cloudflare/errors.js';
import type { Secret } from '../cloudflare/types.js';
import { deleteUntilGone } from './deletion.js';
import { ActionError, failureText, nameAndId } from '../shared/errors.js';
import { compensate, type Entry, type Undoer } from './journal.js';
import type { PlannedCopy } from '../plan/plan.js';
import { writeCopy } from './post.js';
import type { StepState } from './step.js';
import {
  backupComment,
  backupName,
  freeName,
  isBackupOf,
  leftBehind,
  previousComment,
} from './backups.js';

export interface ReplaceOptions {
  keepPrevious: boolean;
  /** How long one write is expected to take at most: a delete starts only with 3 of them left. */
  writeMs: number;
}

/** What is left to do once a line's copy is in place (deferred until a whole list succeeded). */
export interface Finish {
  (): Promise<{ warnings: string[]; previous?: Secret }>;
}

/** A replace that failed; `afterDelete` when the target had been deleted (the step then stops). */
export class ReplaceFailed extends ActionError {
  constructor(
    message: string,
    readonly reason: unknown,
    readonly afterDelete: boolean,
  ) {
    super(message);
    this.name = 'ReplaceFailed';
  }
}

/** The way back: delete (gone counts as done), or re-create a target from its backup. */
export function undoer(step: StepState): Undoer {
  return {
    remove: async (secret) => {
      await deleteUntilGone(step.client, step.storeId, secret.id);
      step.deleted.add(secret.id);
    },
    restore: async (backup, target) => {
      // A target listed without scopes comes back with the backup's (the requested ones).
      const scopes = target.scopes?.length ? target.scopes : backup.scopes;
      const copy = copyOf(backup, target.name, scopes, target.comment ?? '');
      const written = await writeCopy(step, copy, { compensating: true });
      if ('taken' in written) {
        throw new ActionError(`another secret (${written.taken.id}) now holds the name.`);
      }
      return written.secret;
    },
  };
}

function copyOf(
  source: Secret,
  name: string,
  scopes: string[] | undefined,
  comment: string,
): PlannedCopy {
  return { sourceRef: source.name, sourceId: source.id, name, scopes: scopes ?? [], comment };
}

/**
 * Replaces `target` with a copy of the source under its name. Throws ReplaceFailed, saying what
 * state it left; on success, returns what is left to finish.
 */
export async function replaceCopy(
  step: StepState,
  copy: PlannedCopy,
  target: Secret,
  options: ReplaceOptions,
): Promise<Finish> {
  const what = `${nameAndId(copy.name, target.id)}`;
  const unchanged = (why: string, reason?: unknown) =>
    new ReplaceFailed(`${what} was not replaced and is unchanged: ${why}`, reason, false);
  const listing = await step.secretsBeforeByName().catch((error: unknown) => {
    throw unchanged(`listing the store before backing it up failed: ${failureText(error)}`, error);
  });
  const previousName = `${copy.name}_PREVIOUS`;
  const oldPrevious = options.keepPrevious ? listing.get(previousName) : undefined;
  const asPrevious = options.keepPrevious && !oldPrevious;
  const name = asPrevious ? previousName : freeName(backupName(copy.name, step.run), listing);
  const needMs = 3 * options.writeMs;
  if (step.client.remainingMs() < needMs) {
    throw unchanged(
      `less than ${Math.ceil(needMs / 1000)} s of the time budget is left, too little to delete ` +
        'it, copy the source and, should the copy fail, restore it. The timeout-seconds input sets that budget.',
    );
  }

  // 1. The backup: the first write, and with the requested scopes, so that a duplicate endpoint
  // that is down or scopes it refuses stop the replace before any delete.
  const comment = asPrevious ? previousComment(target, step.run) : backupComment(target, step.run);
  const backupCopy = copyOf(target, name, copy.scopes, comment);
  const backup = await writeCopy(step, backupCopy).catch((error: unknown) => {
    throw unchanged(`its backup "${name}" could not be made: ${failureText(error)}`, error);
  });
  if ('taken' in backup) throw unchanged(`the name "${name}" is taken by ${backup.taken.id}.`);
  const saved = backup.secret;
  const backupEntry = step.journal.record({ kind: 'backup', copy, secret: saved, of: target });
  const kept = `Its value is kept in the backup ${nameAndId(saved.name, saved.id)}`;

  // 2. The delete, only if the step may still write.
  if (step.cancelled || step.client.remainingMs() < needMs) {
    const why = step.cancelled ? 'the step was cancelled' : 'the time budget ran short';
    throw unchanged(`${why} before its delete.${await dropBackup(step, [backupEntry])}`);
  }
  try {
    await deleteUntilGone(step.client, step.storeId, target.id);
  } catch (error) {
    if (error instanceof CloudflareError && !error.ambiguous) {
      throw unchanged(
        `deleting it was refused: ${error.summary}${await dropBackup(step, [backupEntry])}`,
        error,
      );
    }
    // The target may be gone: its backup must outlive this step, whatever a rollback does.
    backupEntry.settled = { state: 'kept', why: `kept: "${copy.name}" may have been deleted` };
    throw new ReplaceFailed(
      `Deleting ${what} to replace it failed, and it may have taken effect: ${failureText(error)} ` +
        `${kept}. Check whether "${copy.name}" still exists; re-running the step finishes the ` +
        'replace and then deletes the backup.',
      error,
      true,
    );
  }
  step.deleted.add(target.id);
  const deletedEntry = step.journal.record({ kind: 'delete', copy, secret: target, backup: saved });

  // 3. The copy under the target's name; its attempts may not spend the time of its restore.
  let failure: unknown;
  const restoring = `restoring "${copy.name}" from its backup`;
  const made = await step.client
    .keepingBack(options.writeMs, restoring, () => writeCopy(step, copy))
    .catch((error: unknown) => void (failure = error));
  if (made && 'secret' in made) {
    step.journal.record({ kind: 'duplicate', copy, secret: made.secret, adopted: made.adopted });
    return () => finish(step, copy, backupEntry, asPrevious ? undefined : oldPrevious, asPrevious);
  }
  const why = made
    ? `another secret named ${nameAndId(copy.name, made.taken.id)}, not made by this step, was created meanwhile.`
    : failureText(failure);
  const entries = step.journal.of(copy);
  await compensate(entries, undoer(step));
  throw new ReplaceFailed(
    `Deleted ${what} to replace it, but copying the source under that name failed: ${why} ${restoreText(deletedEntry, backupEntry, kept)}`,
    failure,
    true,
  );
}

/** What the compensations of a failed replace did, in words. */
function restoreText(deleted: Entry, backup: Entry, kept: string): string {
  const restored = deleted.settled?.state === 'undone' ? deleted.settled.restoredAs : undefined;
  if (restored === undefined) {
    const error = deleted.settled?.state === 'failed' ? ` (${deleted.settled.error})` : '';
    return (
      `Restoring it from its backup failed${error}. ${kept}; re-running the step finishes the ` +
      'replace and then deletes the backup.'
    );
  }
  const left =
    backup.settled?.state === 'undone'
      ? ''
      : ` The backup ${nameAndId(backup.write.secret.name, backup.write.secret.id)} could not be deleted; a re-run deletes it.`;
  return `It was restored from its backup, with its old value, scopes and comment, as ${restored.id} (a new id).${left}`;
}

/** Deletes a backup no longer needed; returns what to add to the message if that failed. */
async function dropBackup(step: StepState, entries: Entry[]): Promise<string> {
  await compensate(entries, undoer(step));
  const [entry] = entries;
  return entry === undefined || entry.settled?.state === 'undone'
    ? ''
    : ` Its backup ${nameAndId(entry.write.secret.name, entry.write.secret.id)} could not be deleted; a re-run deletes it.`;
}

/**
 * After the copy: the backup is deleted, or becomes `<TARGET>_PREVIOUS` (an older one gives way
 * only now), and backups of the same target that earlier runs left behind are deleted. Failures
 * here are warnings: the replace itself succeeded.
 */
async function finish(
  step: StepState,
  copy: PlannedCopy,
  backupEntry: Entry,
  oldPrevious: Secret | undefined,
  asPrevious: boolean,
): Promise<{ warnings: string[]; previous?: Secret }> {
  const backup = backupEntry.write.secret;
  const undo = undoer(step);
  const warnings: string[] = [];
  let previous: Secret | undefined;
  const leave = (why: string) => {
    backupEntry.settled = { state: 'kept', why: 'left in the store' };
    warnings.push(
      // `why` may end in an error's own full stop: one is enough.
      `"${copy.name}" was replaced, but ${why.replace(/\.?$/, '.')} Its old value is in the backup "${backup.name}" ` +
        `(${backup.id}), left in the store; a re-run of the step deletes it.`,
    );
  };
  try {
    if (asPrevious) {
      backupEntry.settled = { state: 'kept', why: 'kept as the previous value' };
      previous = backup;
    } else if (oldPrevious) {
      await undo.remove(oldPrevious);
      const target = (backupEntry.write as { of: Secret }).of;
      previous = await undo.restore(backup, {
        ...target,
        name: oldPrevious.name,
        scopes: copy.scopes,
        comment: previousComment(target, step.run),
      });
      await undo.remove(backup);
      backupEntry.settled = { state: 'undone' };
    } else {
      await undo.remove(backup);
      backupEntry.settled = { state: 'undone' };
    }
  } catch (error) {
    leave(`finishing with its backup failed: ${failureText(error)}`);
  }
  warnings.push(...(await removeLeftovers(step, copy)));
  return { warnings, previous };
}

/** Deletes the backups of `copy.name` that earlier runs left behind, once it holds the new copy. */
export async function removeLeftovers(step: StepState, copy: PlannedCopy): Promise<string[]> {
  const listing = await step.secretsBeforeByName().catch(() => new Map<string, Secret>());
  const warnings: string[] = [];
  const ours = new Set(step.journal.of(copy).map((e) => e.write.secret.id));
  for (const secret of listing.values()) {
    // Cleaning up after earlier runs is new work: a cancelled step leaves it to a re-run.
    if (step.cancelled) break;
    if (!isBackupOf(secret, copy.name) || ours.has(secret.id)) continue;
    if (!leftBehind(secret, copy.name, step)) continue;
    try {
      await undoer(step).remove(secret);
    } catch (error) {
      warnings.push(
        `The backup ${nameAndId(secret.name, secret.id)} an earlier run left could not be deleted: ${failureText(error)}`,
      );
    }
  }
  return warnings;
}
