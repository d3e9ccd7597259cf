/** Pattern lines of `secrets`, expanded against the store's listing. */
import { describe, expect, it } from 'vitest';
import type { Secret } from '../../src/cloudflare/types.js';
import { parseSecretsList } from '../../src/inputs/list.js';
import { expandPatterns } from '../../src/inputs/patterns.js';

const STORE = '"production" (023e105f4ecef8ad9ca31a8372d0c353)';
const store = (...names: string[]): Secret[] =>
  names.map((name, i) => ({
    id: i.toString(16).padStart(32, '0'),
    name,
    status: 'active',
    store_id: '023e105f4ecef8ad9ca31a8372d0c353',
    created: '2026-01-01T00:00:00Z',
    modified: '2026-01-01T00:00:00Z',
  }));
const expand = (list: string, secrets: Secret[], normalize = false) =>
  expandPatterns(parseSecretsList(list, normalize), secrets, STORE);
const pairs = (list: string, secrets: Secret[], normalize = false) =>
  expand(list, secrets, normalize).duplications.map((d) => [
    d.source.kind === 'name' ? d.source.name : d.source.id,
    d.name,
  ]);

describe('expandPatterns', () => {
  it('copies every whole, case-sensitive match, in the order of the names, in place of its line', () => {
    const secrets = store('MAIL_STAGING', 'API_STAGING', 'api_staging', 'DB_STAGING_OLD', 'DB');
    expect(pairs('DB => DB_PROD\n*_STAGING => *_PRODUCTION\nDB => DB_EU', secrets)).toEqual([
      ['DB', 'DB_PROD'],
      ['API_STAGING', 'API_PRODUCTION'],
      ['MAIL_STAGING', 'MAIL_PRODUCTION'],
      ['DB', 'DB_EU'],
    ]);
    expect(expand('*_STAGING => *_PRODUCTION', secrets).problems).toEqual([]);
  });

  it('keeps the line number and the line for messages', () => {
    const [copy] = expand('\n*_STAGING => *_PRODUCTION', store('A_STAGING')).duplications;
    expect(copy).toEqual({
      source: { kind: 'name', name: 'A_STAGING' },
      name: 'A_PRODUCTION',
      line: 2,
      text: '*_STAGING => *_PRODUCTION',
    });
  });

  it('lets * match an empty run, and treats other characters literally', () => {
    expect(pairs('a.*? => b.*?', store('a.?', 'a.x?', 'abx?'))).toEqual([
      ['a.?', 'b.?'],
      ['a.x?', 'b.x?'],
    ]);
  });

  it('leaves out a secret whose name fits the TARGET side: a second run copies no copies', () => {
    expect(pairs('* => *_COPY', store('KEY', 'KEY_COPY'))).toEqual([['KEY', 'KEY_COPY']]);
  });

  it('normalizes each new name when normalize-name is on', () => {
    const result = expand('*.staging => *-prod', store('api.staging'), true);
    expect(result.duplications).toEqual([
      {
        source: { kind: 'name', name: 'api.staging' },
        name: 'API_PROD',
        line: 1,
        text: '*.staging => *-prod',
        given: 'api-prod',
      },
    ]);
  });

  it('refuses a copy that normalize-name makes its own source', () => {
    expect(expand('*_X => *.x', store('A_X'), true).problems).toEqual([
      'secrets line 1: "A_X" would be copied onto itself (normalize-name made "A.x" of it); give the copies another name.',
    ]);
  });

  it('refuses a new name with white space taken from a source name', () => {
    expect(expand('*_STAGING => *_PRODUCTION', store('A B_STAGING')).problems).toEqual([
      expect.stringMatching(
        /^secrets line 1 TARGET for "A B_STAGING" must not contain white space \(got "A B_PRODUCTION"\)/,
      ),
    ]);
  });

  it('a pattern that matches nothing is a problem, saying what was left out', () => {
    const result = expand('X => Y\n*_QA => *_PROD', store('X', 'A_QA_PROD'));
    expect(result.unmatched).toBe(1);
    expect(result.problems).toEqual([
      `secrets line 2: "*_QA" matches no secret in store ${STORE} (names are matched whole and case-sensitive).`,
    ]);
    expect(expand('*_QA => *_QA_QA', store('X_QA_QA')).problems).toEqual([
      `secrets line 1: "*_QA" matches no secret in store ${STORE} (names are matched whole and ` +
        'case-sensitive; 1 that fit the TARGET side were left out).',
    ]);
  });

  it('refuses a name two patterns make, quoting both lines', () => {
    expect(expand('*_A => *_X\n*_B => *_X', store('K_A', 'K_B')).problems).toEqual([
      'secrets: TARGET "K_X" is listed 2 times (lines 1, 2) (line 1 "*_A => *_X" for "K_A", ' +
        'line 2 "*_B => *_X" for "K_B"); each new name can be created once.',
    ]);
  });

  it('refuses a name normalize-name makes equal within one pattern', () => {
    expect(expand('*_s => *_p', store('a_s', 'A_s'), true).problems).toEqual([
      'secrets: TARGET "A_P" is listed 2 times (lines 1) (line 1 "*_s => *_p" for "A_s", ' +
        'line 1 "*_s => *_p" for "a_s"); each new name can be created once.',
    ]);
  });

  it('a list without patterns passes through unchanged, with no check of its own', () => {
    const list = parseSecretsList('A => B\nC => D');
    const result = expandPatterns(list, [], STORE);
    expect(result.duplications).toEqual(list);
    expect(result).toMatchObject({ problems: [], unmatched: 0 });
  });
});
