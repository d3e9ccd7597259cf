/**
 * A newcomer's first hour, tried as a new user would, through the bundled action against the
 * fake API: mistyped input names, a wrong account id, a full quota, a tag that needs
 * normalize-name, and a whole environment promoted by one pattern line.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ACCOUNT_ID } from '../helpers/credentials.js';
import { startFake, type FakeOptions, type SeededFake } from '../helpers/fake.js';
import { runAction } from '../helpers/action.js';

let seeded: SeededFake;

/** Each test gets a fresh fake; `withOptions` swaps it for one that plays something else. */
beforeEach(async () => {
  seeded = await startFake();
});
afterEach(() => seeded.fake.close());

async function withOptions(options: FakeOptions): Promise<void> {
  await seeded.fake.close();
  seeded = await startFake(options);
}

const SECRETS = () => `/accounts/${ACCOUNT_ID}/secrets_store/stores/${seeded.storeId}/secrets`;
const writes = () => seeded.fake.requests.filter((r) => r.method !== 'GET');
const listings = () =>
  seeded.fake.requests.filter((r) => r.method === 'GET' && r.path === SECRETS());
const names = () =>
  seeded.fake
    .listSecrets(seeded.storeId)
    .map((s) => s.name)
    .sort();

interface Entry {
  source: string;
  name: string;
  outcome: string;
  replaced: string | null;
}
const results = (outputs: Record<string, string>) =>
  JSON.parse(outputs['results'] ?? '[]') as Entry[];

describe('a mistyped input name', () => {
  it('`scope: workers` fails before any request, suggesting scopes', async () => {
    const result = await runAction({
      inputs: { ...seeded.inputs, secret: 'DB_URL', name: 'DB_URL_PROD', scope: 'workers' },
    });

    expect(result.code).toBe(1);
    expect(seeded.fake.requests).toHaveLength(0);
    expect(result.errors[0]).toBe(
      'Invalid inputs:\n' +
        '- unknown input "scope" (did you mean "scopes"?): this action has no input of that name, so the step would ignore it.\n' +
        '- The inputs of this action are: secret, name, secrets, normalize-name, scopes, comment, store, ' +
        'account-id, api-token, api-email, api-key, if-exists, dry-run, max-parallel, rollback-on-failure, ' +
        'keep-previous, wait-for-active, prune, prune-keep, max-retries, timeout-seconds, api-base-url.',
    );
  });

  it('`if_exists: skip` fails before any request, suggesting if-exists', async () => {
    const result = await runAction({
      inputs: { ...seeded.inputs, secret: 'DB_URL', name: 'STRIPE_KEY', if_exists: 'skip' },
    });

    expect(result.code).toBe(1);
    expect(seeded.fake.requests).toHaveLength(0);
    expect(result.errors[0]).toContain(
      '- unknown input "if_exists" (did you mean "if-exists"?): this action has no input of that ' +
        'name, so the step would ignore it. Input names are written with "-", not "_".',
    );
  });

  it('a list given to `secret` points to `secrets`, before any request', async () => {
    const result = await runAction({
      inputs: { ...seeded.inputs, secret: 'DB_URL => DB_URL_PROD\nSTRIPE_KEY => STRIPE_PROD' },
    });

    expect(result.code).toBe(1);
    expect(seeded.fake.requests).toHaveLength(0);
    expect(result.errors[0]).toBe(
      'Invalid input: secret holds a "=>", as a list does: a list of "SOURCE => TARGET" lines ' +
        'goes in the secrets input (with an s), without name.',
    );
  });
});

describe('a refused request says why', () => {
  it('a wrong account id (HTTP 403) names the account id first, not the token', async () => {
    const result = await runAction({
      inputs: {
        ...seeded.inputs,
        'account-id': 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa',
        secret: 'DB_URL',
        name: 'DB_URL_PROD',
      },
    });

    expect(result.code).toBe(1);
    expect(result.errors[0]).toMatch(/^GET \S+\/stores failed: HTTP 403: \[10000\]/);
    expect(result.errors[0]).toContain(
      'The account id is the likeliest cause: check first that it is the Account ID the ' +
        'Cloudflare dashboard shows for the account that holds the store.',
    );
    expect(result.errors[0]).not.toContain('Global API key');
  });

  it('a copy refused for the quota (HTTP 403) says quota and nothing of credentials', async () => {
    // Three secrets seeded, three allowed: the next copy is refused.
    await withOptions({ quota: 3, quotaStatus: 403 });

    const result = await runAction({
      inputs: { ...seeded.inputs, secret: 'DB_URL', name: 'DB_URL_PROD' },
    });

    expect(result.code).toBe(1);
    expect(result.errors[0]).toMatch(
      /duplicate failed: HTTP 403: \[\d+\] maximum_secrets_exceeded/,
    );
    expect(result.errors[0]).toContain(
      "Cloudflare refused it for the account's Secrets Store quota: delete secrets the account no longer needs",
    );
    expect(result.errors[0]).not.toMatch(/token|credential|permission|account id/i);
  });
});

describe('normalize-name', () => {
  it('maps straße-v1.2 to STRA_E_V1_2 by ASCII rules', async () => {
    const result = await runAction({
      inputs: {
        ...seeded.inputs,
        secret: 'DB_URL',
        name: 'straße-v1.2',
        'normalize-name': 'true',
      },
    });

    expect(result.code).toBe(0);
    expect(result.outputs['secret-name']).toBe('STRA_E_V1_2');
    expect(names()).toContain('STRA_E_V1_2');
  });

  it('a name refused for its white space points to normalize-name', async () => {
    const result = await runAction({
      inputs: { ...seeded.inputs, secret: 'DB_URL', name: 'API KEY v1.2' },
    });

    expect(result.code).toBe(1);
    expect(seeded.fake.requests).toHaveLength(0);
    expect(result.errors[0]).toContain('With normalize-name: true it would be "API_KEY_V1_2".');
  });
});

describe('a pattern line promotes a whole environment', () => {
  const STAGING = ['API_STAGING', 'DB_STAGING', 'MAIL_STAGING'];

  beforeEach(() => {
    for (const name of STAGING) {
      seeded.fake.addSecret(seeded.storeId, { name, scopes: ['workers'] });
    }
  });

  it('`*_STAGING => *_PRODUCTION` makes three copies with one listing, then replaces them', async () => {
    const inputs = { ...seeded.inputs, secrets: '*_STAGING => *_PRODUCTION' };

    const first = await runAction({ inputs });

    expect(first.code).toBe(0);
    expect(results(first.outputs).map((r) => [r.source, r.name, r.outcome])).toEqual([
      ['API_STAGING', 'API_PRODUCTION', 'created'],
      ['DB_STAGING', 'DB_PRODUCTION', 'created'],
      ['MAIL_STAGING', 'MAIL_PRODUCTION', 'created'],
    ]);
    expect(listings()).toHaveLength(1);
    expect(writes().map((r) => r.method)).toEqual(['POST', 'POST', 'POST']);
    expect(first.stdout).toContain('Duplicating "DB_STAGING"');

    const before = seeded.fake.requests.length;
    const again = await runAction({ inputs: { ...inputs, 'if-exists': 'replace' } });

    expect(again.code).toBe(0);
    expect(results(again.outputs).map((r) => [r.name, r.outcome])).toEqual([
      ['API_PRODUCTION', 'replaced'],
      ['DB_PRODUCTION', 'replaced'],
      ['MAIL_PRODUCTION', 'replaced'],
    ]);
    const secondRun = seeded.fake.requests.slice(before);
    expect(secondRun.filter((r) => r.method === 'GET' && r.path === SECRETS())).toHaveLength(1);
    expect(names().filter((n) => n.endsWith('_PRODUCTION'))).toHaveLength(3);
  });

  it('mixes with plain lines, and a dry run lists every expanded copy', async () => {
    const result = await runAction({
      inputs: {
        ...seeded.inputs,
        secrets: 'DB_URL => DB_URL_PRODUCTION\n*_STAGING => *_PRODUCTION',
        'dry-run': 'true',
      },
    });

    expect(result.code).toBe(0);
    expect(writes()).toEqual([]);
    expect(results(result.outputs).map((r) => [r.name, r.outcome])).toEqual([
      ['DB_URL_PRODUCTION', 'dry-run'],
      ['API_PRODUCTION', 'dry-run'],
      ['DB_PRODUCTION', 'dry-run'],
      ['MAIL_PRODUCTION', 'dry-run'],
    ]);
    for (const name of STAGING) {
      expect(result.stdout).toContain(`Would duplicate "${name}"`);
    }
  });

  it('a pattern that matches nothing fails before any write', async () => {
    const result = await runAction({
      inputs: { ...seeded.inputs, secrets: 'DB_URL => DB_URL_PRODUCTION\n*_QA => *_PRODUCTION' },
    });

    expect(result.code).toBe(1);
    expect(writes()).toEqual([]);
    expect(result.errors[0]).toBe(
      'Nothing was written: 1 of 2 lines cannot be copied.\n' +
        `- secrets line 2: "*_QA" matches no secret in store "production" (${seeded.storeId}) ` +
        '(names are matched whole and case-sensitive).',
    );
  });

  it('a name a pattern and a plain line both make is refused before any write', async () => {
    const result = await runAction({
      inputs: { ...seeded.inputs, secrets: '*_STAGING => *_PRODUCTION\nDB_URL => DB_PRODUCTION' },
    });

    expect(result.code).toBe(1);
    expect(writes()).toEqual([]);
    expect(result.errors[0]).toContain(
      '- secrets: TARGET "DB_PRODUCTION" is listed 2 times (lines 1, 2) ' +
        '(line 1 "*_STAGING => *_PRODUCTION" for "DB_STAGING", line 2 "DB_URL => DB_PRODUCTION"); ' +
        'each new name can be created once.',
    );
  });

  it('never takes a deleted secret as a source', async () => {
    await withOptions({ listDeleted: true });
    seeded.fake.addSecret(seeded.storeId, { name: 'API_STAGING' });
    seeded.fake.addSecret(seeded.storeId, { name: 'OLD_STAGING', status: 'deleted' });

    const result = await runAction({
      inputs: { ...seeded.inputs, secrets: '*_STAGING => *_PRODUCTION' },
    });

    expect(result.code).toBe(0);
    expect(results(result.outputs).map((r) => r.name)).toEqual(['API_PRODUCTION']);
  });
});
