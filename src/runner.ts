/**
 * The workflow commands this action speaks to the GitHub runner, from @actions/core's own
 * modules. The package entry (`@actions/core`) also loads its OIDC client, and with it
 * @actions/http-client and undici's package entry (fetch, WebSocket, cookies...), on every
 * start, for `getIDToken`, which this action never calls: see BENCHMARKS.md for the cost.
 * Each function below is the entry's own, for the arguments this action passes.
 */
import { EOL } from 'node:os';
import { issueCommand } from '../node_modules/@actions/core/lib/command.js';
import {
  issueFileCommand,
  prepareKeyValueMessage,
} from '../node_modules/@actions/core/lib/file-command.js';
import { toCommandValue } from '../node_modules/@actions/core/lib/utils.js';

export { summary } from '../node_modules/@actions/core/lib/summary.js';

/** The input's value, trimmed; '' when unset. */
export function getInput(name: string): string {
  return (process.env[`INPUT_${name.replace(/ /g, '_').toUpperCase()}`] ?? '').trim();
}

/** Masks `value` in every later line of the log. */
export function setSecret(value: string): void {
  issueCommand('add-mask', {}, value);
}

export function setOutput(name: string, value: string): void {
  if (process.env.GITHUB_OUTPUT) {
    issueFileCommand('OUTPUT', prepareKeyValueMessage(name, value));
    return;
  }
  process.stdout.write(EOL);
  issueCommand('set-output', { name }, toCommandValue(value));
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
