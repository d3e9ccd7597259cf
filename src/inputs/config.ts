/**
 * Reads every input once, validates it, and returns one typed configuration. Nothing else in
 * the action reads inputs, and nothing here touches the network: bad input fails the step
 * before the first request, with every problem listed at once.
 */
import { DEFAULT_BASE_URL } from '../cloudflare/client.js';
import type { Credentials } from '../cloudflare/types.js';
import { isId } from '../cloudflare/validate.js';
import { ActionError } from '../shared/errors.js';
import { nearest } from './nearest.js';
import { hasUnprintable, printable, withoutUserinfo } from '../shared/sanitize.js';
import { unknownScopesWarning } from './scopes.js';

/** A store or secret given by id (32 hex) or by exact name. */
export type Ref = { kind: 'id'; id: string } | { kind: 'name'; name: string };

/**
 * A `secrets` line such as `*_STAGING => *_PRODUCTION`: every secret of the store whose name
 * matches `pattern` (one `*`) is copied; the plan expands it from its listing (src/inputs/patterns.ts).
 */
export interface PatternRef {
  kind: 'pattern';
  pattern: string;
  /** normalize-name, applied to each expanded TARGET. */
  normalize: boolean;
}

/** One copy to make: `source` duplicated under `name`. */
export interface Duplication {
  /** A pattern only in what parseInputs returns; the plan expands it before anything else. */
  source: Ref | PatternRef;
  /** The new name; for a pattern line, the TARGET with its `*`, not yet normalized. */
  name: string;
  /** Where it came from in the `secrets` list (1-based), for messages; absent in single mode. */
  line?: number;
  /** A pattern line and the copies it makes: the line as written (trimmed). */
  text?: string;
  /** A pattern's copy: its TARGET before normalize-name, when that changed it. */
  given?: string;
}

/** A copy of one secret, as the plan makes it: patterns expanded. */
export type PlainDuplication = Duplication & { source: Ref };

/**
 * Every input action.yml declares (in its order, for the list messages show): what the workflow
 * may write under `with:`. test/inputs/config.test.ts keeps it equal to action.yml, and ReadInput takes
 * only these names, so an input read but not listed does not compile.
 */
export const INPUT_NAMES = [
  'secret',
  'name',
  'secrets',
  'normalize-name',
  'scopes',
  'comment',
  'store',
  'account-id',
  'api-token',
  'api-email',
  'api-key',
  'if-exists',
  'dry-run',
  'max-parallel',
  'rollback-on-failure',
  'keep-previous',
  'wait-for-active',
  'prune',
  'prune-keep',
  'max-retries',
  'timeout-seconds',
  'api-base-url',
] as const;
type InputName = (typeof INPUT_NAMES)[number];

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
export type ReadInput = (name: InputName) => string;
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

/** An id as Cloudflare writes it (lower case), when `value` is one in either case; else undefined. */
function asId(value: string): string | undefined {
  const id = value.toLowerCase();
  return isId(id) ? id : undefined;
}

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

/**
 * The inputs the workflow wrote that this action does not have, one problem each, then the list
 * of its inputs. The runner passes every `with:` key (and each declared default) as `INPUT_` +
 * the key upper-cased, hyphens kept (`if_exists` arrives as `INPUT_IF_EXISTS`, `if-exists` as
 * `INPUT_IF-EXISTS`), so a variable that names no declared input is a key the step would
 * otherwise ignore without a word. An `INPUT_` variable set by hand in `env:` is refused alike:
 * no key under that prefix means anything else to this action.
 */
export function unknownInputs(env: Env): string[] {
  const declared = new Set<string>(INPUT_NAMES.map((name) => name.toUpperCase()));
  const unknown = Object.keys(env)
    .filter((key) => key.startsWith('INPUT_') && !declared.has(key.slice(6).toUpperCase()))
    .map((key) => key.slice(6).toLowerCase())
    .sort();
  if (unknown.length === 0) return [];
  return [
    ...unknown.map((name) => {
      const guess = closestInput(name);
      const hyphens =
        guess === name.replace(/_/g, '-') ? ' Input names are written with "-", not "_".' : '';
      return (
        `unknown input ${quote(name)}${guess ? ` (did you mean ${quote(guess)}?)` : ''}: ` +
        `this action has no input of that name, so the step would ignore it.${hyphens}`
      );
    }),
    `The inputs of this action are: ${INPUT_NAMES.join(', ')}.`,
  ];
}

/**
 * The declared input a mistyped name most likely meant: the same name with "-" for "_" or " ",
 * one that has it as a whole part (`token` → `api-token`), or one a few edits away.
 */
function closestInput(name: string): string | undefined {
  const hyphened = name.replace(/[_ ]/g, '-');
  const { candidate, distance } = nearest(hyphened, INPUT_NAMES);
  if (distance <= (hyphened.length >= 6 ? 2 : 1)) return candidate;
  const words = (text: string): string => ` ${text.split('-').join(' ')} `;
  return INPUT_NAMES.find((input) => words(input).includes(words(hyphened)));
}

export function parseInputs(read: ReadInput, env: Env): ActionConfig {
  const problems: string[] = unknownInputs(env);
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
  // A pattern's names are known only once it is expanded, and never warned about.
  const namesWarning = unusualNamesWarning(
    duplications!.filter((d) => d.source.kind !== 'pattern').map((d) => d.name),
  );
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

function parseAccountId(input: string, fromEnv: string | undefined): string {
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

function parseCredentials(read: ReadInput, env: Env, warnings: string[]): Credentials {
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
function parseBaseUrl(input: string): string {
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

function parseStore(input: string): Ref | undefined {
  if (input === '') return undefined;
  const id = asId(input);
  if (id !== undefined) return { kind: 'id', id };
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
  if (/=>|[\r\n]/.test(secret)) {
    // Likely `secret: |` where `secrets: |` was meant; the missing name would only confuse.
    throw new InputError(
      `secret holds ${secret.includes('=>') ? 'a "=>"' : 'several lines'}, as a list does: a list of ` +
        '"SOURCE => TARGET" lines goes in the secrets input (with an s), without name.',
    );
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
 * The `secrets` input: one `SOURCE => TARGET` per line, SOURCE an id, a name or a pattern with
 * one `*` (then TARGET has one `*` too); blank lines and lines starting with `#` are ignored.
 * Every bad line is reported, with its number, and a TARGET may appear only once.
 */
export function parseSecretsList(input: string, normalize = false): Duplication[] {
  const problems: string[] = [];
  const duplications: Duplication[] = [];
  const written = new Map<Duplication, Written>();
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
      if (sourceText.includes('*') || targetText.includes('*')) {
        duplications.push(parsePatternLine(sourceText, targetText, line, text, normalize));
        return;
      }
      const source = parseSecretRef(sourceText, `secrets line ${line} SOURCE`);
      const name = parseTargetName(targetText, `secrets line ${line} TARGET`, normalize);
      if (source.kind === 'name' && source.name === name) {
        throw new InputError(
          sameAsSource(`secrets line ${line}: SOURCE and TARGET`, name, targetText),
        );
      }
      const duplication = { source, name, line };
      duplications.push(duplication);
      written.set(duplication, { text: quote(text), renamed: name !== targetText });
    } catch (error) {
      if (!(error instanceof InputError)) throw error;
      problems.push(...error.problems);
    }
  });
  problems.push(...duplicateTargets(duplications, (d) => written.get(d)!));
  if (problems.length > 0) throw new InputError(...problems);
  if (duplications.length === 0) {
    throw new InputError('secrets lists no copy: write one "SOURCE => TARGET" per line.');
  }
  return duplications;
}

/**
 * A line with `*`: one on each side, the same run of characters in both. What it matches is
 * known only from the store's listing (src/inputs/patterns.ts); here only its form is checked.
 */
function parsePatternLine(
  source: string,
  target: string,
  line: number,
  text: string,
  normalize: boolean,
): Duplication {
  const stars = (side: string): number => side.split('*').length - 1;
  const where = `secrets line ${line}`;
  if (stars(source) !== 1 || stars(target) !== 1) {
    throw new InputError(
      `${where}: a pattern line has exactly one "*" on each side, such as "*_STAGING => *_PRODUCTION" ` +
        `(got ${stars(source)} in SOURCE and ${stars(target)} in TARGET): the "*" of TARGET ` +
        'stands for what the "*" of SOURCE matched.',
    );
  }
  parseSecretName(source, `${where} SOURCE`);
  parseSecretName(target, `${where} TARGET`);
  if (source === target) {
    throw new InputError(
      `${where}: SOURCE and TARGET are both ${quote(source)}: every secret it matches would be ` +
        'copied onto itself; give the copies another name, such as "*_COPY".',
    );
  }
  return { source: { kind: 'pattern', pattern: source, normalize }, name: target, line, text };
}

/** A copy's line as the workflow wrote it, for the message of a name made twice. */
export interface Written {
  /** The line, quoted (for a pattern's copy, with the secret it matched). */
  text: string;
  /** normalize-name changed its TARGET. */
  renamed: boolean;
  /** A pattern line made it. */
  pattern?: boolean;
}

/**
 * One problem per new name that two copies would create (only one could be). When
 * normalize-name or a pattern made the names equal, the lines as written are shown. Pattern
 * lines not yet expanded have no name to compare.
 */
export function duplicateTargets(
  duplications: readonly Duplication[],
  written: (d: Duplication) => Written,
): string[] {
  const byTarget = new Map<string, Duplication[]>();
  for (const d of duplications) {
    if (d.source.kind === 'pattern') continue;
    byTarget.set(d.name, [...(byTarget.get(d.name) ?? []), d]);
  }
  const problems: string[] = [];
  for (const [target, same] of byTarget) {
    if (same.length < 2) continue;
    const lines = [...new Set(same.map((d) => d.line))];
    const texts = same.map(written);
    const shown = same.map((d, i) => `line ${d.line} ${texts[i]!.text}`).join(', ');
    let why = '';
    if (texts.some((t) => t.pattern)) why = ` (${shown})`;
    else if (texts.some((t) => t.renamed)) {
      why = ` (normalize-name made different names equal: ${shown})`;
    }
    problems.push(
      `secrets: TARGET "${target}" is listed ${same.length} times (lines ${lines.join(', ')})${why}; ` +
        'each new name can be created once.',
    );
  }
  return problems;
}

/** A source as the workflow wrote it. */
export function refText(ref: Ref | PatternRef): string {
  if (ref.kind === 'id') return ref.id;
  return ref.kind === 'name' ? ref.name : ref.pattern;
}

/** A copy onto its own source would, with if-exists: replace, delete the source. */
function sameAsSource(what: string, name: string, given: string): string {
  const how = given === name ? '' : ` (normalize-name made it of ${quote(given)})`;
  return `${what} are both ${quote(name)}${how}: a secret cannot be copied onto itself; give the copy another name.`;
}

/**
 * normalize-name, by ASCII rules only: every run of characters other than A-Z, a-z, 0-9 and _
 * becomes one _ (letters outside ASCII included), a-z becomes A-Z, and leading and trailing _
 * are removed. Replacing first keeps locale case rules out (`ß` would become `SS`, `ﬁ` `FI`).
 * `straße-v1.2` gives `STRA_E_V1_2`.
 */
export function normalizeName(input: string): string {
  return input
    .replace(/[^A-Za-z0-9_]+/gu, '_')
    .toUpperCase()
    .replace(/^_+|_+$/g, '');
}

/**
 * A new secret's name, normalized first when normalize-name is on. Invisible characters are
 * refused either way: normalizing would hide them in a `_`.
 */
export function parseTargetName(input: string, inputName: string, normalize: boolean): string {
  if (!normalize || input === '') {
    const normalized = normalizeName(input);
    const hint =
      normalized === '' ? '' : ` With normalize-name: true it would be ${quote(normalized)}.`;
    return parseSecretName(input, inputName, hint);
  }
  refuseInvisible(input, inputName);
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
function parseSecretRef(input: string, inputName: string): Ref {
  const id = asId(input);
  if (id !== undefined) return { kind: 'id', id };
  return { kind: 'name', name: parseSecretName(input, inputName) };
}

/** `whiteSpaceHint`: what else to try when the name has white space (for a new name). */
function parseSecretName(input: string, inputName: string, whiteSpaceHint = ''): string {
  if (input === '') {
    throw new InputError(`${inputName} is required: a secret name such as API_KEY.`);
  }
  if (/\s/.test(input)) {
    throw new InputError(
      `${inputName} must not contain white space (got ${quote(input)}); Cloudflare secret names cannot contain spaces.${whiteSpaceHint}`,
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
function unusualNamesWarning(names: readonly string[]): string | undefined {
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
function parseScopes(input: string): string[] | undefined {
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

function parseIfExists(input: string): IfExists {
  if (input === '') return 'fail';
  const value = IF_EXISTS.find((v) => v === input);
  if (!value) {
    throw new InputError(`if-exists must be "fail", "skip" or "replace" (got ${quote(input)}).`);
  }
  return value;
}

/** A glob of secret names: `*` and `?` with at least one other character, no white space. */
function parsePrune(input: string): string | undefined {
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

function parseBoolean(input: string, inputName: string, defaultValue: boolean): boolean {
  if (input === '') return defaultValue;
  if (TRUE.includes(input)) return true;
  if (FALSE.includes(input)) return false;
  throw new InputError(
    `${inputName} must be a YAML 1.2 boolean: true, True, TRUE, false, False or FALSE (got ${quote(input)}).`,
  );
}

function parseInteger(
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
