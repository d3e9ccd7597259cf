/**
 * GitHub's local debugger, @github/local-action, runs src/main.ts with its own stand-in for
 * @actions/core: it sees outputs, failures and the summary only when the action talks to the
 * runner through that package's entry. It needs Node 22+, so it runs when ACTION_NODE is one
 * (.ci/run points ACTION_NODE at Node 24).
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { afterEach, describe, expect, it } from 'vitest';
import { findLeaks } from '../helpers/run-action.js';
import { ALL_CREDENTIALS } from '../helpers/credentials.js';
import { startFake, type SeededFake } from '../helpers/fake.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const node = process.env.ACTION_NODE ?? process.execPath;
const major = Number(/^v(\d+)/.exec(execFileSync(node, ['--version'], { encoding: 'utf8' }))?.[1]);

let seeded: SeededFake | undefined;
let dir: string | undefined;
afterEach(async () => {
  await seeded?.fake.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** Runs `local-action run . src/main.ts <env file>` with `node` first on PATH. */
function localAction(envFile: string): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('npx', ['local-action', 'run', ROOT, 'src/main.ts', envFile], {
      cwd: ROOT,
      env: { ...process.env, PATH: `${dirname(node)}:${process.env.PATH ?? ''}`, NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, output }));
  });
}

describe.skipIf(major < 22)('@github/local-action', () => {
  it('shows every output of one copy in its outputs table', async () => {
    seeded = await startFake();
    dir = mkdtempSync(join(tmpdir(), 'local-action-'));
    const envFile = join(dir, '.env');
    const inputs = { ...seeded.inputs, secret: 'DB_URL', name: 'LOCAL_COPY', scopes: 'workers' };
    writeFileSync(
      envFile,
      Object.entries(inputs)
        .map(([name, value]) => `INPUT_${name.toUpperCase()}=${value}`)
        .join('\n'),
    );

    const { code, output } = await localAction(envFile);

    expect(code, output.slice(-2000)).toBe(0);
    const created = seeded.fake.listSecrets(seeded.storeId).find((s) => s.name === 'LOCAL_COPY');
    expect(created).toBeDefined();
    // The table after "Action Outputs" has one row per output the action set, with its value.
    const table = output.slice(output.indexOf('Action Outputs'));
    const declared = Object.keys(
      (parse(readFileSync(join(ROOT, 'action.yml'), 'utf8')) as { outputs: object }).outputs,
    );
    for (const name of declared) expect(table).toMatch(new RegExp(`'${name}' +│ '`));
    expect(table).toContain(`'${created!.id}'`);
    // The debugger prints its inputs; the token must be masked or absent like anywhere else.
    expect(findLeaks(output, ALL_CREDENTIALS)).toEqual([]);
  });
});
