/**
 * `npm run contract` (script/contract.js) as a maintainer runs it: pointed by CLOUDFLARE_* at an
 * API started apart from it, here the fake on 127.0.0.1. It passes against the fake, cleans up
 * after itself even when a check fails, touches nothing else, and refuses to start when the
 * account has no room or no single store.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { createFakeCloudflare, type FakeOptions } from '../fake-cloudflare/server.js';
import { ACCOUNT_ID, TOKEN } from '../helpers/credentials.js';
import { UNKNOWN_SCOPE } from './harness.js';

const SCRIPT = fileURLToPath(new URL('../../script/contract.js', import.meta.url));
const CLI = fileURLToPath(new URL('../fake-cloudflare/cli.js', import.meta.url));
const ROOT = fileURLToPath(new URL('../..', import.meta.url));

interface Recording {
  checks: { name: string; result: string; note?: string }[];
  cleanup: { deleted: number; left: string[] };
}

/** Runs `npm run contract -- --record FILE` with only these CLOUDFLARE_* variables. */
async function runContract(cloudflare: Record<string, string>) {
  const env: NodeJS.ProcessEnv = { NO_COLOR: '1' };
  for (const [name, value] of Object.entries(process.env)) {
    if (!/^(CLOUDFLARE_|CONTRACT_|VITEST|NODE_OPTIONS)/.test(name)) env[name] = value;
  }
  const dir = mkdtempSync(join(tmpdir(), 'contract-run-'));
  try {
    const record = join(dir, 'recording.json');
    const child = spawn(process.execPath, [SCRIPT, '--record', record], {
      cwd: ROOT,
      env: { ...env, ...cloudflare },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    const prefix = /run prefix (CONTRACT_\w+)/.exec(output)?.[1];
    let recording: Recording | undefined;
    try {
      recording = JSON.parse(readFileSync(record, 'utf8')) as Recording;
    } catch {
      recording = undefined;
    }
    return { code, output, prefix, recording };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const resultsOf = (recording: Recording | undefined) =>
  Object.fromEntries((recording?.checks ?? []).map((c) => [c.name, c.result]));

// Each test starts vitest once more, in a child: slow on a busy machine, hence the timeout.
describe('npm run contract against a separately started fake', { timeout: 120_000 }, () => {
  it('passes against cli.js, skips only what the fake alone can play, and leaves only what was there', async () => {
    const cli = spawn(process.execPath, [CLI, '--activate-after-ms', '100'], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    try {
      const line = await new Promise<string>((resolve, reject) => {
        createInterface({ input: cli.stdout! }).once('line', resolve);
        cli.once('exit', () => reject(new Error('cli.js exited before printing')));
      });
      const info = JSON.parse(line) as {
        url: string;
        accountId: string;
        storeId: string;
        token: string;
        secrets: Record<string, string>;
      };

      const run = await runContract({
        CLOUDFLARE_API_BASE_URL: info.url,
        CLOUDFLARE_ACCOUNT_ID: info.accountId,
        CLOUDFLARE_API_TOKEN: info.token,
      });

      expect(run.code, run.output).toBe(0);
      const results = Object.values(resultsOf(run.recording));
      expect(results).toHaveLength(12);
      expect(results.filter((r) => r === 'passed')).toHaveLength(11);
      // cli.js sends total_pages, so the check without it is the fake's alone.
      expect(run.recording!.checks.find((c) => c.result === 'skipped')!.name).toMatch(
        /without total_pages$/,
      );
      expect(run.recording!.cleanup.left).toEqual([]);
      expect(run.prefix).toMatch(/^CONTRACT_\d{14}_[0-9A-F]{8}_$/);

      const response = await fetch(
        `${info.url}/accounts/${info.accountId}/secrets_store/stores/${info.storeId}/secrets?per_page=100`,
        { headers: { authorization: `Bearer ${info.token}` } },
      );
      const left = ((await response.json()) as { result: { id: string; name: string }[] }).result;
      expect(Object.fromEntries(left.map((s) => [s.name, s.id]))).toEqual(info.secrets);
    } finally {
      cli.kill('SIGTERM');
    }
  });

  it('deletes what it made, and nothing else, also after failing checks', async () => {
    // A fake that knows the suite's made-up scope: that check fails, and its copy exists.
    await withFake({ knownScopes: ['workers', 'ai_gateway', UNKNOWN_SCOPE] }, async (seeded) => {
      // The first copy is made but its answer is lost: only the run's prefix can find it.
      seeded.fake.addFault({ method: 'POST', path: /\/duplicate$/, action: 'commit-then-drop' });
      // A second store, with a secret of the same name as the run's would-be copy's prefix.
      const other = seeded.fake.addStore(ACCOUNT_ID, 'staging');
      const elsewhere = seeded.fake.addSecret(other.id, { name: 'CONTRACT_OTHER_STORE' });
      const run = await runContract({ ...seeded.env, CLOUDFLARE_STORE_ID: seeded.storeId });

      expect(run.code).toBe(1);
      expect(resultsOf(run.recording)).toMatchObject({
        'a duplicate copies the value server-side into a new secret with the requested name, scopes (as a set) and comment':
          'failed',
        'an unknown scope is refused with a 4xx and creates nothing': 'failed',
        'a missing secret and a missing store both answer not-found (a 404, or a 4xx saying secret_not_found or store_not_found), and the store listing tells them apart':
          'passed',
      });
      const made = seeded.fake.requests.filter((r) => r.method === 'POST' && r.status === 200);
      expect(made.length).toBeGreaterThan(9);
      expect(run.recording!.cleanup.left).toEqual([]);
      const secrets = seeded.fake.listSecrets(seeded.storeId);
      expect(secrets.filter((s) => s.name.startsWith(run.prefix!))).toEqual([]);
      expect(secrets).toEqual([seeded.bystander]);
      expect(seeded.fake.listSecrets(other.id)).toEqual([elsewhere]);
      // Every DELETE went to a secret of this run.
      const deletes = seeded.fake.requests.filter((r) => r.method === 'DELETE');
      expect(deletes.length).toBeGreaterThan(0);
      expect(deletes.map((r) => r.path)).not.toContainEqual(
        expect.stringContaining(seeded.bystander.id),
      );
    });
  });

  it('refuses to start when the account has no room for its secrets, making none', async () => {
    await withFake({ quota: 5 }, async (seeded) => {
      const run = await runContract(seeded.env);

      expect(run.code).toBe(1);
      expect(run.output).toContain(
        'Refusing to run: the account holds 1 of its 5 secrets, and the suite needs room for 13 more.',
      );
      expect(seeded.fake.requests.filter((r) => r.method !== 'GET')).toEqual([]);
    });
  });

  it('refuses to pick one of several stores', async () => {
    await withFake({}, async (seeded) => {
      seeded.fake.addStore(ACCOUNT_ID, 'second');
      const run = await runContract(seeded.env);
      expect(run.code).toBe(1);
      expect(run.output).toContain(
        'The account has 2 stores; set CLOUDFLARE_STORE_ID to the one the suite may use.',
      );
      expect(seeded.fake.requests.filter((r) => r.method !== 'GET')).toEqual([]);
    });
  });
});

/** A fake on 127.0.0.1 with one store and one secret that is not the suite's. */
async function withFake(
  options: FakeOptions,
  fn: (seeded: {
    fake: Awaited<ReturnType<typeof createFakeCloudflare>>;
    storeId: string;
    bystander: ReturnType<Awaited<ReturnType<typeof createFakeCloudflare>>['addSecret']>;
    env: Record<string, string>;
  }) => Promise<void>,
) {
  const fake = await createFakeCloudflare({
    tokens: { [TOKEN]: { accounts: [ACCOUNT_ID] } },
    activateAfterMs: 100,
    ...options,
  });
  try {
    fake.addAccount(ACCOUNT_ID);
    const storeId = fake.addStore(ACCOUNT_ID, 'production').id;
    const bystander = fake.addSecret(storeId, { name: 'CONTRACT_LOOKALIKE', comment: 'not ours' });
    const env = {
      CLOUDFLARE_API_BASE_URL: fake.url,
      CLOUDFLARE_ACCOUNT_ID: ACCOUNT_ID,
      CLOUDFLARE_API_TOKEN: TOKEN,
    };
    await fn({ fake, storeId, bystander, env });
  } finally {
    await fake.close();
  }
}
