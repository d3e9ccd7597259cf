// @ts-check
/**
 * `npm run bench`: times the bundled action run exactly as the runner runs it (a child process
 * with INPUT_* variables and GITHUB_OUTPUT) against the fake Cloudflare API on 127.0.0.1, next
 * to the floor (`node -e ''`) and the peers users would otherwise reach for (the official
 * `cloudflare` SDK and wrangler, each doing the same single duplicate), then times the whole
 * step: a peer's `npm install` into an empty folder plus its run, against our one duplicate,
 * which needs no install (dist/ is committed). Checks the budgets of BENCHMARKS.md and exits 1
 * when one is missed.
 *
 *   node script/bench.js [--runs N] [--install-runs N] [--node PATH] [--write]
 *
 * --runs: rounds of the alternating cases (at least 7, default 7).
 * --install-runs: samples of the whole step (default 3; installs take seconds each); 0 skips it
 *   and its budgets, for a quick look, and refuses --write.
 * --node runs every case (the action, the floor, the peers and their installs) on that Node
 * binary instead of the one running this script, say a newer Node 24 than the project's, to
 * compare before the runner moves to it.
 * --write replaces that Node major version's block of BENCHMARKS.md with this run's tables (it
 * has a block for Node 24 only, the runtime action.yml declares).
 * Cases alternate run by run, so a noisy neighbour slows them all alike; compare ratios.
 */
import { execFileSync, spawn } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { createFakeCloudflare, seedDemo } from '../test/fake-cloudflare/server.js';
import { DIST, runAction } from '../test/helpers/run-action.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const args = process.argv.slice(2);
/** @param {string} name */
const option = (name) => (args.includes(name) ? args[args.indexOf(name) + 1] : undefined);
const RUNS = Math.max(7, Number(option('--runs')) || 7);
const INSTALL_RUNS = Math.max(0, Number(option('--install-runs') ?? 3) || 0);
const WRITE = args.includes('--write');
const NODE = args.includes('--node') ? (option('--node') ?? '') : process.execPath;
if (!NODE) throw new Error('--node needs the path of a node binary.');
if (WRITE && INSTALL_RUNS === 0) throw new Error('--write needs the whole step measured.');
const NODE_VERSION = execFileSync(NODE, ['--version'], { encoding: 'utf8' }).trim();
const NODE_MAJOR = NODE_VERSION.replace(/^v(\d+).*/, '$1');
// npm's `#!/usr/bin/env node` then finds the Node under test, which matters to npm: it installs
// the newest version whose `engines` that Node meets (wrangler 4.87+ needs Node 22).
const NODE_PATH = `${dirname(NODE)}:${process.env.PATH ?? ''}`;
// npm gets this shell's whole environment in every variant: HOME for its cache, and whatever the
// network needs (a proxy's CA in NODE_EXTRA_CA_CERTS, where npm's TLS fails without it).
const INSTALL_ENV = { ...process.env, PATH: NODE_PATH };
const BATCH_LINES = 20;
const BATCH_LATENCY_MS = 50;
const NEW_NAME = 'DB_URL_BENCH';

const BUDGET = {
  case1Requests: 1,
  case2Requests: 3,
  batchReads: 3,
  case1OverFloor: 4,
  sdkOverCase1: 3,
  wranglerOverCase1: 6,
  wholeStepOverCase1: 30,
  batchOverIdeal: 1.5,
  replaceOverIdeal: 1.5,
  distBytes: 2_500_000,
};
// A promotion by names makes its reads in two round trips before the first write: the store
// lookup, then the listing and the quota read together (src/plan/plan.ts).
const BATCH_READ_ROUND_TRIPS = 2;

/**
 * The fewest requests a replace that never loses the old value can make. One target: the
 * listing that finds its id, then backup, delete, duplicate and the backup's delete. A list of
 * N targets: one listing and the quota read, then those 4 writes per line.
 */
const REPLACE_IDEAL = { one: 1 + 4, list: 2 + 4 * BATCH_LINES };

/**
 * @typedef {{ ms: number[], requests: number[], reads: number[], writes: number[] }} Samples
 * @typedef {{ storeId: string, sourceId: string, url: string, token: string, accountId: string }} Target
 * @typedef {object} Peer
 * @property {string} name
 * @property {string} spec What `npm install` is given.
 * @property {string} dir Where the bench keeps its own install (git-ignored).
 * @property {(dir: string) => void} prepare Writes what the run needs besides the package.
 * @property {(dir: string, target: Target, cwd: string) => { argv: string[], env: Record<string, string> }} command
 */

/** @type {Peer} */
const SDK = {
  name: 'cloudflare SDK',
  spec: 'cloudflare@7',
  dir: join(ROOT, '.bench', 'sdk'),
  // The same job as case 1: ids and scopes given, one duplicate, print the new id.
  prepare: (dir) =>
    writeFileSync(
      join(dir, 'duplicate.mjs'),
      `import Cloudflare from 'cloudflare';
const env = process.env;
const client = new Cloudflare({ apiToken: env.CF_TOKEN, baseURL: env.CF_URL });
const secret = await client.secretsStore.stores.secrets.duplicate(env.CF_SOURCE, {
  account_id: env.CF_ACCOUNT, store_id: env.CF_STORE, name: env.CF_NAME, scopes: ['workers'],
});
console.log(secret.id);
`,
    ),
  command: (dir, t) => ({
    argv: [join(dir, 'duplicate.mjs')],
    env: {
      CF_URL: t.url,
      CF_TOKEN: t.token,
      CF_ACCOUNT: t.accountId,
      CF_STORE: t.storeId,
      CF_SOURCE: t.sourceId,
      CF_NAME: NEW_NAME,
    },
  }),
};

/** @type {Peer} */
const WRANGLER = {
  name: 'wrangler',
  spec: 'wrangler@4',
  // Per Node major: npm installs the newest wrangler whose engines that Node meets.
  dir: join(ROOT, '.bench', 'wrangler', `node${NODE_MAJOR}`),
  prepare: () => {},
  // Its bin directly, not through npx (which would start one more Node and npm): the cheapest way
  // a workflow can call it. HOME and the working directory are fresh per run, as on a runner.
  command: (dir, t, cwd) => ({
    argv: [
      join(dir, 'node_modules', 'wrangler', 'bin', 'wrangler.js'),
      'secrets-store',
      'secret',
      'duplicate',
      t.storeId,
      '--secret-id',
      t.sourceId,
      '--name',
      NEW_NAME,
      '--scopes',
      'workers',
      '--remote',
    ],
    env: {
      HOME: cwd,
      CI: 'true',
      CLOUDFLARE_API_BASE_URL: t.url,
      CLOUDFLARE_API_TOKEN: t.token,
      CLOUDFLARE_ACCOUNT_ID: t.accountId,
      // Off the network: no telemetry, no error reports, and no banner, whose update check asks
      // the npm registry for wrangler's latest version (waiting up to 100 ms for the answer).
      WRANGLER_SEND_METRICS: 'false',
      WRANGLER_SEND_ERROR_REPORTS: 'false',
      WRANGLER_HIDE_BANNER: 'true',
    },
  }),
};
const PEERS = [SDK, WRANGLER];

/** `npm install <spec>` into `dir`, which gets a package.json so npm cannot climb to ours. */
function npmInstallArgs(/** @type {Peer} */ peer) {
  return ['install', '--no-audit', '--no-fund', peer.spec];
}

/** @param {string} dir */
function emptyPackage(dir) {
  writeFileSync(join(dir, 'package.json'), '{"private":true}\n');
}

/** @param {string} dir @param {string} pkg */
function installedVersion(dir, pkg) {
  const manifest = join(dir, 'node_modules', pkg, 'package.json');
  return /** @type {{ version: string }} */ (JSON.parse(readFileSync(manifest, 'utf8'))).version;
}

/** Installs a peer into its .bench folder (not a project dependency) on first use. */
function ensurePeer(/** @type {Peer} */ peer) {
  const pkg = peer.spec.replace(/@[^@]*$/, '');
  if (!existsSync(join(peer.dir, 'node_modules', pkg))) {
    mkdirSync(peer.dir, { recursive: true });
    emptyPackage(peer.dir);
    console.error(`Installing ${peer.spec} into ${peer.dir} (first run only)...`);
    execFileSync('npm', npmInstallArgs(peer), {
      cwd: peer.dir,
      env: INSTALL_ENV,
      stdio: 'inherit',
    });
  }
  peer.prepare(peer.dir);
  return installedVersion(peer.dir, pkg);
}

/**
 * @param {string} command @param {string[]} argv @param {Record<string, string>} env
 * @param {string} [cwd]
 * @returns {Promise<{ ms: number, code: number | null, stderr: string }>}
 */
function timeProcess(command, argv, env, cwd) {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(command, argv, { env, cwd, stdio: ['ignore', 'ignore', 'pipe'] });
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

/** Run for run: the median of each round's ratio, so a slow stretch slows both sides alike. */
function pairedRatio(/** @type {number[]} */ slow, /** @type {number[]} */ fast) {
  return median(slow.map((ms, i) => ms / (fast[i] ?? NaN)));
}

/** A fresh fake per sample keeps the store at a fixed size (3 secrets), as the budgets assume. */
async function withFake(
  /** @type {number} */ latencyMs,
  /** @type {(fake: any, demo: import('../test/fake-cloudflare/server.js').DemoInfo) => Promise<void>} */ fn,
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

/** @param {import('../test/fake-cloudflare/server.js').DemoInfo} demo @returns {Target} */
const targetOf = (demo) => ({
  storeId: demo.storeId,
  sourceId: demo.secrets.DB_URL ?? '',
  url: demo.url,
  token: demo.token,
  accountId: demo.accountId,
});

/**
 * Case 1 of the action: ids and scopes given, one duplicate.
 * @param {Samples} samples @param {Record<string, string>} baseEnv
 */
async function duplicateWithIds(samples, baseEnv) {
  await withFake(0, async (fake, demo) => {
    const env = {
      ...baseEnv,
      CLOUDFLARE_API_TOKEN: demo.token,
      CLOUDFLARE_ACCOUNT_ID: demo.accountId,
    };
    const inputs = {
      'api-base-url': demo.url,
      store: demo.storeId,
      secret: demo.secrets.DB_URL ?? '',
      name: NEW_NAME,
      scopes: 'workers',
    };
    record(samples, fake, await runAction({ inputs, env, node: NODE }));
  });
}

/**
 * `if-exists: replace` of targets that exist: one by ids (store, secret and scopes), or a list of
 * BATCH_LINES lines at max-parallel 4, with the store given by id.
 * @param {Samples} samples @param {Record<string, string>} baseEnv @param {boolean} list
 */
async function replaceCase(samples, baseEnv, list) {
  await withFake(list ? BATCH_LATENCY_MS : 0, async (fake, demo) => {
    const targets = list ? Array.from({ length: BATCH_LINES }, (_, i) => `COPY_${i}`) : [NEW_NAME];
    for (const name of targets) fake.addSecret(demo.storeId, { name, scopes: ['workers'] });
    fake.resetRequests();
    const env = {
      ...baseEnv,
      CLOUDFLARE_API_TOKEN: demo.token,
      CLOUDFLARE_ACCOUNT_ID: demo.accountId,
    };
    const common = { 'api-base-url': demo.url, store: demo.storeId, 'if-exists': 'replace' };
    const inputs = list
      ? {
          ...common,
          secrets: targets.map((t) => `DB_URL => ${t}`).join('\n'),
          'max-parallel': '4',
        }
      : { ...common, secret: demo.secrets.DB_URL ?? '', name: NEW_NAME, scopes: 'workers' };
    record(samples, fake, await runAction({ inputs, env, node: NODE }));
  });
}

/**
 * Runs a peer's duplicate in a fresh working directory and checks that the fake holds the copy.
 * With `install`, the directory starts empty and the time includes `npm install`.
 * @param {Peer} peer @param {Record<string, string>} baseEnv
 * @param {{ samples: Samples, install?: number[] }} into
 */
async function runPeer(peer, baseEnv, into) {
  const cwd = mkdtempSync(join(os.tmpdir(), 'bench-peer-'));
  try {
    await withFake(0, async (fake, demo) => {
      let dir = peer.dir;
      let installMs = 0;
      if (into.install) {
        dir = cwd;
        emptyPackage(dir);
        peer.prepare(dir);
        const install = await timeProcess('npm', npmInstallArgs(peer), INSTALL_ENV, dir);
        if (install.code !== 0)
          throw new Error(`npm install ${peer.spec} failed: ${install.stderr}`);
        installMs = install.ms;
      }
      const { argv, env } = peer.command(dir, targetOf(demo), cwd);
      const run = await timeProcess(NODE, argv, { ...baseEnv, ...env }, cwd);
      if (run.code !== 0) throw new Error(`${peer.name} failed: ${run.stderr}`);
      /** @type {{ name: string }[]} */
      const secrets = fake.listSecrets(demo.storeId);
      if (!secrets.some((s) => s.name === NEW_NAME)) {
        throw new Error(`${peer.name} exited 0, but the fake holds no ${NEW_NAME}.`);
      }
      into.install?.push(installMs);
      record(into.samples, fake, { code: run.code, durationMs: installMs + run.ms });
    });
  } finally {
    rmSync(cwd, { recursive: true, force: true });
  }
}

/**
 * @param {Record<string, string>} baseEnv
 * @param {Record<string, string>} versions
 */
async function measure(baseEnv, versions) {
  /** @type {Record<string, Samples>} */
  const cases = {
    'one duplicate, ids given': newSamples(),
    'one duplicate by names, store omitted': newSamples(),
    [`${BATCH_LINES}-line promotion, max-parallel 1`]: newSamples(),
    [`${BATCH_LINES}-line promotion, max-parallel 4`]: newSamples(),
    [`${BATCH_LINES}-line promotion, max-parallel 8`]: newSamples(),
    'one replace, ids given': newSamples(),
    [`${BATCH_LINES}-line replace list, max-parallel 4`]: newSamples(),
    "floor: node -e ''": newSamples(),
    [`peer: ${SDK.name} ${versions[SDK.name]}, ids given`]: newSamples(),
    [`peer: ${WRANGLER.name} ${versions[WRANGLER.name]}, ids given`]: newSamples(),
  };
  const names = Object.keys(cases);
  for (let run = 0; run < RUNS; run++) {
    // Rotate the order each run so no case always goes first.
    const order = names.map((_, i) => names[(i + run) % names.length] ?? '');
    for (const name of order) {
      const samples = cases[name];
      if (!samples) continue;
      const batch = /max-parallel (\d+)/.exec(name);
      const peer = PEERS.find((p) => name.startsWith(`peer: ${p.name} `));
      if (name.startsWith('one duplicate, ids')) await duplicateWithIds(samples, baseEnv);
      else if (name.includes('replace')) await replaceCase(samples, baseEnv, !!batch);
      else if (peer) await runPeer(peer, baseEnv, { samples });
      else if (name.startsWith('floor')) {
        const { ms } = await timeProcess(NODE, ['-e', ''], baseEnv);
        samples.ms.push(ms);
      } else {
        await withFake(batch ? BATCH_LATENCY_MS : 0, async (fake, demo) => {
          const env = {
            ...baseEnv,
            CLOUDFLARE_API_TOKEN: demo.token,
            CLOUDFLARE_ACCOUNT_ID: demo.accountId,
          };
          const common = { 'api-base-url': demo.url };
          if (batch) {
            const sources = Object.keys(demo.secrets);
            const lines = Array.from(
              { length: BATCH_LINES },
              (_, i) => `${sources[i % sources.length]} => COPY_${i}`,
            );
            const inputs = {
              ...common,
              secrets: lines.join('\n'),
              'max-parallel': batch[1] ?? '4',
            };
            record(samples, fake, await runAction({ inputs, env, node: NODE }));
          } else {
            const inputs = { ...common, secret: 'DB_URL', name: NEW_NAME };
            record(samples, fake, await runAction({ inputs, env, node: NODE }));
          }
        });
      }
    }
  }
  return cases;
}

/**
 * The whole step: each peer installed into an empty folder and run, against our duplicate,
 * alternating like the cases above.
 * @param {Record<string, string>} baseEnv
 */
async function measureWholeStep(baseEnv) {
  const ours = newSamples();
  /** @type {Map<Peer, { samples: Samples, install: number[] }>} */
  const peers = new Map(PEERS.map((p) => [p, { samples: newSamples(), install: [] }]));
  const steps = [null, ...PEERS];
  for (let run = 0; run < INSTALL_RUNS; run++) {
    for (let i = 0; i < steps.length; i++) {
      const peer = steps[(i + run) % steps.length];
      const into = peer && peers.get(peer);
      if (peer && into) await runPeer(peer, baseEnv, into);
      else await duplicateWithIds(ours, baseEnv);
    }
  }
  return { ours, peers };
}

/** @param {number} ms */
const secondsText = (ms) => (ms / 1000).toFixed(2);

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

/**
 * @param {Awaited<ReturnType<typeof measureWholeStep>>} whole
 * @param {Record<string, string>} versions
 */
function wholeStepTable(whole, versions) {
  const rows = [
    `| whole step, ${INSTALL_RUNS} runs each | median s | min s | max s | of which npm install, median s |`,
    '| --- | ---: | ---: | ---: | ---: |',
    `| our one duplicate (no install: dist/ is committed) | ${secondsText(median(whole.ours.ms))} | ${secondsText(Math.min(...whole.ours.ms))} | ${secondsText(Math.max(...whole.ours.ms))} | — |`,
  ];
  for (const [peer, { samples, install }] of whole.peers) {
    rows.push(
      `| ${peer.name} ${versions[peer.name]}: \`npm install ${peer.spec}\` + one duplicate | ${secondsText(median(samples.ms))} | ${secondsText(Math.min(...samples.ms))} | ${secondsText(Math.max(...samples.ms))} | ${secondsText(median(install))} |`,
    );
  }
  return rows.join('\n');
}

/**
 * @param {Record<string, Samples>} cases
 * @param {Awaited<ReturnType<typeof measureWholeStep>> | undefined} whole
 * @returns {{ line: string, ok: boolean | undefined }[]} ok undefined: information, no budget.
 */
function checkBudgets(cases, whole) {
  const get = (/** @type {string} */ prefix) =>
    Object.entries(cases).find(([n]) => n.startsWith(prefix))?.[1] ?? newSamples();
  const case1 = get('one duplicate, ids');
  const case2 = get('one duplicate by names');
  const batch4 = get(`${BATCH_LINES}-line promotion, max-parallel 4`);
  const floor = get('floor').ms;
  const sdk = get(`peer: ${SDK.name} `);
  const wrangler = get(`peer: ${WRANGLER.name} `);
  const c1 = median(case1.ms);
  const ideal = c1 + (BATCH_READ_ROUND_TRIPS + Math.ceil(BATCH_LINES / 4)) * BATCH_LATENCY_MS;
  const maxOf = (/** @type {number[]} */ v) => Math.max(...v);
  const promotions = Object.entries(cases).filter(([n]) => n.includes('promotion'));
  const batchReads = promotions.flatMap(([, s]) => s.reads);
  const batchWrites = promotions.flatMap(([, s]) => s.writes);
  const sdkRatio = pairedRatio(sdk.ms, case1.ms);
  const wranglerRatio = pairedRatio(wrangler.ms, case1.ms);
  const floorRatio = pairedRatio(case1.ms, floor);
  const checks = [
    {
      line: `dist/: ${distBytes.toLocaleString('en')} bytes (budget < ${BUDGET.distBytes.toLocaleString('en')})`,
      ok: distBytes < BUDGET.distBytes,
    },
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
      line: `SDK / case 1, run for run: ${sdkRatio.toFixed(2)}x (budget ≥ ${BUDGET.sdkOverCase1}x)`,
      ok: sdkRatio >= BUDGET.sdkOverCase1,
    },
    {
      line: `wrangler / case 1, run for run: ${wranglerRatio.toFixed(2)}x (budget ≥ ${BUDGET.wranglerOverCase1}x)`,
      ok: wranglerRatio >= BUDGET.wranglerOverCase1,
    },
    {
      line: `promotion at max-parallel 4 / ideal (${ideal.toFixed(0)} ms): ${(median(batch4.ms) / ideal).toFixed(2)}x (budget ≤ ${BUDGET.batchOverIdeal}x)`,
      ok: median(batch4.ms) / ideal <= BUDGET.batchOverIdeal,
    },
    ...[
      ['one replace, ids given', REPLACE_IDEAL.one],
      [`${BATCH_LINES}-line replace list, max-parallel 4`, REPLACE_IDEAL.list],
    ].map(([name, ideal]) => {
      const most = maxOf(get(String(name)).requests);
      return {
        line: `${name} requests: ${most} / ideal ${ideal} = ${(most / Number(ideal)).toFixed(2)}x (budget ≤ ${BUDGET.replaceOverIdeal}x)`,
        ok: most / Number(ideal) <= BUDGET.replaceOverIdeal,
      };
    }),
    {
      line: `case 1 / floor, run for run: ${floorRatio.toFixed(2)}x (budget ≤ ${BUDGET.case1OverFloor}x)`,
      ok: floorRatio <= BUDGET.case1OverFloor,
    },
  ];
  for (const [peer, { samples }] of whole?.peers ?? []) {
    const ratio = pairedRatio(samples.ms, whole?.ours.ms ?? []);
    checks.push({
      line: `whole step, ${peer.name} / ours, run for run: ${ratio.toFixed(1)}x (budget ≥ ${BUDGET.wholeStepOverCase1}x)`,
      ok: ratio >= BUDGET.wholeStepOverCase1,
    });
  }
  return checks;
}

const distDir = dirname(DIST);
/** Everything the action ships: dist/ is committed and the runner reads nothing else. */
const distBytes = readdirSync(distDir).reduce(
  (sum, file) => sum + statSync(join(distDir, file)).size,
  0,
);
/** @type {Record<string, string>} */
const versions = Object.fromEntries(PEERS.map((peer) => [peer.name, ensurePeer(peer)]));
const npmVersion = execFileSync('npm', ['--version'], {
  encoding: 'utf8',
  env: INSTALL_ENV,
}).trim();
const baseEnv = { PATH: process.env.PATH ?? '' };
const caCerts = process.env.NODE_EXTRA_CA_CERTS;
/** NODE_EXTRA_CA_CERTS adds work to every process start: measure both ways where it is set. */
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
const loadAtStart = os.loadavg()[0]?.toFixed(2);
const header = [
  `Node ${NODE_VERSION} on ${os.platform()} ${os.arch()}, ${cpu}, ${os.cpus().length} cores, ${Math.round(os.totalmem() / 2 ** 30)} GiB; ${RUNS} runs per case, alternating; npm ${npmVersion}, its cache warm.`,
  `dist/: ${distBytes.toLocaleString('en')} bytes, of which dist/index.js ${statSync(DIST).size.toLocaleString('en')}.`,
];
const sections = [];
let allOk = true;
for (const variant of variants) {
  const cases = await measure(variant.env, versions);
  const whole = INSTALL_RUNS > 0 ? await measureWholeStep(variant.env) : undefined;
  const budgets = checkBudgets(cases, whole);
  allOk &&= budgets.every((b) => b.ok !== false);
  const mark = (/** @type {boolean | undefined} */ ok) =>
    ok === undefined ? 'ℹ️' : ok ? '✅' : '❌';
  const marks = budgets.map((b) => `- ${mark(b.ok)} ${b.line}`);
  if (!whole) marks.push('- ⚠️ whole step not measured (--install-runs 0): its budgets unchecked');
  sections.push(
    [`#### ${variant.label}`, table(cases), whole && wholeStepTable(whole, versions)]
      .filter(Boolean)
      .join('\n\n') + `\n\n${marks.join('\n')}`,
  );
}
// The machine may be shared: its load says how far the absolute numbers can be trusted.
header.push(
  `Load average (1 min, ${os.cpus().length} cores): ${loadAtStart} at the start, ${os.loadavg()[0]?.toFixed(2)} at the end.`,
);
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
  writeFileSync(
    file,
    text.replace(new RegExp(`${start}[\\s\\S]*${end}`), () => block),
  );
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
