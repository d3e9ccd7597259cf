/** A fake Cloudflare API seeded with one account, credentials of each kind and one store. */
import { formatProvenance, type Provenance } from '../../src/plan/provenance.js';
import { createFakeCloudflare, type FakeCloudflare } from '../fake-cloudflare/server.js';
import { ACCOUNT_ID, EMAIL, GLOBAL_KEY, READ_ONLY_TOKEN, TOKEN } from './credentials.js';

export type FakeOptions = Parameters<typeof createFakeCloudflare>[0];

export interface SeededFake {
  fake: FakeCloudflare;
  storeId: string;
  /** Secret ids by name. */
  ids: Record<string, string>;
  /** Inputs every run needs: account, token and the fake's URL. */
  inputs: Record<string, string>;
}

const SEEDED_SECRETS = [
  {
    name: 'DB_URL',
    scopes: ['workers'],
    comment: 'staging database',
    value: 'postgres://db-url-value',
  },
  {
    name: 'STRIPE_KEY',
    scopes: ['workers', 'ai_gateway'],
    comment: 'payments',
    value: 'sk_stripe_value',
  },
  { name: 'SESSION_SECRET', scopes: ['workers'], comment: 'cookies', value: 'session-value' },
];

/**
 * Starts a seeded fake held to the contract: its close() (in each test's afterEach or finally)
 * fails the test when an exchange broke test/contract/secrets-store.schema.yaml, unless the
 * test declared it with fake.expectViolations().
 */
export async function startFake(options: FakeOptions = {}): Promise<SeededFake> {
  const fake = await createFakeCloudflare({ strictContract: true, ...options });
  fake.addAccount(ACCOUNT_ID);
  fake.addToken(TOKEN, { accounts: [ACCOUNT_ID], permissions: ['read', 'write'] });
  fake.addToken(READ_ONLY_TOKEN, { accounts: [ACCOUNT_ID], permissions: ['read'] });
  fake.addGlobalKey(EMAIL, GLOBAL_KEY);
  const store = fake.addStore(ACCOUNT_ID, 'production');
  const ids: Record<string, string> = {};
  // Secrets that exist before a workflow run were made well before it, a minute apart so that
  // listings (newest first) have one order.
  const dayAgo = Date.now() - 86_400_000;
  SEEDED_SECRETS.forEach((seed, i) => {
    const created = new Date(dayAgo + i * 60_000).toISOString();
    ids[seed.name] = fake.addSecret(store.id, { ...seed, created }).id;
  });
  return {
    fake,
    storeId: store.id,
    ids,
    inputs: { 'account-id': ACCOUNT_ID, 'api-token': TOKEN, 'api-base-url': fake.url },
  };
}

/**
 * Inputs for one copy of DB_URL given entirely by ids, with scopes: the path that costs exactly
 * one request, so every other request a test sees comes from what it set up.
 */
export function copyByIds(
  seeded: SeededFake,
  extra: Record<string, string> = {},
): Record<string, string> {
  return {
    ...seeded.inputs,
    store: seeded.storeId,
    secret: seeded.ids.DB_URL!,
    name: 'DB_URL_PROD',
    scopes: 'workers',
    ...extra,
  };
}

/**
 * The provenance line a copy of `source` gets from a run with runAction's default environment
 * (test/helpers/run-action.js); `run` stands for another run of the workflow.
 */
export function runProvenance(source: Omit<Provenance, 'repository'>, run = 4242): string {
  return formatProvenance({
    repository: 'acme/web-app',
    event: 'workflow_dispatch',
    ref: 'main',
    runUrl: `https://github.com/acme/web-app/actions/runs/${run}`,
    attempt: '1',
    ...source,
  });
}

/** The API path of the seeded store's secrets, as the fake records it. */
export const secretsPathOf = (seeded: SeededFake) =>
  `/accounts/${ACCOUNT_ID}/secrets_store/stores/${seeded.storeId}/secrets`;

/** The store's live secrets named `name` (one, unless something went wrong). */
export const secretsNamed = (seeded: SeededFake, name: string) =>
  seeded.fake.listSecrets(seeded.storeId).filter((secret) => secret.name === name);

/** Inputs that promote DB_URL onto DB_URL_PRODUCTION with if-exists: replace. */
export function promotion(seeded: SeededFake, extra: Record<string, string> = {}) {
  return {
    ...seeded.inputs,
    secret: 'DB_URL',
    name: 'DB_URL_PRODUCTION',
    'if-exists': 'replace',
    ...extra,
  };
}

/** Adds a secret made an hour before the test (a target that exists before the run): its id. */
export function addOldSecret(
  seeded: SeededFake,
  name: string,
  extra: { value?: string; comment?: string; scopes?: string[] } = {},
): string {
  return seeded.fake.addSecret(seeded.storeId, {
    name,
    scopes: ['workers'],
    created: new Date(Date.now() - 3_600_000).toISOString(),
    ...extra,
  }).id;
}
