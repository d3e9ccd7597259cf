/**
 * Carries out one planned copy: an existing name under if-exists, a dry run, a plain duplicate
 * (src/copy/post.ts) or a replace (src/copy/replace.ts). What each write did goes to the step's journal;
 * the result is built from it once (src/copy/results.ts).
 */
import type { SecretsStoreClient } from '../cloudflare/client.js';
import type { Secret } from '../cloudflare/types.js';
import { ActionError, nameAndId } from '../shared/errors.js';
import type { IfExists } from '../inputs/values.js';
import { describeStore, nameTaken, type PlannedCopy, type PlannedStore } from '../plan/plan.js';
import { writeCopy } from './post.js';
import { removeLeftovers, replaceCopy, type Finish } from './replace.js';
import { buildResult, type CopyResult, type LineEnd } from './results.js';
import { sameScopes } from '../inputs/scopes.js';
import { StepState } from './step.js';

export { UnexpectedAnswer } from './post.js';
export { ReplaceFailed } from './replace.js';
export { StepState } from './step.js';

export interface CopyOptions {
  ifExists: IfExists;
  dryRun: boolean;
  /** With replace: keep the removed value as `<TARGET>_PREVIOUS`. */
  keepPrevious?: boolean;
  /** How long one write may be expected to take; replace needs 3 of them left. */
  writeMs?: number;
}

/** Most a write is expected to take when the caller does not say. */
const DEFAULT_WRITE_MS = 5_000;

/** A line carried out: how it ended, and what is left to do once its copy may stay. */
export interface Line {
  end: LineEnd;
  finish?: Finish;
}

/** Under replace, a secret with the name that this step did not create turned up meanwhile. */
class NameAppeared extends ActionError {}

/** Carries out one copy. Throws for a failure; the journal of `step` holds what it wrote. */
export async function runLine(
  step: StepState,
  store: PlannedStore,
  copy: PlannedCopy,
  options: CopyOptions,
): Promise<Line> {
  const replacing = options.ifExists === 'replace' ? copy.existing : undefined;
  if (copy.existing && !replacing) return { end: takenEnd(copy, copy.existing, store, options) };
  if (options.dryRun) return { end: { kind: 'dry-run', replaced: replacing } };
  const wrote: LineEnd = { kind: 'wrote', warnings: [] };
  if (replacing) {
    const finish = await replaceCopy(step, copy, replacing, {
      keepPrevious: options.keepPrevious ?? false,
      writeMs: options.writeMs ?? DEFAULT_WRITE_MS,
    });
    return { end: wrote, finish };
  }
  const written = await writeCopy(step, copy);
  if ('taken' in written) return { end: takenEnd(copy, written.taken, store, options) };
  step.journal.record({ kind: 'duplicate', copy, ...written });
  // Under replace, a name that was free may be one an interrupted run left free: its backups go.
  const finish: Finish | undefined =
    options.ifExists === 'replace'
      ? async () => ({ warnings: await removeLeftovers(step, copy) })
      : undefined;
  return { end: wrote, finish };
}

/**
 * Makes one planned copy, and finishes it at once. `step` is what the copies of one step share;
 * a copy made on its own gets its own.
 */
export async function executeCopy(
  client: SecretsStoreClient,
  store: PlannedStore,
  copy: PlannedCopy,
  options: CopyOptions,
  step: StepState = new StepState(client, store.id),
): Promise<CopyResult> {
  const line = await runLine(step, store, copy, options);
  let end = line.end;
  if (end.kind === 'wrote' && line.finish) {
    const { warnings, previous } = await line.finish();
    end = { ...end, warnings: [...end.warnings, ...warnings], previous };
  }
  return buildResult(copy, end, step.journal.of(copy));
}

function takenEnd(
  copy: PlannedCopy,
  existing: Secret,
  store: PlannedStore,
  options: CopyOptions,
): LineEnd {
  if (options.ifExists === 'fail') throw nameTaken(existing, store);
  if (options.ifExists === 'replace') {
    // The plan saw the name free, and this step did not delete what holds it now.
    throw new NameAppeared(
      `A secret named ${nameAndId(existing.name, existing.id)} appeared in store ${describeStore(store)} ` +
        'while this step was writing, and this step did not create it; it was left as it is. ' +
        'Re-run the step to replace it.',
    );
  }
  const warnings: string[] = [];
  if (!sameScopes(existing.scopes, copy.scopes)) {
    warnings.push(
      `Secret ${nameAndId(existing.name, existing.id)} already exists in store ${describeStore(store)} with scopes ` +
        `[${(existing.scopes ?? []).join(', ')}], not the requested [${copy.scopes.join(', ')}]; ` +
        'it was left as it is (if-exists: skip).',
    );
  }
  return { kind: 'existing', secret: existing, warnings };
}
