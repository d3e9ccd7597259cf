/**
 * `normalize-name`, through the bundled action against the fake API: names made from release
 * tags, and the release workflow that keeps at most prune-keep copies however many releases come.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ACCOUNT_ID } from '../helpers/credentials.js';
import { runProvenance, startFake, type SeededFake } from '../helpers/fake.js';
import { runAction } from '../helpers/action.js';

let seeded: SeededFake;
let sourceId: string;

beforeEach(async () => {
  seeded = await startFake();
  sourceId = seeded.fake.addSecret(seeded.storeId, {
    name: 'API_KEY',
    value: 'api-key-value',
    created: new Date(Date.now() - 86_400_000).toISOString(),
  }).id;
  seeded.fake.resetRequests();
});

afterEach(async () => {
  await seeded.fake.close();
});

const secretsPath = () => `/accounts/${ACCOUNT_ID}/secrets_store/stores/${seeded.storeId}/secrets`;
const posts = () => seeded.fake.requests.filter((r) => r.method === 'POST');
const releaseCopies = () =>
  seeded.fake
    .listSecrets(seeded.storeId)
    .filter((s) => s.name.startsWith('API_KEY_'))
    .map((s) => s.name);
/** The release example's step, for the tag `tag`. */
const release = (tag: string, extra: Record<string, string> = {}) =>
  runAction({
    inputs: {
      ...seeded.inputs,
      secret: 'API_KEY',
      name: `API_KEY_${tag}`,
      'normalize-name': 'true',
      scopes: 'workers',
      'if-exists': 'skip',
      ...extra,
    },
    eventName: 'release',
    event: { release: { tag_name: tag } },
  });

describe('normalize-name', () => {
  it('makes the name from a tag as the issue says, and outputs it', async () => {
    const result = await release('v1.2.0-rc.1');

    expect(result.code).toBe(0);
    expect(result.outputs['secret-name']).toBe('API_KEY_V1_2_0_RC_1');
    expect(posts().map((r) => [r.path, r.body])).toEqual([
      [
        `${secretsPath()}/${sourceId}/duplicate`,
        {
          name: 'API_KEY_V1_2_0_RC_1',
          scopes: ['workers'],
          comment: runProvenance({
            sourceName: 'API_KEY',
            sourceId,
            event: 'release',
            ref: 'v1.2.0-rc.1',
          }),
        },
      ],
    ]);
    expect(releaseCopies()).toEqual(['API_KEY_V1_2_0_RC_1']);
  });

  it('normalizes every TARGET of a list: /, +, . and unicode', async () => {
    const result = await runAction({
      inputs: {
        ...seeded.inputs,
        secrets: [
          'API_KEY => API_KEY_release/2024.06',
          'API_KEY => API_KEY_v1.0.0+build.7',
          'API_KEY => API_KEY_v2-β',
          'DB_URL => db_url_café',
        ].join('\n'),
        'normalize-name': 'true',
      },
    });

    expect(result.code).toBe(0);
    const names = ['API_KEY_RELEASE_2024_06', 'API_KEY_V1_0_0_BUILD_7', 'API_KEY_V2', 'DB_URL_CAF'];
    expect(
      posts()
        .map((r) => (r.body as { name: string }).name)
        .sort(),
    ).toEqual(names);
    expect(Object.keys(JSON.parse(result.outputs['secret-ids']!)).sort()).toEqual(names);
    const stored = seeded.fake.listSecrets(seeded.storeId).map((s) => s.name);
    for (const name of names) expect(stored).toContain(name);
    // Sources are never changed: DB_URL was found as written.
    expect(JSON.parse(result.outputs['results']!)[3]).toMatchObject({
      source: 'DB_URL',
      name: 'DB_URL_CAF',
      outcome: 'created',
    });
  });

  it('refuses a tag with no letters or digits: the name would be the source itself', async () => {
    const result = await release('+/.');

    expect(result.code).toBe(1);
    expect(result.errors).toEqual([
      'Invalid input: secret and name are both "API_KEY" (normalize-name made it of "API_KEY_+/."): ' +
        'a secret cannot be copied onto itself; give the copy another name.',
    ]);
    expect(seeded.fake.requests).toEqual([]);
  });

  it('refuses a name that normalizes to nothing, before any request', async () => {
    const result = await release('', { name: '-.-' });

    expect(result.code).toBe(1);
    expect(result.errors).toEqual([
      'Invalid input: name "-.-" has no letter or digit: normalize-name keeps only A-Z, 0-9 and _, so nothing is left of it.',
    ]);
    expect(seeded.fake.requests).toEqual([]);
  });

  it('leaves names as given without it', async () => {
    const result = await release('v1.2.0', { 'normalize-name': 'false' });

    expect(result.code).toBe(0);
    expect(result.outputs['secret-name']).toBe('API_KEY_v1.2.0');
  });
});

describe('done when', () => {
  it('releases keep at most prune-keep copies, the newest, and never the source', async () => {
    const tags = ['v1.0.0', 'v1.1.0', 'v1.2.0-rc.1', 'v1.2.0', 'v1.3.0', 'v2.0.0'];
    const expected = [
      'API_KEY_V1_0_0',
      'API_KEY_V1_1_0',
      'API_KEY_V1_2_0_RC_1',
      'API_KEY_V1_2_0',
      'API_KEY_V1_3_0',
      'API_KEY_V2_0_0',
    ];
    for (const [i, tag] of tags.entries()) {
      const result = await release(tag, { prune: 'API_KEY_*', 'prune-keep': '3' });

      expect(result.code, result.stdout).toBe(0);
      // The newest three releases so far, in the order they were made.
      expect(releaseCopies()).toEqual(expected.slice(Math.max(0, i - 2), i + 1));
      expect(seeded.fake.secretValue(sourceId)).toBe('api-key-value');
      // Releases come hours apart: prune keeps any copy made in the minutes before its step.
      for (const copy of seeded.fake.listSecrets(seeded.storeId)) {
        seeded.fake.ageSecret(copy.id, 3_600_000);
      }
    }
    // A re-run of the last release changes nothing.
    const rerun = await release('v2.0.0', { prune: 'API_KEY_*', 'prune-keep': '3' });
    expect(rerun.outputs['outcome']).toBe('existing');
    expect(rerun.outputs['pruned']).toBe('[]');
    expect(releaseCopies()).toHaveLength(3);
  }, 180_000);
});
