/**
 * The README's local debugging command, `npm run local [-- FILE.env]` (script/local.js): GitHub's
 * local debugger, @github/local-action, runs src/main.ts with its own stand-in for @actions/core
 * against the fake Cloudflare API the command starts. It sees outputs, failures and the summary
 * only when the action talks to the runner through that package's entry.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { afterEach, describe, expect, it } from 'vitest';
import { findLeaks } from '../helpers/run-action.js';
import { ALL_CREDENTIALS, TOKEN } from '../helpers/credentials.js';
import { DEMO } from '../fake-cloudflare/server.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const OUTPUTS = Object.keys(
  (parse(readFileSync(join(ROOT, 'action.yml'), 'utf8')) as { outputs: object }).outputs,
);

let dir: string | undefined;
afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

/** Runs `npm run local [-- envFile]` as the README shows it. */
function npmRunLocal(envFile?: string): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const args = ['run', '--silent', 'local', ...(envFile ? ['--', envFile] : [])];
    const child = spawn('npm', args, {
      cwd: ROOT,
      env: { ...process.env, NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, output }));
  });
}

/** The value local-action's outputs table shows for one output. */
function shownOutput(output: string, name: string): string | undefined {
  const table = output.slice(output.indexOf('Action Outputs'));
  return new RegExp(`'${name}' +│ '([^']*)'`).exec(table)?.[1];
}

describe('npm run local (@github/local-action against the fake)', () => {
  it('copies DB_URL to DB_URL_LOCAL without a file, and prints the summary and requests', async () => {
    const { code, output } = await npmRunLocal();

    expect(code, output.slice(-2000)).toBe(0);
    const id = shownOutput(output, 'secret-id');
    expect(id).toMatch(/^[0-9a-f]{32}$/);
    expect(shownOutput(output, 'secret-name')).toBe('DB_URL_LOCAL');
    const summary = output.slice(output.indexOf('Job summary (GITHUB_STEP_SUMMARY):'));
    expect(summary).toContain(`\`${id}\``);
    expect(output).toMatch(/POST \/accounts\/[0-9a-f]{32}\/.*\/duplicate → 200/);
    expect(findLeaks(output, [...ALL_CREDENTIALS, DEMO.token])).toEqual([]);
  });

  it("takes the inputs of a .env file, but always the fake's API root, account and token", async () => {
    dir = mkdtempSync(join(tmpdir(), 'local-action-test-'));
    const envFile = join(dir, '.env');
    writeFileSync(
      envFile,
      [
        'INPUT_SECRET=STRIPE_KEY',
        'INPUT_NAME=LOCAL_COPY',
        'INPUT_SCOPES=workers',
        // Refused connections, should the fake's values not win.
        'INPUT_API-BASE-URL=http://127.0.0.1:9/client/v4',
        `INPUT_API-TOKEN=${TOKEN}`,
        'INPUT_ACCOUNT-ID=0123456789abcdef0123456789abcdef',
      ].join('\n'),
    );

    const { code, output } = await npmRunLocal(envFile);

    expect(code, output.slice(-2000)).toBe(0);
    for (const name of OUTPUTS) expect(shownOutput(output, name), name).toBeDefined();
    expect(shownOutput(output, 'secret-name')).toBe('LOCAL_COPY');
    expect(shownOutput(output, 'scopes')).toBe('workers');
    expect(shownOutput(output, 'source-secret-id')).toBe('7c1a4e2f9b8d4c6e8a0f1b2c3d4e5f60');
    expect(output).toContain(`POST /accounts/${DEMO.accountId}/`);
    // The debugger prints its inputs; no token may show, the file's or the fake's.
    expect(findLeaks(output, [...ALL_CREDENTIALS, DEMO.token])).toEqual([]);
  });
});
