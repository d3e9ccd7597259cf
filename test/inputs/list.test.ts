import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { normalizeName } from '../../src/inputs/list.js';
import { InputError } from '../../src/inputs/values.js';
import { inputError, parse, problem } from './parse.js';

describe('parseInputs: secret, name and store', () => {
  it('reads a 32-hex secret as an id, lower-cased', () => {
    expect(parse({ secret: '3FD85F74B32742F1BFF64A85009DDA07' }).duplications).toEqual([
      { source: { kind: 'id', id: '3fd85f74b32742f1bff64a85009dda07' }, name: 'COPY_KEY' },
    ]);
  });

  it('reads anything else as a secret name', () => {
    expect(parse({ secret: 'MY_API_KEY' }).duplications[0]!.source).toEqual({
      kind: 'name',
      name: 'MY_API_KEY',
    });
    expect(parse({ secret: 'a'.repeat(31) }).duplications[0]!.source).toEqual({
      kind: 'name',
      name: 'a'.repeat(31),
    });
    expect(parse({ secret: 'g'.repeat(32) }).duplications[0]!.source).toEqual({
      kind: 'name',
      name: 'g'.repeat(32),
    });
  });

  it('requires the secret', () => {
    expect(problem({ secret: '' })).toBe(
      "secret is required: the source secret's id or name (or use secrets for a list).",
    );
  });

  it('refuses a secret name with white space', () => {
    expect(problem({ secret: 'MY KEY' })).toBe(
      'secret must not contain white space (got "MY KEY"); Cloudflare secret names cannot contain spaces.',
    );
  });

  it('keeps the new name as given, even when it looks like an id', () => {
    expect(parse({ name: 'NEW_KEY' }).duplications[0]!.name).toBe('NEW_KEY');
    expect(parse({ name: 'ABCDEF0123456789ABCDEF0123456789' }).duplications[0]!.name).toBe(
      'ABCDEF0123456789ABCDEF0123456789',
    );
  });

  it('requires the new name', () => {
    expect(problem({ name: '' })).toBe('name is required: a secret name such as API_KEY.');
    expect(problem({ name: undefined })).toBe('name is required: a secret name such as API_KEY.');
  });

  it('refuses a new name with white space', () => {
    expect(problem({ name: 'NEW\tKEY' })).toBe(
      'name must not contain white space (got "NEW\\tKEY"); Cloudflare secret names cannot contain spaces. ' +
        'With normalize-name: true it would be "NEW_KEY".',
    );
  });

  it('shortens a long value quoted in a message', () => {
    const long = `${'A'.repeat(90)} B`;
    expect(problem({ name: long })).toBe(
      `name must not contain white space (got "${'A'.repeat(77)}..."); Cloudflare secret names cannot contain spaces. ` +
        `With normalize-name: true it would be "${'A'.repeat(77)}...".`,
    );
  });

  it('reads the store as an id, a name, or the default', () => {
    expect(parse({ store: '' }).store).toBeUndefined();
    expect(parse({ store: '023E105F4ECEF8AD9CA31A8372D0C353' }).store).toEqual({
      kind: 'id',
      id: '023e105f4ecef8ad9ca31a8372d0c353',
    });
    expect(parse({ store: 'default_secrets_store' }).store).toEqual({
      kind: 'name',
      name: 'default_secrets_store',
    });
  });
});

describe('parseInputs: a copy onto its own source', () => {
  it('refuses secret and name that are the same name', () => {
    expect(problem({ secret: 'DB_URL', name: 'DB_URL' })).toBe(
      'secret and name are both "DB_URL": a secret cannot be copied onto itself; give the copy another name.',
    );
  });

  it('refuses a list line whose SOURCE and TARGET are the same name, with its number', () => {
    expect(problem({ secret: undefined, name: undefined, secrets: 'A => B\n\nC=>C' })).toBe(
      'secrets line 3: SOURCE and TARGET are both "C": a secret cannot be copied onto itself; give the copy another name.',
    );
  });

  it('compares names exactly: case differs, or the source is an id', () => {
    const id = 'ab'.repeat(16);
    expect(parse({ secret: 'db_url', name: 'DB_URL' }).duplications).toHaveLength(1);
    // An id is resolved by the plan, which refuses a target that is the source itself.
    expect(parse({ secret: id, name: id }).duplications).toHaveLength(1);
  });
});

describe('normalizeName', () => {
  it.each([
    ['API_KEY_v1.2.0-rc.1', 'API_KEY_V1_2_0_RC_1'],
    ['DB_URL_release/2024.06', 'DB_URL_RELEASE_2024_06'],
    ['KEY_v1.0.0+build.7', 'KEY_V1_0_0_BUILD_7'],
    ['KEY_v2-β', 'KEY_V2'],
    ['KEY_café-ünï', 'KEY_CAF_N'],
    ['KEY😀v3', 'KEY_V3'],
    // Underscores are kept: only what lies between them is replaced.
    ['KEY_😀_v3', 'KEY___V3'],
    ['--v1--', 'V1'],
    ['A__B', 'A__B'],
    ['A_-_B', 'A___B'],
    ['__A__', 'A'],
    ['a b\tc', 'A_B_C'],
    ['+/.', ''],
    ['___', ''],
    // ASCII rules only: no locale case mapping turns one letter into others.
    ['straße-v1.2', 'STRA_E_V1_2'],
    ['ﬁle', 'LE'],
    ['KEY_\u212a', 'KEY'],
    ['ıd', 'D'],
  ])('%s gives %s', (input, expected) => {
    expect(normalizeName(input)).toBe(expected);
  });

  it('gives only A-Z, 0-9 and _, never at either end, and is idempotent (property)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (input) => {
        const name = normalizeName(input);
        expect(name).toMatch(/^(?:[A-Z0-9](?:[A-Z0-9_]*[A-Z0-9])?)?$/);
        expect(normalizeName(name)).toBe(name);
      }),
    );
  });
});

describe('parseInputs: normalize-name', () => {
  it('is off by default: names are taken as given', () => {
    expect(parse({ name: 'api_key_v1' }).duplications[0]!.name).toBe('api_key_v1');
  });

  it('normalizes name, and reports a refused boolean', () => {
    expect(
      parse({ name: 'API_KEY_v1.2.0-rc.1', 'normalize-name': 'true' }).duplications[0]!.name,
    ).toBe('API_KEY_V1_2_0_RC_1');
    expect(problem({ 'normalize-name': 'on' })).toBe(
      'normalize-name must be a YAML 1.2 boolean: true, True, TRUE, false, False or FALSE (got "on").',
    );
  });

  it('normalizes each TARGET of a list, never a SOURCE', () => {
    const config = parse({
      secret: undefined,
      name: undefined,
      secrets: 'db_url => db_url_v1.0\nApi.Key => Api.Key/v1',
      'normalize-name': 'true',
    });
    expect(config.duplications).toEqual([
      { source: { kind: 'name', name: 'db_url' }, name: 'DB_URL_V1_0', line: 1 },
      { source: { kind: 'name', name: 'Api.Key' }, name: 'API_KEY_V1', line: 2 },
    ]);
  });

  it('refuses a name with no letter or digit', () => {
    expect(problem({ name: '+/.', 'normalize-name': 'true' })).toBe(
      'name "+/." has no letter or digit: normalize-name keeps only A-Z, 0-9 and _, so nothing is left of it.',
    );
    expect(
      problem({
        secret: undefined,
        name: undefined,
        secrets: 'A => ---',
        'normalize-name': 'true',
      }),
    ).toBe(
      'secrets line 1 TARGET "---" has no letter or digit: normalize-name keeps only A-Z, 0-9 and _, so nothing is left of it.',
    );
  });

  it('still requires a name', () => {
    expect(problem({ name: '', 'normalize-name': 'true' })).toBe(
      'name is required: a secret name such as API_KEY.',
    );
  });

  it('refuses a name that normalizes to the source, saying how it got there', () => {
    expect(problem({ secret: 'API_KEY', name: 'API_KEY_+++', 'normalize-name': 'true' })).toBe(
      'secret and name are both "API_KEY" (normalize-name made it of "API_KEY_+++"): ' +
        'a secret cannot be copied onto itself; give the copy another name.',
    );
  });

  it('finds two TARGETs that normalize to one name', () => {
    expect(
      problem({
        secret: undefined,
        name: undefined,
        secrets: 'A => KEY_v1.0\nB => KEY_V1_0',
        'normalize-name': 'true',
      }),
    ).toBe(
      'secrets: TARGET "KEY_V1_0" is listed 2 times (lines 1, 2) (normalize-name made different names ' +
        'equal: line 1 "A => KEY_v1.0", line 2 "B => KEY_V1_0"); each new name can be created once.',
    );
  });
});

describe('parseInputs: secrets list, max-parallel and rollback-on-failure', () => {
  const ID_A = '3fd85f74b32742f1bff64a85009dda07';
  const single = { secret: undefined, name: undefined };

  it('reads one copy per "SOURCE => TARGET" line, with line numbers', () => {
    const config = parse({
      ...single,
      secrets: `# staging copies\nDB_URL => DB_URL_STAGING\n\n${ID_A.toUpperCase()}=>KEY_COPY`,
    });
    expect(config.fromList).toBe(true);
    expect(config.duplications).toEqual([
      { source: { kind: 'name', name: 'DB_URL' }, name: 'DB_URL_STAGING', line: 2 },
      { source: { kind: 'id', id: ID_A }, name: 'KEY_COPY', line: 4 },
    ]);
  });

  it('refuses secrets together with secret or name', () => {
    expect(problem({ secrets: 'A => B' })).toBe(
      'Use either secret + name (one copy) or secrets (a list), not both: secrets is set, and so is secret and name.',
    );
    expect(problem({ secret: undefined, secrets: 'A => B' })).toBe(
      'Use either secret + name (one copy) or secrets (a list), not both: secrets is set, and so is name.',
    );
  });

  it('reports every bad line with its number', () => {
    const error = inputError(() =>
      parse({
        ...single,
        secrets: 'A => B\nno arrow\n => C\nD =>\nE => F G\nH => I => J',
      }),
    );
    expect(error.problems).toEqual([
      'secrets line 2: expected "SOURCE => TARGET" (got "no arrow").',
      'secrets line 3: SOURCE is missing before "=>".',
      'secrets line 4: TARGET is missing after "=>".',
      'secrets line 5 TARGET must not contain white space (got "F G"); Cloudflare secret names cannot contain spaces. ' +
        'With normalize-name: true it would be "F_G".',
      'secrets line 6: expected "SOURCE => TARGET" (got "H => I => J").',
    ]);
  });

  it('refuses a TARGET listed twice', () => {
    expect(problem({ ...single, secrets: 'A => X\nB => Y\nC => X' })).toBe(
      'secrets: TARGET "X" is listed 2 times (lines 1, 3); each new name can be created once.',
    );
  });

  it('refuses a list with only comments', () => {
    expect(problem({ ...single, secrets: '# nothing yet\n# still nothing' })).toBe(
      'secrets lists no copy: write one "SOURCE => TARGET" per line.',
    );
  });

  it('reads max-parallel from 1 to 16, default 4', () => {
    expect(parse({ 'max-parallel': '' }).maxParallel).toBe(4);
    expect(parse({ 'max-parallel': '1' }).maxParallel).toBe(1);
    expect(parse({ 'max-parallel': '16' }).maxParallel).toBe(16);
    expect(problem({ 'max-parallel': '0' })).toBe(
      'max-parallel must be a whole number from 1 to 16 (got "0").',
    );
    expect(problem({ 'max-parallel': '17' })).toBe(
      'max-parallel must be a whole number from 1 to 16 (got "17").',
    );
    // Renamed before any release: the old name is no alias.
    expect(parse({ concurrency: '1' }).maxParallel).toBe(4);
  });

  it('reads rollback-on-failure as a YAML 1.2 boolean, default false', () => {
    expect(parse({ 'rollback-on-failure': '' }).rollbackOnFailure).toBe(false);
    expect(parse({ 'rollback-on-failure': 'True' }).rollbackOnFailure).toBe(true);
    expect(problem({ 'rollback-on-failure': 'yes' })).toBe(
      'rollback-on-failure must be a YAML 1.2 boolean: true, True, TRUE, false, False or FALSE (got "yes").',
    );
  });

  it('reads back any list of SOURCE => TARGET lines (property)', () => {
    const token = fc.stringMatching(/^[A-Za-z0-9_-]{1,20}$/);
    const arrow = fc.constantFrom('=>', ' => ', '  =>\t');
    fc.assert(
      fc.property(
        fc
          .uniqueArray(fc.tuple(token, arrow, token), {
            minLength: 1,
            maxLength: 8,
            selector: ([, , target]) => target,
          })
          .filter((rows) => rows.every(([source, , target]) => source !== target)),
        (rows) => {
          const config = parse({
            ...single,
            secrets: rows.map(([source, a, target]) => `${source}${a}${target}`).join('\n'),
          });
          expect(config.duplications).toEqual(
            rows.map(([source, , target], i) => ({
              source: /^[0-9a-fA-F]{32}$/.test(source)
                ? { kind: 'id', id: source.toLowerCase() }
                : { kind: 'name', name: source },
              name: target,
              line: i + 1,
            })),
          );
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe('invisible characters in names', () => {
  const INVISIBLE: [string, string][] = [
    ['zero-width space', '\u200b'],
    ['zero-width joiner', '\u200d'],
    ['word joiner', '\u2060'],
    ['Mongolian vowel separator', '\u180e'],
    ['right-to-left override', '\u202e'],
    ['left-to-right isolate', '\u2066'],
    ['right-to-left mark', '\u200f'],
    ['escape (a control character)', '\u001b'],
  ];

  it.each(INVISIBLE)('refuses a %s in the new name, showing it escaped', (_, char) => {
    const escaped = `\\u${char.codePointAt(0)!.toString(16).padStart(4, '0')}`;
    expect(problem({ name: `API${char}KEY` })).toBe(
      `name contains an invisible or control character (got "API${escaped}KEY"): ` +
        'it would make the name look like another; type the name again without it.',
    );
  });

  it('refuses them in the source name, the store name and both sides of a secrets line', () => {
    expect(problem({ secret: 'DB\u200bURL' })).toMatch(/^secret contains an invisible/);
    expect(problem({ store: 'prod\u202e' })).toMatch(/^store contains an invisible/);
    const error = inputError(() =>
      parse({ secret: undefined, name: undefined, secrets: 'A\u200c => B\nC => D\u2069' }),
    );
    expect(error.problems).toEqual([
      expect.stringMatching(/^secrets line 1 SOURCE contains an invisible or control character/),
      expect.stringMatching(/^secrets line 2 TARGET contains an invisible or control character/),
    ]);
  });

  it('any name with such a character is refused (property)', () => {
    const char = fc.constantFrom(...INVISIBLE.map(([, c]) => c), '\u0000', '\u0085', '\u{e0041}');
    fc.assert(
      fc.property(
        fc.stringMatching(/^[A-Z_]{0,8}$/),
        char,
        fc.stringMatching(/^[A-Z_]{0,8}$/),
        (a, c, b) => {
          expect(() => parse({ name: `${a}${c}${b}` })).toThrow(InputError);
        },
      ),
      { numRuns: 100 },
    );
  });
});

describe('names outside A-Za-z0-9_-', () => {
  it('warns about a new name with other characters, and sends it as given', () => {
    const config = parse({ name: 'café.key' });
    expect(config.duplications[0]!.name).toBe('café.key');
    expect(config.warnings).toEqual([
      'The new name "café.key" has characters outside A-Z, a-z, 0-9, _ and - (the set wrangler accepts): ' +
        'sent to Cloudflare as given, but wrangler and other tools may refuse such names.',
    ]);
  });

  it('warns once for a list, naming the first five', () => {
    const lines = ['A => ok_name', ...Array.from({ length: 7 }, (_, i) => `A => n.${i}`)];
    const config = parse({ secret: undefined, name: undefined, secrets: lines.join('\n') });
    expect(config.warnings).toEqual([
      'New names "n.0", "n.1", "n.2", "n.3", "n.4" and 2 more have characters outside A-Z, a-z, 0-9, _ and - ' +
        '(the set wrangler accepts): sent to Cloudflare as given, but wrangler and other tools may refuse such names.',
    ]);
  });

  it('does not warn about plain names, nor about source names', () => {
    expect(parse({ secret: 'old.name', name: 'NEW-name_2' }).warnings).toEqual([]);
  });
});

describe('a list given to secret', () => {
  it('points to secrets when secret holds "=>"', () => {
    expect(problem({ secret: 'A => B', name: undefined })).toBe(
      'secret holds a "=>", as a list does: a list of "SOURCE => TARGET" lines goes in the ' +
        'secrets input (with an s), without name.',
    );
  });

  it('points to secrets when secret holds several lines', () => {
    expect(problem({ secret: 'A\nB' })).toBe(
      'secret holds several lines, as a list does: a list of "SOURCE => TARGET" lines goes in the ' +
        'secrets input (with an s), without name.',
    );
  });
});

describe('normalize-name and invisible characters', () => {
  it('refuses an invisible character instead of turning it into _', () => {
    expect(problem({ name: 'API\u200bKEY', 'normalize-name': 'true' })).toMatch(
      /^name contains an invisible or control character \(got "API\\u200bKEY"\)/,
    );
  });

  it('a name with white space gives what normalize-name would make of it', () => {
    expect(problem({ name: 'release v1.2' })).toMatch(
      /With normalize-name: true it would be "RELEASE_V1_2"\.$/,
    );
    // Nothing to offer when nothing would be left.
    expect(problem({ name: '+ +' })).toMatch(/cannot contain spaces\.$/);
  });
});

describe('pattern lines', () => {
  const list = (secrets: string, extra: Record<string, string> = {}) =>
    parse({ secret: undefined, name: undefined, secrets, ...extra });
  const listProblems = (secrets: string) => inputError(() => list(secrets)).problems;

  it('reads a pattern line among plain lines, the pattern left for the plan', () => {
    expect(
      list('DB => DB_PROD\n*_STAGING => *_PRODUCTION', { 'normalize-name': 'true' }).duplications,
    ).toEqual([
      { source: { kind: 'name', name: 'DB' }, name: 'DB_PROD', line: 1 },
      {
        source: { kind: 'pattern', pattern: '*_STAGING', normalize: true },
        name: '*_PRODUCTION',
        line: 2,
        text: '*_STAGING => *_PRODUCTION',
      },
    ]);
  });

  it.each([
    ['*_STAGING => PRODUCTION', '1 in SOURCE and 0 in TARGET'],
    ['STAGING => *_PRODUCTION', '0 in SOURCE and 1 in TARGET'],
    ['*_*_STAGING => *_PRODUCTION', '2 in SOURCE and 1 in TARGET'],
  ])('refuses %s', (line, counts) => {
    expect(listProblems(line)).toEqual([
      'secrets line 1: a pattern line has exactly one "*" on each side, such as ' +
        `"*_STAGING => *_PRODUCTION" (got ${counts}): the "*" of TARGET stands for what the "*" ` +
        'of SOURCE matched.',
    ]);
  });

  it('refuses the same pattern on both sides', () => {
    expect(listProblems('* => *')).toEqual([
      'secrets line 1: SOURCE and TARGET are both "*": every secret it matches would be copied ' +
        'onto itself; give the copies another name, such as "*_COPY".',
    ]);
  });

  it('checks each side as a name', () => {
    expect(listProblems('* STAGING => *_PROD')).toEqual([
      expect.stringMatching(/^secrets line 1 SOURCE must not contain white space/),
    ]);
  });

  it('warns about no unusual name for a pattern, whose names are not known yet', () => {
    expect(list('*_STAGING => *_PRODUCTION').warnings).toEqual([]);
  });
});
