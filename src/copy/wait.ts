/**
 * wait-for-active: Cloudflare may answer a duplicate with `status: "pending"`. This polls the
 * secret with backoff until it is `active`, within the step's deadline; every poll is an
 * ordinary request, so it counts in the step's requests and shares its retries.
 */
import type { SecretsStoreClient } from '../cloudflare/client.js';
import { CloudflareError, isNotFound } from '../cloudflare/errors.js';
import type { Secret } from '../cloudflare/types.js';
import { ActionError, nameAndId } from '../shared/errors.js';

const FIRST_WAIT_MS = 500;
const MAX_WAIT_MS = 5_000;

/** The wait before poll `poll` (0-based): 0.5 s, doubling, at most 5 s. */
export function pollDelay(poll: number): number {
  return Math.min(MAX_WAIT_MS, FIRST_WAIT_MS * 2 ** poll);
}

/** The secret did not become active; `last` is the secret as last seen. */
export class NotActive extends ActionError {
  constructor(
    message: string,
    readonly last: Secret,
  ) {
    super(message);
    this.name = 'NotActive';
  }
}

/**
 * Resolves with the secret once it is `active` (at once when it already is). Throws NotActive
 * when it turns `deleted`, disappears, or is not active by the deadline; any other failure of a
 * poll is thrown as it is.
 */
export async function waitForActive(
  client: SecretsStoreClient,
  storeId: string,
  secret: Secret,
): Promise<Secret> {
  const what = `wait-for-active: secret ${nameAndId(secret.name, secret.id)}`;
  let current = secret;
  for (let poll = 0; ; poll++) {
    if (current.status === 'active') return current;
    if (current.status === 'deleted') {
      throw new NotActive(`${what} is "deleted": it never became active.`, current);
    }
    const waitMs = pollDelay(poll);
    if (waitMs >= client.remainingMs()) throw notActiveInTime(what, current);
    await client.sleep(waitMs);
    try {
      current = await client.getSecret(storeId, secret.id);
    } catch (error) {
      if (!(error instanceof CloudflareError)) throw error;
      if (isNotFound(error)) {
        throw new NotActive(
          `${what} is gone (Cloudflare answers not-found for it); its last status was ${status(current)}.`,
          { ...current, status: 'deleted' },
        );
      }
      if (error.kind === 'deadline') throw notActiveInTime(what, current);
      throw error;
    }
    // A poll answered with another secret must not end the wait as if ours were active.
    if (current.id !== secret.id) {
      throw new ActionError(`${what}: Cloudflare answered with another secret (${current.id}).`);
    }
  }
}

function notActiveInTime(what: string, last: Secret): NotActive {
  return new NotActive(
    `${what} was still ${status(last)}, not active, when the step's time budget ran out. ` +
      'The timeout-seconds input sets that budget.',
    last,
  );
}

/** A status from the API, quoted and cut short: it is whatever the server sent. */
function status(secret: Secret): string {
  return JSON.stringify(secret.status.slice(0, 40));
}
