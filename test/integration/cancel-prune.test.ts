/**
 * A step cancelled while it prunes: the delete in flight finishes, no other starts, and the step
 * says which copies it pruned and which it left for the next run.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runProvenance, secretsPathOf, startFake, type SeededFake } from '../helpers/fake.js';
import { runAction } from '../helpers/action.js';
import { cancelWhen } from '../helpers/cancel.js';

let seeded: SeededFake;
let releases: Record<string, string>;

beforeEach(async () => {
  seeded = await startFake();
  const hour = 3_600_000;
  const sourceId = seeded.fake.addSecret(seeded.storeId, {
    name: 'API_KEY',
    value: 'api-key-value',
    created: new Date(Date.now() - 100 * hour).toISOString(),
  }).id;
  releases = {};
  for (let n = 1; n <= 4; n++) {
    const name = `API_KEY_V${n}`;
    const created = new Date(Date.now() - (10 - n) * hour).toISOString();
    const comment = runProvenance({ sourceName: 'API_KEY', sourceId }, 4000 + n);
    releases[name] = seeded.fake.addSecret(seeded.storeId, { name, created, comment }).id;
  }
  seeded.fake.resetRequests();
});

afterEach(async () => {
  await seeded.fake.close();
});

describe('a step cancelled while it prunes', () => {
  it('finishes the delete in flight and starts no other', async () => {
    // Pruning keeps the new copy only: V4, V3, V2 and V1 go, newest first. V4's delete is held.
    const v4 = `${secretsPathOf(seeded)}/${releases.API_KEY_V4}`;
    seeded.fake.addFault({ method: 'DELETE', path: v4, delayMs: 1_500 });

    const result = await runAction({
      inputs: {
        ...seeded.inputs,
        secret: 'API_KEY',
        name: 'API_KEY_V5',
        prune: 'API_KEY_V*',
        'prune-keep': '1',
      },
      onSpawn: cancelWhen(seeded.fake, (requests) => requests.some((r) => r.method === 'DELETE')),
    });

    expect(result.code, result.stdout).toBe(1);
    expect(seeded.fake.requests.filter((r) => r.method === 'DELETE').map((r) => r.path)).toEqual([
      v4,
    ]);
    const left = seeded.fake.listSecrets(seeded.storeId).map((s) => s.name);
    expect(left).toEqual(expect.arrayContaining(['API_KEY_V1', 'API_KEY_V2', 'API_KEY_V3']));
    expect(left).not.toContain('API_KEY_V4');
    expect(JSON.parse(result.outputs['pruned']!)).toEqual([
      { id: releases.API_KEY_V4, name: 'API_KEY_V4' },
    ]);
    expect(result.errors[0]).toMatch(/^The step was cancelled \(SIGINT\)/);
    expect(result.warnings).toContain(
      'prune: the step was cancelled, so 3 older copy(ies) were not deleted; the next run prunes them.',
    );
  });
});
