/**
 * The workflow commands this action speaks to the GitHub runner. Log commands come from
 * @actions/core's own modules; its package entry also loads its OIDC client, and with it
 * @actions/http-client and undici's package entry (fetch, WebSocket, cookies...), on every
 * start, for `getIDToken`, which this action never calls. The two file commands (outputs and
 * the job summary) are written here: @actions/core's versions load `node:crypto` and
 * `fs.promises`, up to 16 ms of every start for two appends to a file (BENCHMARKS.md).
 */
import { appendFileSync, existsSync } from 'node:fs';
import { EOL } from 'node:os';
import { issueCommand } from '../node_modules/@actions/core/lib/command.js';

/** The input's value, trimmed; '' when unset. */
export function getInput(name: string): string {
  return (process.env[`INPUT_${name.replace(/ /g, '_').toUpperCase()}`] ?? '').trim();
}

/** Masks `value` in every later line of the log. */
export function setSecret(value: string): void {
  issueCommand('add-mask', {}, value);
}

export function setOutput(name: string, value: string): void {
  const file = process.env.GITHUB_OUTPUT;
  if (file) {
    // The runner creates the file; writing to a missing one would lose every output quietly.
    if (!existsSync(file)) throw new Error(`Missing file at path: ${file}`);
    appendFileSync(file, `${outputEntry(name, value)}${EOL}`, 'utf8');
    return;
  }
  process.stdout.write(EOL);
  issueCommand('set-output', { name }, value);
}

/**
 * One output in the runner's multi-line format: `name<<DELIMITER`, the value, `DELIMITER`. The
 * runner ends the value at the first line equal to the delimiter, so a value that contained it
 * could set other outputs. The delimiter is therefore drawn again until neither the name nor
 * the value contains it: that check, not the randomness, is the guarantee. (@actions/core
 * draws it from `crypto.randomUUID()` and throws on a match.)
 */
export function outputEntry(name: string, value: string, random = Math.random): string {
  for (let attempt = 0; ; attempt++) {
    const delimiter = `ghadelimiter_${random().toString(36).slice(2)}${random().toString(36).slice(2)}_${attempt}`;
    if (!name.includes(delimiter) && !value.includes(delimiter)) {
      return `${name}<<${delimiter}${EOL}${value}${EOL}${delimiter}`;
    }
  }
}

/** Appends `markdown` to the job summary, the file named by GITHUB_STEP_SUMMARY. */
export function appendSummary(markdown: string): void {
  const file = process.env.GITHUB_STEP_SUMMARY;
  if (!file) {
    throw new Error('GITHUB_STEP_SUMMARY is not set: this runner does not support job summaries.');
  }
  appendFileSync(file, `${markdown}${EOL}`, 'utf8');
}

/** Fails the step (exit code 1) with an error annotation. */
export function setFailed(message: string): void {
  process.exitCode = 1;
  issueCommand('error', {}, message);
}

export function info(message: string): void {
  process.stdout.write(message + EOL);
}

export function debug(message: string): void {
  issueCommand('debug', {}, message);
}

/** True when the run has step debug logging on (ACTIONS_STEP_DEBUG). */
export function isDebug(): boolean {
  return process.env.RUNNER_DEBUG === '1';
}

export function warning(message: string): void {
  issueCommand('warning', {}, message);
}

export function notice(message: string): void {
  issueCommand('notice', {}, message);
}
