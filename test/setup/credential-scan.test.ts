import { describe, expect, it } from 'vitest';
import { ALL_CREDENTIALS, TOKEN } from '../helpers/credentials.js';
import { drainLeaks } from './credential-scan.js';

describe('credential scan of the test processes', () => {
  it('catches a credential written to stdout, stderr or the console', () => {
    drainLeaks();
    process.stdout.write(`token=${TOKEN}\n`);
    console.error(new Error(`bad ${ALL_CREDENTIALS[3]}`));
    expect(drainLeaks()).toEqual([TOKEN, ALL_CREDENTIALS[3]]);
  });

  // Without isolation the setup runs before each file of a worker: one wrapper, not one per file.
  it('wraps each stream and console method once, however many files ran before', () => {
    const ORIGINAL = Symbol.for('credential-scan: the function this wrapper replaced');
    for (const fn of [process.stdout.write, process.stderr.write, console.log, console.error]) {
      const original = (fn as unknown as Record<symbol, Record<symbol, unknown> | undefined>)[
        ORIGINAL
      ];
      expect(original).toBeTypeOf('function');
      expect(original![ORIGINAL]).toBeUndefined();
    }
  });

  it('ignores ::add-mask:: lines, which the runner never shows', () => {
    process.stdout.write(`::add-mask::${TOKEN}\n`);
    expect(drainLeaks()).toEqual([]);
  });
});
