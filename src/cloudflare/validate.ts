/**
 * Checks that a `result` has the fields this client relies on, so a surprising answer becomes
 * a clear error ("result.id is missing") instead of a TypeError further down. Values that leave
 * the client as they are (ids, times, a status, scopes) must also have their documented shape:
 * they reach request paths, step outputs and logs, so an answer cannot forge them.
 */
import type { Quota, Secret, Store } from './types.js';

/** A result that does not have the shape we rely on. */
export class ShapeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ShapeError';
  }
}

type Fields = Record<string, unknown>;

/** Account, store and secret ids: 32 lowercase hex characters. */
const ID_PATTERN = /^[0-9a-f]{32}$/;
/** ISO 8601 date and time, as Cloudflare prints it: "2023-09-21T18:56:32.624632Z". */
const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/;
/** A status or a scope: one short token, with nothing that could break a line or a list. */
const TOKEN = /^[^\s,\p{C}]{1,64}$/u;

function expectObject(value: unknown, where: string): Fields {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ShapeError(`${where} is ${describe(value)}, not an object`);
  }
  return value as Fields;
}

function expectString(fields: Fields, key: string, where: string): string {
  const value = fields[key];
  if (typeof value !== 'string' || value === '') {
    throw new ShapeError(`${where}.${key} is ${value === undefined ? 'missing' : describe(value)}`);
  }
  return value;
}

function optionalString(fields: Fields, key: string): string | undefined {
  const value = fields[key];
  return typeof value === 'string' ? value : undefined;
}

function expectId(fields: Fields, key: string, where: string): string {
  const value = expectString(fields, key, where);
  if (!isId(value)) {
    throw new ShapeError(
      `${where}.${key} is ${describe(value)}, not an id (32 lowercase hex characters)`,
    );
  }
  return value;
}

/** A string field that, when present and not empty, must pass `isValid`; other types count as absent. */
function optionalChecked(
  fields: Fields,
  key: string,
  where: string,
  isValid: (value: string) => boolean,
  what: string,
): string | undefined {
  const value = optionalString(fields, key);
  if (value === undefined || value === '' || isValid(value)) return value;
  throw new ShapeError(`${where}.${key} is ${describe(value)}, not ${what}`);
}

const isTime = (value: string) => TIMESTAMP.test(value) && !Number.isNaN(Date.parse(value));
const isToken = (value: string) => TOKEN.test(value);
/** True for a Cloudflare id: 32 lowercase hex characters, the only form that enters a path. */
export const isId = (value: string) => ID_PATTERN.test(value);

export function expectArrayOf<T>(
  value: unknown,
  where: string,
  expectItem: (item: unknown, where: string) => T,
): T[] {
  if (!Array.isArray(value)) throw new ShapeError(`${where} is ${describe(value)}, not a list`);
  return value.map((item, index) => expectItem(item, `${where}[${index}]`));
}

export function expectStore(value: unknown, where: string): Store {
  const fields = expectObject(value, where);
  return {
    id: expectId(fields, 'id', where),
    name: expectString(fields, 'name', where),
    created: optionalString(fields, 'created'),
    modified: optionalString(fields, 'modified'),
    account_id: optionalString(fields, 'account_id'),
  };
}

export function expectSecret(value: unknown, where: string): Secret {
  const fields = expectObject(value, where);
  const scopes = fields['scopes'];
  if (scopes !== undefined && scopes !== null) {
    if (!Array.isArray(scopes) || !scopes.every((s) => typeof s === 'string')) {
      throw new ShapeError(`${where}.scopes is ${describe(scopes)}, not a list of names`);
    }
    scopes.forEach((scope: string, index) => {
      if (!isToken(scope)) {
        throw new ShapeError(`${where}.scopes[${index}] is ${describe(scope)}, not a scope name`);
      }
    });
  }
  return {
    id: expectId(fields, 'id', where),
    name: expectString(fields, 'name', where),
    status: optionalChecked(fields, 'status', where, isToken, 'a one-word status') ?? '',
    store_id: optionalChecked(fields, 'store_id', where, isId, 'an id') ?? '',
    created: optionalChecked(fields, 'created', where, isTime, 'a date and time') ?? '',
    modified: optionalChecked(fields, 'modified', where, isTime, 'a date and time'),
    comment: optionalString(fields, 'comment'),
    scopes: Array.isArray(scopes) ? (scopes as string[]) : undefined,
  };
}

export function expectQuota(value: unknown, where: string): Quota {
  const secrets = expectObject(expectObject(value, where)['secrets'], `${where}.secrets`);
  const quota = secrets['quota'];
  const usage = secrets['usage'];
  if (typeof quota !== 'number' || typeof usage !== 'number') {
    throw new ShapeError(`${where}.secrets has no numeric quota and usage`);
  }
  return { secrets: { quota, usage } };
}

function describe(value: unknown): string {
  if (value === undefined) return 'missing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (value === '') return 'empty';
  return typeof value === 'object'
    ? 'an object'
    : `${typeof value} ${JSON.stringify(value)}`.slice(0, 60);
}
