/**
 * The duplicate POST, and what to do when it fails.
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
 *    `created` time not before the first attempt on the server's clock (estimated from the
 *    `Date` header, truncated to the second, so never later than the true server time). A
 *    secret made by someone else within about a second of our first attempt, with the same
 *    name, scopes and comment, can still pass: such an adopted secret is never deleted by a
 *    rollback (docs/reliability.md). Anything else is a conflict, handled by if-exists.
 * 4. An answer is checked against the request: it must name a new id (not the source's, not
 *    one read before the write, not one another copy claimed), the requested name and the
 *    requested scopes as a set. Anything else fails the copy, and the id it named is never
 *    deleted.
 * The cheap happy path keeps one request: the checks above run only when something went wrong.
 */
import { CloudflareError, isNotFound } from '../cloudflare/errors.js';
import type { DuplicateSecretBody, Secret } from '../cloudflare/types.js';
import { explainingNotFound } from '../plan/diagnose.js';
import { ActionError } from '../shared/errors.js';
import type { PlannedCopy } from '../plan/plan.js';
import { sameScopes } from '../inputs/scopes.js';
import type { StepState } from './step.js';

/** A duplicate's answer that does not describe the copy we asked for. Never retried. */
export class UnexpectedAnswer extends ActionError {}

/** Found by looking after a failed write: a secret with our name that this step did not create. */
class NameTaken extends Error {
  constructor(readonly existing: Secret) {
    // No message: writeCopy catches every NameTaken, so none is ever shown.
    super();
  }
}

/** What a duplicate came to: the copy (made, or adopted after a lost answer) or a taken name. */
export type Written = { secret: Secret; adopted: boolean } | { taken: Secret };

/** Duplicates `copy.sourceId` as `copy.name`, under the rules above. */
export async function writeCopy(
  step: StepState,
  copy: PlannedCopy,
  /** A compensation (a restore) still runs once the step is cancelled; nothing else starts. */
  { compensating = false } = {},
): Promise<Written> {
  const { client, storeId } = step;
  // Without a comment, none is sent: JSON.stringify leaves out an undefined field.
  const body: DuplicateSecretBody = { name: copy.name, scopes: copy.scopes, comment: copy.comment };
  const firstAttemptAt = client.now();
  /** Ids read before the first attempt existed before it: none of them can be its copy. */
  const beforeFirstAttempt = client.seenMark();
  /** Set once an attempt may have taken effect without our seeing its answer. */
  let answerLost = false;

  /** Asked only once an answer was lost (`reconcile` runs only then): without one, nothing found is ours. */
  const isOurs = (secret: Secret): boolean => {
    if (!isNewId(secret.id, copy, step) || client.seenBefore(secret.id, beforeFirstAttempt)) {
      return false;
    }
    if (!sameScopes(secret.scopes, copy.scopes)) return false;
    if (copy.comment !== undefined && secret.comment !== copy.comment) return false;
    const created = Date.parse(secret.created);
    return !Number.isNaN(created) && created >= client.serverTime(firstAttemptAt);
  };

  /** Looks the name up; returns our secret, throws NameTaken for someone else's, else undefined. */
  const reconcile = async (): Promise<Secret | undefined> => {
    const found = await client.findSecretByName(storeId, copy.name);
    // A secret this step deleted may still be listed for a moment: it does not hold the name.
    if (!found || step.deleted.has(found.id)) return undefined;
    if (!isOurs(found)) throw new NameTaken(found);
    step.claimed.set(found.id, copy);
    return found;
  };

  try {
    const secret = await client.retrying(async () => {
      if (!compensating) step.mayStart(`The duplicate of ${copy.sourceId} as "${copy.name}"`);
      const beforeWrite = client.seenMark();
      try {
        const answer = await explainingNotFound(client, storeId, copy.sourceId, () =>
          client.duplicateSecret(storeId, copy.sourceId, body),
        );
        checkAnswer(answer, copy, step, client.seenBefore(answer.id, beforeWrite));
        step.claimed.set(answer.id, copy);
        return { secret: answer, adopted: false };
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
          if (ours) return { secret: ours, adopted: true };
          // Absent: the attempt did not take effect, so trying again cannot double it.
          throw error.withSummary(`${error.summary} No secret named "${copy.name}" was created.`);
        }
        throw error;
      }
    });
    return secret;
  } catch (error) {
    if (error instanceof NameTaken) return { taken: error.existing };
    if (!isConflictCandidate(error)) throw error;
    // Cloudflare documents no error code for "name already exists", so look instead of
    // trusting a status or code: a 4xx plus a secret with our name is a conflict.
    if (answerLost) {
      // An earlier attempt may have made the secret: only a fresh lookup can tell.
      let ours: Secret | undefined;
      try {
        ours = await reconcile();
      } catch (lookupError) {
        if (lookupError instanceof NameTaken) return { taken: lookupError.existing };
        throw error;
      }
      if (ours) return { secret: ours, adopted: true };
    } else {
      // Nothing of ours can hold the name, so the step's one listing tells; a listing that
      // fails leaves the refusal as it is.
      const existing = await step.secretsByName().then(
        (byName) => byName.get(copy.name),
        () => undefined,
      );
      if (existing) return { taken: existing };
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
  if (!sameScopes(answer.scopes, copy.scopes)) {
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
function isConflictCandidate(error: unknown): error is CloudflareError {
  if (!(error instanceof CloudflareError) || error.kind !== 'http') return false;
  const status = error.status ?? 0; // an 'http' failure always has one
  return status >= 400 && status < 500 && ![401, 403, 429].includes(status) && !isNotFound(error);
}
