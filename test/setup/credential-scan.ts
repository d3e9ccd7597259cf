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

for (const stream of [process.stdout, process.stderr]) {
  const write = stream.write.bind(stream) as (...args: unknown[]) => boolean;
  stream.write = ((chunk: unknown, ...rest: unknown[]) => {
    watch(chunk);
    return write(chunk, ...rest);
  }) as typeof stream.write;
}
for (const method of ['log', 'info', 'warn', 'error', 'debug'] as const) {
  const original = console[method].bind(console);
  console[method] = (...args: unknown[]) => {
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
    original(...args);
  };
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
