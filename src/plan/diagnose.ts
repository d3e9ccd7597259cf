/**
 * Cloudflare answers not-found alike for a wrong account, store or secret. When a call fails that
 * way, a few reads (made only on this failure path) find out which one is missing.
 */
import type { SecretsStoreClient } from '../cloudflare/client.js';
import { CloudflareError, isNotFound } from '../cloudflare/errors.js';
import { nameAndId } from '../shared/errors.js';

async function whatIsMissing(
  client: SecretsStoreClient,
  storeId: string,
  secretId?: string,
): Promise<string> {
  const accountHint =
    `Account ${client.accountId} was not found, or the credentials cannot see it: check account-id ` +
    "(Cloudflare dashboard, Workers & Pages, Account ID) and the token's account access.";
  try {
    const stores = await client.listStores();
    if (!stores.some((store) => store.id === storeId)) {
      const known = stores.map((s) => nameAndId(s.name, s.id)).join(', ') || 'none';
      return `Store ${storeId} is not in account ${client.accountId}; its stores: ${known}. Check the store input.`;
    }
    if (secretId === undefined) return '';
    // A deleted secret may still be returned; it is as missing as one never made.
    const secret = await client.getSecret(storeId, secretId);
    if (secret.status === 'deleted') return missingSecret(storeId, secretId, ' (it was deleted)');
    return '';
  } catch (error) {
    if (!(error instanceof CloudflareError) || !isNotFound(error)) return '';
    // listStores failing with 404 means the account; getSecret failing means the secret.
    if (error.path.endsWith('/stores')) return accountHint;
    return missingSecret(storeId, secretId ?? '', '');
  }
}

function missingSecret(storeId: string, secretId: string, why: string): string {
  return `Secret ${secretId} is not in store ${storeId}${why}. Check the secret input.`;
}

/** Runs `call`; a not-found from it is rethrown with the explanation of what is missing. */
export async function explainingNotFound<T>(
  client: SecretsStoreClient,
  storeId: string,
  secretId: string | undefined,
  call: () => Promise<T>,
): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (error instanceof CloudflareError && isNotFound(error)) {
      const explanation = await whatIsMissing(client, storeId, secretId);
      if (explanation) throw error.withHint(explanation);
    }
    throw error;
  }
}
