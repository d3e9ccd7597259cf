/**
 * `prune` and `prune-keep`, through the bundled action against the fake API: old release copies
 * go, the newest of each source stay, and neither a source, what the step wrote, anything newer
 * than it or created since it started, nor a secret without provenance is ever deleted.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ACCOUNT_ID } from '../helpers/credentials.js';
import { runProvenance, startFake, type SeededFake } from '../helpers/fake.js';
import { runAction } from '../helpers/action.js';

let seeded: SeededFake;
/** API_KEY_V1 … API_KEY_V6 by name: older copies have smaller numbers. */
let releases: Record<string, string>;
let sourceId: string;

const HOUR = 3_600_000;

beforeEach(async () => {
  seeded = await startFake();
  sourceId = seeded.fake.addSecret(seeded.storeId, {
    name: 'API_KEY',
    value: 'api-key-value',
    created: new Date(Date.now() - 100 * HOUR).toISOString(),
  }).id;
  releases = {};
  // Copies earlier runs made, each with its provenance line.
  for (let n = 1; n <= 6; n++) {
    const name = `API_KEY_V${n}`;
    const created = new Date(Date.now() - (10 - n) * HOUR).toISOString();
    const comment = runProvenance({ sourceName: 'API_KEY', sourceId }, 4000 + n);
    releases[name] = seeded.fake.addSecret(seeded.storeId, { name, created, comment }).id;
  }
  seeded.fake.resetRequests();
});

afterEach(async () => {
  await seeded.fake.close();
});

const BASE = `/accounts/${ACCOUNT_ID}/secrets_store`;
const secretsPath = () => `${BASE}/stores/${seeded.storeId}/secrets`;
const requestLines = () => seeded.fake.requests.map((r) => `${r.method} ${r.path}`);
const deletes = () => requestLines().filter((l) => l.startsWith('DELETE'));
const names = () =>
  seeded.fake
    .listSecrets(seeded.storeId)
    .map((s) => s.name)
    .filter((n) => n.startsWith('API_KEY'))
    .sort();
const release = (extra: Record<string, string> = {}) =>
  runAction({
    inputs: {
      ...seeded.inputs,
      secret: 'API_KEY',
      name: 'API_KEY_V7',
      prune: 'API_KEY_V*',
      'prune-keep': '3',
      ...extra,
    },
  });
const pruned = (outputs: Record<string, string>) =>
  JSON.parse(outputs['pruned'] ?? 'null') as { id: string; name: string }[];

describe('prune', () => {
  it('keeps the prune-keep newest, the new copy among them, and deletes the rest', async () => {
    const result = await release();

    expect(result.code).toBe(0);
    expect(names()).toEqual(['API_KEY', 'API_KEY_V5', 'API_KEY_V6', 'API_KEY_V7']);
    const gone = ['API_KEY_V4', 'API_KEY_V3', 'API_KEY_V2', 'API_KEY_V1'];
    expect(pruned(result.outputs)).toEqual(gone.map((name) => ({ id: releases[name], name })));
    const copy = result.outputs['secret-id'];
    expect(requestLines()).toEqual([
      `GET ${BASE}/stores`,
      `GET ${secretsPath()}`,
      `POST ${secretsPath()}/${sourceId}/duplicate`,
      `GET ${secretsPath()}`,
      ...gone.map((name) => `DELETE ${secretsPath()}/${releases[name]}`),
    ]);
    expect(result.stdout).toContain(`Pruned "API_KEY_V4" (${releases.API_KEY_V4}).`);
    expect(result.summary).toContain(
      '### Prune API\\_KEY\\_V\\*, keeping the 3 newest of each source',
    );
    expect(result.summary).toContain(`| API\\_KEY\\_V1 | \`${releases.API_KEY_V1}\` |`);
    expect(seeded.fake.getSecret(copy!)?.comment).toBe(
      runProvenance({ sourceName: 'API_KEY', sourceId }),
    );
  });

  it('never deletes a source, whatever the pattern, and does not count it', async () => {
    const result = await release({ prune: 'API_KEY*', 'prune-keep': '1' });

    expect(result.code).toBe(0);
    expect(names()).toEqual(['API_KEY', 'API_KEY_V7']);
    expect(pruned(result.outputs).map((s) => s.name)).not.toContain('API_KEY');
    expect(deletes()).not.toContain(`DELETE ${secretsPath()}/${sourceId}`);
  });

  it('never deletes what the step wrote, even beyond prune-keep', async () => {
    const result = await runAction({
      inputs: {
        ...seeded.inputs,
        secrets: 'API_KEY => API_KEY_V7\nAPI_KEY => API_KEY_V8',
        prune: 'API_KEY_V*',
        'prune-keep': '1',
      },
    });

    expect(result.code).toBe(0);
    expect(names()).toEqual(['API_KEY', 'API_KEY_V7', 'API_KEY_V8']);
    expect(pruned(result.outputs)).toHaveLength(6);
  });

  it('counts an existing target (if-exists: skip) among the kept', async () => {
    const result = await release({ name: 'API_KEY_V6', 'if-exists': 'skip', 'prune-keep': '2' });

    expect(result.code).toBe(0);
    expect(result.outputs['outcome']).toBe('existing');
    expect(names()).toEqual(['API_KEY', 'API_KEY_V5', 'API_KEY_V6']);
  });

  it('dry run lists what would be deleted and deletes nothing', async () => {
    const result = await release({ 'dry-run': 'true' });

    expect(result.code).toBe(0);
    expect(pruned(result.outputs).map((s) => s.name)).toEqual([
      'API_KEY_V4',
      'API_KEY_V3',
      'API_KEY_V2',
      'API_KEY_V1',
    ]);
    expect(requestLines().every((l) => l.startsWith('GET'))).toBe(true);
    expect(names()).toHaveLength(7);
    expect(result.stdout).toContain(`Dry run: would prune "API_KEY_V1" (${releases.API_KEY_V1}).`);
    expect(result.summary).toContain(' | would be deleted |');
  });

  it('has nothing to do when no more than prune-keep match', async () => {
    const result = await release({ 'prune-keep': '7' });

    expect(result.code).toBe(0);
    expect(pruned(result.outputs)).toEqual([]);
    expect(deletes()).toEqual([]);
    expect(result.stdout).toContain(
      'Nothing to prune: no copy matching "API_KEY_V*" is older than the 7 newest of its source.',
    );
  });

  it('two racing release runs with prune-keep: 1 both keep their copies', async () => {
    const [first, second] = await Promise.all([
      release({ name: 'API_KEY_V7', 'prune-keep': '1' }),
      release({ name: 'API_KEY_V8', 'prune-keep': '1' }),
    ]);

    expect([first.code, second.code]).toEqual([0, 0]);
    for (const result of [first, second]) {
      expect(seeded.fake.getSecret(result.outputs['secret-id']!)).toBeDefined();
    }
    // Each run's copy was made after the other started: neither pruned the other's.
    expect(names()).toEqual(['API_KEY', 'API_KEY_V7', 'API_KEY_V8']);
  });

  it('a re-run of an old release (if-exists: skip) prunes nothing newer than its copy', async () => {
    const result = await release({ name: 'API_KEY_V3', 'if-exists': 'skip', 'prune-keep': '1' });

    expect(result.code).toBe(0);
    expect(result.outputs['outcome']).toBe('existing');
    expect(names()).toEqual(['API_KEY', 'API_KEY_V3', 'API_KEY_V4', 'API_KEY_V5', 'API_KEY_V6']);
    expect(pruned(result.outputs).map((s) => s.name)).toEqual(['API_KEY_V2', 'API_KEY_V1']);
  });

  it('never prunes a secret without provenance: the action did not make it', async () => {
    const staging = seeded.fake.addSecret(seeded.storeId, {
      name: 'API_KEY_V0_STAGING',
      comment: 'made by hand',
      created: new Date(Date.now() - 50 * HOUR).toISOString(),
    }).id;

    const result = await release({ 'prune-keep': '1' });

    expect(result.code).toBe(0);
    expect(names()).toEqual(['API_KEY', 'API_KEY_V0_STAGING', 'API_KEY_V7']);
    expect(deletes()).not.toContain(`DELETE ${secretsPath()}/${staging}`);
    expect(result.stdout).toContain(
      `Not pruned: "API_KEY_V0_STAGING" (${staging}) matches "API_KEY_V*" but has no provenance line in its comment, so this action did not make it.`,
    );
  });

  it('never prunes DB_URL_STAGING against DB_URL_*, only the copies the action made', async () => {
    const ids = seeded.ids;
    const staging = seeded.fake.addSecret(seeded.storeId, {
      name: 'DB_URL_STAGING',
      created: new Date(Date.now() - 50 * HOUR).toISOString(),
    }).id;
    const old = seeded.fake.addSecret(seeded.storeId, {
      name: 'DB_URL_V1',
      comment: runProvenance({ sourceName: 'DB_URL', sourceId: ids.DB_URL! }, 1),
      created: new Date(Date.now() - 40 * HOUR).toISOString(),
    }).id;

    const result = await release({
      secret: 'DB_URL',
      name: 'DB_URL_V2',
      prune: 'DB_URL_*',
      'prune-keep': '1',
    });

    expect(result.code).toBe(0);
    expect(pruned(result.outputs)).toEqual([{ id: old, name: 'DB_URL_V1' }]);
    expect(seeded.fake.getSecret(staging)).toBeDefined();
  });

  it('a source deleted and created again under its name keeps its history', async () => {
    // Copies of an earlier API_KEY, since deleted and made again (so its id is another).
    const gone = 'f'.repeat(32);
    const earlier = [1, 2, 3, 4].map(
      (n) =>
        seeded.fake.addSecret(seeded.storeId, {
          name: `API_KEY_R${n}`,
          comment: runProvenance({ sourceName: 'API_KEY', sourceId: gone }, n),
          created: new Date(Date.now() - (30 - n) * HOUR).toISOString(),
        }).id,
    );

    const result = await release({ name: 'API_KEY_R5', prune: 'API_KEY_R*', 'prune-keep': '2' });

    expect(result.code).toBe(0);
    // One history: the new copy and R4 are the 2 newest; by id, R3 would have been kept too.
    expect(pruned(result.outputs).map((s) => s.id)).toEqual([earlier[2], earlier[1], earlier[0]]);
  });

  it('decides a glob of eight stars against a 64-character name', async () => {
    const old = (name: string, hours: number) =>
      seeded.fake.addSecret(seeded.storeId, {
        name,
        comment: runProvenance({ sourceName: 'API_KEY', sourceId }),
        created: new Date(Date.now() - hours * HOUR).toISOString(),
      }).id;
    old('A'.repeat(64), 30);
    const older = old(`${'AC'.repeat(31)}AB`, 20);
    old(`${'A'.repeat(63)}B`, 10);

    const result = await release({ prune: 'A*A*A*A*A*A*A*A*B', 'prune-keep': '1' });

    expect(result.code).toBe(0);
    expect(pruned(result.outputs)).toEqual([{ id: older, name: `${'AC'.repeat(31)}AB` }]);
  });

  it.each(['*', '??', '*?'])('refuses the pattern %s before any request', async (pattern) => {
    const result = await release({ prune: pattern });

    expect(result.code).toBe(1);
    expect(result.errors[0]).toBe(
      `Invalid input: prune ${JSON.stringify(pattern)} has no character other than * and ?, so it would match every secret in the store. ` +
        'Give the part of the names that the copies share, e.g. API_KEY_*.',
    );
    expect(seeded.fake.requests).toEqual([]);
  });

  it('is skipped after a failed copy: nothing is listed or deleted', async () => {
    seeded.fake.addFault({ method: 'POST', path: /\/duplicate$/, status: 403 });

    const result = await release();

    expect(result.code).toBe(1);
    expect(names()).toHaveLength(7);
    expect(deletes()).toEqual([]);
    // The plan's listing only: pruning would list the store again.
    expect(requestLines().filter((l) => l === `GET ${secretsPath()}`)).toHaveLength(1);
    expect(result.stdout).toContain('Pruning skipped: a copy failed, so nothing was pruned.');
    expect(result.outputs['pruned']).toBe('[]');
    expect(result.summary).toContain('Skipped: a copy failed, so nothing was pruned.');
  });

  it('counts a delete whose answer was lost as done when the secret is gone', async () => {
    seeded.fake.addFault({
      method: 'DELETE',
      path: `${secretsPath()}/${releases.API_KEY_V4}`,
      action: 'commit-then-drop',
    });

    const result = await release();

    expect(result.code).toBe(0);
    expect(names()).toEqual(['API_KEY', 'API_KEY_V5', 'API_KEY_V6', 'API_KEY_V7']);
    expect(pruned(result.outputs).map((s) => s.name)).toContain('API_KEY_V4');
    // Sent again; the second attempt's 404 shows the first one did it.
    expect(deletes().filter((l) => l.endsWith(releases.API_KEY_V4!))).toHaveLength(2);
  });

  it('with no retry left, looks for the secret after a lost delete answer', async () => {
    seeded.fake.addFault({
      method: 'DELETE',
      path: `${secretsPath()}/${releases.API_KEY_V4}`,
      action: 'commit-then-drop',
    });

    const result = await release({ 'max-retries': '0' });

    expect(result.code).toBe(0);
    expect(pruned(result.outputs).map((s) => s.name)).toContain('API_KEY_V4');
    expect(requestLines()).toContain(`GET ${secretsPath()}/${releases.API_KEY_V4}`);
  });

  it('fails when a delete fails, saying which secrets remain', async () => {
    seeded.fake.addFault({
      method: 'DELETE',
      path: `${secretsPath()}/${releases.API_KEY_V2}`,
      status: 403,
    });

    const result = await release();

    expect(result.code).toBe(1);
    expect(result.errors).toHaveLength(1);
    expect(result.errors[0]).toMatch(
      new RegExp(
        '^Pruning "API_KEY_V\\*" failed: 1 of 4 secret\\(s\\) could not be deleted and remain:\\n' +
          `- "API_KEY_V2" \\(${releases.API_KEY_V2}\\): DELETE .* HTTP 403`,
      ),
    );
    expect(names()).toEqual(['API_KEY', 'API_KEY_V2', 'API_KEY_V5', 'API_KEY_V6', 'API_KEY_V7']);
    expect(pruned(result.outputs).map((s) => s.name)).toEqual([
      'API_KEY_V4',
      'API_KEY_V3',
      'API_KEY_V1',
    ]);
  });
});
