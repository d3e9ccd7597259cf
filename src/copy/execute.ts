/**
 * Carries out every copy of a plan, `maxParallel` at a time, and ends the step's writes the one
 * way they may end: each line finished, or (rollback-on-failure, after a failure or a
 * cancellation) every write of the journal compensated, newest first.
 */
import type { SecretsStoreClient } from '../cloudflare/client.js';
import { CloudflareError } from '../cloudflare/errors.js';
import type { Secret } from '../cloudflare/types.js';
import { runLine, type CopyOptions } from './duplicate.js';
import { failureText } from '../shared/errors.js';
import { inParallel } from '../shared/pool.js';
import { compensate } from './journal.js';
import type { Plan, PlannedCopy } from '../plan/plan.js';
import { UnexpectedAnswer } from './post.js';
import { ReplaceFailed, undoer, type Finish } from './replace.js';
import { buildResult, type CopyResult, type LineEnd } from './results.js';
import { StepState, type RunInfo } from './step.js';
import { NotActive, waitForActive } from './wait.js';

export interface ExecuteOptions extends CopyOptions {
  /** Copies in flight at once. */
  maxParallel: number;
  /** On any failure: start no more copies, then undo every write of the step. */
  rollbackOnFailure: boolean;
  /** Poll each secret the step created or replaced until it is active (a failure if not). */
  waitForActive: boolean;
  /** Aborted when the step is cancelled: no new write starts, compensations still run. */
  signal?: AbortSignal;
  /** Who writes, for the comments of replace's backups. */
  run?: RunInfo;
}

/** After this many failures with the same error, a step sends no more copies. */
const REPEATS_BEFORE_STOP = 3;

/**
 * A failed copy does not stop the others, unless `rollbackOnFailure`; once the same error has
 * failed REPEATS_BEFORE_STOP copies, or a replace failed after deleting its target, or the step
 * was cancelled, no further copy starts either. Never throws for a copy's failure: each result
 * says how it ended.
 */
export async function executePlan(
  client: SecretsStoreClient,
  plan: Plan,
  options: ExecuteOptions,
): Promise<CopyResult[]> {
  const step = new StepState(client, plan.store.id, options.signal, options.run, plan.secrets);
  /** Lines whose finish waits for the whole list (rollback) or was cut by a cancellation. */
  const finishes = new Map<
    number,
    { copy: PlannedCopy; end: LineEnd & { kind: 'wrote' }; finish: Finish }
  >();
  let failed = false;
  /** Why no further copy starts, once the same error has repeated. */
  let stopped: string | undefined;
  const repeats = new Map<string, number>();
  const writes = (copy: PlannedCopy) =>
    !options.dryRun && (!copy.existing || options.ifExists === 'replace');
  const line = async (copy: PlannedCopy, index: number): Promise<LineEnd> => {
    const notStarted = step.cancelled
      ? 'not attempted: the step was cancelled'
      : failed && options.rollbackOnFailure
        ? 'not attempted: another copy failed and rollback-on-failure is set'
        : stopped;
    // Copies that write nothing (an existing name with if-exists: skip) still report.
    if (notStarted && writes(copy)) return { kind: 'not-attempted', error: notStarted };
    try {
      const ran = await runLine(step, plan.store, copy, options);
      if (ran.end.kind !== 'wrote') return ran.end;
      let end = ran.end;
      if (options.waitForActive) {
        end = await settle(client, plan.store.id, end, lastWritten(step, copy));
        if (end.gone) {
          // A copy that is gone needs no delete; a target it replaced comes back.
          const entries = step.journal.of(copy);
          // Non-null: a line that wrote has journalled its duplicate.
          entries.find((e) => e.write.kind === 'duplicate')!.settled = { state: 'undone' };
          await compensate(entries, undoer(step));
        }
      }
      if (end.waitError) failed = true;
      if (ran.finish && !end.gone) {
        // Under rollback, the way back (backups) stays until the whole list succeeded.
        if (options.rollbackOnFailure || step.cancelled) {
          finishes.set(index, { copy, end, finish: ran.finish });
        } else if (end.waitError) end = keepBackup(step, copy, end);
        else end = await finished(end, ran.finish);
      }
      return end;
    } catch (error) {
      failed = true;
      if (error instanceof ReplaceFailed && error.afterDelete) {
        stopped ??=
          'not attempted: a replace failed after deleting its target, so no more were sent';
      }
      const kind = errorKind(error instanceof ReplaceFailed ? error.reason : error);
      if (kind) {
        const count = (repeats.get(kind.key) ?? 0) + 1;
        repeats.set(kind.key, count);
        if (count >= REPEATS_BEFORE_STOP) {
          stopped ??=
            `not attempted: ${count} copies failed with the same error (${kind.label}), ` +
            'so no more were sent';
        }
      }
      return { kind: 'failed', error: failureText(error) };
    }
  };
  const workers = options.maxParallel;
  // With rollback on, the copies may not spend the whole budget: a timeout in one of them must
  // still leave time to undo what the others wrote.
  const reserve = options.rollbackOnFailure ? rollbackReserveMs(client.remainingMs()) : 0;
  const lines = await client.keepingBack(reserve, 'rollback', () =>
    inParallel(plan.copies, workers, async (copy, index) => ({
      copy,
      end: await line(copy, index),
    })),
  );
  if (options.rollbackOnFailure && (failed || step.cancelled)) {
    await inParallel(plan.copies, workers, (copy) =>
      compensate(step.journal.of(copy), undoer(step)),
    );
  } else {
    // Lines left to finish: a list under rollback that succeeded, or one cut by a cancellation
    // (then only what was deferred, never a new copy).
    await inParallel([...finishes], workers, async ([index, { copy, end, finish }]) => {
      if (step.cancelled) return;
      lines[index] = { copy, end: await finished(end, finish) };
    });
  }
  return lines.map(({ copy, end }) => buildResult(copy, end, step.journal.of(copy)));
}

async function finished(
  end: LineEnd & { kind: 'wrote' },
  finish: Finish,
): Promise<LineEnd & { kind: 'wrote' }> {
  const { warnings, previous } = await finish();
  return { ...end, warnings: [...end.warnings, ...warnings], previous };
}

/**
 * A replace whose copy was not seen active keeps its backup: Cloudflare may still give up on the
 * copy, and then the backup holds the only value the name had. The error names it.
 */
function keepBackup(
  step: StepState,
  copy: PlannedCopy,
  end: LineEnd & { kind: 'wrote' },
): LineEnd & { kind: 'wrote' } {
  const entry = step.journal.open(step.journal.of(copy)).find((e) => e.write.kind === 'backup');
  if (!entry || entry.write.kind !== 'backup') return end;
  const { secret, of } = entry.write;
  entry.settled = { state: 'kept', why: 'kept: the new copy was not seen active' };
  return {
    ...end,
    waitError:
      `${end.waitError} The value it replaced (${of.id}) is kept in the backup "${secret.name}" ` +
      `(${secret.id}) until the copy is active; a re-run of the step deletes it.`,
  };
}

/** The copy a line's last duplicate made: what wait-for-active polls. */
function lastWritten(step: StepState, copy: PlannedCopy): Secret {
  const made = step.journal.of(copy).filter((e) => e.write.kind === 'duplicate');
  // Non-null: only a line that wrote is polled, and it has journalled its duplicate.
  return made[made.length - 1]!.write.secret;
}

/** Time kept for rollback: a quarter of what is left, 1 to 30 s, at most half of it. */
function rollbackReserveMs(remainingMs: number): number {
  const quarter = Math.min(30_000, Math.max(1_000, remainingMs / 4));
  return Math.max(0, Math.min(quarter, remainingMs / 2));
}

/** What makes two failures "the same error" (status and Cloudflare codes), or undefined. */
function errorKind(error: unknown): { key: string; label: string } | undefined {
  if (error instanceof UnexpectedAnswer) {
    return { key: 'unexpected answer', label: 'an unexpected answer from Cloudflare' };
  }
  if (!(error instanceof CloudflareError)) return undefined;
  const codes = error.errors.map((e) => e.code);
  const status = error.status !== undefined ? `HTTP ${error.status}` : error.kind;
  const shown = codes.slice(0, 3).join(', ') + (codes.length > 3 ? ', …' : '');
  return {
    key: `${error.kind} ${error.status ?? ''} ${codes.join(',')}`,
    label: codes.length > 0 ? `${status} [${shown}]` : status,
  };
}

/**
 * Waits for a secret the step wrote to become active. One that does not is a failed copy: the
 * end keeps the secret as last seen, with the reason, and whether it is gone.
 */
async function settle(
  client: SecretsStoreClient,
  storeId: string,
  end: LineEnd & { kind: 'wrote' },
  secret: Secret,
): Promise<LineEnd & { kind: 'wrote' }> {
  try {
    return { ...end, waited: await waitForActive(client, storeId, secret) };
  } catch (error) {
    if (!(error instanceof NotActive)) return { ...end, waitError: failureText(error) };
    const gone = error.last.status === 'deleted';
    return { ...end, waited: error.last, waitError: failureText(error), gone };
  }
}
