/**
 * Checks that a `result` has the fields this client relies on, so a surprising answer becomes
 * a clear error ("result.id is missing") instead of a TypeError further down.
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
    id: expectString(fields, 'id', where),
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
  }
  return {
    id: expectString(fields, 'id', where),
    name: expectString(fields, 'name', where),
    status: optionalString(fields, 'status') ?? '',
    store_id: optionalString(fields, 'store_id') ?? '',
    created: optionalString(fields, 'created') ?? '',
    modified: optionalString(fields, 'modified'),
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
