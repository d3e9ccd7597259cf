/** What the tests of src/inputs/ share: a base set of inputs and ways to read the problems. */
import { expect } from 'vitest';
import { parseInputs, type ActionConfig } from '../../src/inputs/config.js';
import type { ReadInput } from '../../src/inputs/names.js';
import { InputError } from '../../src/inputs/values.js';

export type Env = Record<string, string | undefined>;

export const ACCOUNT = '0123456789abcdef0123456789abcdef';
export const TOKEN = 'tok-unit-Zq8wX1vB7nM3';
export const EMAIL = 'unit-owner@example.invalid';
export const KEY = 'key-unit-Hk2pL9sD4fG6';

const BASE: Record<string, string> = {
  'account-id': ACCOUNT,
  'api-token': TOKEN,
  secret: 'SOURCE_KEY',
  name: 'COPY_KEY',
};

/** Reads from a map like core.getInput: trimmed, '' when unset. */
export function reader(values: Record<string, string | undefined>): ReadInput {
  return (name) => (values[name] ?? '').trim();
}

/** parseInputs with BASE plus `overrides`; an override of undefined unsets an input. */
export function parse(
  overrides: Record<string, string | undefined> = {},
  env: Env = {},
): ActionConfig {
  return parseInputs(reader({ ...BASE, ...overrides }), env);
}

/** The InputError `fn` throws; fails the test when it throws anything else or nothing. */
export function inputError(fn: () => unknown): InputError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(InputError);
    expect((error as Error).name).toBe('InputError');
    return error as InputError;
  }
  throw new Error('expected an InputError, but nothing was thrown');
}

/** The single problem parsing `overrides` reports. */
export function problem(overrides: Record<string, string | undefined>, env: Env = {}): string {
  const error = inputError(() => parse(overrides, env));
  expect(error.problems).toHaveLength(1);
  expect(error.message).toBe(`Invalid input: ${error.problems[0]}`);
  return error.problems[0]!;
}
