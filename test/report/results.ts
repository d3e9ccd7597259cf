/** What the tests of src/report/ share: a store, a source, a new secret, results and reports. */
import type { Secret } from '../../src/cloudflare/types.js';
import type { CopyResult } from '../../src/copy/results.js';
import type { PlannedCopy, PlannedStore } from '../../src/plan/plan.js';
import type { RunReport } from '../../src/report/outputs.js';

export const STORE_ID = '023e105f4ecef8ad9ca31a8372d0c353';
export const SOURCE_ID = '3fd85f74b32742f1bff64a85009dda07';
export const NEW_ID = 'aaaabbbbccccddddeeeeffff00001111';
export const STORE: PlannedStore = { id: STORE_ID, name: 'default_secrets_store' };

export const SOURCE: Secret = {
  id: SOURCE_ID,
  name: 'API_KEY',
  status: 'active',
  store_id: STORE_ID,
  created: '2024-01-01T00:00:00.000000Z',
  scopes: ['workers'],
};

export const NEW_SECRET: Secret = {
  id: NEW_ID,
  name: 'API_KEY_COPY',
  status: 'pending',
  store_id: STORE_ID,
  created: '2025-06-01T12:00:00.123456Z',
  modified: '2025-06-01T12:00:00.123456Z',
  comment: 'copied',
  scopes: ['workers', 'ai_gateway'],
};

/** Another secret of the store, by id and name. */
export const secret = (id: string, name: string): Secret => ({ ...NEW_SECRET, id, name });

export function copy(overrides: Partial<PlannedCopy> = {}): PlannedCopy {
  return {
    sourceRef: 'API_KEY',
    sourceId: SOURCE_ID,
    source: SOURCE,
    name: 'API_KEY_COPY',
    scopes: ['workers', 'ai_gateway'],
    ...overrides,
  };
}

export function result(overrides: Partial<CopyResult> = {}): CopyResult {
  return {
    copy: copy(),
    outcome: 'created',
    secret: NEW_SECRET,
    adopted: false,
    warnings: [],
    ...overrides,
  } as CopyResult;
}

export function report(
  results: CopyResult[],
  dryRun = false,
  store = STORE,
  fromList = false,
): RunReport {
  return { store, results, dryRun, fromList };
}

export const HEADER = [
  '| Source → new name | Secret id | Scopes | Status | Store | Outcome |',
  '| --- | --- | --- | --- | --- | --- |',
];
