// @ts-check
/**
 * `npm run contract [-- --record FILE]`: runs the contract suite (test/contract/contract.test.ts)
 * against the API that the environment names, and exits 0 only if every check passed.
 *
 *   CLOUDFLARE_API_BASE_URL   default https://api.cloudflare.com/client/v4
 *   CLOUDFLARE_ACCOUNT_ID     the account
 *   CLOUDFLARE_API_TOKEN      or CLOUDFLARE_EMAIL + CLOUDFLARE_API_KEY
 *   CLOUDFLARE_STORE_ID       the store to use, when the account has several
 *
 * With none of the credentials and no base URL, the suite starts the project's fake instead.
 * `--record FILE` writes what was observed as JSON; `--compare A.json B.json` prints where two
 * recordings differ (docs/api-observations.md).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const SUITE = 'test/contract/contract.test.ts';
const USAGE =
  'usage: npm run contract [-- --record FILE]\n' +
  '       npm run contract -- --compare RECORDING.json OTHER.json\n';

/** @param {string} message @returns {never} */
function fail(message) {
  process.stderr.write(`${message}\n${USAGE}`);
  process.exit(2);
}

// ---- --compare ------------------------------------------------------------------------------

/**
 * @typedef {{ name: string, result: string, note?: string, observed: Record<string, unknown> }} CheckRecord
 * @typedef {{ check: string, method: string, path: string, status?: number, body?: Record<string, unknown> }} ExchangeRecord
 * @typedef {{ target: string, checks: CheckRecord[], exchanges: ExchangeRecord[] }} Recording
 */

/** @param {string} file @returns {Recording} */
function readRecording(file) {
  try {
    const parsed = JSON.parse(readFileSync(file, 'utf8'));
    if (parsed?.format !== 'secrets-store-contract/1') throw new Error('not a recording');
    return parsed;
  } catch (error) {
    return fail(`${file}: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/** Timings, counts and the like differ on every run: they are not compared. */
const VOLATILE = /(Ms|At|^statusesRead|^pagesRead)$/;

/**
 * Per check: the result and every observed fact but timings. Per kind of answer (check, method,
 * path): the statuses, envelope fields, result types and error codes.
 * @param {Recording} a @param {Recording} b @returns {string[]}
 */
function compare(a, b) {
  /** @type {string[]} */
  const out = [];
  const checksOf = (/** @type {Recording} */ r) => new Map(r.checks.map((c) => [c.name, c]));
  const [checksA, checksB] = [checksOf(a), checksOf(b)];
  for (const name of new Set([...checksA.keys(), ...checksB.keys()])) {
    const x = checksA.get(name);
    const y = checksB.get(name);
    if (!x || !y) {
      out.push(`${name}: only in ${x ? a.target : b.target}`);
      continue;
    }
    if (x.result !== y.result) out.push(`${name}: ${x.result} vs ${y.result}`);
    for (const key of new Set([...Object.keys(x.observed), ...Object.keys(y.observed)])) {
      if (VOLATILE.test(key)) continue;
      const [p, q] = [JSON.stringify(x.observed[key]), JSON.stringify(y.observed[key])];
      if (p !== q) out.push(`${name}: ${key}: ${p} vs ${q}`);
    }
  }
  const shapes = (/** @type {Recording} */ r) => {
    /** @type {Map<string, Set<string>>} */
    const byKind = new Map();
    for (const e of r.exchanges) {
      if (e.check === 'setup' || e.check === 'cleanup') continue;
      const kind = `${e.check}: ${e.method} ${e.path}`;
      const { status } = e;
      const { fields, result, errors, resultInfo } = e.body ?? {};
      const codes = Array.isArray(errors) ? errors.map((x) => x.code) : [];
      const info = resultInfo && typeof resultInfo === 'object' ? Object.keys(resultInfo) : [];
      const shape = JSON.stringify({ status, fields, result, codes, resultInfo: info.sort() });
      byKind.set(kind, (byKind.get(kind) ?? new Set()).add(shape));
    }
    return byKind;
  };
  const [shapesA, shapesB] = [shapes(a), shapes(b)];
  for (const kind of new Set([...shapesA.keys(), ...shapesB.keys()])) {
    const p = [...(shapesA.get(kind) ?? [])].sort().join(' | ') || 'none';
    const q = [...(shapesB.get(kind) ?? [])].sort().join(' | ') || 'none';
    if (p !== q) out.push(`${kind}: ${p} vs ${q}`);
  }
  return out;
}

// ---- main ---------------------------------------------------------------------------------

/** @type {{ record?: string, compare?: boolean, help?: boolean }} */
let values = {};
/** @type {string[]} */
let positionals = [];
try {
  ({ values, positionals } = parseArgs({
    options: {
      record: { type: 'string' },
      compare: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
    allowPositionals: true,
    strict: true,
  }));
} catch (error) {
  fail(error instanceof Error ? error.message : String(error));
}
if (values.help) {
  process.stdout.write(USAGE);
  process.exit(0);
}

if (values.compare) {
  if (positionals.length !== 2) fail('--compare takes two recordings.');
  const [a, b] = positionals.map((file) => readRecording(/** @type {string} */ (file)));
  const differences = compare(/** @type {Recording} */ (a), /** @type {Recording} */ (b));
  for (const line of differences) process.stdout.write(`${line}\n`);
  process.stdout.write(
    differences.length === 0
      ? 'The recordings agree on every check and every answer.\n'
      : `${differences.length} difference(s).\n`,
  );
  process.exit(differences.length === 0 ? 0 : 1);
}
if (positionals.length > 0) fail(`unexpected argument: ${positionals[0]}`);

// Read by test/contract/harness.ts: only then does the suite read CLOUDFLARE_* variables.
process.env.CONTRACT_FROM_ENV = '1';
if (values.record) process.env.CONTRACT_RECORD = path.resolve(values.record);
else delete process.env.CONTRACT_RECORD;

const { startVitest } = await import('vitest/node');
const vitest = await startVitest('test', [SUITE], {
  root,
  run: true,
  watch: false,
  project: 'contract',
});
const failed = !vitest || vitest.state.getCountOfFailedTests() > 0 || process.exitCode;
process.exitCode = failed ? 1 : 0;
