/**
 * SecretsStoreClient, and executeCopy on it, over real HTTP on 127.0.0.1 against the fake API,
 * for the one failure undici's MockAgent cannot stage: a status line and headers arrive, then
 * the body breaks off. What follows must depend on the status, as for any other answer.
 */
import { Agent } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { SecretsStoreClient } from '../../src/cloudflare/client.js';
import { CloudflareError } from '../../src/cloudflare/errors.js';
import { executeCopy } from '../../src/copy/duplicate.js';
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

/**
 * The fake, seeded, and a client of it with `maxRetries`, whose `method` requests to `below`
 * (a path under the store, given the seeded fake) get `status` and then a body that breaks off.
 */
async function breaking(
  method: string,
  below: (seeded: SeededFake) => string,
  status: number,
  maxRetries: number,
) {
  const fake = await startFake();
  seeded = fake;
  const storePath = `/accounts/${ACCOUNT_ID}/secrets_store/stores/${fake.storeId}`;
  fake.fake.addFault({
    method,
    path: storePath + below(fake),
    status,
    body: JSON.stringify({ success: false, errors: [{ code: 1000, message: 'no' }], result: null }),
    action: 'truncate',
    times: maxRetries + 1,
  });
  agent = new Agent();
  const client = new SecretsStoreClient({
    accountId: ACCOUNT_ID,
    credentials: { kind: 'token', token: TOKEN },
    baseUrl: fake.fake.url,
    dispatcher: agent,
    maxRetries,
    clock: fakeClock(),
  });
  /** How many times the store's secrets were listed (searches included). */
  const listings = () =>
    fake.fake.requests.filter((r) => r.method === 'GET' && r.path === `${storePath}/secrets`)
      .length;
  return { client, seeded: fake, listings };
}

describe('a listing whose body broke off after the status', () => {
  // Mutant: retryDecision retrying an invalid-response whatever its status, as if it were a 5xx.
  it('after a 4xx, fails at once: not retried as if it were a 5xx', async () => {
    const { client, seeded, listings } = await breaking('GET', () => '/secrets', 403, 2);

    const error = await rejection(client.listSecrets(seeded.storeId), CloudflareError);

    expect(error.kind).toBe('invalid-response');
    expect(error.status).toBe(403);
    expect(error.message).toMatch(
      /^GET \S+\/secrets failed: HTTP 403 arrived but its body broke off \(/,
    );
    expect(listings()).toBe(1);
  });

  it('after a 5xx, is retried until the retries run out', async () => {
    const { client, seeded, listings } = await breaking('GET', () => '/secrets', 503, 2);

    const error = await rejection(client.listSecrets(seeded.storeId), CloudflareError);

    expect(error.kind).toBe('invalid-response');
    expect(error.status).toBe(503);
    expect(error.message).toMatch(/Not retried: the 2 retries allowed for this run are used up\.$/);
    expect(listings()).toBe(3);
  });
});

describe('a duplicate whose answer broke off after a 409', () => {
  // Maybe "name taken", but the body is lost: the write is ambiguous, so the name is looked up
  // once; the failure is not then taken for a conflict and looked up a second time.
  it('looks the name up once, and fails with the broken answer', async () => {
    const { client, seeded, listings } = await breaking(
      'POST',
      (fake) => `/secrets/${fake.ids.DB_URL}/duplicate`,
      409,
      0,
    );
    const source = seeded.ids.DB_URL!;

    const error = await rejection(
      executeCopy(
        client,
        { id: seeded.storeId },
        {
          sourceRef: source,
          sourceId: source,
          name: 'DB_URL_COPY',
          scopes: ['workers'],
        },
        { ifExists: 'fail', dryRun: false },
      ),
      CloudflareError,
    );

    expect(error.kind).toBe('invalid-response');
    expect(error.status).toBe(409);
    expect(error.message).toContain('No secret named "DB_URL_COPY" was created.');
    expect(listings()).toBe(1);
  });
});
