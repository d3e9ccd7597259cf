/**
 * Where and as whom the step talks to Cloudflare: the account, the credentials and the API's
 * base URL (the proxy is chosen in proxy.ts).
 */
import { DEFAULT_BASE_URL } from '../cloudflare/client.js';
import type { Credentials } from '../cloudflare/types.js';
import type { Env, ReadInput } from './names.js';
import { asId, InputError, quote } from './values.js';
import { withoutUserinfo } from '../shared/sanitize.js';

/**
 * Every credential value the inputs or environment hold, so the caller can mask them before
 * anything is logged (including the errors parseInputs may throw).
 */
export function credentialValues(read: ReadInput, env: Env): string[] {
  const values = [
    read('api-token'),
    read('api-key'),
    read('api-email'),
    env.CLOUDFLARE_API_TOKEN,
    env.CLOUDFLARE_API_KEY,
    env.CLOUDFLARE_EMAIL,
  ];
  return [...new Set(values.map((v) => v?.trim() ?? '').filter((v) => v !== ''))];
}

export function parseAccountId(input: string, fromEnv: string | undefined): string {
  const value = input || fromEnv?.trim() || '';
  const where = input ? 'account-id' : 'CLOUDFLARE_ACCOUNT_ID';
  if (value === '') {
    throw new InputError(
      'account-id is required: set the account-id input or the CLOUDFLARE_ACCOUNT_ID environment variable.',
    );
  }
  const id = asId(value);
  if (id === undefined) {
    throw new InputError(
      `${where} must be a Cloudflare account id: 32 hexadecimal characters (got ${quote(value)}).`,
    );
  }
  return id;
}

export function parseCredentials(read: ReadInput, env: Env, warnings: string[]): Credentials {
  const token = read('api-token') || env.CLOUDFLARE_API_TOKEN?.trim() || '';
  const email = read('api-email') || env.CLOUDFLARE_EMAIL?.trim() || '';
  const key = read('api-key') || env.CLOUDFLARE_API_KEY?.trim() || '';
  // Credentials are never quoted back in messages: only which input or variable is wrong.
  if (token !== '') {
    if (/\s/.test(token))
      throw new InputError('api-token contains white space; paste the token alone.');
    if (read('api-key') !== '' || read('api-email') !== '') {
      warnings.push(
        'api-token and api-email/api-key are both set: using api-token; the Global API key pair is ignored.',
      );
    }
    return { kind: 'token', token };
  }
  if (email !== '' && key === '') {
    throw new InputError(
      'api-email is set but api-key is not: the Global API key needs both (or use api-token instead).',
    );
  }
  if (key !== '' && email === '') {
    throw new InputError(
      'api-key is set but api-email is not: the Global API key needs both (or use api-token instead).',
    );
  }
  if (key === '') {
    throw new InputError(
      'No Cloudflare credentials: set api-token (or the CLOUDFLARE_API_TOKEN environment variable), ' +
        'or both api-email and api-key (CLOUDFLARE_EMAIL, CLOUDFLARE_API_KEY).',
    );
  }
  if (/\s/.test(key)) throw new InputError('api-key contains white space; paste the key alone.');
  if (/\s/.test(email)) throw new InputError('api-email contains white space.');
  return { kind: 'global-key', email, key };
}

/** `https://` anywhere; `http://` only to this machine (a test server), never over a network. */
export function parseBaseUrl(input: string): string {
  const value = input || DEFAULT_BASE_URL;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new InputError(
      `api-base-url must be an absolute URL like ${DEFAULT_BASE_URL} (got ${quote(withoutUserinfo(value))}).`,
    );
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    // "user:password@host" parses with "user:" as its scheme: quote nothing from such a value.
    const got = value.includes('@') ? '' : ` (got ${quote(url.protocol)})`;
    throw new InputError(`api-base-url must use https://${got}.`);
  }
  if (url.protocol === 'http:' && !isLoopback(url.hostname)) {
    throw new InputError(
      `api-base-url uses http:// with host ${quote(url.hostname)}: credentials would cross the network unencrypted. ` +
        'Use https://, or a loopback host (127.0.0.0/8, ::1, localhost) for a local test server.',
    );
  }
  if (url.username !== '' || url.password !== '') {
    throw new InputError('api-base-url must not contain a user name or password; use api-token.');
  }
  // `search`/`hash` are empty for a bare "?" or "#", which would still swallow the path.
  if (url.search !== '' || url.hash !== '' || /[?#]/.test(value)) {
    throw new InputError('api-base-url must not have a query string or fragment.');
  }
  return url.toString().replace(/\/+$/, '');
}

export function isLoopback(hostname: string): boolean {
  const host = hostname.toLowerCase().replace(/^\[|\]$/g, '');
  if (host === 'localhost' || host === '::1') return true;
  // The URL parser has already normalised IPv4 forms such as 127.1 to dotted quads.
  return /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}
