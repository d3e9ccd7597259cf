/**
 * Reads every input once, validates it, and returns one typed configuration. Nothing else in
 * the action reads inputs, and nothing here touches the network: bad input fails the step
 * before the first request, with every problem listed at once.
 */
import { DEFAULT_BASE_URL } from './cloudflare/client.js';
import type { Credentials } from './cloudflare/types.js';
import { ActionError } from './errors.js';
import { hasUnprintable, printable, withoutUserinfo } from './sanitize.js';
import { unknownScopesWarning } from './scopes.js';

/** A store or secret given by id (32 hex) or by exact name. */
export type Ref = { kind: 'id'; id: string } | { kind: 'name'; name: string };

/** One copy to make: `source` duplicated under `name`. */
export interface Duplication {
  source: Ref;
  name: string;
  /** Where it came from in the `secrets` list (1-based), for messages; absent in single mode. */
  line?: number;
}

export type IfExists = 'fail' | 'skip' | 'replace';

export interface ActionConfig {
  accountId: string;
  credentials: Credentials;
  baseUrl: string;
  /** Undefined: the account's only store. */
  store: Ref | undefined;
  /** One item with `secret` + `name`; one per line with `secrets`. */
  duplications: Duplication[];
  /** True when the copies came from the `secrets` list. */
  fromList: boolean;
  /** Copies of a list made at once. */
  maxParallel: number;
  rollbackOnFailure: boolean;
  /** Poll every secret the step writes until Cloudflare reports it active. */
  waitForActive: boolean;
  /** With if-exists: replace, keep the value it removes as `<TARGET>_PREVIOUS`. */
  keepPrevious: boolean;
  /** A glob of names to prune after the copies; undefined: no pruning. */
  prune: string | undefined;
  /** How many of the newest matching secrets pruning keeps. */
  pruneKeep: number;
  /** Undefined: each copy takes its source's scopes. */
  scopes: string[] | undefined;
  comment: string | undefined;
  ifExists: IfExists;
  dryRun: boolean;
  maxRetries: number;
  timeoutSeconds: number;
  /** Things worth a warning annotation that do not stop the step. */
  warnings: string[];
}

/** Reads one input, trimmed, '' when unset (the contract of `core.getInput`). */
export type ReadInput = (name: string) => string;
type Env = Record<string, string | undefined>;

/**
 * Bad input: each problem names its input and says what it accepts. The single-input parsers
 * throw one; parseInputs collects every problem into one.
 */
export class InputError extends ActionError {
  readonly problems: string[];
  constructor(...problems: string[]) {
    if (problems.length === 1) super(`Invalid input: ${problems[0]}`);
    else super('Invalid inputs:', problems);
    this.name = 'InputError';
    this.problems = problems;
  }
}

const ID = /^[0-9a-fA-F]{32}$/;
const IF_EXISTS: readonly IfExists[] = ['fail', 'skip', 'replace'];
/** YAML 1.2 core schema booleans, as `core.getBooleanInput` accepts them. */
const TRUE = ['true', 'True', 'TRUE'];
const FALSE = ['false', 'False', 'FALSE'];

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

export function parseInputs(read: ReadInput, env: Env): ActionConfig {
  const problems: string[] = [];
  const warnings: string[] = [];
  const check = <T>(parse: () => T): T | undefined => {
    try {
      return parse();
    } catch (error) {
      if (!(error instanceof InputError)) throw error;
      problems.push(...error.problems);
      return undefined;
    }
  };

  const accountId = check(() => parseAccountId(read('account-id'), env.CLOUDFLARE_ACCOUNT_ID));
  const credentials = check(() => parseCredentials(read, env, warnings));
  const baseUrl = check(() => parseBaseUrl(read('api-base-url')));
  const store = check(() => parseStore(read('store')));
  const normalize = check(() => parseBoolean(read('normalize-name'), 'normalize-name', false));
  const duplications = check(() => parseDuplications(read, normalize ?? false));
  const scopes = check(() => parseScopes(read('scopes')));
  const ifExists = check(() => parseIfExists(read('if-exists')));
  const dryRun = check(() => parseBoolean(read('dry-run'), 'dry-run', false));
  const maxRetries = check(() => parseInteger(read('max-retries'), 'max-retries', 3, 0, 10));
  const timeoutSeconds = check(() =>
    parseInteger(read('timeout-seconds'), 'timeout-seconds', 120, 1, 3600),
  );
  const maxParallel = check(() => parseInteger(read('max-parallel'), 'max-parallel', 4, 1, 16));
  const rollbackOnFailure = check(() =>
    parseBoolean(read('rollback-on-failure'), 'rollback-on-failure', false),
  );
  const waitForActive = check(() =>
    parseBoolean(read('wait-for-active'), 'wait-for-active', false),
  );
  const keepPrevious = check(() => parseBoolean(read('keep-previous'), 'keep-previous', false));
  const prune = check(() => parsePrune(read('prune')));
  const pruneKeep = check(() => parseInteger(read('prune-keep'), 'prune-keep', 5, 1, 100));
  const comment = read('comment');

  if (problems.length > 0) throw new InputError(...problems);
  if (scopes) {
    const warning = unknownScopesWarning(scopes);
    if (warning) warnings.push(warning);
  }
  const namesWarning = unusualNamesWarning(duplications!.map((d) => d.name));
  if (namesWarning) warnings.push(namesWarning);
  return {
    accountId: accountId!,
    credentials: credentials!,
    baseUrl: baseUrl!,
    store,
    duplications: duplications!,
    fromList: read('secrets') !== '',
    maxParallel: maxParallel!,
    rollbackOnFailure: rollbackOnFailure!,
    waitForActive: waitForActive!,
    keepPrevious: keepPrevious!,
    prune,
    pruneKeep: pruneKeep!,
    scopes,
    comment: comment === '' ? undefined : comment,
    ifExists: ifExists!,
    dryRun: dryRun!,
    maxRetries: maxRetries!,
    timeoutSeconds: timeoutSeconds!,
    warnings,
  };
}

export function parseAccountId(input: string, fromEnv: string | undefined): string {
  const value = input || fromEnv?.trim() || '';
  const where = input ? 'account-id' : 'CLOUDFLARE_ACCOUNT_ID';
  if (value === '') {
    throw new InputError(
      'account-id is required: set the account-id input or the CLOUDFLARE_ACCOUNT_ID environment variable.',
    );
  }
  if (!ID.test(value)) {
    throw new InputError(
      `${where} must be a Cloudflare account id: 32 hexadecimal characters (got ${quote(value)}).`,
    );
  }
  return value.toLowerCase();
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

export function parseStore(input: string): Ref | undefined {
  if (input === '') return undefined;
  if (ID.test(input)) return { kind: 'id', id: input.toLowerCase() };
  refuseInvisible(input, 'store');
  return { kind: 'name', name: input };
}

/**
 * `secret` + `name` (one copy) or `secrets` (one `SOURCE => TARGET` per line), never both:
 * either way the rest of the action sees a list.
 */
export function parseDuplications(read: ReadInput, normalize = false): Duplication[] {
  const list = read('secrets');
  const secret = read('secret');
  const name = read('name');
  if (list !== '') {
    if (secret !== '' || name !== '') {
      throw new InputError(
        `Use either secret + name (one copy) or secrets (a list), not both: secrets is set, and so is ${[secret !== '' ? 'secret' : '', name !== '' ? 'name' : ''].filter(Boolean).join(' and ')}.`,
      );
    }
    return parseSecretsList(list, normalize);
  }
  const problems: string[] = [];
  let source: Ref | undefined;
  let target: string | undefined;
  try {
    if (secret === '')
      throw new InputError(
        "secret is required: the source secret's id or name (or use secrets for a list).",
      );
    source = parseSecretRef(secret, 'secret');
  } catch (error) {
    if (!(error instanceof InputError)) throw error;
    problems.push(...error.problems);
  }
  try {
    target = parseTargetName(name, 'name', normalize);
  } catch (error) {
    if (!(error instanceof InputError)) throw error;
    problems.push(...error.problems);
  }
  if (source?.kind === 'name' && source.name === target) {
    problems.push(sameAsSource('secret and name', target, name));
  }
  if (problems.length > 0) throw new InputError(...problems);
  return [{ source: source!, name: target! }];
}

/**
 * The `secrets` input: one `SOURCE => TARGET` per line, SOURCE an id or name, TARGET the new
 * name; blank lines and lines starting with `#` are ignored. Every bad line is reported, with
 * its number, and a TARGET may appear only once.
 */
export function parseSecretsList(input: string, normalize = false): Duplication[] {
  const problems: string[] = [];
  const duplications: Duplication[] = [];
  input.split(/\r?\n/).forEach((raw, index) => {
    const text = raw.trim();
    const line = index + 1;
    if (text === '' || text.startsWith('#')) return;
    const parts = text.split('=>');
    if (parts.length !== 2) {
      problems.push(`secrets line ${line}: expected "SOURCE => TARGET" (got ${quote(text)}).`);
      return;
    }
    const [sourceText, targetText] = parts.map((part) => part.trim()) as [string, string];
    try {
      if (sourceText === '')
        throw new InputError(`secrets line ${line}: SOURCE is missing before "=>".`);
      if (targetText === '')
        throw new InputError(`secrets line ${line}: TARGET is missing after "=>".`);
      const source = parseSecretRef(sourceText, `secrets line ${line} SOURCE`);
      const name = parseTargetName(targetText, `secrets line ${line} TARGET`, normalize);
      if (source.kind === 'name' && source.name === name) {
        throw new InputError(
          sameAsSource(`secrets line ${line}: SOURCE and TARGET`, name, targetText),
        );
      }
      duplications.push({ source, name, line });
    } catch (error) {
      if (!(error instanceof InputError)) throw error;
      problems.push(...error.problems);
    }
  });
  const linesByTarget = new Map<string, number[]>();
  for (const d of duplications)
    linesByTarget.set(d.name, [...(linesByTarget.get(d.name) ?? []), d.line!]);
  for (const [target, lines] of linesByTarget) {
    if (lines.length > 1) {
      problems.push(
        `secrets: TARGET "${target}" is listed ${lines.length} times (lines ${lines.join(', ')}); each new name can be created once.`,
      );
    }
  }
  if (problems.length > 0) throw new InputError(...problems);
  if (duplications.length === 0) {
    throw new InputError('secrets lists no copy: write one "SOURCE => TARGET" per line.');
  }
  return duplications;
}

/** A copy onto its own source would, with if-exists: replace, delete the source. */
function sameAsSource(what: string, name: string, given: string): string {
  const how = given === name ? '' : ` (normalize-name made it of ${quote(given)})`;
  return `${what} are both ${quote(name)}${how}: a secret cannot be copied onto itself; give the copy another name.`;
}

/**
 * normalize-name: upper case; every run of characters other than A-Z, 0-9 and _ becomes one _;
 * leading and trailing _ removed. `API_KEY_v1.2.0-rc.1` gives `API_KEY_V1_2_0_RC_1`.
 */
export function normalizeName(input: string): string {
  return input
    .toUpperCase()
    .replace(/[^A-Z0-9_]+/gu, '_')
    .replace(/^_+|_+$/g, '');
}

/** A new secret's name, normalized first when normalize-name is on. */
function parseTargetName(input: string, inputName: string, normalize: boolean): string {
  if (!normalize || input === '') return parseSecretName(input, inputName);
  const name = normalizeName(input);
  if (name === '') {
    throw new InputError(
      `${inputName} ${quote(input)} has no letter or digit: normalize-name keeps only A-Z, 0-9 and _, ` +
        'so nothing is left of it.',
    );
  }
  return name;
}

/** A secret's id (32 hex) or exact name. */
export function parseSecretRef(input: string, inputName: string): Ref {
  if (ID.test(input)) return { kind: 'id', id: input.toLowerCase() };
  return { kind: 'name', name: parseSecretName(input, inputName) };
}

export function parseSecretName(input: string, inputName: string): string {
  if (input === '') {
    throw new InputError(`${inputName} is required: a secret name such as API_KEY.`);
  }
  if (/\s/.test(input)) {
    throw new InputError(
      `${inputName} must not contain white space (got ${quote(input)}); Cloudflare secret names cannot contain spaces.`,
    );
  }
  refuseInvisible(input, inputName);
  return input;
}

/**
 * Zero-width, bidirectional-control and other invisible or control characters make two
 * different names look the same, so a name with one is refused. They are shown escaped.
 */
function refuseInvisible(input: string, inputName: string): void {
  if (!hasUnprintable(input)) return;
  throw new InputError(
    `${inputName} contains an invisible or control character (got "${printable(input, 80)}"): ` +
      'it would make the name look like another; type the name again without it.',
  );
}

/** The characters wrangler accepts in a secret name. */
const PLAIN_NAME = /^[A-Za-z0-9_-]+$/;

/**
 * A warning for new names with characters outside A-Z, a-z, 0-9, _ and -: Cloudflare documents
 * no such rule, so they are sent as given, but wrangler refuses them.
 */
export function unusualNamesWarning(names: readonly string[]): string | undefined {
  const unusual = names.filter((name) => !PLAIN_NAME.test(name));
  if (unusual.length === 0) return undefined;
  const shown = unusual.slice(0, 5).map(quote).join(', ');
  const more = unusual.length > 5 ? ` and ${unusual.length - 5} more` : '';
  return (
    `${unusual.length === 1 ? 'The new name' : 'New names'} ${shown}${more} ` +
    `${unusual.length === 1 ? 'has' : 'have'} characters outside A-Z, a-z, 0-9, _ and - (the set wrangler accepts): ` +
    'sent to Cloudflare as given, but wrangler and other tools may refuse such names.'
  );
}

/** Comma- and/or newline-separated; empty items dropped; duplicates removed. */
export function parseScopes(input: string): string[] | undefined {
  if (input === '') return undefined;
  const scopes = [
    ...new Set(
      input
        .split(/[,\r\n]+/)
        .map((s) => s.trim())
        .filter((s) => s !== ''),
    ),
  ];
  if (scopes.length === 0) {
    throw new InputError(
      'scopes lists no scope: name at least one (e.g. "workers, ai_gateway"), or omit scopes to copy the source\'s.',
    );
  }
  const spaced = scopes.find((s) => /\s/.test(s));
  if (spaced !== undefined) {
    throw new InputError(
      `scopes: ${quote(spaced)} contains white space; separate scopes with commas or newlines.`,
    );
  }
  const invisible = scopes.find(hasUnprintable);
  if (invisible !== undefined) {
    throw new InputError(
      `scopes: "${printable(invisible, 80)}" contains an invisible or control character; type the scope again without it.`,
    );
  }
  return scopes;
}

export function parseIfExists(input: string): IfExists {
  if (input === '') return 'fail';
  const value = IF_EXISTS.find((v) => v === input);
  if (!value) {
    throw new InputError(`if-exists must be "fail", "skip" or "replace" (got ${quote(input)}).`);
  }
  return value;
}

/** A glob of secret names: `*` and `?` with at least one other character, no white space. */
export function parsePrune(input: string): string | undefined {
  if (input === '') return undefined;
  if (/\s/.test(input)) {
    throw new InputError(
      `prune must not contain white space (got ${quote(input)}): secret names cannot, so it would match nothing.`,
    );
  }
  if (/^[*?]+$/.test(input)) {
    throw new InputError(
      `prune ${quote(input)} has no character other than * and ?, so it would match every secret in the store. ` +
        'Give the part of the names that the copies share, e.g. API_KEY_*.',
    );
  }
  return input;
}

export function parseBoolean(input: string, inputName: string, defaultValue: boolean): boolean {
  if (input === '') return defaultValue;
  if (TRUE.includes(input)) return true;
  if (FALSE.includes(input)) return false;
  throw new InputError(
    `${inputName} must be a YAML 1.2 boolean: true, True, TRUE, false, False or FALSE (got ${quote(input)}).`,
  );
}

export function parseInteger(
  input: string,
  inputName: string,
  defaultValue: number,
  min: number,
  max: number,
): number {
  if (input === '') return defaultValue;
  const value = /^\d+$/.test(input) ? Number(input) : Number.NaN;
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw new InputError(
      `${inputName} must be a whole number from ${min} to ${max} (got ${quote(input)}).`,
    );
  }
  return value;
}

/** A value quoted for an error message, cut short so a pasted blob stays readable. */
function quote(value: string): string {
  return JSON.stringify(value.length > 80 ? `${value.slice(0, 77)}...` : value);
}
