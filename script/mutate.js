/**
 * `npm run mutate [-- stryker options]`: mutation testing of src/ against the unit tests, as
 * stryker.config.json sets it up (reports in reports/mutation/), on the project's Node 24
 * (StrykerJS needs Node 22 or later).
 *
 * After Stryker, prints the score of each file from the JSON report and fails when the whole is
 * under 90% or a file under 85% (CONTRIBUTING.md, "Mutation testing").
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const MIN_NODE = 22;
const REPORT = join(ROOT, 'reports', 'mutation', 'mutation.json');
const MIN_TOTAL = 90;
const MIN_FILE = 85;

function run(command, args) {
  const result = spawnSync(command, args, { cwd: ROOT, stdio: 'inherit' });
  if (result.error) throw result.error;
  return result.status ?? 1;
}

if (Number(process.versions.node.split('.')[0]) < MIN_NODE) {
  console.error(
    `Stryker needs Node ${MIN_NODE}+, and this is Node ${process.versions.node}: use the project's Node 24 (CONTRIBUTING.md, "Set-up").`,
  );
  process.exit(1);
}
console.log(`Stryker under node ${process.versions.node}`);

const status = run('npm', ['exec', '--no', '--', 'stryker', 'run', ...process.argv.slice(2)]);
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
