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

  it('ignores ::add-mask:: lines, which the runner never shows', () => {
    process.stdout.write(`::add-mask::${TOKEN}\n`);
    expect(drainLeaks()).toEqual([]);
  });
});
