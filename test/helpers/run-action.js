// @ts-check
/**
 * Runs the bundled action (dist/index.js) the way the GitHub runner does: a child process with
 * `INPUT_*` variables (hyphens kept), `GITHUB_OUTPUT`, `GITHUB_STEP_SUMMARY` and
 * `GITHUB_EVENT_PATH` files, and nothing else of this process's environment.
 *
 * Plain JavaScript, so the demo and benchmark scripts run it with `node` as the tests do.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';

export const DIST = fileURLToPath(new URL('../../dist/index.js', import.meta.url));

/**
 * @typedef {object} RunOptions
 * @property {Record<string, string>} [inputs] Input values by their action.yml names.
 * @property {Record<string, string>} [env] More environment variables.
 * @property {string} [eventName]
 * @property {unknown} [event] The webhook payload written to GITHUB_EVENT_PATH.
 * @property {string} [node] The Node binary; defaults to the one running this.
 * @property {string[]} [nodeArgs] Options for that Node, before the script (the runner passes none).
 * @property {(child: import('node:child_process').ChildProcess) => void} [onSpawn] Called with
 *   the action's process once it started: a test sends it signals, as the runner does when a job
 *   is cancelled.
 * @property {string[]} [forbidden] Strings (credentials) that must not appear in anything the
 *   action printed, output or summarised, except on `::add-mask::` lines; a hit throws.
 *
 * @typedef {object} RunResult
 * @property {number | null} code
 * @property {string} stdout
 * @property {string} stderr
 * @property {Record<string, string>} outputs
 * @property {string} summary
 * @property {number} durationMs
 * @property {string[]} errors `::error::` messages, decoded.
 * @property {string[]} warnings `::warning::` messages, decoded.
 */

/**
 * @param {RunOptions} [options]
 * @returns {Promise<RunResult>}
 */
export async function runAction(options = {}) {
  const dir = await mkdtemp(join(tmpdir(), 'action-run-'));
  try {
    const outputFile = join(dir, 'output');
    const summaryFile = join(dir, 'summary');
    const eventFile = join(dir, 'event.json');
    await writeFile(outputFile, '');
    await writeFile(summaryFile, '');
    await writeFile(eventFile, JSON.stringify(options.event ?? {}));
    /** @type {Record<string, string>} */
    const env = {
      PATH: process.env.PATH ?? '',
      GITHUB_OUTPUT: outputFile,
      GITHUB_STEP_SUMMARY: summaryFile,
      GITHUB_EVENT_PATH: eventFile,
      GITHUB_EVENT_NAME: options.eventName ?? 'workflow_dispatch',
      GITHUB_REPOSITORY: 'acme/web-app',
      GITHUB_RUN_ID: '4242',
      GITHUB_SERVER_URL: 'https://github.com',
      GITHUB_REF: 'refs/heads/main',
      GITHUB_REF_NAME: 'main',
      GITHUB_RUN_ATTEMPT: '1',
      ...options.env,
    };
    for (const [name, value] of Object.entries(options.inputs ?? {})) {
      // The runner upper-cases the name, turns spaces into underscores and keeps hyphens.
      env[`INPUT_${name.replace(/ /g, '_').toUpperCase()}`] = value;
    }
    const started = performance.now();
    const { code, stdout, stderr } = await spawnNode(
      options.node ?? process.execPath,
      [...(options.nodeArgs ?? []), DIST],
      env,
      options.onSpawn,
    );
    const durationMs = performance.now() - started;
    const outputs = parseOutputFile(await readFile(outputFile, 'utf8'));
    const summary = await readFile(summaryFile, 'utf8');
    const leaks = findLeaks(
      [stdout, stderr, summary, JSON.stringify(outputs)].join('\n'),
      options.forbidden ?? [],
    );
    if (leaks.length > 0) {
      throw new Error(
        `${leaks.length} credential(s) leaked into the action's output:\n${stdout}\n${stderr}`,
      );
    }
    return {
      code,
      stdout,
      stderr,
      outputs,
      summary,
      durationMs,
      errors: commandLines(stdout, 'error'),
      warnings: commandLines(stdout, 'warning'),
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * The `forbidden` strings found in `text`, ignoring `::add-mask::` lines: the runner reads those
 * to mask the value and never shows them.
 * @param {string} text
 * @param {readonly string[]} forbidden
 */
export function findLeaks(text, forbidden) {
  const visible = text
    .split(/\r?\n/)
    .filter((line) => !line.startsWith('::add-mask::'))
    .join('\n');
  return forbidden.filter((value) => value !== '' && visible.includes(value));
}

/**
 * @param {string} node
 * @param {string[]} args
 * @param {Record<string, string>} env
 * @param {((child: import('node:child_process').ChildProcess) => void) | undefined} onSpawn
 * @returns {Promise<{ code: number | null, stdout: string, stderr: string }>}
 */
function spawnNode(node, args, env, onSpawn) {
  return new Promise((resolve, reject) => {
    const child = spawn(node, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    onSpawn?.(child);
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/**
 * Parses the `name<<delimiter` heredoc format the runner reads from GITHUB_OUTPUT.
 * @param {string} text
 * @returns {Record<string, string>}
 */
function parseOutputFile(text) {
  /** @type {Record<string, string>} */
  const outputs = {};
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const match = /^([^<]+)<<(.+)$/.exec(lines[i] ?? '');
    if (!match) continue;
    const [, name, delimiter] = match;
    /** @type {string[]} */
    const value = [];
    for (i++; i < lines.length && lines[i] !== delimiter; i++) value.push(lines[i] ?? '');
    outputs[name ?? ''] = value.join('\n');
  }
  return outputs;
}

/**
 * Workflow-command lines such as `::error::message`, with %0A etc. decoded.
 * @param {string} stdout
 * @param {string} command
 */
function commandLines(stdout, command) {
  const prefix = new RegExp(`^::${command}(?: [^:]*)?::`);
  return stdout
    .split(/\r?\n/)
    .filter((line) => prefix.test(line))
    .map((line) =>
      line.replace(prefix, '').replace(/%0D/g, '\r').replace(/%0A/g, '\n').replace(/%25/g, '%'),
    );
}
