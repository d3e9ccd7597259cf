/**
 * runAction for the tests: every run is checked for every test credential, and runs under
 * ACTION_NODE when it is set (to try the bundle on another Node), else on the tests' own Node.
 */
import { ALL_CREDENTIALS } from './credentials.js';
import { runAction as run, type RunOptions, type RunResult } from './run-action.js';

export type { RunOptions, RunResult };

export function runAction(options: RunOptions = {}): Promise<RunResult> {
  return run({
    node: process.env.ACTION_NODE,
    ...options,
    forbidden: [...ALL_CREDENTIALS, ...(options.forbidden ?? [])],
  });
}
