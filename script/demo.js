// @ts-check
/**
 * `npm run demo`: runs the bundled action exactly as the GitHub runner would, against the
 * fake Cloudflare API (test/fake-cloudflare) seeded with demo data, and shows what a person
 * would see: the step log, the step outputs, the job summary and the API requests made.
 *
 * Everything stays on 127.0.0.1; no Cloudflare account is needed.
 *
 *   node script/demo.js [--summaries DIR]
 *
 * --summaries writes each step's job summary to DIR/step-NN.md, and the one the README shows
 * (the promotion of three secrets) also to DIR/picture.md, which script/render-summary.js renders.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createFakeCloudflare, seedDemo } from '../test/fake-cloudflare/server.js';
import { runAction } from '../test/helpers/run-action.js';

const summariesFlag = process.argv.indexOf('--summaries');
const summariesDir = summariesFlag >= 0 ? process.argv[summariesFlag + 1] : undefined;
if (summariesDir) mkdirSync(summariesDir, { recursive: true });
let stepNumber = 0;

const bold = (/** @type {string} */ text) =>
  process.stdout.isTTY ? `\x1b[1m${text}\x1b[0m` : text;

/** The step log as the Actions UI shows it: mask lines hidden, annotations labelled. */
function renderLog(/** @type {string} */ stdout) {
  return stdout
    .split('\n')
    .filter(
      (line) => line !== '' && !line.startsWith('::add-mask::') && !line.startsWith('::debug::'),
    )
    .map((line) =>
      line
        .replace(/^::error::/, 'Error: ')
        .replace(/^::warning::/, 'Warning: ')
        .replace(/^::notice::/, 'Notice: ')
        .replace(/%0A/g, '\n'),
    )
    .join('\n');
}

/** @param {string} title @param {import('../test/helpers/run-action.js').RunOptions} options */
async function step(
  title,
  options,
  /** @type {import('../test/fake-cloudflare/server.js').FakeCloudflare} */ fake,
  { picture = false } = {},
) {
  fake.resetRequests();
  const result = await runAction(options);
  stepNumber += 1;
  if (summariesDir) {
    // Zero-padded, so that sorting the names keeps the steps in order.
    const file = `step-${String(stepNumber).padStart(2, '0')}.md`;
    writeFileSync(join(summariesDir, file), result.summary);
    if (picture) writeFileSync(join(summariesDir, 'picture.md'), result.summary);
  }
  console.log(`\n${bold(`━━ ${title}`)}`);
  console.log(bold('\nThe step (with: as a workflow would give it):'));
  console.log(indent(withBlock(options.inputs ?? {})));
  console.log(bold('\nStep log:'));
  console.log(indent(renderLog(result.stdout)));
  console.log(bold(`\nExit code: ${result.code}`));
  console.log(bold('\nOutputs:'));
  if (Object.keys(result.outputs).length === 0) console.log(indent('(none)'));
  const width = Math.max(...Object.keys(result.outputs).map((k) => k.length));
  for (const [name, value] of Object.entries(result.outputs)) {
    console.log(indent(`${name.padEnd(width)}  ${value === '' ? '(empty)' : value}`));
  }
  console.log(bold('\nJob summary (GITHUB_STEP_SUMMARY):'));
  console.log(indent(result.summary.trim() || '(none)'));
  console.log(bold(`\nRequests the API received (${fake.requests.length}):`));
  for (const request of fake.requests)
    console.log(indent(`${request.method} ${request.path} → ${request.status}`));
  return result;
}

/**
 * The step's inputs as a workflow's `with:` block: empty inputs left out, as a workflow would
 * leave them, and api-base-url last, since only the demo needs it.
 */
function withBlock(/** @type {Record<string, string>} */ inputs) {
  const { 'api-base-url': baseUrl, ...rest } = inputs;
  const given = Object.fromEntries(Object.entries(rest).filter(([, value]) => value !== ''));
  const lines = ['with:'];
  for (const [name, value] of Object.entries(given)) {
    if (value.includes('\n'))
      lines.push(`  ${name}: |`, ...value.split('\n').map((l) => `    ${l}`));
    else lines.push(`  ${name}: ${value}`);
  }
  if (baseUrl) lines.push(`  api-base-url: ${baseUrl} # the fake API, not Cloudflare's`);
  return lines.join('\n');
}

function indent(/** @type {string} */ text) {
  return text
    .split('\n')
    .map((line) => `    ${line}`)
    .join('\n');
}

const fake = await createFakeCloudflare();
try {
  const demo = seedDemo(fake);
  console.log(bold('Fake Cloudflare API on 127.0.0.1, seeded with:'));
  console.log(indent(`account ${demo.accountId}, store "default" (${demo.storeId})`));
  for (const [name, id] of Object.entries(demo.secrets))
    console.log(indent(`secret ${name} (${id})`));

  const common = {
    env: { CLOUDFLARE_API_TOKEN: demo.token, CLOUDFLARE_ACCOUNT_ID: demo.accountId },
    eventName: 'release',
    event: { release: { tag_name: 'v1.4.0' }, repository: { full_name: 'acme/web-app' } },
    forbidden: [demo.token],
  };
  const inputs = {
    'api-base-url': demo.url,
    secret: 'DB_URL',
    // As a workflow writes it: DB_URL_${{ github.event.release.tag_name }}.
    name: 'DB_URL_v1.4.0',
    'normalize-name': 'true',
    scopes: 'workers',
    comment: 'Copy for release v1.4.0',
  };

  await step(
    '1. A release publishes v1.4.0: copy DB_URL, named after the tag (normalize-name)',
    { ...common, inputs },
    fake,
  );
  await step(
    '2. The workflow is re-run: the name is taken, so the step fails (if-exists: fail, the default)',
    { ...common, inputs },
    fake,
  );
  await step(
    '3. Re-run with if-exists: skip: the existing copy is used, nothing is written twice',
    { ...common, inputs: { ...inputs, 'if-exists': 'skip' } },
    fake,
  );
  await step(
    '4. A dry run of another copy: everything is checked, nothing written',
    {
      ...common,
      inputs: {
        ...inputs,
        secret: 'STRIPE_KEY',
        name: 'STRIPE_KEY_V1_4_0',
        scopes: '',
        'dry-run': 'true',
      },
    },
    fake,
  );
  const deployment = {
    ...common,
    eventName: 'deployment',
    event: {
      deployment: { environment: 'production' },
      repository: { full_name: 'acme/web-app' },
    },
  };
  const promotion = {
    'api-base-url': demo.url,
    secrets: [
      '# staging secret => production copy',
      'DB_URL => DB_URL_PRODUCTION',
      `${demo.secrets.STRIPE_KEY} => STRIPE_KEY_PRODUCTION`,
      'SESSION_SECRET => SESSION_SECRET_PRODUCTION',
    ].join('\n'),
    scopes: 'workers',
    comment: 'Promoted to production',
  };
  await step(
    '5. A deployment to production promotes three secrets in one step (secrets list)',
    { ...deployment, inputs: { ...promotion, 'rollback-on-failure': 'true' } },
    fake,
    { picture: true },
  );
  await step(
    '6. The next deployment promotes again, with if-exists: replace: each copy is made anew',
    { ...deployment, inputs: { ...promotion, 'if-exists': 'replace' } },
    fake,
  );
  console.log(bold('\nSecrets in the store now:'));
  for (const secret of fake.listSecrets(demo.storeId)) {
    console.log(
      indent(
        `${secret.name.padEnd(26)} ${secret.id}  [${secret.scopes.join(', ')}]  ${secret.status}`,
      ),
    );
  }
} finally {
  await fake.close();
}
