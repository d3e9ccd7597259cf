import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { parse as parseYaml } from 'yaml';
import { describe, expect, it } from 'vitest';
import { parseInputs, type ActionConfig } from '../../src/inputs/config.js';
import { credentialValues, isLoopback } from '../../src/inputs/connection.js';
import { normalizeName } from '../../src/inputs/list.js';
import { INPUT_NAMES, unknownInputs, type ReadInput } from '../../src/inputs/names.js';
import { InputError } from '../../src/inputs/values.js';
import { hasUnprintable } from '../../src/shared/sanitize.js';
import { KNOWN_SCOPES } from '../../src/inputs/scopes.js';

type Env = Record<string, string | undefined>;

const ACCOUNT = '0123456789abcdef0123456789abcdef';
const TOKEN = 'tok-unit-Zq8wX1vB7nM3';
const EMAIL = 'unit-owner@example.invalid';
const KEY = 'key-unit-Hk2pL9sD4fG6';

const BASE: Record<string, string> = {
  'account-id': ACCOUNT,
  'api-token': TOKEN,
  secret: 'SOURCE_KEY',
  name: 'COPY_KEY',
};

/** Reads from a map like core.getInput: trimmed, '' when unset. */
function reader(values: Record<string, string | undefined>): ReadInput {
  return (name) => (values[name] ?? '').trim();
}

/** parseInputs with BASE plus `overrides`; an override of undefined unsets an input. */
function parse(overrides: Record<string, string | undefined> = {}, env: Env = {}): ActionConfig {
  return parseInputs(reader({ ...BASE, ...overrides }), env);
}

/** The InputError `fn` throws; fails the test when it throws anything else or nothing. */
function inputError(fn: () => unknown): InputError {
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
function problem(overrides: Record<string, string | undefined>, env: Env = {}): string {
  const error = inputError(() => parse(overrides, env));
  expect(error.problems).toHaveLength(1);
  expect(error.message).toBe(`Invalid input: ${error.problems[0]}`);
  return error.problems[0]!;
}

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

describe('parseInputs: account-id', () => {
  it('reads the input and lower-cases it', () => {
    expect(parse({ 'account-id': 'ABCDEF0123456789ABCDEF0123456789' }).accountId).toBe(
      'abcdef0123456789abcdef0123456789',
    );
  });

  it('falls back to CLOUDFLARE_ACCOUNT_ID, trimmed and lower-cased', () => {
    const env = { CLOUDFLARE_ACCOUNT_ID: '  FEDCBA9876543210FEDCBA9876543210\n' };
    expect(parse({ 'account-id': '' }, env).accountId).toBe('fedcba9876543210fedcba9876543210');
  });

  it('prefers the input over CLOUDFLARE_ACCOUNT_ID', () => {
    const env = { CLOUDFLARE_ACCOUNT_ID: 'f'.repeat(32) };
    expect(parse({}, env).accountId).toBe(ACCOUNT);
  });

  it('is required', () => {
    expect(problem({ 'account-id': '' })).toBe(
      'account-id is required: set the account-id input or the CLOUDFLARE_ACCOUNT_ID environment variable.',
    );
    expect(problem({ 'account-id': '' }, { CLOUDFLARE_ACCOUNT_ID: '   ' })).toBe(
      'account-id is required: set the account-id input or the CLOUDFLARE_ACCOUNT_ID environment variable.',
    );
  });

  it.each([
    ['31 characters', 'a'.repeat(31)],
    ['33 characters', 'a'.repeat(33)],
    ['a non-hex character', `${'a'.repeat(31)}g`],
    ['inner white space', `${'a'.repeat(16)} ${'a'.repeat(16)}`],
  ])('refuses an id with %s', (_what, value) => {
    expect(problem({ 'account-id': value })).toBe(
      `account-id must be a Cloudflare account id: 32 hexadecimal characters (got ${JSON.stringify(value)}).`,
    );
  });

  it('names CLOUDFLARE_ACCOUNT_ID when the bad id came from there', () => {
    expect(problem({ 'account-id': '' }, { CLOUDFLARE_ACCOUNT_ID: 'nope' })).toBe(
      'CLOUDFLARE_ACCOUNT_ID must be a Cloudflare account id: 32 hexadecimal characters (got "nope").',
    );
  });
});

describe('parseInputs: credentials', () => {
  const NO_CREDENTIALS =
    'No Cloudflare credentials: set api-token (or the CLOUDFLARE_API_TOKEN environment variable), ' +
    'or both api-email and api-key (CLOUDFLARE_EMAIL, CLOUDFLARE_API_KEY).';
  const BOTH_WARNING =
    'api-token and api-email/api-key are both set: using api-token; the Global API key pair is ignored.';

  it('uses an api-token input', () => {
    const config = parse();
    expect(config.credentials).toEqual({ kind: 'token', token: TOKEN });
    expect(config.warnings).toEqual([]);
  });

  it('takes the token from CLOUDFLARE_API_TOKEN, trimmed', () => {
    const config = parse({ 'api-token': '' }, { CLOUDFLARE_API_TOKEN: ` ${TOKEN}\n` });
    expect(config.credentials).toEqual({ kind: 'token', token: TOKEN });
  });

  it('prefers the api-token input over CLOUDFLARE_API_TOKEN', () => {
    const config = parse({}, { CLOUDFLARE_API_TOKEN: 'env-token-ignored' });
    expect(config.credentials).toEqual({ kind: 'token', token: TOKEN });
  });

  it('uses the token over a Global API key pair, with a warning', () => {
    const config = parse({ 'api-email': EMAIL, 'api-key': KEY });
    expect(config.credentials).toEqual({ kind: 'token', token: TOKEN });
    expect(config.warnings).toEqual([BOTH_WARNING]);
  });

  it('warns when only one of api-email/api-key is given next to a token', () => {
    expect(parse({ 'api-key': KEY }).warnings).toEqual([BOTH_WARNING]);
    expect(parse({ 'api-email': EMAIL }).warnings).toEqual([BOTH_WARNING]);
  });

  it('warns when the token comes from the environment and the key inputs are set', () => {
    const config = parse(
      { 'api-token': '', 'api-email': EMAIL, 'api-key': KEY },
      { CLOUDFLARE_API_TOKEN: TOKEN },
    );
    expect(config.credentials).toEqual({ kind: 'token', token: TOKEN });
    expect(config.warnings).toEqual([BOTH_WARNING]);
  });

  it('does not warn about a key pair that is only in the environment', () => {
    const config = parse({}, { CLOUDFLARE_EMAIL: EMAIL, CLOUDFLARE_API_KEY: KEY });
    expect(config.credentials).toEqual({ kind: 'token', token: TOKEN });
    expect(config.warnings).toEqual([]);
  });

  it('uses the Global API key pair from the inputs', () => {
    const config = parse({ 'api-token': '', 'api-email': EMAIL, 'api-key': KEY });
    expect(config.credentials).toEqual({ kind: 'global-key', email: EMAIL, key: KEY });
    expect(config.warnings).toEqual([]);
  });

  it('uses the Global API key pair from the environment, and from both mixed', () => {
    expect(
      parse({ 'api-token': '' }, { CLOUDFLARE_EMAIL: EMAIL, CLOUDFLARE_API_KEY: KEY }).credentials,
    ).toEqual({ kind: 'global-key', email: EMAIL, key: KEY });
    expect(
      parse({ 'api-token': '', 'api-email': EMAIL }, { CLOUDFLARE_API_KEY: KEY }).credentials,
    ).toEqual({ kind: 'global-key', email: EMAIL, key: KEY });
  });

  it('refuses an email without a key', () => {
    expect(problem({ 'api-token': '', 'api-email': EMAIL })).toBe(
      'api-email is set but api-key is not: the Global API key needs both (or use api-token instead).',
    );
    expect(problem({ 'api-token': '' }, { CLOUDFLARE_EMAIL: EMAIL })).toBe(
      'api-email is set but api-key is not: the Global API key needs both (or use api-token instead).',
    );
  });

  it('refuses a key without an email', () => {
    expect(problem({ 'api-token': '', 'api-key': KEY })).toBe(
      'api-key is set but api-email is not: the Global API key needs both (or use api-token instead).',
    );
    expect(problem({ 'api-token': '' }, { CLOUDFLARE_API_KEY: KEY })).toBe(
      'api-key is set but api-email is not: the Global API key needs both (or use api-token instead).',
    );
  });

  it('refuses a run with no credentials at all', () => {
    expect(problem({ 'api-token': '' })).toBe(NO_CREDENTIALS);
    expect(
      problem(
        { 'api-token': '' },
        { CLOUDFLARE_API_TOKEN: '  ', CLOUDFLARE_EMAIL: '', CLOUDFLARE_API_KEY: '\n' },
      ),
    ).toBe(NO_CREDENTIALS);
  });

  it('refuses credentials with white space inside', () => {
    expect(problem({ 'api-token': 'tok-part-one tok-part-two' })).toBe(
      'api-token contains white space; paste the token alone.',
    );
    expect(problem({ 'api-token': '', 'api-email': EMAIL, 'api-key': 'key-part-one\tkey-2' })).toBe(
      'api-key contains white space; paste the key alone.',
    );
    expect(problem({ 'api-token': '', 'api-email': 'a b@example.invalid', 'api-key': KEY })).toBe(
      'api-email contains white space.',
    );
  });

  it('never puts a credential value in an error message', () => {
    const cases: [Record<string, string>, Env, string[]][] = [
      [{ 'api-token': 'tok-secret-AAA tok-secret-BBB' }, {}, ['tok-secret-AAA', 'tok-secret-BBB']],
      [{ 'api-token': '', 'api-email': EMAIL }, {}, [EMAIL]],
      [{ 'api-token': '', 'api-key': KEY }, {}, [KEY]],
      [{ 'api-token': '' }, { CLOUDFLARE_API_KEY: KEY }, [KEY]],
      [{ 'api-token': '' }, { CLOUDFLARE_EMAIL: EMAIL }, [EMAIL]],
      [
        { 'api-token': '', 'api-email': EMAIL, 'api-key': 'key-secret-CCC key-secret-DDD' },
        {},
        [EMAIL, 'key-secret-CCC', 'key-secret-DDD'],
      ],
      [
        { 'api-token': '', 'api-email': 'mail-secret EEE', 'api-key': KEY },
        {},
        ['mail-secret', KEY],
      ],
      // Other problems alongside valid credentials.
      [
        { 'account-id': 'x', 'dry-run': 'maybe', 'api-base-url': 'http://example.com' },
        {},
        [TOKEN],
      ],
    ];
    for (const [overrides, env, secrets] of cases) {
      const error = inputError(() => parse(overrides, env));
      for (const secret of secrets) {
        expect(error.message).not.toContain(secret);
        for (const p of error.problems) expect(p).not.toContain(secret);
      }
    }
  });

  it('never puts a token with white space in the message, whatever it is (property)', () => {
    const part = fc.stringMatching(/^[A-Za-z0-9_-]{4,24}$/);
    const space = fc.constantFrom(' ', '\t', '\n', '  ', '\u00a0');
    fc.assert(
      fc.property(part, space, part, (a, gap, b) => {
        const token = `tok_${a}${gap}${b}`;
        const error = inputError(() => parse({ 'api-token': token }));
        expect(error.message).not.toContain(token);
        expect(error.message).not.toContain(`tok_${a}`);
      }),
      { numRuns: 200 },
    );
  });
});

describe('parseInputs: api-base-url', () => {
  it.each([
    ['https://api.cloudflare.com/client/v4', 'https://api.cloudflare.com/client/v4'],
    ['https://api.cloudflare.com/client/v4/', 'https://api.cloudflare.com/client/v4'],
    ['https://proxy.example.com/cf//', 'https://proxy.example.com/cf'],
    ['https://proxy.example.com', 'https://proxy.example.com'],
    ['https://proxy.example.com:8443/v4', 'https://proxy.example.com:8443/v4'],
    ['HTTPS://Proxy.Example.COM/v4', 'https://proxy.example.com/v4'],
  ])('accepts https: %s', (input, expected) => {
    expect(parse({ 'api-base-url': input }).baseUrl).toBe(expected);
  });

  it.each([
    ['http://127.0.0.1:8787', 'http://127.0.0.1:8787'],
    ['http://127.0.0.1:8787/client/v4/', 'http://127.0.0.1:8787/client/v4'],
    ['http://127.255.10.2/', 'http://127.255.10.2'],
    ['http://127.1:9000', 'http://127.0.0.1:9000'],
    ['http://[::1]:9000/client/v4', 'http://[::1]:9000/client/v4'],
    ['http://localhost:3000/', 'http://localhost:3000'],
    ['http://LOCALHOST', 'http://localhost'],
  ])('accepts http:// to a loopback host: %s', (input, expected) => {
    expect(parse({ 'api-base-url': input }).baseUrl).toBe(expected);
  });

  it.each([
    ['http://api.cloudflare.com/client/v4', 'api.cloudflare.com'],
    ['http://128.0.0.1', '128.0.0.1'],
    ['http://10.0.0.1:8787', '10.0.0.1'],
    ['http://127.0.0.1.example.com', '127.0.0.1.example.com'],
    ['http://localhost.example.com', 'localhost.example.com'],
    ['http://[::2]', '[::2]'],
  ])('refuses http:// to a host that is not loopback: %s', (input, host) => {
    expect(problem({ 'api-base-url': input })).toBe(
      `api-base-url uses http:// with host ${JSON.stringify(host)}: credentials would cross the network unencrypted. ` +
        'Use https://, or a loopback host (127.0.0.0/8, ::1, localhost) for a local test server.',
    );
  });

  it('refuses other protocols', () => {
    expect(problem({ 'api-base-url': 'ftp://127.0.0.1/x' })).toBe(
      'api-base-url must use https:// (got "ftp:").',
    );
    expect(problem({ 'api-base-url': 'file:///etc/passwd' })).toBe(
      'api-base-url must use https:// (got "file:").',
    );
  });

  it('refuses something that is not an absolute URL', () => {
    expect(problem({ 'api-base-url': 'api.cloudflare.com/client/v4' })).toBe(
      'api-base-url must be an absolute URL like https://api.cloudflare.com/client/v4 (got "api.cloudflare.com/client/v4").',
    );
    expect(problem({ 'api-base-url': '/client/v4' })).toBe(
      'api-base-url must be an absolute URL like https://api.cloudflare.com/client/v4 (got "/client/v4").',
    );
  });

  it('refuses a user name or password, without repeating them', () => {
    for (const url of [
      'https://someone:pa55word-XYZ@api.example.com/v4',
      'https://someone@api.example.com/v4',
      'http://someone:pa55word-XYZ@127.0.0.1:8787',
    ]) {
      const message = problem({ 'api-base-url': url });
      expect(message).toBe('api-base-url must not contain a user name or password; use api-token.');
      expect(message).not.toContain('pa55word-XYZ');
    }
  });

  it('never repeats a user name or password when the URL does not even parse', () => {
    expect(problem({ 'api-base-url': 'https://someone:pa55word-XYZ@[::1/v4' })).toBe(
      'api-base-url must be an absolute URL like https://api.cloudflare.com/client/v4 (got "https://***@[::1/v4").',
    );
    expect(problem({ 'api-base-url': 'https://someone:pa55word-XYZ@host:99999' })).toBe(
      'api-base-url must be an absolute URL like https://api.cloudflare.com/client/v4 (got "https://***@host:99999").',
    );
    expect(problem({ 'api-base-url': 'someone:pa55word-XYZ@api.example.com' })).toBe(
      'api-base-url must use https://.',
    );
  });

  it('refuses a query string or a fragment', () => {
    for (const url of [
      'https://api.example.com/v4?x=1',
      'https://api.example.com/v4#top',
      'http://127.0.0.1:8787/?a=b#c',
    ]) {
      expect(problem({ 'api-base-url': url })).toBe(
        'api-base-url must not have a query string or fragment.',
      );
    }
  });

  it('refuses an empty query string or fragment marker', () => {
    // URL#search and URL#hash are '' for a bare '?' or '#', yet href keeps them; the client
    // appends paths to this string, so 'https://host/v4?' would send every path in the query.
    for (const url of ['https://api.example.com/v4?', 'https://api.example.com/v4#']) {
      expect(problem({ 'api-base-url': url })).toBe(
        'api-base-url must not have a query string or fragment.',
      );
    }
  });
});

describe('isLoopback', () => {
  it.each(['localhost', 'LocalHost', '::1', '[::1]', '127.0.0.1', '127.0.0.53', '127.255.255.255'])(
    'is true for %s',
    (host) => {
      expect(isLoopback(host)).toBe(true);
    },
  );

  it.each([
    'example.com',
    '128.0.0.1',
    '10.0.0.1',
    '0.0.0.0',
    '127.0.0.1.example.com',
    'localhost.example.com',
    '::2',
    '[::ffff:8.8.8.8]',
    '',
  ])('is false for %s', (host) => {
    expect(isLoopback(host)).toBe(false);
  });
});

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

describe('parseInputs: scopes', () => {
  it('is undefined when unset (copy the source scopes)', () => {
    expect(parse({ scopes: '' }).scopes).toBeUndefined();
  });

  it.each([
    ['workers', ['workers']],
    ['workers,ai_gateway', ['workers', 'ai_gateway']],
    ['workers, ai_gateway', ['workers', 'ai_gateway']],
    ['workers\nai_gateway', ['workers', 'ai_gateway']],
    ['workers\r\nai_gateway\r\n', ['workers', 'ai_gateway']],
    ['workers,\n  dex\n, access', ['workers', 'dex', 'access']],
    [',workers,,dex,', ['workers', 'dex']],
  ])('splits %j on commas and newlines', (input, expected) => {
    const config = parse({ scopes: input });
    expect(config.scopes).toEqual(expected);
    expect(config.warnings).toEqual([]);
  });

  it('removes duplicates, keeping the first order', () => {
    expect(parse({ scopes: 'dex, workers\ndex,workers,access' }).scopes).toEqual([
      'dex',
      'workers',
      'access',
    ]);
  });

  it('refuses a list with no scope in it', () => {
    for (const input of [',', ', ,', ',\n,', '\n,\n,']) {
      expect(problem({ scopes: input })).toBe(
        'scopes lists no scope: name at least one (e.g. "workers, ai_gateway"), or omit scopes to copy the source\'s.',
      );
    }
  });

  it('refuses white space inside a scope', () => {
    expect(problem({ scopes: 'workers ai_gateway' })).toBe(
      'scopes: "workers ai_gateway" contains white space; separate scopes with commas or newlines.',
    );
    expect(problem({ scopes: 'dex,work\ters' })).toBe(
      'scopes: "work\\ters" contains white space; separate scopes with commas or newlines.',
    );
  });

  it('passes an unknown scope through with a warning that suggests the nearest', () => {
    const config = parse({ scopes: 'workers, worker' });
    expect(config.scopes).toEqual(['workers', 'worker']);
    expect(config.warnings).toEqual([
      'scopes: "worker" (did you mean "workers"?) is not a known scope; passing it to Cloudflare as given. ' +
        'Known scopes: workers, ai_gateway, dex, access, containers, websearch.',
    ]);
  });

  it('lists the unknown-scope warning after the credentials warning', () => {
    const config = parse({ scopes: 'ai-gateway', 'api-key': KEY });
    expect(config.warnings).toHaveLength(2);
    expect(config.warnings[0]).toMatch(/^api-token and api-email\/api-key are both set/);
    expect(config.warnings[1]).toMatch(/^scopes: "ai-gateway" \(did you mean "ai_gateway"\?\)/);
  });
});

describe('parseInputs: if-exists', () => {
  it('defaults to fail and accepts fail, skip and replace', () => {
    expect(parse({ 'if-exists': '' }).ifExists).toBe('fail');
    expect(parse({ 'if-exists': 'fail' }).ifExists).toBe('fail');
    expect(parse({ 'if-exists': 'skip' }).ifExists).toBe('skip');
    expect(parse({ 'if-exists': 'replace' }).ifExists).toBe('replace');
  });

  it('accepts replace with rollback-on-failure: a rollback restores replaced targets', () => {
    const config = parse({ 'if-exists': 'replace', 'rollback-on-failure': 'true' });
    expect([config.ifExists, config.rollbackOnFailure]).toEqual(['replace', true]);
  });

  it('reads keep-previous, false unless set', () => {
    expect(parse({}).keepPrevious).toBe(false);
    expect(parse({ 'keep-previous': 'true' }).keepPrevious).toBe(true);
    expect(problem({ 'keep-previous': 'maybe' })).toMatch(/^keep-previous/);
  });

  it.each(['Skip', 'FAIL', 'overwrite', 'ignore', 'true'])('refuses %s', (value) => {
    expect(problem({ 'if-exists': value })).toBe(
      `if-exists must be "fail", "skip" or "replace" (got ${JSON.stringify(value)}).`,
    );
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

describe('parseInputs: wait-for-active', () => {
  it('defaults to false and reads the YAML booleans', () => {
    expect(parse().waitForActive).toBe(false);
    expect(parse({ 'wait-for-active': 'true' }).waitForActive).toBe(true);
    expect(parse({ 'wait-for-active': 'FALSE' }).waitForActive).toBe(false);
  });

  it('refuses anything else, naming the input', () => {
    expect(problem({ 'wait-for-active': 'yes' })).toBe(
      'wait-for-active must be a YAML 1.2 boolean: true, True, TRUE, false, False or FALSE (got "yes").',
    );
  });
});

describe('parseInputs: prune and prune-keep', () => {
  it('has no pattern and keeps 5 by default', () => {
    expect(parse()).toMatchObject({ prune: undefined, pruneKeep: 5 });
  });

  it('takes a glob and a count from 1 to 100', () => {
    expect(parse({ prune: 'API_KEY_V*', 'prune-keep': '1' })).toMatchObject({
      prune: 'API_KEY_V*',
      pruneKeep: 1,
    });
    expect(parse({ prune: '?X', 'prune-keep': '100' }).pruneKeep).toBe(100);
  });

  it.each(['*', '?', '**', '*?*', '???'])('refuses %s, which would match every secret', (value) => {
    expect(problem({ prune: value })).toBe(
      `prune ${JSON.stringify(value)} has no character other than * and ?, so it would match every secret in the store. ` +
        'Give the part of the names that the copies share, e.g. API_KEY_*.',
    );
  });

  it('refuses white space inside a pattern', () => {
    expect(problem({ prune: 'API_* DB_*' })).toBe(
      'prune must not contain white space (got "API_* DB_*"): secret names cannot, so it would match nothing.',
    );
  });

  it.each(['0', '101', '-1', '2.5', 'five'])('refuses prune-keep %s', (value) => {
    expect(problem({ 'prune-keep': value })).toBe(
      `prune-keep must be a whole number from 1 to 100 (got ${JSON.stringify(value)}).`,
    );
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

describe('parseInputs: dry-run', () => {
  it.each(['true', 'True', 'TRUE'])('reads %s as true', (value) => {
    expect(parse({ 'dry-run': value }).dryRun).toBe(true);
  });

  it.each(['false', 'False', 'FALSE', ''])('reads %j as false', (value) => {
    expect(parse({ 'dry-run': value }).dryRun).toBe(false);
  });

  it.each(['yes', 'on', '1', 'no', 'off', '0', 'y', 'tRUE', 'fALSE', 'truee'])(
    'refuses %s, which is not a YAML 1.2 boolean',
    (value) => {
      expect(problem({ 'dry-run': value })).toBe(
        `dry-run must be a YAML 1.2 boolean: true, True, TRUE, false, False or FALSE (got ${JSON.stringify(value)}).`,
      );
    },
  );
});

describe('parseInputs: max-retries and timeout-seconds', () => {
  it('reads max-retries from 0 to 10', () => {
    expect(parse({ 'max-retries': '0' }).maxRetries).toBe(0);
    expect(parse({ 'max-retries': '5' }).maxRetries).toBe(5);
    expect(parse({ 'max-retries': '10' }).maxRetries).toBe(10);
    expect(parse({ 'max-retries': '' }).maxRetries).toBe(3);
  });

  it.each(['11', '-1', '1.5', '3.0', 'three', '1e1', '0x3', '+3', '99999999999999999999'])(
    'refuses max-retries %s',
    (value) => {
      expect(problem({ 'max-retries': value })).toBe(
        `max-retries must be a whole number from 0 to 10 (got ${JSON.stringify(value)}).`,
      );
    },
  );

  it('reads timeout-seconds from 1 to 3600', () => {
    expect(parse({ 'timeout-seconds': '1' }).timeoutSeconds).toBe(1);
    expect(parse({ 'timeout-seconds': '3600' }).timeoutSeconds).toBe(3600);
    expect(parse({ 'timeout-seconds': '' }).timeoutSeconds).toBe(120);
  });

  it.each(['0', '3601', '-5', '2.5', '1 0', 'forever'])('refuses timeout-seconds %s', (value) => {
    expect(problem({ 'timeout-seconds': value })).toBe(
      `timeout-seconds must be a whole number from 1 to 3600 (got ${JSON.stringify(value)}).`,
    );
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

describe('credentialValues', () => {
  it('collects every credential from inputs and environment, trimmed and deduplicated', () => {
    const read = reader({ 'api-token': TOKEN, 'api-key': '', 'api-email': EMAIL });
    const env = {
      CLOUDFLARE_API_TOKEN: ` ${TOKEN} `,
      CLOUDFLARE_API_KEY: `\n${KEY}\n`,
      CLOUDFLARE_EMAIL: undefined,
    };
    expect(credentialValues(read, env)).toEqual([TOKEN, EMAIL, KEY]);
  });

  it('lists inputs before environment variables: token, key, email', () => {
    const read = reader({ 'api-token': 'a-token', 'api-key': 'a-key', 'api-email': 'a-email' });
    const env = {
      CLOUDFLARE_API_TOKEN: 'e-token',
      CLOUDFLARE_API_KEY: 'e-key',
      CLOUDFLARE_EMAIL: 'e-email',
    };
    expect(credentialValues(read, env)).toEqual([
      'a-token',
      'a-key',
      'a-email',
      'e-token',
      'e-key',
      'e-email',
    ]);
  });

  it('is empty when nothing is set', () => {
    expect(credentialValues(reader({}), {})).toEqual([]);
    expect(credentialValues(reader({}), { CLOUDFLARE_API_TOKEN: '   ' })).toEqual([]);
  });

  it('ignores inputs and variables that are not credentials', () => {
    const read = reader({ 'account-id': ACCOUNT, secret: 'S', name: 'N' });
    expect(credentialValues(read, { CLOUDFLARE_ACCOUNT_ID: ACCOUNT })).toEqual([]);
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

describe('invisible characters in scopes', () => {
  it('refuses a scope with a control or bidirectional character: it reaches outputs as given', () => {
    expect(problem({ scopes: 'workers,ai\u202egateway' })).toBe(
      'scopes: "ai\\u202egateway" contains an invisible or control character; type the scope again without it.',
    );
    expect(problem({ scopes: 'work\u0007ers' })).toMatch(/^scopes: "work\\u0007ers" contains/);
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
