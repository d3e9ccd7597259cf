import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseInputs } from '../../src/inputs/config.js';
import { InputError } from '../../src/inputs/values.js';
import { hasUnprintable } from '../../src/shared/sanitize.js';
import { KNOWN_SCOPES } from '../../src/inputs/scopes.js';
import { ACCOUNT, inputError, parse, reader, TOKEN } from './parse.js';

describe('parseInputs: defaults', () => {
  it('builds the whole configuration from the required inputs', () => {
    expect(parse()).toEqual({
      accountId: ACCOUNT,
      credentials: { kind: 'token', token: TOKEN },
      baseUrl: 'https://api.cloudflare.com/client/v4',
      store: undefined,
      duplications: [{ source: { kind: 'name', name: 'SOURCE_KEY' }, name: 'COPY_KEY' }],
      fromList: false,
      maxParallel: 4,
      rollbackOnFailure: false,
      waitForActive: false,
      keepPrevious: false,
      prune: undefined,
      pruneKeep: 5,
      scopes: undefined,
      comment: undefined,
      ifExists: 'fail',
      dryRun: false,
      maxRetries: 3,
      timeoutSeconds: 120,
      warnings: [],
    });
  });

  it('keeps a comment as given and reads an unset comment as undefined', () => {
    expect(parse({ comment: 'copied for staging' }).comment).toBe('copied for staging');
    expect(parse({ comment: '' }).comment).toBeUndefined();
  });
});

describe('parseInputs: several problems', () => {
  it('reports every problem at once, in input order, in one InputError', () => {
    const error = inputError(() =>
      parse({
        'account-id': 'nope',
        'api-token': '',
        'api-base-url': 'http://example.com',
        secret: '',
        name: 'A B',
        scopes: ',',
        'if-exists': 'maybe',
        'dry-run': 'yes',
        'max-retries': '11',
        'timeout-seconds': '0',
      }),
    );
    expect(error.problems).toEqual([
      'account-id must be a Cloudflare account id: 32 hexadecimal characters (got "nope").',
      'No Cloudflare credentials: set api-token (or the CLOUDFLARE_API_TOKEN environment variable), ' +
        'or both api-email and api-key (CLOUDFLARE_EMAIL, CLOUDFLARE_API_KEY).',
      'api-base-url uses http:// with host "example.com": credentials would cross the network unencrypted. ' +
        'Use https://, or a loopback host (127.0.0.0/8, ::1, localhost) for a local test server.',
      "secret is required: the source secret's id or name (or use secrets for a list).",
      'name must not contain white space (got "A B"); Cloudflare secret names cannot contain spaces. ' +
        'With normalize-name: true it would be "A_B".',
      'scopes lists no scope: name at least one (e.g. "workers, ai_gateway"), or omit scopes to copy the source\'s.',
      'if-exists must be "fail", "skip" or "replace" (got "maybe").',
      'dry-run must be a YAML 1.2 boolean: true, True, TRUE, false, False or FALSE (got "yes").',
      'max-retries must be a whole number from 0 to 10 (got "11").',
      'timeout-seconds must be a whole number from 1 to 3600 (got "0").',
    ]);
    expect(error.message).toBe(
      `Invalid inputs:\n${error.problems.map((p) => `- ${p}`).join('\n')}`,
    );
  });

  it('lists two problems as a bulleted message', () => {
    const error = inputError(() => parse({ 'dry-run': 'on', 'max-retries': 'x' }));
    expect(error.message).toBe(
      'Invalid inputs:\n' +
        '- dry-run must be a YAML 1.2 boolean: true, True, TRUE, false, False or FALSE (got "on").\n' +
        '- max-retries must be a whole number from 0 to 10 (got "x").',
    );
  });
});

describe('parseInputs: properties', () => {
  const INPUTS = [
    'scopes',
    'dry-run',
    'secret',
    'store',
    'name',
    'max-retries',
    'timeout-seconds',
    'account-id',
    'api-base-url',
    'if-exists',
    'api-token',
    'api-email',
    'api-key',
    'comment',
    'secrets',
    'max-parallel',
    'rollback-on-failure',
    'wait-for-active',
    'prune',
    'prune-keep',
    'normalize-name',
  ] as const;

  /** Strings of every kind, biased towards the characters the parsers care about. */
  const anyString = fc.oneof(
    fc.string({ unit: 'binary', maxLength: 60 }),
    fc.string({
      unit: fc.constantFrom(
        ',',
        '\n',
        '\r',
        ' ',
        '\t',
        ':',
        '/',
        '@',
        '?',
        '#',
        '[',
        ']',
        '.',
        '-',
        '_',
        '%',
        'a',
        'F',
        '0',
        '1',
        '7',
        'h',
        't',
        'p',
        's',
      ),
      maxLength: 60,
    }),
    fc.constantFrom(
      '',
      'true',
      'yes',
      '10',
      '3601',
      'http://127.0.0.1:1',
      'https://x',
      'http://[::1',
      'https://a:b@c',
      'a'.repeat(32),
      '__proto__',
      'constructor',
      'workers',
      'A => B',
      'A => B\nC => B',
      '# only a comment',
    ),
  );

  function returnsOrThrowsInputError(fn: () => unknown): void {
    try {
      fn();
    } catch (error) {
      expect(error).toBeInstanceOf(InputError);
    }
  }

  it.each(INPUTS.map((input) => [input]))(
    'returns a config or throws InputError for any %s',
    (input) => {
      fc.assert(
        fc.property(anyString, (value) => {
          returnsOrThrowsInputError(() => parse({ [input]: value }));
        }),
        { numRuns: 150 },
      );
    },
  );

  it('returns a config or throws InputError for any mix of inputs and environment', () => {
    const inputs = fc.dictionary(fc.constantFrom(...INPUTS), anyString);
    const env = fc.record(
      {
        CLOUDFLARE_ACCOUNT_ID: anyString,
        CLOUDFLARE_API_TOKEN: anyString,
        CLOUDFLARE_EMAIL: anyString,
        CLOUDFLARE_API_KEY: anyString,
      },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(inputs, env, (values, environment) => {
        returnsOrThrowsInputError(() => parseInputs(reader(values), environment));
      }),
      { numRuns: 300 },
    );
  });

  it('reads back any list of scopes joined by commas and newlines, deduplicated', () => {
    const scope = fc.oneof(
      fc.constantFrom(...KNOWN_SCOPES),
      fc.stringMatching(/^[a-z][a-z0-9_-]{0,15}$/),
    );
    const separator = fc.constantFrom(',', '\n', ', ', ',\n', '\r\n', ' ,', '\n\n');
    fc.assert(
      fc.property(
        fc.array(fc.tuple(scope, separator), { minLength: 1, maxLength: 12 }),
        (items) => {
          const input = items.map(([s, sep], i) => (i === 0 ? s : `${sep}${s}`)).join('');
          const expected = [...new Set(items.map(([s]) => s))];
          const config = parse({ scopes: input });
          expect(config.scopes).toEqual(expected);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('reads any 32-hex secret or store as an id, lower-cased', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[0-9a-fA-F]{32}$/), (hex) => {
        const config = parse({ secret: hex, store: hex });
        expect(config.duplications[0]!.source).toEqual({ kind: 'id', id: hex.toLowerCase() });
        expect(config.store).toEqual({ kind: 'id', id: hex.toLowerCase() });
      }),
      { numRuns: 200 },
    );
  });

  it('reads any other non-empty string without white space or invisible characters as a name', () => {
    const name = fc
      .string({ unit: 'binary', minLength: 1, maxLength: 40 })
      .filter((s) => !/\s/.test(s) && !hasUnprintable(s) && !/^[0-9a-fA-F]{32}$/.test(s));
    const nearlyHex = fc.stringMatching(/^[0-9a-fA-F]{28,36}$/).filter((s) => s.length !== 32);
    fc.assert(
      fc.property(fc.oneof(name, nearlyHex), (value) => {
        const config = parse({ secret: value, store: value });
        expect(config.duplications[0]!.source).toEqual({ kind: 'name', name: value });
        expect(config.store).toEqual({ kind: 'name', name: value });
      }),
      { numRuns: 300 },
    );
  });
});
