/**
 * Fails any test during which a test credential is written to this process's stdout or
 * stderr (console included). Runs of the bundled action are checked by test/helpers/action.ts;
 * this covers everything else the suite prints, such as errors thrown in-process.
 */
import { afterEach } from 'vitest';
import { findLeaks } from '../helpers/run-action.js';
import { ALL_CREDENTIALS } from '../helpers/credentials.js';

let leaks: string[] = [];

function watch(text: unknown): void {
  const found = findLeaks(String(text), ALL_CREDENTIALS);
  if (found.length > 0) leaks.push(...found);
}

/**
 * The unit tests run without isolation (vitest.config.ts): this file runs again before each test
 * file in the same process, and wraps what the last run wrapped rather than its wrapper, so a
 * write is scanned once, not once per earlier file.
 */
const ORIGINAL = Symbol.for('credential-scan: the function this wrapper replaced');
type Fn = (...args: unknown[]) => unknown;
const unwrapped = (fn: Fn): Fn => (fn as Fn & { [ORIGINAL]?: Fn })[ORIGINAL] ?? fn;
const wrapping = <F extends Fn>(wrapper: F, original: Fn): F =>
  Object.assign(wrapper, { [ORIGINAL]: original });

for (const stream of [process.stdout, process.stderr]) {
  const original = unwrapped(stream.write as Fn);
  stream.write = wrapping((chunk: unknown, ...rest: unknown[]) => {
    watch(chunk);
    return original.call(stream, chunk, ...rest);
  }, original) as typeof stream.write;
}
for (const method of ['log', 'info', 'warn', 'error', 'debug'] as const) {
  const original = unwrapped(console[method] as Fn);
  console[method] = wrapping((...args: unknown[]) => {
    watch(
      args
        .map((a) =>
          a instanceof Error
            ? `${a.message}\n${a.stack}`
            : typeof a === 'string'
              ? a
              : JSON.stringify(a),
        )
        .join(' '),
    );
    original.apply(console, args);
  }, original);
}

/** The credentials printed since the last call; clears the record. */
export function drainLeaks(): string[] {
  const found = leaks;
  leaks = [];
  return found;
}

afterEach(() => {
  const found = drainLeaks();
  if (found.length > 0) {
    throw new Error(`A test credential was printed ${found.length} time(s) during this test.`);
  }
});
