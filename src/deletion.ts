/**
 * Deleting a secret so that it is gone, for `if-exists: replace`, rollbacks and `prune`: the goal
 * is the state (no such secret), not the answer to one request.
 */
import type { SecretsStoreClient } from './cloudflare/client.js';
import { CloudflareError } from './cloudflare/errors.js';

/** The Cloudflare error code that covers not-found (and validation) in the Secrets Store. */
const NOT_FOUND_CODE = 1001;
const NOT_FOUND_MESSAGES = new Set(['secret_not_found', 'store_not_found']);

/**
 * True when `error` says the object is not there: a 404, or any 4xx whose errors carry code 1001
 * with `secret_not_found` / `store_not_found` (the API's status for not-found is undocumented).
 * The one place that decides "gone" for the engine.
 */
export function isGone(error: unknown): boolean {
  if (!(error instanceof CloudflareError) || error.status === undefined) return false;
  if (error.status === 404) return true;
  return (
    error.status >= 400 &&
    error.status < 500 &&
    error.errors.some((e) => e.code === NOT_FOUND_CODE && NOT_FOUND_MESSAGES.has(e.message))
  );
}

/**
 * Deletes secret `id`. Resolves when it is gone: deleted now, by an earlier attempt whose answer
 * was lost, or already missing (not-found, which is what GET answers after a delete). Throws the
 * delete's error when the secret may still be there.
 */
export async function deleteUntilGone(
  client: SecretsStoreClient,
  storeId: string,
  id: string,
): Promise<void> {
  try {
    await client.deleteSecret(storeId, id);
  } catch (error) {
    if (!(error instanceof CloudflareError)) throw error;
    if (isGone(error)) return;
    // Retries used up or time spent after a lost answer: the delete may have taken effect.
    if (error.ambiguous && (await lookedGone(client, storeId, id))) return;
    throw error;
  }
}

/** True when a GET shows the secret gone; false when it is there or the GET fails. */
async function lookedGone(
  client: SecretsStoreClient,
  storeId: string,
  id: string,
): Promise<boolean> {
  try {
    return (await client.getSecret(storeId, id)).status === 'deleted';
  } catch (error) {
    return isGone(error);
  }
}
