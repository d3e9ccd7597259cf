import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { credentialValues, isLoopback } from '../../src/inputs/connection.js';
import {
  ACCOUNT,
  EMAIL,
  inputError,
  KEY,
  parse,
  problem,
  reader,
  TOKEN,
  type Env,
} from './parse.js';

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
