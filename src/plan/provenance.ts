/**
 * Provenance: one line at the end of every comment the action writes, saying which source the
 * secret was copied from and by which workflow run. `prune` reads it back: a secret without it
 * was not made by this action and is never pruned (docs/provenance.md).
 *
 *   [secrets-store-duplicate] source=API_KEY source-id=<32 hex> repo=acme/app event=release ref=v1.2.3 run=https://github.com/acme/app/actions/runs/123 attempt=1
 *
 * Values are percent-encoded (every byte outside printable ASCII, and space and `%`), so no value
 * can add a key, a line or a space; a value too long to record is left out, never cut, since a
 * cut source name could make two sources one.
 */
import { isId } from '../cloudflare/validate.js';
import { codePoint } from '../shared/sanitize.js';

export const PROVENANCE_PREFIX = '[secrets-store-duplicate]';

/** Longest value recorded, encoded: longer ones are left out. */
export const MAX_PROVENANCE_VALUE = 256;
/** Longest provenance line: the prefix and seven keys of at most MAX_PROVENANCE_VALUE each. */
export const MAX_PROVENANCE_LINE = 2_048;

/** Where the step runs, from the runner's environment; any of it may be unknown. */
export interface StepOrigin {
  /** `OWNER/REPO`. */
  repository?: string;
  event?: string;
  /** The release tag, the environment, or the branch or tag name. */
  ref?: string;
  runUrl?: string;
  attempt?: string;
}

export interface Provenance extends StepOrigin {
  /** Unknown when the source was given by id and never looked up. */
  sourceName?: string;
  sourceId: string;
}

/** The keys of the line, in the order they are written. */
const KEYS = [
  ['sourceName', 'source'],
  ['sourceId', 'source-id'],
  ['repository', 'repo'],
  ['event', 'event'],
  ['ref', 'ref'],
  ['runUrl', 'run'],
  ['attempt', 'attempt'],
] as const satisfies readonly (readonly [keyof Provenance, string])[];

/** The provenance line for `provenance`; values that are empty or cannot be recorded are left out. */
export function formatProvenance(provenance: Provenance): string {
  const fields = KEYS.flatMap(([field, key]) => {
    const value = provenance[field];
    const encoded = value ? encodeValue(value) : undefined;
    return encoded !== undefined && encoded.length <= MAX_PROVENANCE_VALUE
      ? [`${key}=${encoded}`]
      : [];
  });
  return [PROVENANCE_PREFIX, ...fields].join(' ');
}

/** The comment to write: the user's comment, if any, then the provenance line on its own line. */
export function withProvenance(comment: string | undefined, provenance: Provenance): string {
  const line = formatProvenance(provenance);
  return comment ? `${comment}\n${line}` : line;
}

/**
 * The provenance a comment ends with, or undefined when its last line is not a well-formed one
 * (with a source id at least). Only the last line counts: the action writes it last, so a
 * user's comment cannot put another in front of it.
 */
export function parseProvenance(comment: string | undefined): Provenance | undefined {
  if (comment === undefined) return undefined;
  const line = comment.slice(comment.lastIndexOf('\n') + 1);
  if (line.length > MAX_PROVENANCE_LINE || !line.startsWith(`${PROVENANCE_PREFIX} `)) {
    return undefined;
  }
  const values = new Map<string, string>();
  for (const token of line.slice(PROVENANCE_PREFIX.length + 1).split(' ')) {
    const [, key, raw] = /^([a-z][a-z-]*)=(.+)$/.exec(token) ?? [];
    const value = raw === undefined ? undefined : decodeValue(raw);
    if (key === undefined || value === undefined || values.has(key)) return undefined;
    values.set(key, value);
  }
  const provenance: Partial<Provenance> = {};
  for (const [field, key] of KEYS) {
    const value = values.get(key);
    if (value !== undefined) provenance[field] = value;
  }
  const { sourceId } = provenance;
  return sourceId !== undefined && isId(sourceId) ? { ...provenance, sourceId } : undefined;
}

/** Printable ASCII other than `%` as it is; anything else as %XX of its UTF-8 bytes. */
function encodeValue(value: string): string | undefined {
  let out = '';
  for (const char of value) {
    const code = codePoint(char);
    // A lone surrogate has no UTF-8 form: the value cannot be recorded as it is.
    if (code >= 0xd800 && code <= 0xdfff) return undefined;
    if (code > 0x20 && code < 0x7f && char !== '%') out += char;
    else {
      for (const byte of Buffer.from(char, 'utf8')) {
        out += `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
      }
    }
  }
  return out;
}

function decodeValue(encoded: string): string | undefined {
  if (!/^(?:[\x21-\x24\x26-\x7e]|%[0-9A-F]{2})+$/.test(encoded)) return undefined;
  try {
    return decodeURIComponent(encoded);
  } catch {
    return undefined; // bytes that are not UTF-8
  }
}
