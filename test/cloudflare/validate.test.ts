import { describe, expect, it } from 'vitest';
import {
  ShapeError,
  expectArrayOf,
  expectQuota,
  expectSecret,
  expectStore,
} from '../../src/cloudflare/validate.js';

const ID = '3fd85f74b32742f1bff64a85009dda07';
const STORE_ID = '023e105f4ecef8ad9ca31a8372d0c353';

/** The ShapeError `fn` throws; fails the test when it throws anything else or nothing. */
function shapeError(fn: () => unknown): ShapeError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(ShapeError);
    expect((error as Error).name).toBe('ShapeError');
    return error as ShapeError;
  }
  throw new Error('expected a ShapeError, but nothing was thrown');
}

describe('expectSecret', () => {
  it("accepts Cloudflare's documented secret and keeps only the known fields", () => {
    const secret = expectSecret(
      {
        id: ID,
        created: '2023-09-21T18:56:32.624632Z',
        modified: '2023-09-21T18:56:32.624632Z',
        name: 'MY_API_KEY',
        status: 'pending',
        store_id: STORE_ID,
        comment: 'info about my secret',
        scopes: ['workers', 'ai_gateway', 'dex', 'access'],
        unexpected: 'dropped',
      },
      'result',
    );
    expect(secret).toEqual({
      id: ID,
      name: 'MY_API_KEY',
      status: 'pending',
      store_id: STORE_ID,
      created: '2023-09-21T18:56:32.624632Z',
      modified: '2023-09-21T18:56:32.624632Z',
      comment: 'info about my secret',
      scopes: ['workers', 'ai_gateway', 'dex', 'access'],
    });
  });

  it('fills the optional fields it relies on with empty strings', () => {
    expect(expectSecret({ id: ID, name: 'A' }, 'result')).toEqual({
      id: ID,
      name: 'A',
      status: '',
      store_id: '',
      created: '',
      modified: undefined,
      comment: undefined,
      scopes: undefined,
    });
  });

  it('treats null scopes as absent and ignores non-string optional fields', () => {
    const secret = expectSecret(
      { id: ID, name: 'A', scopes: null, status: 3, created: null, comment: 7 },
      'result',
    );
    expect(secret.scopes).toBeUndefined();
    expect(secret.status).toBe('');
    expect(secret.created).toBe('');
    expect(secret.comment).toBeUndefined();
  });

  it('accepts an empty scopes list', () => {
    expect(expectSecret({ id: ID, name: 'A', scopes: [] }, 'result').scopes).toEqual([]);
  });

  it('names a missing id', () => {
    expect(shapeError(() => expectSecret({ name: 'A' }, 'result')).message).toBe(
      'result.id is missing',
    );
  });

  it('names a missing name, under the given location', () => {
    expect(shapeError(() => expectSecret({ id: ID }, 'result[2]')).message).toBe(
      'result[2].name is missing',
    );
  });

  it('refuses an empty id and a non-string name', () => {
    expect(shapeError(() => expectSecret({ id: '', name: 'A' }, 'result')).message).toBe(
      'result.id is empty',
    );
    expect(shapeError(() => expectSecret({ id: ID, name: 42 }, 'result')).message).toBe(
      'result.name is number 42',
    );
    expect(shapeError(() => expectSecret({ id: null, name: 'A' }, 'result')).message).toBe(
      'result.id is null',
    );
  });

  it('refuses scopes that are not a list of strings', () => {
    expect(
      shapeError(() => expectSecret({ id: ID, name: 'A', scopes: 'workers' }, 'result')).message,
    ).toBe('result.scopes is string "workers", not a list of names');
    expect(
      shapeError(() => expectSecret({ id: ID, name: 'A', scopes: ['workers', 1] }, 'result'))
        .message,
    ).toBe('result.scopes is a list, not a list of names');
  });

  it('refuses an id that is not 32 lowercase hex characters: ids reach paths and outputs', () => {
    for (const id of [ID.toUpperCase(), `${ID}0`, 'x\n::warning::forged', '../../stores']) {
      expect(shapeError(() => expectSecret({ id, name: 'A' }, 'result')).message).toMatch(
        /^result\.id is string ".*", not an id \(32 lowercase hex characters\)$/,
      );
    }
  });

  it('refuses a created or modified time that is not an ISO 8601 date and time', () => {
    for (const created of [
      'yesterday',
      '1',
      '2023-09-21',
      '2023-09-21T18:56:32Z\n::x',
      '2023-13-45T99:99:99Z',
    ]) {
      expect(
        shapeError(() => expectSecret({ id: ID, name: 'A', created }, 'result')).message,
      ).toMatch(/^result\.created is string ".*", not a date and time$/);
    }
    expect(
      shapeError(() => expectSecret({ id: ID, name: 'A', modified: 'soon' }, 'result')).message,
    ).toBe('result.modified is string "soon", not a date and time');
    for (const created of [
      '2023-09-21T18:56:32Z',
      '2023-09-21T18:56:32.624632Z',
      '2023-09-21T18:56:32+02:00',
    ]) {
      expect(expectSecret({ id: ID, name: 'A', created }, 'result').created).toBe(created);
    }
  });

  it('refuses a status that is not one short line without spaces', () => {
    for (const status of [
      'active\n::warning::x',
      'pending active',
      'a'.repeat(65),
      'act\u202eive',
    ]) {
      expect(
        shapeError(() => expectSecret({ id: ID, name: 'A', status }, 'result')).message,
      ).toMatch(/^result\.status is string ".*, not a one-word status$/);
    }
  });

  it('refuses a scope that could break a line or the comma-separated scopes output', () => {
    expect(
      shapeError(() => expectSecret({ id: ID, name: 'A', scopes: ['workers', 'a,b'] }, 'result'))
        .message,
    ).toBe('result.scopes[1] is string "a,b", not a scope name');
    expect(
      shapeError(() => expectSecret({ id: ID, name: 'A', scopes: ['x\ny'] }, 'result')).message,
    ).toBe('result.scopes[0] is string "x\\ny", not a scope name');
  });

  it('refuses a store_id that is not an id', () => {
    expect(
      shapeError(() => expectSecret({ id: ID, name: 'A', store_id: 'store' }, 'result')).message,
    ).toBe('result.store_id is string "store", not an id');
  });

  it('refuses a result that is not an object', () => {
    expect(shapeError(() => expectSecret(null, 'result')).message).toBe(
      'result is null, not an object',
    );
    expect(shapeError(() => expectSecret([], 'result')).message).toBe(
      'result is a list, not an object',
    );
    expect(shapeError(() => expectSecret('oops', 'result')).message).toBe(
      'result is string "oops", not an object',
    );
    expect(shapeError(() => expectSecret(5, 'result')).message).toBe(
      'result is number 5, not an object',
    );
  });

  it('says a missing result is missing, without repeating "undefined"', () => {
    // An envelope without `result` reaches expectSecret as undefined.
    expect(shapeError(() => expectSecret(undefined, 'result')).message).toMatch(
      /^result is (missing|undefined), not an object$/,
    );
  });
});

describe('expectStore', () => {
  it('accepts a store and keeps only the known fields', () => {
    expect(
      expectStore(
        {
          id: STORE_ID,
          name: 'default_secrets_store',
          created: '2023-09-21T18:56:32.624632Z',
          modified: '2023-09-22T18:56:32.624632Z',
          account_id: '985e105f4ecef8ad9ca31a8372d0c353',
          extra: true,
        },
        'result',
      ),
    ).toEqual({
      id: STORE_ID,
      name: 'default_secrets_store',
      created: '2023-09-21T18:56:32.624632Z',
      modified: '2023-09-22T18:56:32.624632Z',
      account_id: '985e105f4ecef8ad9ca31a8372d0c353',
    });
  });

  it('leaves absent optional fields undefined', () => {
    expect(expectStore({ id: STORE_ID, name: 's' }, 'result')).toEqual({
      id: STORE_ID,
      name: 's',
      created: undefined,
      modified: undefined,
      account_id: undefined,
    });
  });

  it('names the missing field', () => {
    expect(shapeError(() => expectStore({ name: 's' }, 'result')).message).toBe(
      'result.id is missing',
    );
    expect(shapeError(() => expectStore({ id: STORE_ID }, 'result')).message).toBe(
      'result.name is missing',
    );
    expect(shapeError(() => expectStore({ id: STORE_ID, name: '' }, 'result')).message).toBe(
      'result.name is empty',
    );
  });

  it('refuses a store id that is not an id', () => {
    expect(shapeError(() => expectStore({ id: 'default', name: 's' }, 'result')).message).toBe(
      'result.id is string "default", not an id (32 lowercase hex characters)',
    );
  });

  it('refuses a list where a store is expected', () => {
    expect(shapeError(() => expectStore([{ id: STORE_ID, name: 's' }], 'result')).message).toBe(
      'result is a list, not an object',
    );
  });
});

describe('expectQuota', () => {
  it('accepts a quota and keeps only the numbers', () => {
    expect(
      expectQuota({ secrets: { quota: 100, usage: 3, extra: 1 }, other: {} }, 'result'),
    ).toEqual({ secrets: { quota: 100, usage: 3 } });
  });

  it('accepts zero usage', () => {
    expect(expectQuota({ secrets: { quota: 100, usage: 0 } }, 'result')).toEqual({
      secrets: { quota: 100, usage: 0 },
    });
  });

  it('refuses non-numeric or missing quota and usage', () => {
    for (const secrets of [{ quota: '100', usage: 3 }, { quota: 100 }, { usage: 3 }, {}]) {
      expect(shapeError(() => expectQuota({ secrets }, 'result')).message).toBe(
        'result.secrets has no numeric quota and usage',
      );
    }
  });

  it('refuses a secrets field that is not an object', () => {
    expect(shapeError(() => expectQuota({ secrets: null }, 'result')).message).toBe(
      'result.secrets is null, not an object',
    );
    expect(shapeError(() => expectQuota({ secrets: [] }, 'result')).message).toBe(
      'result.secrets is a list, not an object',
    );
  });

  it('names a missing secrets field', () => {
    expect(shapeError(() => expectQuota({}, 'result')).message).toMatch(
      /^result\.secrets is (missing|undefined), not an object$/,
    );
  });

  it('refuses a result that is not an object', () => {
    expect(shapeError(() => expectQuota(null, 'result')).message).toBe(
      'result is null, not an object',
    );
  });
});

describe('expectArrayOf', () => {
  it('checks every item and returns them in order', () => {
    expect(
      expectArrayOf(
        [
          { id: ID, name: 'A' },
          { id: STORE_ID, name: 'B' },
        ],
        'result',
        expectStore,
      ),
    ).toEqual([
      { id: ID, name: 'A', created: undefined, modified: undefined, account_id: undefined },
      { id: STORE_ID, name: 'B', created: undefined, modified: undefined, account_id: undefined },
    ]);
  });

  it('accepts an empty list', () => {
    expect(expectArrayOf([], 'result', expectSecret)).toEqual([]);
  });

  it('names the bad item by its index', () => {
    expect(
      shapeError(() => expectArrayOf([{ id: ID, name: 'A' }, { id: ID }], 'result', expectSecret))
        .message,
    ).toBe('result[1].name is missing');
  });

  it('passes each item its own location', () => {
    const seen: string[] = [];
    expectArrayOf(['a', 'b', 'c'], 'result', (item, where) => {
      seen.push(`${where}=${String(item)}`);
      return item;
    });
    expect(seen).toEqual(['result[0]=a', 'result[1]=b', 'result[2]=c']);
  });

  it('refuses something that is not a list', () => {
    expect(shapeError(() => expectArrayOf({}, 'result', expectSecret)).message).toBe(
      'result is an object, not a list',
    );
    expect(shapeError(() => expectArrayOf(null, 'result', expectSecret)).message).toBe(
      'result is null, not a list',
    );
    expect(shapeError(() => expectArrayOf('x', 'result', expectSecret)).message).toBe(
      'result is string "x", not a list',
    );
  });
});
