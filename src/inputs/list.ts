/**
 * The copies to make: `secret` + `name`, or the `secrets` list's grammar (`SOURCE => TARGET`,
 * pattern lines with one `*`), and the rules for a new secret's name.
 */
import type { ReadInput } from './names.js';
import { asId, collect, InputError, quote, refuseInvisible, type Ref } from './values.js';

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
  const { source, target } = collect<{ source: Ref; target: string }>([], {
    source: () => {
      if (secret === '') {
        throw new InputError(
          "secret is required: the source secret's id or name (or use secrets for a list).",
        );
      }
      return parseSecretRef(secret, 'secret');
    },
    target: () => parseTargetName(name, 'name', normalize),
  });
  if (source.kind === 'name' && source.name === target) {
    throw new InputError(sameAsSource('secret and name', target, name));
  }
  return [{ source, name: target }];
}

/**
 * The `secrets` input: one `SOURCE => TARGET` per line, SOURCE an id, a name or a pattern with
 * one `*` (then TARGET has one `*` too); blank lines and lines starting with `#` are ignored.
 * Every bad line is reported, with its number, and a TARGET may appear only once.
 */
export function parseSecretsList(input: string, normalize = false): Duplication[] {
  const problems: string[] = [];
  const duplications: Duplication[] = [];
  const written: Written[] = [];
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
      written.push({ name, line, text: quote(text), renamed: name !== targetText });
    } catch (error) {
      if (!(error instanceof InputError)) throw error;
      problems.push(...error.problems);
    }
  });
  problems.push(...duplicateTargets(written));
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
  /** The new name it would create. */
  name: string;
  /** Its line in the `secrets` list. */
  line: number | undefined;
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
 * lines not yet expanded have no name yet, and are not passed.
 */
export function duplicateTargets(copies: readonly Written[]): string[] {
  const byTarget = new Map<string, Written[]>();
  for (const copy of copies) byTarget.set(copy.name, [...(byTarget.get(copy.name) ?? []), copy]);
  const problems: string[] = [];
  for (const [target, same] of byTarget) {
    if (same.length < 2) continue;
    const lines = [...new Set(same.map((w) => w.line))];
    const shown = same.map((w) => `line ${w.line} ${w.text}`).join(', ');
    let why = '';
    if (same.some((w) => w.pattern)) why = ` (${shown})`;
    else if (same.some((w) => w.renamed)) {
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
