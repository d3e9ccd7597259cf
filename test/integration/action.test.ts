/**
 * The bundled action, run as the runner runs it, against the fake Cloudflare API on 127.0.0.1:
 * outputs, the exact requests, the job summary, and what is printed.
 */
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  ACCOUNT_ID,
  EMAIL,
  GLOBAL_KEY,
  INVALID_TOKEN,
  READ_ONLY_TOKEN,
  TOKEN,
} from '../helpers/credentials.js';
import { copyByIds, runProvenance, startFake, type SeededFake } from '../helpers/fake.js';
import { runAction } from '../helpers/action.js';

let seeded: SeededFake;

beforeEach(async () => {
  seeded = await startFake();
});

afterEach(async () => {
  await seeded.fake.close();
});

const secretsPath = () => `/accounts/${ACCOUNT_ID}/secrets_store/stores/${seeded.storeId}/secrets`;
const requestLines = () => seeded.fake.requests.map((r) => `${r.method} ${r.path}`);
const writes = () => seeded.fake.requests.filter((r) => r.method !== 'GET');

describe('happy path', () => {
  it('sends exactly one request when ids and scopes are given, and outputs the new secret', async () => {
    const result = await runAction({
      inputs: copyByIds(seeded, { scopes: 'workers, ai_gateway' }),
    });

    expect(result.code).toBe(0);
    expect(seeded.fake.requests).toHaveLength(1);
    const [request] = seeded.fake.requests;
    expect(request!.method).toBe('POST');
    expect(request!.path).toBe(`${secretsPath()}/${seeded.ids.DB_URL}/duplicate`);
    // The provenance line, as docs/provenance.md documents it; the source was given by id alone.
    const provenance =
      `[secrets-store-duplicate] source-id=${seeded.ids.DB_URL} repo=acme/web-app ` +
      'event=workflow_dispatch ref=main run=https://github.com/acme/web-app/actions/runs/4242 attempt=1';
    expect(request!.body).toEqual({
      name: 'DB_URL_PROD',
      scopes: ['workers', 'ai_gateway'],
      comment: provenance,
    });
    expect(request!.headers['authorization']).toBe(`Bearer ${TOKEN}`);
    expect(request!.headers['content-type']).toBe('application/json');
    expect(request!.headers['x-auth-key']).toBeUndefined();

    const created = seeded.fake.listSecrets(seeded.storeId).find((s) => s.name === 'DB_URL_PROD')!;
    expect(seeded.fake.secretValue(created.id)).toBe('postgres://db-url-value');
    expect(result.outputs).toEqual({
      'secret-id': created.id,
      'secret-name': 'DB_URL_PROD',
      'store-id': seeded.storeId,
      'source-secret-id': seeded.ids.DB_URL,
      'replaced-secret-id': '',
      'previous-secret-id': '',
      pruned: '[]',
      status: 'pending',
      // As Cloudflare answered: sorted, whatever order was sent.
      scopes: 'ai_gateway,workers',
      created: created.created,
      outcome: 'created',
      result: JSON.stringify({
        id: created.id,
        name: 'DB_URL_PROD',
        status: 'pending',
        store_id: seeded.storeId,
        created: created.created,
        modified: created.modified,
        comment: provenance,
        scopes: ['ai_gateway', 'workers'],
      }),
      'secret-ids': JSON.stringify({ DB_URL_PROD: created.id }),
      results: JSON.stringify([
        {
          source: seeded.ids.DB_URL,
          name: 'DB_URL_PROD',
          id: created.id,
          outcome: 'created',
          replaced: null,
          previous: null,
          error: null,
        },
      ]),
    });
  });

  it('resolves names and the only store with one listing each, copying the source scopes', async () => {
    const result = await runAction({
      inputs: {
        ...seeded.inputs,
        secret: 'STRIPE_KEY',
        name: 'STRIPE_KEY_V2',
        comment: 'release v2',
      },
    });

    expect(result.code).toBe(0);
    expect(requestLines()).toEqual([
      `GET /accounts/${ACCOUNT_ID}/secrets_store/stores`,
      `GET ${secretsPath()}`,
      `POST ${secretsPath()}/${seeded.ids.STRIPE_KEY}/duplicate`,
    ]);
    // The source's scopes as Cloudflare lists them (sorted).
    expect(writes()[0]!.body).toEqual({
      name: 'STRIPE_KEY_V2',
      scopes: ['ai_gateway', 'workers'],
      comment: `release v2\n${runProvenance({ sourceName: 'STRIPE_KEY', sourceId: seeded.ids.STRIPE_KEY! })}`,
    });
    expect(result.outputs['outcome']).toBe('created');
    expect(result.outputs['scopes']).toBe('ai_gateway,workers');
    expect(result.outputs['source-secret-id']).toBe(seeded.ids.STRIPE_KEY);
    expect(result.stdout).toContain('Store: "production"');
  });

  it('fetches only the source secret when its id is given without scopes', async () => {
    const result = await runAction({
      inputs: {
        ...seeded.inputs,
        store: seeded.storeId,
        secret: seeded.ids.STRIPE_KEY!,
        name: 'COPY',
      },
    });

    expect(result.code).toBe(0);
    expect(requestLines()).toEqual([
      `GET ${secretsPath()}/${seeded.ids.STRIPE_KEY}`,
      `POST ${secretsPath()}/${seeded.ids.STRIPE_KEY}/duplicate`,
    ]);
    expect(writes()[0]!.body).toEqual({
      name: 'COPY',
      scopes: ['ai_gateway', 'workers'],
      comment: runProvenance({ sourceName: 'STRIPE_KEY', sourceId: seeded.ids.STRIPE_KEY! }),
    });
  });

  it('follows pagination when the server caps per_page', async () => {
    const small = await startFake({ maxPerPage: 2 });
    try {
      for (let i = 0; i < 5; i++) small.fake.addSecret(small.storeId, { name: `FILLER_${i}` });
      small.fake.addSecret(small.storeId, { name: 'LAST_ONE', scopes: ['dex'] });
      const result = await runAction({
        inputs: { ...small.inputs, secret: 'LAST_ONE', name: 'LAST_ONE_COPY' },
      });
      expect(result.code).toBe(0);
      const listings = small.fake.requests.filter((r) => r.path.endsWith('/secrets'));
      expect(listings.map((r) => r.query['page'])).toEqual(['1', '2', '3', '4', '5']);
      expect(result.outputs['scopes']).toBe('dex');
    } finally {
      await small.fake.close();
    }
  });

  it('accepts credentials and account from the environment, and the Global API key pair', async () => {
    const fromEnv = await runAction({
      inputs: { 'api-base-url': seeded.fake.url, secret: 'DB_URL', name: 'FROM_ENV' },
      env: { CLOUDFLARE_ACCOUNT_ID: ACCOUNT_ID, CLOUDFLARE_API_TOKEN: TOKEN },
    });
    expect(fromEnv.code).toBe(0);
    expect(seeded.fake.requests.at(-1)!.headers['authorization']).toBe(`Bearer ${TOKEN}`);

    const globalKey = await runAction({
      inputs: {
        'account-id': ACCOUNT_ID,
        'api-base-url': seeded.fake.url,
        'api-email': EMAIL,
        'api-key': GLOBAL_KEY,
        secret: 'DB_URL',
        name: 'WITH_KEY',
      },
    });
    expect(globalKey.code).toBe(0);
    const last = seeded.fake.requests.at(-1)!;
    expect(last.headers['x-auth-email']).toBe(EMAIL);
    expect(last.headers['x-auth-key']).toBe(GLOBAL_KEY);
    expect(last.headers['authorization']).toBeUndefined();
    // Every credential is masked before anything else is printed.
    const firstLines = globalKey.stdout.split('\n').slice(0, 2);
    expect(firstLines).toEqual([`::add-mask::${GLOBAL_KEY}`, `::add-mask::${EMAIL}`]);
  });

  it('writes a job summary with the copy and where it was triggered from', async () => {
    const result = await runAction({
      inputs: { ...seeded.inputs, secret: 'DB_URL', name: 'DB_URL_V1_2_0' },
      eventName: 'release',
      event: { release: { tag_name: 'v1.2.0' }, repository: { full_name: 'acme/web-app' } },
    });
    expect(result.code).toBe(0);
    const id = result.outputs['secret-id'];
    expect(result.summary).toContain('## Secrets Store duplicate');
    expect(result.summary).toContain(
      `| DB\\_URL (\`${seeded.ids.DB_URL}\`) → DB\\_URL\\_V1\\_2\\_0 | \`${id}\` | workers | pending | production | created |`,
    );
    expect(result.summary).toContain('**Repository:** acme/web-app');
    expect(result.summary).toContain('**Event:** release');
    expect(result.summary).toContain('**From:** release v1\\.2\\.0');
    expect(result.summary).toContain('https://github.com/acme/web-app/actions/runs/4242');
  });

  it('only warns when the job summary cannot be written: the secret is still copied', async () => {
    const cases = [
      { env: { GITHUB_STEP_SUMMARY: '' }, reason: 'GITHUB_STEP_SUMMARY' },
      // A directory where the file should be: the append fails.
      { env: { GITHUB_STEP_SUMMARY: tmpdir() }, reason: 'EISDIR' },
    ];
    for (const [i, { env, reason }] of cases.entries()) {
      const result = await runAction({
        inputs: { ...seeded.inputs, secret: 'DB_URL', name: `NO_SUMMARY_${i}` },
        env,
      });
      expect(result.code).toBe(0);
      expect(result.outputs.outcome).toBe('created');
      expect(result.warnings).toEqual([
        expect.stringMatching(new RegExp(`^Could not write the job summary: .*${reason}`)),
      ]);
    }
  });

  it('names the environment of a deployment in the summary', async () => {
    const result = await runAction({
      inputs: { ...seeded.inputs, secret: 'DB_URL', name: 'DB_URL_PRODUCTION' },
      eventName: 'deployment',
      event: { deployment: { environment: 'production' } },
    });
    expect(result.code).toBe(0);
    expect(result.summary).toContain('**From:** environment production');
  });

  it('prints request-level debug lines only in debug mode, without credentials', async () => {
    const quiet = await runAction({
      inputs: { ...seeded.inputs, secret: 'DB_URL', name: 'QUIET' },
    });
    expect(quiet.stdout).not.toContain('::debug::');

    const debug = await runAction({
      inputs: { ...seeded.inputs, secret: 'DB_URL', name: 'LOUD' },
      env: { RUNNER_DEBUG: '1' },
    });
    expect(debug.code).toBe(0);
    expect(debug.stdout).toMatch(
      new RegExp(
        `::debug::POST ${secretsPath()}/${seeded.ids.DB_URL}/duplicate \\(attempt 1\\) → HTTP 200 in \\d+ ms`,
      ),
    );
    expect(debug.stdout).toMatch(
      /::debug::GET \/accounts\/\w+\/secrets_store\/stores \(attempt 1\) → HTTP 200/,
    );
  });
});

describe('if-exists and dry-run', () => {
  it('fails before writing when a listed name is taken, naming the existing secret', async () => {
    const result = await runAction({
      inputs: { ...seeded.inputs, secret: 'DB_URL', name: 'STRIPE_KEY' },
    });
    expect(result.code).toBe(1);
    expect(result.errors).toEqual([
      `A secret named "STRIPE_KEY" already exists in store "production" (${seeded.storeId}), with id ${seeded.ids.STRIPE_KEY}. ` +
        'Set if-exists: skip to use the existing secret, if-exists: replace to replace it, or choose another name.',
    ]);
    expect(writes()).toHaveLength(0);
  });

  it('detects a conflict from the duplicate itself by looking the name up, not by error code', async () => {
    const result = await runAction({
      inputs: copyByIds(seeded, { name: 'SESSION_SECRET' }),
    });
    expect(result.code).toBe(1);
    expect(result.errors[0]).toContain(
      `already exists in store ${seeded.storeId}, with id ${seeded.ids.SESSION_SECRET}`,
    );
    expect(result.errors[0]).toContain('if-exists: skip');
    expect(seeded.fake.listSecrets(seeded.storeId)).toHaveLength(3);
  });

  it('recognises the conflict whatever 4xx Cloudflare uses for it', async () => {
    const strict = await startFake({ conflictStatus: 400, conflictMessage: 'name: invalid' });
    try {
      const result = await runAction({
        inputs: copyByIds(strict, { name: 'STRIPE_KEY', 'if-exists': 'skip' }),
      });
      expect(result.code).toBe(0);
      expect(result.outputs['outcome']).toBe('existing');
      expect(result.outputs['secret-id']).toBe(strict.ids.STRIPE_KEY);
    } finally {
      await strict.fake.close();
    }
  });

  it('skips an existing name, outputs it, and warns when its scopes differ', async () => {
    const result = await runAction({
      inputs: copyByIds(seeded, { name: 'STRIPE_KEY', 'if-exists': 'skip' }),
    });
    expect(result.code).toBe(0);
    expect(result.outputs['outcome']).toBe('existing');
    expect(result.outputs['secret-id']).toBe(seeded.ids.STRIPE_KEY);
    expect(result.outputs['scopes']).toBe('ai_gateway,workers');
    expect(result.warnings).toEqual([
      `Secret "STRIPE_KEY" (${seeded.ids.STRIPE_KEY}) already exists in store ${seeded.storeId} with scopes [ai_gateway, workers], ` +
        'not the requested [workers]; it was left as it is (if-exists: skip).',
    ]);
    expect(seeded.fake.listSecrets(seeded.storeId)).toHaveLength(3);
  });

  it('skips without a warning when the existing scopes match', async () => {
    const result = await runAction({
      inputs: { ...seeded.inputs, secret: 'DB_URL', name: 'SESSION_SECRET', 'if-exists': 'skip' },
    });
    expect(result.code).toBe(0);
    expect(result.outputs['outcome']).toBe('existing');
    expect(result.warnings).toEqual([]);
    expect(writes()).toHaveLength(0);
  });

  it('dry-run checks store, source and name, reports the plan and writes nothing', async () => {
    const result = await runAction({
      inputs: {
        ...seeded.inputs,
        store: seeded.storeId,
        secret: seeded.ids.DB_URL!,
        name: 'DB_URL_PROD',
        scopes: 'workers',
        'dry-run': 'true',
      },
    });
    expect(result.code).toBe(0);
    expect(requestLines()).toEqual([`GET ${secretsPath()}`]);
    expect(result.outputs).toMatchObject({
      'secret-id': '',
      'secret-name': 'DB_URL_PROD',
      'source-secret-id': seeded.ids.DB_URL,
      status: '',
      created: '',
      result: '',
      outcome: 'dry-run',
      scopes: 'workers',
    });
    expect(result.summary).toContain('(dry run)');
    expect(result.stdout).toContain('Dry run: "DB_URL_PROD" can be created; nothing written.');
  });

  it('dry-run fails on a taken name and on a missing source', async () => {
    const taken = await runAction({
      inputs: { ...seeded.inputs, secret: 'DB_URL', name: 'STRIPE_KEY', 'dry-run': 'True' },
    });
    expect(taken.code).toBe(1);
    expect(taken.errors[0]).toContain('A secret named "STRIPE_KEY" already exists');

    const missing = await runAction({
      inputs: {
        ...seeded.inputs,
        secret: 'ffffffffffffffffffffffffffffffff',
        name: 'NEW',
        'dry-run': 'TRUE',
      },
    });
    expect(missing.code).toBe(1);
    expect(missing.errors[0]).toContain(
      'No secret with id ffffffffffffffffffffffffffffffff in store "production"',
    );
    expect(writes()).toHaveLength(0);
  });
});

describe('lookups', () => {
  it('matches names exactly although the API search is a substring match', async () => {
    const result = await runAction({ inputs: { ...seeded.inputs, secret: 'DB', name: 'DB_COPY' } });
    expect(result.code).toBe(1);
    expect(result.errors[0]).toContain('No secret named "DB" in store "production"');
    expect(writes()).toHaveLength(0);
  });

  it('lists the stores when there are several and none is named', async () => {
    const other = seeded.fake.addStore(ACCOUNT_ID, 'staging');
    const result = await runAction({ inputs: { ...seeded.inputs, secret: 'DB_URL', name: 'X' } });
    expect(result.code).toBe(1);
    expect(result.errors[0]).toBe(
      `Account ${ACCOUNT_ID} has 2 stores; set the store input to one of them. ` +
        // In the listing's order: the newest first.
        `Stores in this account: "staging" (${other.id}), "production" (${seeded.storeId}).`,
    );
    expect(requestLines()).toEqual([`GET /accounts/${ACCOUNT_ID}/secrets_store/stores`]);
  });

  it('finds a store by exact name, and says which stores exist when the name is wrong', async () => {
    const staging = seeded.fake.addStore(ACCOUNT_ID, 'staging');
    seeded.fake.addSecret(staging.id, { name: 'ONLY_IN_STAGING', scopes: ['access'] });
    const ok = await runAction({
      inputs: { ...seeded.inputs, store: 'staging', secret: 'ONLY_IN_STAGING', name: 'COPY' },
    });
    expect(ok.code).toBe(0);
    expect(ok.outputs['store-id']).toBe(staging.id);

    const wrong = await runAction({
      inputs: { ...seeded.inputs, store: 'prod', secret: 'DB_URL', name: 'X' },
    });
    expect(wrong.code).toBe(1);
    expect(wrong.errors[0]).toContain(`No store named "prod" in account ${ACCOUNT_ID}.`);
    expect(wrong.errors[0]).toContain(`"production" (${seeded.storeId})`);
  });

  it('fails clearly when the account has no store', async () => {
    const empty = await startFake();
    try {
      const account = 'abcdefabcdefabcdefabcdefabcdef12';
      empty.fake.addAccount(account);
      const result = await runAction({
        inputs: {
          'api-base-url': empty.fake.url,
          'account-id': account,
          'api-email': EMAIL,
          'api-key': GLOBAL_KEY,
          secret: 'DB_URL',
          name: 'X',
        },
      });
      expect(result.code).toBe(1);
      expect(result.errors[0]).toContain(`Account ${account} has no Secrets Store yet.`);
    } finally {
      await empty.fake.close();
    }
  });
});

describe('Cloudflare errors', () => {
  it('reports 401 with the status, Cloudflare code and the permission the token needs', async () => {
    const result = await runAction({
      inputs: {
        ...seeded.inputs,
        'api-token': INVALID_TOKEN,
        store: seeded.storeId,
        secret: seeded.ids.DB_URL!,
        name: 'X',
        scopes: 'workers',
      },
    });
    expect(result.code).toBe(1);
    expect(result.errors[0]).toContain('HTTP 401: [10000] Authentication error');
    expect(result.errors[0]).toContain('"Secrets Store Write" permission');
  });

  it('reports 403 for a read-only token', async () => {
    const result = await runAction({
      inputs: { ...seeded.inputs, 'api-token': READ_ONLY_TOKEN, secret: 'DB_URL', name: 'X' },
    });
    expect(result.code).toBe(1);
    expect(result.errors[0]).toMatch(/POST \S+\/duplicate failed: HTTP 403: \[10000\]/);
    expect(result.errors[0]).toContain('"Secrets Store Write" permission');
    expect(seeded.fake.listSecrets(seeded.storeId)).toHaveLength(3);
  });

  it('says which of account, store or secret was not found on a 404', async () => {
    const base = { ...seeded.inputs, name: 'X', scopes: 'workers' };
    const missingSecret = await runAction({
      inputs: { ...base, store: seeded.storeId, secret: 'eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee' },
    });
    expect(missingSecret.code).toBe(1);
    expect(missingSecret.errors[0]).toContain('HTTP 404');
    expect(missingSecret.errors[0]).toContain(
      `Secret eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee is not in store ${seeded.storeId}. Check the secret input.`,
    );

    const missingStore = await runAction({
      inputs: { ...base, store: 'dddddddddddddddddddddddddddddddd', secret: seeded.ids.DB_URL! },
    });
    expect(missingStore.errors[0]).toContain(
      `Store dddddddddddddddddddddddddddddddd is not in account ${ACCOUNT_ID}; its stores: "production" (${seeded.storeId}).`,
    );

    const missingAccount = await runAction({
      inputs: {
        ...base,
        // The Global API key sees every account, so Cloudflare answers 404 rather than 403.
        'api-token': '',
        'api-email': EMAIL,
        'api-key': GLOBAL_KEY,
        'account-id': 'cccccccccccccccccccccccccccccccc',
        store: seeded.storeId,
        secret: seeded.ids.DB_URL!,
      },
    });
    expect(missingAccount.code).toBe(1);
    expect(missingAccount.errors[0]).toContain(
      'Account cccccccccccccccccccccccccccccccc was not found',
    );
  });

  it('prints no stack trace for an expected failure', async () => {
    const result = await runAction({ inputs: { ...seeded.inputs, secret: 'MISSING', name: 'X' } });
    expect(result.code).toBe(1);
    expect(result.stdout + result.stderr).not.toMatch(/\n\s+at /);
  });
});

describe('bad input fails before any request', () => {
  const cases: Array<[string, Record<string, string>, string]> = [
    [
      'account-id not 32 hex',
      { 'account-id': 'acme' },
      'account-id must be a Cloudflare account id: 32 hexadecimal characters (got "acme").',
    ],
    ['empty name', { name: '' }, 'name is required'],
    [
      'name with white space',
      { name: 'MY KEY' },
      'name must not contain white space (got "MY KEY")',
    ],
    ['empty scopes list', { scopes: ' , \n ,' }, 'scopes lists no scope'],
    [
      'unknown if-exists',
      { 'if-exists': 'overwrite' },
      'if-exists must be "fail", "skip" or "replace" (got "overwrite").',
    ],
    ['non-boolean dry-run', { 'dry-run': 'yes' }, 'dry-run must be a YAML 1.2 boolean'],
    [
      'http base URL off loopback',
      { 'api-base-url': 'http://api.example.com/client/v4' },
      'api-base-url uses http:// with host "api.example.com"',
    ],
    ['no credentials', { 'api-token': '' }, 'No Cloudflare credentials'],
    [
      'email without key',
      { 'api-token': '', 'api-email': EMAIL },
      'api-email is set but api-key is not',
    ],
    [
      'max-retries out of range',
      { 'max-retries': '11' },
      'max-retries must be a whole number from 0 to 10 (got "11").',
    ],
    [
      'timeout-seconds not a number',
      { 'timeout-seconds': '2m' },
      'timeout-seconds must be a whole number from 1 to 3600 (got "2m").',
    ],
  ];

  it.each(cases)('%s', async (_label, override, message) => {
    const result = await runAction({
      inputs: { ...seeded.inputs, secret: 'DB_URL', name: 'NEW_NAME', ...override },
    });
    expect(result.code).toBe(1);
    expect(result.errors).toHaveLength(1);
    expect(result.errors[0]).toContain(message);
    expect(seeded.fake.requests).toHaveLength(0);
  });

  it('lists every bad input at once', async () => {
    const result = await runAction({
      inputs: { ...seeded.inputs, name: 'A B', 'dry-run': 'maybe', 'if-exists': 'overwrite' },
    });
    expect(result.code).toBe(1);
    expect(result.errors[0]!.split('\n')).toHaveLength(5);
    expect(result.errors[0]).toMatch(/^Invalid inputs:\n- secret is required/);
  });

  it('warns about an unknown scope with the known ones and the nearest, and passes it through', async () => {
    // Off the contract on purpose: the action passes a scope it does not know to Cloudflare.
    seeded.fake.expectViolations(/\/duplicate: request body \/scopes\/1: .*\(enum\)$/);
    const result = await runAction({
      inputs: { ...seeded.inputs, secret: 'DB_URL', name: 'NEW', scopes: 'workers\nai-gateway' },
    });
    expect(result.warnings).toEqual([
      'scopes: "ai-gateway" (did you mean "ai_gateway"?) is not a known scope; passing it to Cloudflare as given. ' +
        'Known scopes: workers, ai_gateway, dex, access, containers, websearch.',
    ]);
    expect(writes()[0]!.body).toMatchObject({ name: 'NEW', scopes: ['workers', 'ai-gateway'] });
    // Cloudflare, not the action, refuses a scope it does not know; the step says what it said.
    expect(result.code).toBe(1);
    expect(result.errors[0]).toContain('HTTP 400');
    expect(result.errors[0]).toContain('[1001] secret_scope_invalid');
  });

  it('copies with a scope Cloudflare knows and the action does not yet, after a warning', async () => {
    const newer = await startFake({ knownScopes: ['workers', 'ai_gateway', 'vectorize'] });
    try {
      const result = await runAction({
        inputs: copyByIds(newer, { name: 'NEW', scopes: 'workers\nvectorize' }),
      });
      expect(result.code).toBe(0);
      expect(result.warnings).toHaveLength(1);
      expect(result.warnings[0]).toMatch(/^scopes: "vectorize" .*is not a known scope/);
      expect(result.outputs['scopes']).toBe('vectorize,workers');
    } finally {
      await newer.fake.close();
    }
  });
});

describe('runtime', () => {
  it('runs on the Node the suite was asked for (ACTION_NODE, else this one)', async () => {
    const node = process.env.ACTION_NODE ?? process.execPath;
    const version = execFileSync(node, ['--version'], { encoding: 'utf8' }).trim();
    const printer = fileURLToPath(new URL('../helpers/print-version.cjs', import.meta.url));
    const result = await runAction({
      inputs: { ...seeded.inputs, secret: 'DB_URL', name: 'RUNTIME' },
      env: { NODE_OPTIONS: `--require ${printer}` },
    });
    expect(result.code).toBe(0);
    expect(result.stderr).toContain(`action ran on node ${version}\n`);
    expect(result.stderr.replace(`action ran on node ${version}\n`, '')).toBe('');
  });
});
