/** runAction for the tests: every run is checked for every test credential. */
import { ALL_CREDENTIALS } from './credentials.js';
import { runAction as run, type RunOptions, type RunResult } from './run-action.js';

export type { RunOptions, RunResult };

export function runAction(options: RunOptions = {}): Promise<RunResult> {
  return run({ ...options, forbidden: [...ALL_CREDENTIALS, ...(options.forbidden ?? [])] });
}
