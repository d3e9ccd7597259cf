/**
 * How each copy ended, built once from what the engine knows about the line and the journal of
 * its writes: a value whose type depends on its outcome, never filled in and changed later.
 */
import type { Secret } from '../cloudflare/types.js';
import type { Entry } from './journal.js';
import type { PlannedCopy } from '../plan/plan.js';
import { nameAndId } from '../shared/errors.js';

interface Base {
  copy: PlannedCopy;
  warnings: string[];
  /** True when a lost answer was recovered by finding the secret this step created. */
  adopted: boolean;
}

/** What a replace left behind: none of it when there was no replace. */
interface Aftermath {
  /** With if-exists: replace, the target this step deleted. */
  replaced?: Secret;
  /** With keep-previous, the secret that now holds the value replace removed. */
  previous?: Secret;
  /** The target re-created from its backup (a new id) after a failed or rolled-back replace. */
  restored?: Secret;
  /** A backup this step made and left in the store: it holds the target's old value. */
  backup?: Secret;
}

/** Fields an outcome never has, declared so that a result can be read before it is narrowed. */
type Never<K extends keyof CopyFields> = { [P in K]?: undefined };
type CopyFields = Aftermath & { secret?: Secret; error?: string };

/**
 * How one copy ended; narrow by `outcome` for what it surely has. `secret` is the new (or
 * existing) secret as last seen; `error` why the copy failed, or what went wrong after it was
 * written.
 */
export type CopyResult =
  | (Base & Aftermath & { outcome: 'created'; secret: Secret; error?: string })
  | (Base &
      Omit<Aftermath, 'replaced' | 'restored'> &
      Never<'restored'> & { outcome: 'replaced'; secret: Secret; replaced: Secret; error?: string })
  | (Base & Never<'error' | keyof Aftermath> & { outcome: 'existing'; secret: Secret })
  | (Base &
      Never<'secret' | 'error' | 'previous' | 'restored' | 'backup'> & {
        outcome: 'dry-run';
        /** The target it would delete. */
        replaced?: Secret;
      })
  | (Base & Aftermath & { outcome: 'failed'; error: string; secret?: Secret })
  | (Base & Never<'secret' | keyof Aftermath> & { outcome: 'not-attempted'; error: string })
  | (Base & Aftermath & { outcome: 'rolled-back'; secret: Secret; error?: string });

/** What the engine knows of a line besides its journal. */
export type LineEnd =
  | {
      kind: 'wrote';
      warnings: string[];
      /** The copy as last polled by wait-for-active. */
      waited?: Secret;
      /** Why wait-for-active failed; `gone` when the copy no longer exists. */
      waitError?: string;
      gone?: boolean;
      previous?: Secret;
    }
  | { kind: 'existing'; secret: Secret; warnings: string[] }
  | { kind: 'dry-run'; replaced?: Secret }
  | { kind: 'failed'; error: string }
  | { kind: 'not-attempted'; error: string };

export function buildResult(
  copy: PlannedCopy,
  end: LineEnd,
  entries: readonly Entry[],
): CopyResult {
  const base = { copy, warnings: [], adopted: false };
  if (end.kind === 'existing') {
    return { ...base, outcome: 'existing', secret: end.secret, warnings: end.warnings };
  }
  if (end.kind === 'dry-run') return { ...base, outcome: 'dry-run', replaced: end.replaced };
  if (end.kind === 'not-attempted') return { ...base, outcome: 'not-attempted', error: end.error };

  const find = (kind: Entry['write']['kind']) => entries.find((e) => e.write.kind === kind);
  const made = find('duplicate');
  const deleted = find('delete');
  const backup = find('backup');
  /** A backup still in the store, unless it became the `_PREVIOUS`. */
  const kept = (entry: Entry | undefined) =>
    entry && entry.settled?.state !== 'undone' && entry.write.secret.id !== previousOf(end)?.id
      ? entry.write.secret
      : undefined;
  const common = {
    ...base,
    replaced: deleted?.write.secret,
    restored: deleted?.settled?.state === 'undone' ? deleted.settled.restoredAs : undefined,
    backup: kept(backup),
    previous: previousOf(end),
  };
  if (end.kind === 'failed' || !made || (end.kind === 'wrote' && end.gone)) {
    const error = end.kind === 'failed' ? end.error : (end.waitError ?? 'no copy was made');
    // A copy wait-for-active found gone failed: it is kept only as last seen.
    const secret = end.kind === 'wrote' ? end.waited : undefined;
    return { ...common, outcome: 'failed', secret, error };
  }
  const write = made.write;
  const secret = end.waited ?? write.secret;
  const adopted = write.kind === 'duplicate' && write.adopted;
  const errors = [end.waitError, undoneError(made), undoneError(deleted)].filter(
    (text): text is string => text !== undefined,
  );
  const error = errors.length > 0 ? errors.join(' ') : undefined;
  const warnings = end.warnings;
  if (made.settled?.state === 'undone') {
    return { ...common, warnings, adopted, outcome: 'rolled-back', secret: write.secret, error };
  }
  const { replaced, restored, ...rest } = common;
  if (replaced && !restored) {
    return { ...rest, warnings, adopted, outcome: 'replaced', secret, replaced, error };
  }
  return { ...common, warnings, adopted, outcome: 'created', secret, error };
}

function previousOf(end: LineEnd): Secret | undefined {
  return end.kind === 'wrote' ? end.previous : undefined;
}

/** What a compensation of `entry` left to say: kept on purpose, or failed. */
function undoneError(entry: Entry | undefined): string | undefined {
  const settled = entry?.settled;
  if (!entry || !settled || settled.state === 'undone') return undefined;
  const { secret } = entry.write;
  if (settled.state === 'kept') return `${nameAndId(secret.name, secret.id)} was ${settled.why}.`;
  if (entry.write.kind !== 'delete') return `created, and the rollback failed: ${settled.error}`;
  // The backup is then the only copy of the old value: the way to it must be in the error.
  const { backup } = entry.write;
  return (
    `Restoring "${secret.name}" failed: ${settled.error} ` +
    `Its old value is kept in the backup ${nameAndId(backup.name, backup.id)}.`
  );
}
