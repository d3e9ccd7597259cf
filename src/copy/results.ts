/**
 * How each copy ended, built once from what the engine knows about the line and the journal of
 * its writes: a value whose type depends on its outcome, never filled in and changed later.
 */
import type { Secret } from '../cloudflare/types.js';
import type { Entry } from './journal.js';
import type { PlannedCopy } from '../plan/plan.js';

interface Common {
  copy: PlannedCopy;
  warnings: string[];
  /** True when a lost answer was recovered by finding the secret this step created. */
  adopted: boolean;
  /** Why the copy failed, or what went wrong after it was written. */
  error?: string;
  /** The new (or existing) secret, as last seen. */
  secret?: Secret;
  /** With if-exists: replace, the target this step deleted (on a dry run, would delete). */
  replaced?: Secret;
  /** With keep-previous, the secret that now holds the value replace removed. */
  previous?: Secret;
  /** The target re-created from its backup (a new id) after a failed or rolled-back replace. */
  restored?: Secret;
  /** A backup this step made and left in the store: it holds the target's old value. */
  backup?: Secret;
}

export type CopyResult =
  | (Common & { outcome: 'created'; secret: Secret })
  | (Common & { outcome: 'replaced'; secret: Secret; replaced: Secret })
  | (Common & { outcome: 'existing'; secret: Secret })
  | (Common & { outcome: 'dry-run' })
  | (Common & { outcome: 'failed' })
  | (Common & { outcome: 'not-attempted'; error: string })
  | (Common & { outcome: 'rolled-back'; secret: Secret });

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
  if (end.kind === 'existing') return { ...base, outcome: 'existing', ...end };
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
  if (common.replaced && !common.restored) {
    return {
      ...common,
      warnings,
      adopted,
      outcome: 'replaced',
      secret,
      replaced: common.replaced,
      error,
    };
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
  if (settled.state === 'kept') return `"${secret.name}" (${secret.id}) was ${settled.why}.`;
  return entry.write.kind === 'delete'
    ? `Restoring "${secret.name}" failed: ${settled.error}`
    : `created, and the rollback failed: ${settled.error}`;
}
