// @ts-check
/**
 * `npm run local [-- FILE.env]`: runs the sources (src/main.ts) through GitHub's local debugger,
 * @github/local-action, against the fake Cloudflare API (test/fake-cloudflare) seeded with the
 * demo store, so that no request can reach the real API.
 *
 * The inputs are those of FILE.env (`INPUT_SECRET=STRIPE_KEY`, one per line), else a copy of
 * DB_URL to DB_URL_LOCAL. Whatever the file says, the API root, account and token are the
 * fake's (INPUT_API-BASE-URL, INPUT_ACCOUNT-ID, INPUT_API-TOKEN), and GITHUB_STEP_SUMMARY is a
 * temporary file, printed after the run with the requests the fake received.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseEnv } from 'node:util';
import { createFakeCloudflare, seedDemo } from '../test/fake-cloudflare/server.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const [envFile, ...extra] = process.argv.slice(2);
if (extra.length > 0 || envFile?.startsWith('-')) {
  process.stderr.write('usage: npm run local [-- FILE.env]\n');
  process.exit(2);
}

const given = envFile
  ? parseEnv(readFileSync(envFile, 'utf8'))
  : { INPUT_SECRET: 'DB_URL', INPUT_NAME: 'DB_URL_LOCAL' };

const fake = await createFakeCloudflare();
const demo = seedDemo(fake);
const dir = mkdtempSync(join(tmpdir(), 'local-action-'));
const summary = join(dir, 'summary.md');
writeFileSync(summary, '');
/** @type {Record<string, string | undefined>} */
const env = {
  ...given,
  'INPUT_API-BASE-URL': demo.url,
  'INPUT_ACCOUNT-ID': demo.accountId,
  'INPUT_API-TOKEN': demo.token,
  GITHUB_STEP_SUMMARY: summary,
};
// local-action loads this file over its own environment, so the fake's values win.
const runFile = join(dir, '.env');
writeFileSync(
  runFile,
  Object.entries(env)
    .map(([name, value]) => `${name}=${JSON.stringify(value ?? '')}`)
    .join('\n'),
  { mode: 0o600 },
);

console.log(`Fake Cloudflare API at ${demo.url}: store ${demo.storeId} holds`);
console.log(`${Object.keys(demo.secrets).join(', ')}.`);
const code = await new Promise((resolve, reject) => {
  const child = spawn('npx', ['--no', 'local-action', 'run', ROOT, 'src/main.ts', runFile], {
    cwd: ROOT,
    stdio: 'inherit',
  });
  child.on('error', reject);
  child.on('close', (status) => resolve(status ?? 1));
});

console.log('\nJob summary (GITHUB_STEP_SUMMARY):\n');
console.log(readFileSync(summary, 'utf8').trim() || '(none)');
console.log(`\nRequests the fake received (${fake.requests.length}):`);
for (const request of fake.requests) {
  console.log(`  ${request.method} ${request.path} → ${request.status}`);
}
await fake.close();
rmSync(dir, { recursive: true, force: true });
process.exit(code);
