/**
 * Carries out one planned copy: the duplicate POST, and what to do when it fails.
 *
 * Never doubled, never lost, nothing deleted that is not ours. The duplicate POST is not
 * idempotent, so it is never re-sent blindly. Four facts make a retry safe:
 * 1. Names are unique within a store: a second duplicate under the same name is refused by
 *    Cloudflare, so a retry can never create a second copy; at worst it meets a conflict.
 * 2. After an ambiguous failure (connection broken after sending, timeout, 5xx, an unreadable
 *    2xx), we look the name up before trying again. If the secret is there and is ours, we
 *    adopt it instead of retrying; if it is absent, the attempt did not take effect. (If the
 *    lookup itself fails, the POST is sent again unchecked: fact 1 keeps that safe, and a
 *    refusal leads to the lookup below.)
 * 3. "Ours" is decided by evidence, not hope. Only an attempt whose answer was lost can have
 *    created a secret we did not see, so without one nothing found is ours. With one, the
 *    secret must have the scopes (and comment) we asked for, an id that no read of this step
 *    returned before the first attempt and that no other copy of the step claimed, and a
 *    `created` time not before the first attempt on the server's clock. That clock is estimated
 *    from the `Date` header, which is truncated to the second, so the estimate is never later
 *    than the true server time: our own copy always passes, and a secret that was there before
 *    can pass only if it was made within about a second of the first attempt, with the same
 *    scopes and comment, and was never listed. Anything else is a conflict, handled by
 *    if-exists, never reported as `created`.
 * 4. An answer is checked against the request: it must name a new id (not the source's, not
 *    one read before the write, not one another copy claimed), the requested name and the
 *    requested scopes as a set. Anything else fails the copy, and the id it named is never
 *    deleted: a rollback deletes only what this step's own POSTs created or strictly adopted.
 * The cheap happy path keeps one request: no pre-check is made when the plan had no reason to
 * list the store; the checks above run only when something went wrong.
 */
import type { SecretsStoreClient } from './cloudflare/client.js';
import { CloudflareError, isNotFound } from './cloudflare/errors.js';
import type { DuplicateSecretBody, Secret } from './cloudflare/types.js';
import { deleteUntilGone } from './deletion.js';
import { explainingNotFound } from './diagnose.js';
import { ActionError, failureText } from './errors.js';
import type { IfExists } from './inputs.js';
import { describeStore, nameTaken, type PlannedCopy, type PlannedStore } from './plan.js';
import { sameScopes } from './scopes.js';
import { NotActive, waitForActive } from './wait.js';

export type Outcome =
  'created' | 'replaced' | 'existing' | 'dry-run' | 'failed' | 'not-attempted' | 'rolled-back';

export interface CopyResult {
  copy: PlannedCopy;
  outcome: Outcome;
  /** The new (or existing) secret; undefined on dry-run and for a copy that failed. */
  secret?: Secret;
  /**
   * With if-exists: replace, the secret that had the name: deleted (also when the copy then
   * failed), or on a dry run, the one that would be.
   */
  replaced?: Secret;
  /** True when a lost answer was recovered by finding the secret this step created. */
  adopted: boolean;
  warnings: string[];
  /** Why the copy failed, or why a rollback of it failed. */
  error?: string;
}

export interface CopyOptions {
  ifExists: IfExists;
  dryRun: boolean;
}

export interface ExecuteOptions extends CopyOptions {
  /** Copies in flight at once. */
  maxParallel: number;
  /** On any failure: start no more copies, then delete the ones this step created. */
  rollbackOnFailure: boolean;
  /** Poll each secret the step created or replaced until it is active (a failure if not). */
  waitForActive: boolean;
}

/** Found by looking after a failed write: a secret with our name that this step did not create. */
class NameTaken extends Error {
  constructor(readonly existing: Secret) {
    // Stryker disable next-line StringLiteral: never shown; executeCopy catches every NameTaken
    super(`name taken by ${existing.id}`);
  }
}

/** A duplicate's answer that does not describe the copy we asked for. Never retried. */
export class UnexpectedAnswer extends ActionError {}

/** What the copies of one step share. */
export class StepState {
  /** Secret id → the copy whose POST created it, or that adopted it, in this step. */
  readonly claimed = new Map<string, PlannedCopy>();
  private byName: Promise<Map<string, Secret>> | undefined;

  constructor(
    private readonly client: SecretsStoreClient,
    private readonly storeId: string,
  ) {}

  /**
   * The store's live secrets by name, listed once for the whole step, the first time a write is
   * refused with a 4xx: it tells a taken name from any other refusal for every line, where a
   * lookup per line would double a storm of refusals.
   */
  secretsByName(): Promise<Map<string, Secret>> {
    this.byName ??= this.client
      .listSecrets(this.storeId)
      .then((secrets) => new Map(secrets.map((secret) => [secret.name, secret])));
    return this.byName;
  }
}

/**
 * Makes one planned copy, under the rules above. `step` is what the copies of one step share (the
 * ids they claimed, the listing after a refusal); a copy made on its own gets its own.
 */
export async function executeCopy(
  client: SecretsStoreClient,
  store: PlannedStore,
  copy: PlannedCopy,
  options: CopyOptions,
  step: StepState = new StepState(client, store.id),
): Promise<CopyResult> {
  const replacing = options.ifExists === 'replace' ? copy.existing : undefined;
  if (copy.existing && !replacing) {
    return existingResult(copy, copy.existing, store, options.ifExists);
  }
  if (options.dryRun) {
    return { copy, outcome: 'dry-run', replaced: replacing, adopted: false, warnings: [] };
  }
  if (!replacing) return duplicate(client, store, copy, options, step, false);

  try {
    await deleteUntilGone(client, store.id, replacing.id);
  } catch (error) {
    if (!(error instanceof CloudflareError)) throw error;
    throw error.withSummary(
      `"${copy.name}" (${replacing.id}) was not replaced: deleting it failed: ${error.summary}`,
    );
  }
  try {
    return { ...(await duplicate(client, store, copy, options, step, true)), replaced: replacing };
  } catch (error) {
    const deleted = `Deleted "${copy.name}" (${replacing.id}) to replace it`;
    if (error instanceof NameAppeared) {
      throw new ReplaceFailed(`${deleted}, but then: ${error.message}`, replacing);
    }
    throw new ReplaceFailed(
      `${deleted}, but its new copy was not created: ${failureText(error)} The target is ` +
        'deleted and not re-created; re-running the step creates it (with if-exists: replace, ' +
        'a missing target is simply created).',
      replacing,
    );
  }
}

/** Under replace, a secret with the name that this step did not create turned up meanwhile. */
class NameAppeared extends ActionError {}

/** A replace whose delete took effect and whose duplicate then failed. */
export class ReplaceFailed extends ActionError {
  constructor(
    message: string,
    readonly replaced: Secret,
  ) {
    super(message);
    this.name = 'ReplaceFailed';
  }
}

/**
 * The duplicate POST with its reconciliation. `deleted`: this step has just deleted the secret
 * that had the name, so the name was free just before the first attempt.
 */
async function duplicate(
  client: SecretsStoreClient,
  store: PlannedStore,
  copy: PlannedCopy,
  options: CopyOptions,
  step: StepState,
  deleted: boolean,
): Promise<CopyResult> {
  const body: DuplicateSecretBody = { name: copy.name, scopes: copy.scopes };
  // Stryker disable next-line ConditionalExpression: JSON.stringify drops an undefined comment
  if (copy.comment !== undefined) body.comment = copy.comment;
  const firstAttemptAt = client.now();
  /** Ids read before the first attempt existed before it: none of them can be its copy. */
  const beforeFirstAttempt = client.seenMark();
  /** Set once an attempt may have taken effect without our seeing its answer. */
  let answerLost = false;
  let adopted = false;

  /** Asked only once an answer was lost (`reconcile` runs only then): without one, nothing found is ours. */
  const isOurs = (secret: Secret): boolean => {
    if (!isNewId(secret.id, copy, step) || client.seenBefore(secret.id, beforeFirstAttempt)) {
      return false;
    }
    // Stryker disable next-line ArrayDeclaration: copy.scopes is never empty: no stand-in equals it
    if (!sameScopes(secret.scopes ?? [], copy.scopes)) return false;
    // Stryker disable next-line StringLiteral: copy.comment is never '': no stand-in equals it
    if (copy.comment !== undefined && (secret.comment ?? '') !== copy.comment) return false;
    const created = Date.parse(secret.created);
    return !Number.isNaN(created) && created >= client.serverTime(firstAttemptAt);
  };

  /** Looks the name up; returns our secret, throws NameTaken for someone else's, else undefined. */
  const reconcile = async (): Promise<Secret | undefined> => {
    const found = await client.findSecretByName(store.id, copy.name);
    if (!found) return undefined;
    if (!isOurs(found)) throw new NameTaken(found);
    step.claimed.set(found.id, copy);
    adopted = true;
    return found;
  };

  try {
    const secret = await client.retrying(async () => {
      const beforeWrite = client.seenMark();
      try {
        const answer = await explainingNotFound(client, store.id, copy.sourceId, () =>
          client.duplicateSecret(store.id, copy.sourceId, body),
        );
        checkAnswer(answer, copy, step, client.seenBefore(answer.id, beforeWrite));
        step.claimed.set(answer.id, copy);
        return answer;
      } catch (error) {
        if (error instanceof CloudflareError && error.ambiguous) {
          answerLost = true;
          let ours: Secret | undefined;
          try {
            ours = await reconcile();
          } catch (lookupError) {
            if (!(lookupError instanceof CloudflareError)) throw lookupError;
            // Keep the write's failure in front: it is what the user must act on. Its kind
            // still decides whether to retry (safe: names are unique).
            throw error.withSummary(
              `${error.summary} Whether it took effect is unknown: looking for "${copy.name}" also failed (${lookupError.summary}).`,
            );
          }
          if (ours) return ours;
          // Absent: the attempt did not take effect, so trying again cannot double it.
          throw error.withSummary(`${error.summary} No secret named "${copy.name}" was created.`);
        }
        throw error;
      }
    });
    return { copy, outcome: deleted ? 'replaced' : 'created', secret, adopted, warnings: [] };
  } catch (error) {
    if (error instanceof NameTaken) {
      return existingResult(copy, error.existing, store, options.ifExists);
    }
    // Stryker disable next-line ConditionalExpression: isConflictCandidate is false for others too
    if (!(error instanceof CloudflareError)) throw error;
    if (isConflictCandidate(error)) {
      // Cloudflare documents no error code for "name already exists", so look instead of
      // trusting a status or code: a 4xx plus a secret with our name is a conflict.
      if (answerLost) {
        // An earlier attempt may have made the secret: only a fresh lookup can tell.
        let ours: Secret | undefined;
        try {
          ours = await reconcile();
        } catch (lookupError) {
          if (lookupError instanceof NameTaken) {
            return existingResult(copy, lookupError.existing, store, options.ifExists);
          }
          throw error;
        }
        if (ours) {
          return {
            copy,
            outcome: deleted ? 'replaced' : 'created',
            secret: ours,
            adopted,
            warnings: [],
          };
        }
      } else {
        // Nothing of ours can hold the name, so the step's one listing tells; a listing that
        // fails leaves the refusal as it is.
        const existing = await step.secretsByName().then(
          (byName) => byName.get(copy.name),
          () => undefined,
        );
        if (existing) return existingResult(copy, existing, store, options.ifExists);
      }
    }
    throw error;
  }
}

/**
 * An id that can be a new copy's: not the source's, not claimed by another copy. (That it is an
 * id at all the client checked: it refuses any secret whose id is not.)
 */
function isNewId(id: string, copy: PlannedCopy, step: StepState): boolean {
  return id !== copy.sourceId && !step.claimed.has(id);
}

/**
 * Throws UnexpectedAnswer unless `answer` describes the copy we asked for: a new id, the
 * requested name, the requested scopes in any order, and not deleted. Cloudflare's own answers
 * always do; anything else may name another secret, which must never be output or deleted.
 */
function checkAnswer(
  answer: Secret,
  copy: PlannedCopy,
  step: StepState,
  seenBeforeWrite: boolean,
): void {
  const problems: string[] = [];
  // The client refused the answer already if its id is not an id.
  if (answer.id === copy.sourceId) problems.push(`it names the source secret ${answer.id}`);
  else if (seenBeforeWrite) problems.push(`it names secret ${answer.id}, which existed before`);
  else if (step.claimed.has(answer.id)) {
    problems.push(`it names secret ${answer.id}, which another copy of this step made`);
  }
  if (answer.name !== copy.name) problems.push(`its name is not "${copy.name}"`);
  // Stryker disable next-line ArrayDeclaration: copy.scopes is never empty: no stand-in equals it
  if (!sameScopes(answer.scopes ?? [], copy.scopes)) {
    problems.push(`its scopes are not the requested [${copy.scopes.join(', ')}]`);
  }
  if (answer.status === 'deleted') problems.push('its status is deleted');
  if (problems.length === 0) return;
  throw new UnexpectedAnswer(
    `Got an unexpected answer from Cloudflare to the duplicate of ${copy.sourceId} as "${copy.name}": ` +
      `${problems.join('; ')}. Whether the copy was made is unknown, and nothing it names is ` +
      'touched: check the store before running the step again.',
  );
}

/** A 4xx that is not about credentials, a missing object or rate limits: maybe a taken name. */
function isConflictCandidate(error: CloudflareError): boolean {
  if (error.kind !== 'http') return false;
  const status = error.status ?? 0; // an 'http' failure always has one
  return status >= 400 && status < 500 && ![401, 403, 429].includes(status) && !isNotFound(error);
}

function existingResult(
  copy: PlannedCopy,
  existing: Secret,
  store: PlannedStore,
  ifExists: IfExists,
): CopyResult {
  if (ifExists === 'fail') throw nameTaken(existing, store);
  if (ifExists === 'replace') {
    // The plan saw the name free (or deleted its secret): someone else wrote it since.
    throw new NameAppeared(
      `A secret named "${existing.name}" (${existing.id}) appeared in store ${describeStore(store)} ` +
        'while this step was writing, and this step did not create it; it was left as it is. ' +
        'Re-run the step to replace it.',
    );
  }
  const warnings: string[] = [];
  // Stryker disable next-line ArrayDeclaration: copy.scopes is never empty: no stand-in equals it
  if (!sameScopes(existing.scopes ?? [], copy.scopes)) {
    warnings.push(
      `Secret "${existing.name}" (${existing.id}) already exists in store ${describeStore(store)} with scopes ` +
        `[${(existing.scopes ?? []).join(', ')}], not the requested [${copy.scopes.join(', ')}]; ` +
        'it was left as it is (if-exists: skip).',
    );
  }
  return { copy, outcome: 'existing', secret: existing, adopted: false, warnings };
}

/** After this many failures with the same error, a step sends no more copies. */
const REPEATS_BEFORE_STOP = 3;

/**
 * Carries out every copy of a plan, `maxParallel` at a time. A failed copy does not stop the
 * others, unless `rollbackOnFailure`: then no further copy starts, and every secret this step
 * created (outcome `created`, never `existing`) is deleted and marked `rolled-back`. Once the
 * same error has failed REPEATS_BEFORE_STOP copies, no further copy starts either: the next
 * would most likely fail the same way, and each costs requests against the account's limit.
 * Never throws for a copy's failure: each result says how it ended.
 */
export async function executePlan(
  client: SecretsStoreClient,
  plan: { store: PlannedStore; copies: PlannedCopy[] },
  options: ExecuteOptions,
): Promise<CopyResult[]> {
  const step = new StepState(client, plan.store.id);
  const results: CopyResult[] = [];
  let failed = false;
  /** Why no further copy starts, once the same error has repeated. */
  let stopped: string | undefined;
  const repeats = new Map<string, number>();
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < plan.copies.length) {
      const index = next++;
      const copy = plan.copies[index]!;
      // Copies that write nothing (an existing name with if-exists: skip) still report what
      // they found after a stop.
      const notStarted =
        failed && options.rollbackOnFailure
          ? 'not attempted: another copy failed and rollback-on-failure is set'
          : stopped;
      if (notStarted && !copy.existing) {
        results[index] = {
          copy,
          outcome: 'not-attempted',
          adopted: false,
          warnings: [],
          error: notStarted,
        };
        continue;
      }
      try {
        const result = await executeCopy(client, plan.store, copy, options, step);
        results[index] = result;
        if (options.waitForActive && !options.dryRun) await settle(client, plan.store, result);
        if (result.error !== undefined) failed = true;
      } catch (error) {
        failed = true;
        results[index] = {
          copy,
          outcome: 'failed',
          replaced: error instanceof ReplaceFailed ? error.replaced : undefined,
          adopted: false,
          warnings: [],
          error: failureText(error),
        };
        const kind = errorKind(error);
        if (kind) {
          const count = (repeats.get(kind.key) ?? 0) + 1;
          repeats.set(kind.key, count);
          if (count >= REPEATS_BEFORE_STOP) {
            stopped ??=
              `not attempted: ${count} copies failed with the same error (${kind.label}), ` +
              'so no more were sent';
          }
        }
      }
    }
  };
  const workers = Math.max(1, Math.min(options.maxParallel, plan.copies.length));
  // With rollback on, the copies may not spend the whole budget: a timeout in one of them must
  // still leave time to delete what the others created.
  const reserve = options.rollbackOnFailure ? rollbackReserveMs(client.remainingMs()) : 0;
  await client.keepingBack(reserve, 'rollback deletes', () =>
    Promise.all(Array.from({ length: workers }, worker)).then(() => undefined),
  );
  if (failed && options.rollbackOnFailure) {
    await rollBack(client, plan.store, results, step, workers);
  }
  return results;
}

/** Time kept for rollback deletes: a quarter of what is left, 1 to 30 s, at most half of it. */
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
 * result keeps its outcome and the secret as last seen, with the reason as its error.
 */
async function settle(
  client: SecretsStoreClient,
  store: PlannedStore,
  result: CopyResult,
): Promise<void> {
  if (!result.secret || (result.outcome !== 'created' && result.outcome !== 'replaced')) return;
  try {
    result.secret = await waitForActive(client, store.id, result.secret);
  } catch (error) {
    if (error instanceof NotActive) result.secret = error.last;
    result.error = failureText(error);
  }
}

/**
 * Deletes what this step's own POSTs created or strictly adopted, `maxParallel` at a time; a
 * delete that fails is reported, not thrown.
 */
async function rollBack(
  client: SecretsStoreClient,
  store: PlannedStore,
  results: CopyResult[],
  step: StepState,
  maxParallel: number,
): Promise<void> {
  const ours = results.filter(
    (r) => r.outcome === 'created' && r.secret && step.claimed.get(r.secret.id) === r.copy,
  );
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < ours.length) {
      const result = ours[next++]!;
      try {
        await client.deleteSecret(store.id, result.secret!.id);
        result.outcome = 'rolled-back';
      } catch (error) {
        result.error = `created, and the rollback failed: ${failureText(error)}`;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(maxParallel, ours.length) }, worker));
}
