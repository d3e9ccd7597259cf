/**
 * SecretsStoreClient over real HTTP on 127.0.0.1, against the fake API, for the one failure
 * undici's MockAgent cannot stage: a status line and headers arrive, then the body breaks off.
 * Whether that is retried must follow the status, as for any other answer.
 */
import { Agent } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { SecretsStoreClient } from '../../src/cloudflare/client.js';
import { CloudflareError } from '../../src/cloudflare/errors.js';
import { ACCOUNT_ID, TOKEN } from '../helpers/credentials.js';
import { startFake, type SeededFake } from '../helpers/fake.js';
import { fakeClock, rejection } from '../helpers/mock-cloudflare.js';

let seeded: SeededFake | undefined;
let agent: Agent | undefined;

afterEach(async () => {
  await agent?.close();
  await seeded?.fake.close();
  agent = seeded = undefined;
});

/** A client of the fake with `maxRetries`, whose listing of the store breaks off after `status`. */
async function brokenListing(status: number, maxRetries: number) {
  seeded = await startFake();
  const path = `/accounts/${ACCOUNT_ID}/secrets_store/stores/${seeded.storeId}/secrets`;
  seeded.fake.addFault({
    method: 'GET',
    path,
    status,
    body: JSON.stringify({ success: false, errors: [{ code: 1000, message: 'no' }], result: null }),
    action: 'truncate',
    times: maxRetries + 1,
  });
  agent = new Agent();
  const client = new SecretsStoreClient({
    accountId: ACCOUNT_ID,
    credentials: { kind: 'token', token: TOKEN },
    baseUrl: seeded.fake.url,
    dispatcher: agent,
    maxRetries,
    clock: fakeClock(),
  });
  const storeId = seeded.storeId;
  const listings = () => seeded!.fake.requests.filter((r) => r.path === path).length;
  return { client, storeId, listings };
}

describe('a listing whose body broke off after the status', () => {
  // Mutant: retryDecision retrying an invalid-response whatever its status, as if it were a 5xx.
  it('after a 4xx, fails at once: not retried as if it were a 5xx', async () => {
    const { client, storeId, listings } = await brokenListing(403, 2);

    const error = await rejection(client.listSecrets(storeId), CloudflareError);

    expect(error.kind).toBe('invalid-response');
    expect(error.status).toBe(403);
    expect(error.message).toMatch(
      /^GET \S+\/secrets failed: HTTP 403 arrived but its body broke off \(/,
    );
    expect(listings()).toBe(1);
  });

  it('after a 5xx, is retried until the retries run out', async () => {
    const { client, storeId, listings } = await brokenListing(503, 2);

    const error = await rejection(client.listSecrets(storeId), CloudflareError);

    expect(error.kind).toBe('invalid-response');
    expect(error.status).toBe(503);
    expect(error.message).toMatch(/Not retried: the 2 retries allowed for this run are used up\.$/);
    expect(listings()).toBe(3);
  });
});
