/**
 * `npm run mutate [-- stryker options]`: mutation testing of src/ against the unit tests, as
 * stryker.config.json sets it up (reports in reports/mutation/). StrykerJS needs Node 22 or
 * later; on an older `node` this installs Node 24 from the npm package `node` into .cache/node24
 * (git-ignored) on first use, and runs Stryker with it. Not a devDependency: its bin would take
 * the place of the system `node` in every npm script.
 *
 * After Stryker, prints the score of each file from the JSON report and fails when the whole is
 * under 90% or a file under 85% (CONTRIBUTING.md, "Mutation testing").
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const MIN_NODE = 22;
const NODE_DIR = join(ROOT, '.cache', 'node24');
const NODE_BIN = join(NODE_DIR, 'node_modules', '.bin');
const REPORT = join(ROOT, 'reports', 'mutation', 'mutation.json');
const MIN_TOTAL = 90;
const MIN_FILE = 85;

function run(command, args, env = process.env) {
  const result = spawnSync(command, args, { cwd: ROOT, stdio: 'inherit', env });
  if (result.error) throw result.error;
  return result.status ?? 1;
}

const major = (version) => Number(version.replace(/^v/, '').split('.')[0]);

let env = process.env;
if (major(process.versions.node) < MIN_NODE) {
  if (!existsSync(join(NODE_BIN, 'node'))) {
    console.log(
      `Node ${process.versions.node} is too old for Stryker: installing node@24 into .cache/node24.`,
    );
    const status = run('npm', [
      'install',
      '--no-audit',
      '--no-fund',
      '--prefix',
      NODE_DIR,
      'node@24',
    ]);
    if (status !== 0) process.exit(status);
  }
  // Stryker's bin starts with `#!/usr/bin/env node`, and its workers reuse the node that runs it.
  env = { ...process.env, PATH: `${NODE_BIN}${delimiter}${process.env.PATH ?? ''}` };
}
const version = spawnSync('node', ['--version'], { env, encoding: 'utf8' }).stdout?.trim() ?? '';
if (!(major(version) >= MIN_NODE)) {
  console.error(`Stryker needs Node ${MIN_NODE}+, and the node found is "${version}".`);
  process.exit(1);
}
console.log(`Stryker under node ${version}`);

const status = run('npm', ['exec', '--no', '--', 'stryker', 'run', ...process.argv.slice(2)], env);
if (status !== 0) process.exit(status);
process.exit(checkScores(JSON.parse(readFileSync(REPORT, 'utf8'))));

/** Prints each file's score (as Stryker counts it) and returns 1 when one is under its bar. */
function checkScores(report) {
  const DETECTED = ['Killed', 'Timeout'];
  const UNDETECTED = ['Survived', 'NoCoverage'];
  const score = (mutants) => {
    const detected = mutants.filter((m) => DETECTED.includes(m.status)).length;
    const valid = detected + mutants.filter((m) => UNDETECTED.includes(m.status)).length;
    return { detected, valid, percent: valid === 0 ? 100 : (100 * detected) / valid };
  };
  const rows = Object.entries(report.files).map(([file, { mutants }]) => [file, score(mutants)]);
  const total = score(Object.values(report.files).flatMap((f) => f.mutants));
  let failed = total.percent < MIN_TOTAL;
  console.log('\n| File | Score | Killed or timed out / all but errors |\n| --- | --- | --- |');
  for (const [file, { detected, valid, percent }] of rows) {
    const low = percent < MIN_FILE;
    failed ||= low;
    console.log(
      `| ${file} | ${percent.toFixed(1)}%${low ? ' (under 85%)' : ''} | ${detected} / ${valid} |`,
    );
  }
  console.log(`| All files | ${total.percent.toFixed(1)}% | ${total.detected} / ${total.valid} |`);
  if (failed) console.error(`\nBelow the bar: ${MIN_TOTAL}% in all, ${MIN_FILE}% for each file.`);
  return failed ? 1 : 0;
}
