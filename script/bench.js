// @ts-check
/**
 * `npm run bench`: times the bundled action run exactly as the runner runs it (a child process
 * with INPUT_* variables and GITHUB_OUTPUT) against the fake Cloudflare API on 127.0.0.1, next
 * to the floor (`node -e ''`) and the peer (the official `cloudflare` SDK doing the same single
 * duplicate), and checks the budgets of BENCHMARKS.md. Exits 1 when a budget is missed.
 *
 *   node script/bench.js [--runs N] [--node PATH] [--write]
 *
 * --node runs every case (the action, the floor and the SDK) on that Node binary instead of
 * the one running this script, for instance Node 24, which action.yml declares:
 * `npm install --prefix /tmp/node24 node@24`, then `--node /tmp/node24/node_modules/.bin/node`.
 * --write replaces that Node major version's block of BENCHMARKS.md with this run's table.
 * Cases alternate run by run, so a noisy neighbour slows them all alike; compare ratios.
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { createFakeCloudflare, seedDemo } from '../test/fake-cloudflare/server.js';
import { DIST, runAction } from '../test/helpers/run-action.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const SDK_DIR = join(ROOT, '.bench', 'sdk');
const SDK_VERSION = '7';
const args = process.argv.slice(2);
const RUNS = Math.max(7, Number(args[args.indexOf('--runs') + 1]) || 7);
const WRITE = args.includes('--write');
const NODE = args.includes('--node') ? (args[args.indexOf('--node') + 1] ?? '') : process.execPath;
if (!NODE) throw new Error('--node needs the path of a node binary.');
const NODE_VERSION = execFileSync(NODE, ['--version'], { encoding: 'utf8' }).trim();
const NODE_MAJOR = NODE_VERSION.replace(/^v(\d+).*/, '$1');
const BATCH_LINES = 20;
const BATCH_LATENCY_MS = 50;

const BUDGET = {
  bundleBytes: 1_000_000,
  case1Requests: 1,
  case2Requests: 3,
  batchReads: 3,
  case1OverFloor: 4,
  sdkOverCase1: 5,
  batchOverIdeal: 1.5,
};

/** @typedef {{ ms: number[], requests: number[], reads: number[], writes: number[] }} Samples */

/** Installs the official SDK into .bench/sdk (not a project dependency) on first use. */
function ensureSdk() {
  const script = join(SDK_DIR, 'duplicate.mjs');
  if (!existsSync(join(SDK_DIR, 'node_modules', 'cloudflare'))) {
    mkdirSync(SDK_DIR, { recursive: true });
    writeFileSync(join(SDK_DIR, 'package.json'), '{"private":true,"type":"module"}\n');
    console.error(
      `Installing the cloudflare SDK ${SDK_VERSION}.x into ${SDK_DIR} (first run only)...`,
    );
    execFileSync('npm', ['install', '--no-audit', '--no-fund', `cloudflare@${SDK_VERSION}`], {
      cwd: SDK_DIR,
      stdio: 'inherit',
    });
  }
  // The same job as case 1: ids and scopes given, one duplicate, print the new id.
  writeFileSync(
    script,
    `import Cloudflare from 'cloudflare';
const env = process.env;
const client = new Cloudflare({ apiToken: env.CF_TOKEN, baseURL: env.CF_URL });
const secret = await client.secretsStore.stores.secrets.duplicate(env.CF_SOURCE, {
  account_id: env.CF_ACCOUNT, store_id: env.CF_STORE, name: env.CF_NAME, scopes: ['workers'],
});
console.log(secret.id);
`,
  );
  return script;
}

/**
 * @param {string} command @param {string[]} argv @param {Record<string, string>} env
 * @returns {Promise<{ ms: number, code: number | null, stderr: string }>}
 */
function timeProcess(command, argv, env) {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(command, argv, { env, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (chunk) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ ms: performance.now() - started, code, stderr }));
  });
}

/** @param {number[]} values */
function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

/** A fresh fake per sample keeps the store at a fixed size (3 secrets), as the budgets assume. */
async function withFake(
  /** @type {number} */ latencyMs,
  /** @type {(fake: any, demo: any) => Promise<void>} */ fn,
) {
  const fake = await createFakeCloudflare({ latencyMs });
  try {
    await fn(fake, seedDemo(fake));
  } finally {
    await fake.close();
  }
}

/**
 * @param {Samples} samples @param {any} fake
 * @param {{ code: number | null, durationMs: number, errors?: string[] }} result
 */
function record(samples, fake, result) {
  if (result.code !== 0)
    throw new Error(`a benchmark run failed: ${JSON.stringify(result.errors ?? result)}`);
  /** @type {{ method: string }[]} */
  const requests = fake.requests;
  samples.ms.push(result.durationMs);
  samples.requests.push(requests.length);
  samples.reads.push(requests.filter((r) => r.method === 'GET').length);
  samples.writes.push(requests.filter((r) => r.method !== 'GET').length);
}

const newSamples = () => /** @type {Samples} */ ({ ms: [], requests: [], reads: [], writes: [] });

/** @param {Record<string, string>} baseEnv */
async function measure(baseEnv, /** @type {string} */ sdkScript) {
  /** @type {Record<string, Samples>} */
  const cases = {
    'one duplicate, ids given': newSamples(),
    'one duplicate by names, store omitted': newSamples(),
    [`${BATCH_LINES}-line promotion, max-parallel 1`]: newSamples(),
    [`${BATCH_LINES}-line promotion, max-parallel 4`]: newSamples(),
    [`${BATCH_LINES}-line promotion, max-parallel 8`]: newSamples(),
    "floor: node -e ''": newSamples(),
    'peer: cloudflare SDK, ids given': newSamples(),
  };
  const names = Object.keys(cases);
  for (let run = 0; run < RUNS; run++) {
    // Rotate the order each run so no case always goes first.
    const order = names.map((_, i) => names[(i + run) % names.length] ?? '');
    for (const name of order) {
      const samples = cases[name];
      if (!samples) continue;
      const batch = /max-parallel (\d+)/.exec(name);
      await withFake(batch ? BATCH_LATENCY_MS : 0, async (fake, demo) => {
        const env = {
          ...baseEnv,
          CLOUDFLARE_API_TOKEN: demo.token,
          CLOUDFLARE_ACCOUNT_ID: demo.accountId,
        };
        const common = { 'api-base-url': demo.url };
        if (name.startsWith('one duplicate, ids')) {
          const inputs = {
            ...common,
            store: demo.storeId,
            secret: demo.secrets.DB_URL,
            name: 'DB_URL_BENCH',
            scopes: 'workers',
          };
          record(samples, fake, await runAction({ inputs, env, node: NODE }));
        } else if (name.startsWith('one duplicate by names')) {
          record(
            samples,
            fake,
            await runAction({
              inputs: { ...common, secret: 'DB_URL', name: 'DB_URL_BENCH' },
              env,
              node: NODE,
            }),
          );
        } else if (batch) {
          const sources = Object.keys(demo.secrets);
          const lines = Array.from(
            { length: BATCH_LINES },
            (_, i) => `${sources[i % sources.length]} => COPY_${i}`,
          );
          const inputs = { ...common, secrets: lines.join('\n'), 'max-parallel': batch[1] ?? '4' };
          record(samples, fake, await runAction({ inputs, env, node: NODE }));
        } else if (name.startsWith('floor')) {
          const { ms } = await timeProcess(NODE, ['-e', ''], baseEnv);
          samples.ms.push(ms);
        } else {
          const sdkEnv = {
            ...baseEnv,
            CF_URL: demo.url,
            CF_TOKEN: demo.token,
            CF_ACCOUNT: demo.accountId,
            CF_STORE: demo.storeId,
            CF_SOURCE: demo.secrets.DB_URL,
            CF_NAME: 'DB_URL_BENCH',
          };
          const { ms, code, stderr } = await timeProcess(NODE, [sdkScript], sdkEnv);
          if (code !== 0) throw new Error(`the SDK peer failed: ${stderr}`);
          record(samples, fake, { code, durationMs: ms });
        }
      });
    }
  }
  return cases;
}

/** @param {Record<string, Samples>} cases */
function table(cases) {
  const rows = [
    '| case | median ms | min ms | max ms | HTTP requests (reads + writes) |',
    '| --- | ---: | ---: | ---: | --- |',
  ];
  for (const [name, s] of Object.entries(cases)) {
    const requests = s.requests.length
      ? `${median(s.requests)} (${median(s.reads)} + ${median(s.writes)})`
      : '—';
    rows.push(
      `| ${name} | ${median(s.ms).toFixed(0)} | ${Math.min(...s.ms).toFixed(0)} | ${Math.max(...s.ms).toFixed(0)} | ${requests} |`,
    );
  }
  return rows.join('\n');
}

/** @param {Record<string, Samples>} cases @returns {{ line: string, ok: boolean }[]} */
function checkBudgets(cases) {
  const get = (/** @type {string} */ prefix) =>
    Object.entries(cases).find(([n]) => n.startsWith(prefix))?.[1] ?? newSamples();
  const case1 = get('one duplicate, ids');
  const case2 = get('one duplicate by names');
  const batch4 = get(`${BATCH_LINES}-line promotion, max-parallel 4`);
  const floor = median(get('floor').ms);
  const sdk = median(get('peer').ms);
  const c1 = median(case1.ms);
  const ideal = c1 + Math.ceil(BATCH_LINES / 4) * BATCH_LATENCY_MS;
  const maxOf = (/** @type {number[]} */ v) => Math.max(...v);
  const batchReads = Object.entries(cases)
    .filter(([n]) => n.includes('promotion'))
    .flatMap(([, s]) => s.reads);
  const batchWrites = Object.entries(cases)
    .filter(([n]) => n.includes('promotion'))
    .flatMap(([, s]) => s.writes);
  return [
    {
      line: `case 1 requests: ${maxOf(case1.requests)} (budget ${BUDGET.case1Requests})`,
      ok: maxOf(case1.requests) === BUDGET.case1Requests,
    },
    {
      line: `case 2 requests: ${maxOf(case2.requests)} (budget ≤ ${BUDGET.case2Requests})`,
      ok: maxOf(case2.requests) <= BUDGET.case2Requests,
    },
    {
      line: `promotion requests: ${maxOf(batchWrites)} writes + ${maxOf(batchReads)} reads (budget ${BATCH_LINES} + ≤ ${BUDGET.batchReads})`,
      ok: maxOf(batchWrites) === BATCH_LINES && maxOf(batchReads) <= BUDGET.batchReads,
    },
    {
      line: `case 1 / floor: ${(c1 / floor).toFixed(2)}x (budget ≤ ${BUDGET.case1OverFloor}x)`,
      ok: c1 / floor <= BUDGET.case1OverFloor,
    },
    {
      line: `SDK / case 1: ${(sdk / c1).toFixed(2)}x (budget ≥ ${BUDGET.sdkOverCase1}x)`,
      ok: sdk / c1 >= BUDGET.sdkOverCase1,
    },
    {
      line: `promotion at max-parallel 4 / ideal (${ideal.toFixed(0)} ms): ${(median(batch4.ms) / ideal).toFixed(2)}x (budget ≤ ${BUDGET.batchOverIdeal}x)`,
      ok: median(batch4.ms) / ideal <= BUDGET.batchOverIdeal,
    },
  ];
}

const bundleBytes = statSync(DIST).size;
const sdkScript = ensureSdk();
const baseEnv = { PATH: process.env.PATH ?? '' };
const caCerts = process.env.NODE_EXTRA_CA_CERTS;
/** NODE_EXTRA_CA_CERTS slows every Node 20 process start: measure both ways where it is set. */
const variants = caCerts
  ? [
      {
        label: `NODE_EXTRA_CA_CERTS=${caCerts}`,
        env: { ...baseEnv, NODE_EXTRA_CA_CERTS: caCerts },
      },
      { label: 'NODE_EXTRA_CA_CERTS unset', env: baseEnv },
    ]
  : [{ label: 'NODE_EXTRA_CA_CERTS unset', env: baseEnv }];

const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
const header = [
  `Node ${NODE_VERSION} on ${os.platform()} ${os.arch()}, ${cpu}, ${os.cpus().length} cores, ${Math.round(os.totalmem() / 2 ** 30)} GiB; ${RUNS} runs per case, alternating.`,
  `dist/index.js: ${bundleBytes.toLocaleString('en')} bytes (budget ≤ ${BUDGET.bundleBytes.toLocaleString('en')}).`,
];
const sections = [];
let allOk = bundleBytes <= BUDGET.bundleBytes;
for (const variant of variants) {
  const cases = await measure(variant.env, sdkScript);
  const budgets = checkBudgets(cases);
  allOk &&= budgets.every((b) => b.ok);
  sections.push(
    `#### ${variant.label}\n\n${table(cases)}\n\n${budgets.map((b) => `- ${b.ok ? '✅' : '❌'} ${b.line}`).join('\n')}`,
  );
}
const report = `${header.join('\n')}\n\n${sections.join('\n\n')}\n`;
console.log(report);

if (WRITE) {
  const file = join(ROOT, 'BENCHMARKS.md');
  const text = readFileSync(file, 'utf8');
  const start = `<!-- bench:node${NODE_MAJOR}:start -->`;
  const end = `<!-- bench:node${NODE_MAJOR}:end -->`;
  if (!text.includes(start)) throw new Error(`BENCHMARKS.md has no ${start} block to replace.`);
  const date = new Date().toISOString().slice(0, 10);
  const block = `${start}\nLatest run: ${date}.\n\n${report}${end}`;
  writeFileSync(file, text.replace(new RegExp(`${start}[\\s\\S]*${end}`), block));
  // Keep the committed file in the project's format (npm run lint checks it).
  execFileSync(join(ROOT, 'node_modules', '.bin', 'prettier'), ['--write', file], {
    stdio: 'ignore',
  });
  console.error('BENCHMARKS.md updated.');
}
if (!allOk) {
  console.error('A budget was missed.');
  process.exit(1);
}
