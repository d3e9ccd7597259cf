import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { describe, expect, it } from 'vitest';
import { parseInputs } from '../../src/inputs/config.js';
import { INPUT_NAMES, unknownInputs } from '../../src/inputs/names.js';
import { inputError, parse } from './parse.js';

describe('declared inputs', () => {
  const declared = Object.keys(
    (
      parseYaml(readFileSync(new URL('../../action.yml', import.meta.url), 'utf8')) as {
        inputs: Record<string, unknown>;
      }
    ).inputs,
  );

  it('INPUT_NAMES is exactly the inputs of action.yml', () => {
    expect([...INPUT_NAMES].sort()).toEqual([...declared].sort());
  });

  it('parseInputs reads every declared input', () => {
    const read = new Set<string>();
    try {
      parseInputs((name) => {
        read.add(name);
        return '';
      }, {});
    } catch {
      // Empty inputs are refused; what was read is the point.
    }
    expect([...read].sort()).toEqual([...declared].sort());
  });
});

describe('unknown inputs', () => {
  const LIST = `The inputs of this action are: ${INPUT_NAMES.join(', ')}.`;

  it('accepts every declared input, as the runner and local-action pass them', () => {
    const env = Object.fromEntries(INPUT_NAMES.map((name) => [`INPUT_${name.toUpperCase()}`, 'x']));
    expect(unknownInputs({ ...env, 'INPUT_if-exists': 'skip', PATH: '/bin' })).toEqual([]);
  });

  it.each([
    ['INPUT_SCOPE', 'unknown input "scope" (did you mean "scopes"?)'],
    ['INPUT_SECERT', 'unknown input "secert" (did you mean "secret"?)'],
    ['INPUT_ACOUNT-ID', 'unknown input "acount-id" (did you mean "account-id"?)'],
    ['INPUT_TOKEN', 'unknown input "token" (did you mean "api-token"?)'],
    ['INPUT_TIMEOUT', 'unknown input "timeout" (did you mean "timeout-seconds"?)'],
    ['INPUT_FROBNICATE', 'unknown input "frobnicate"'],
  ])('%s: %s', (variable, start) => {
    expect(unknownInputs({ [variable]: 'x' })).toEqual([
      `${start}: this action has no input of that name, so the step would ignore it.`,
      LIST,
    ]);
  });

  it('says names use "-" when the workflow wrote "_"', () => {
    expect(unknownInputs({ INPUT_IF_EXISTS: 'skip' })[0]).toBe(
      'unknown input "if_exists" (did you mean "if-exists"?): this action has no input of that ' +
        'name, so the step would ignore it. Input names are written with "-", not "_".',
    );
  });

  it('lists each unknown input once, in order, then the inputs', () => {
    expect(unknownInputs({ INPUT_SCOPE: 'a', INPUT_DRYRUN: 'b' })).toEqual([
      expect.stringMatching(/^unknown input "dryrun" \(did you mean "dry-run"\?\)/),
      expect.stringMatching(/^unknown input "scope" \(did you mean "scopes"\?\)/),
      LIST,
    ]);
  });

  it('parseInputs reports them first, with every other problem', () => {
    const error = inputError(() => parse({ name: '' }, { INPUT_SCOPE: 'workers' }));
    expect(error.problems).toEqual([
      expect.stringMatching(/^unknown input "scope"/),
      LIST,
      'name is required: a secret name such as API_KEY.',
    ]);
  });
});
