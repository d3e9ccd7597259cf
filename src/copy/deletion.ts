/**
 * Deleting a secret so that it is gone, for `if-exists: replace`, rollbacks and `prune`: the goal
 * is the state (no such secret), not the answer to one request.
 */
import type { SecretsStoreClient } from '../cloudflare/client.js';
import { CloudflareError, isNotFound } from '../cloudflare/errors.js';

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
    // A 404 is not-found for sure; another 4xx saying so is confirmed by looking.
    if (isNotFound(error) && (error.status === 404 || (await lookedGone(client, storeId, id)))) {
      return;
    }
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
    return isNotFound(error);
  }
}
