/**
 * The single-value inputs: each parser takes one input's text and returns its value or throws an
 * InputError that names the input and says what it accepts.
 */
import { isId } from '../cloudflare/validate.js';
import { ActionError } from '../shared/errors.js';
import { hasUnprintable, printable } from '../shared/sanitize.js';

/** A store or secret given by id (32 hex) or by exact name. */
export type Ref = { kind: 'id'; id: string } | { kind: 'name'; name: string };

export type IfExists = 'fail' | 'skip' | 'replace';

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

/**
 * Runs every parser, in order, each seeing the values parsed before it; throws one InputError
 * with every problem (after `problems` already found), so no value is used unless all parsed.
 */
export function collect<T extends object>(
  problems: string[],
  parsers: { [K in keyof T]: (got: Partial<T>) => T[K] },
): T {
  const got: Partial<T> = {};
  for (const key of Object.keys(parsers) as (keyof T)[]) {
    try {
      got[key] = parsers[key](got);
    } catch (error) {
      if (!(error instanceof InputError)) throw error;
      problems.push(...error.problems);
    }
  }
  if (problems.length > 0) throw new InputError(...problems);
  // Every parser returned: each key of T holds its value.
  return got as T;
}

/** An id as Cloudflare writes it (lower case), when `value` is one in either case; else undefined. */
export function asId(value: string): string | undefined {
  const id = value.toLowerCase();
  return isId(id) ? id : undefined;
}

const IF_EXISTS: readonly IfExists[] = ['fail', 'skip', 'replace'];
/** YAML 1.2 core schema booleans, as `core.getBooleanInput` accepts them. */
const TRUE = ['true', 'True', 'TRUE'];
const FALSE = ['false', 'False', 'FALSE'];

export function parseStore(input: string): Ref | undefined {
  if (input === '') return undefined;
  const id = asId(input);
  if (id !== undefined) return { kind: 'id', id };
  refuseInvisible(input, 'store');
  return { kind: 'name', name: input };
}

/**
 * Zero-width, bidirectional-control and other invisible or control characters make two
 * different names look the same, so a name with one is refused. They are shown escaped.
 */
export function refuseInvisible(input: string, inputName: string): void {
  if (!hasUnprintable(input)) return;
  throw new InputError(
    `${inputName} contains an invisible or control character (got "${printable(input, 80)}"): ` +
      'it would make the name look like another; type the name again without it.',
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
export function quote(value: string): string {
  return JSON.stringify(value.length > 80 ? `${value.slice(0, 77)}...` : value);
}
