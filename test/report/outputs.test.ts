import { describe, expect, it } from 'vitest';
import type { Secret } from '../../src/cloudflare/types.js';
import { MAX_OUTPUT_TEXT, outputsFor } from '../../src/report/outputs.js';
import { copy, NEW_ID, NEW_SECRET, report, result, SOURCE_ID, STORE, STORE_ID } from './results.js';

describe('outputsFor', () => {
  const entry = (overrides: Record<string, unknown> = {}) => ({
    source: 'API_KEY',
    name: 'API_KEY_COPY',
    id: NEW_ID,
    outcome: 'created',
    replaced: null,
    previous: null,
    error: null,
    ...overrides,
  });

  it('outputs the new secret when one was created', () => {
    expect(outputsFor(report([result()]))).toEqual({
      'secret-id': NEW_ID,
      'secret-name': 'API_KEY_COPY',
      'store-id': STORE_ID,
      pruned: '[]',
      'secret-ids': JSON.stringify({ API_KEY_COPY: NEW_ID }),
      results: JSON.stringify([entry()]),
      'source-secret-id': SOURCE_ID,
      'replaced-secret-id': '',
      'previous-secret-id': '',
      status: 'pending',
      scopes: 'workers,ai_gateway',
      created: '2025-06-01T12:00:00.123456Z',
      outcome: 'created',
      result: JSON.stringify(NEW_SECRET),
    });
  });

  it('outputs the existing secret when if-exists skip found one', () => {
    const existing: Secret = {
      id: 'ffffeeeeddddccccbbbbaaaa99998888',
      name: 'API_KEY_COPY',
      status: 'active',
      store_id: STORE_ID,
      created: '2023-09-21T18:56:32.624632Z',
      scopes: ['dex'],
    };
    expect(outputsFor(report([result({ outcome: 'existing', secret: existing })]))).toEqual({
      'secret-id': 'ffffeeeeddddccccbbbbaaaa99998888',
      'secret-name': 'API_KEY_COPY',
      'store-id': STORE_ID,
      pruned: '[]',
      'secret-ids': JSON.stringify({ API_KEY_COPY: 'ffffeeeeddddccccbbbbaaaa99998888' }),
      results: JSON.stringify([
        entry({ id: 'ffffeeeeddddccccbbbbaaaa99998888', outcome: 'existing' }),
      ]),
      'source-secret-id': SOURCE_ID,
      'replaced-secret-id': '',
      'previous-secret-id': '',
      status: 'active',
      scopes: 'dex',
      created: '2023-09-21T18:56:32.624632Z',
      outcome: 'existing',
      result: JSON.stringify(existing),
    });
  });

  it('leaves secret-id, status, created and result empty on a dry run', () => {
    const dry = result({
      outcome: 'dry-run',
      secret: undefined,
      copy: copy({ name: 'PLANNED', scopes: ['access', 'dex'] }),
    });
    expect(outputsFor(report([dry], true))).toEqual({
      'secret-id': '',
      'secret-name': 'PLANNED',
      'store-id': STORE_ID,
      pruned: '[]',
      'secret-ids': '{}',
      results: JSON.stringify([entry({ name: 'PLANNED', id: null, outcome: 'dry-run' })]),
      'source-secret-id': SOURCE_ID,
      'replaced-secret-id': '',
      'previous-secret-id': '',
      status: '',
      scopes: 'access,dex',
      created: '',
      outcome: 'dry-run',
      result: '',
    });
  });

  it('ignores a secret attached to a dry-run result', () => {
    const outputs = outputsFor(report([result({ outcome: 'dry-run' })], true));
    expect(outputs['secret-id']).toBe('');
    expect(outputs.status).toBe('');
    expect(outputs.created).toBe('');
    expect(outputs.result).toBe('');
    expect(outputs['secret-ids']).toBe('{}');
    expect(JSON.parse(outputs.results!)).toEqual([entry({ id: null, outcome: 'dry-run' })]);
  });

  it('uses the planned scopes when the secret carries none, comma-joined without spaces', () => {
    const secret: Secret = { ...NEW_SECRET, scopes: undefined };
    const outputs = outputsFor(
      report([result({ secret, copy: copy({ scopes: ['workers', 'dex', 'access'] }) })]),
    );
    expect(outputs.scopes).toBe('workers,dex,access');
  });

  it('gives a list run only store-id, secret-ids and results', () => {
    const other: Secret = { ...NEW_SECRET, id: 'b'.repeat(32), name: 'OTHER' };
    const results = [
      result({ copy: copy({ line: 1 }) }),
      result({ copy: copy({ name: 'OTHER', line: 2 }), outcome: 'existing', secret: other }),
      result({
        copy: copy({ name: 'BROKEN', sourceRef: 'MISSING', line: 3 }),
        outcome: 'failed',
        secret: undefined,
        error: 'HTTP 500',
      }),
      result({ copy: copy({ name: 'UNDONE', line: 4 }), outcome: 'rolled-back' }),
    ];
    expect(outputsFor(report(results, false, STORE, true))).toEqual({
      'store-id': STORE_ID,
      pruned: '[]',
      'secret-ids': JSON.stringify({ API_KEY_COPY: NEW_ID, OTHER: 'b'.repeat(32) }),
      results: JSON.stringify([
        entry(),
        entry({ name: 'OTHER', id: 'b'.repeat(32), outcome: 'existing' }),
        entry({
          source: 'MISSING',
          name: 'BROKEN',
          id: null,
          outcome: 'failed',
          error: 'HTTP 500',
        }),
        entry({ name: 'UNDONE', outcome: 'rolled-back' }),
      ]),
    });
  });

  it('keeps names such as __proto__ and constructor in secret-ids', () => {
    const names = ['__proto__', 'constructor', 'toString', 'hasOwnProperty'];
    const results = names.map((name, i) =>
      result({
        copy: copy({ name, line: i + 1 }),
        secret: { ...NEW_SECRET, id: String(i).repeat(32), name },
      }),
    );
    const outputs = outputsFor(report(results, false, STORE, true));
    expect(outputs['secret-ids']).toBe(
      '{"__proto__":"' +
        '0'.repeat(32) +
        '","constructor":"' +
        '1'.repeat(32) +
        '","toString":"' +
        '2'.repeat(32) +
        '","hasOwnProperty":"' +
        '3'.repeat(32) +
        '"}',
    );
    expect(JSON.parse(outputs.results!)).toHaveLength(4);
  });

  it('outputs the name asked for as secret-name, never a name from the answer', () => {
    const forged = { ...NEW_SECRET, name: 'API_KEY_COPY\nforged=1' };
    const outputs = outputsFor(report([result({ secret: forged })]));
    expect(outputs['secret-name']).toBe('API_KEY_COPY');
    expect(JSON.parse(outputs.result!).name).toBe('API_KEY_COPY\nforged=1');
  });

  it('cuts free text in outputs, saying how much was cut', () => {
    const long = 'c'.repeat(MAX_OUTPUT_TEXT + 10);
    const single = outputsFor(
      report([result({ secret: { ...NEW_SECRET, name: long, comment: long } })]),
    );
    const cut = `${'c'.repeat(MAX_OUTPUT_TEXT)}… [10 more characters cut]`;
    expect(single['secret-name']).toBe('API_KEY_COPY');
    expect(JSON.parse(single.result!)).toEqual({ ...NEW_SECRET, name: cut, comment: cut });

    const failed = outputsFor(
      report([result({ outcome: 'failed', secret: undefined, error: long })], false, STORE, true),
    );
    expect(JSON.parse(failed.results!)[0].error).toBe(cut);

    const pruned = outputsFor({
      ...report([result()]),
      prune: {
        pattern: '*',
        keep: 0,
        dryRun: false,
        pruned: [{ ...NEW_SECRET, name: long }],
        untracked: [],
        failures: [],
        warnings: [],
      },
    });
    expect(JSON.parse(pruned.pruned!)).toEqual([{ id: NEW_ID, name: cut }]);
  });

  it('gives a failed single copy only store-id, secret-ids and results', () => {
    const failed = result({ outcome: 'failed', secret: undefined, error: 'boom' });
    expect(outputsFor(report([failed]))).toEqual({
      'store-id': STORE_ID,
      pruned: '[]',
      'secret-ids': '{}',
      results: JSON.stringify([entry({ id: null, outcome: 'failed', error: 'boom' })]),
    });
  });

  it('gives a report without results empty lists', () => {
    expect(outputsFor(report([]))).toEqual({
      'store-id': STORE_ID,
      pruned: '[]',
      'secret-ids': '{}',
      results: '[]',
    });
  });
});
