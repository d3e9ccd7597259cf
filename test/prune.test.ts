/**
 * prune: the glob, the order by `created`, which secrets are never deleted, and the run over
 * undici's MockAgent (one listing, then one DELETE per secret).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Secret } from '../src/cloudflare/types.js';
import type { CopyResult } from '../src/duplicate.js';
import type { PlannedCopy } from '../src/plan.js';
import {
  copiesSucceeded,
  createdKey,
  globMatcher,
  prune,
  selectPrune,
  type PruneOptions,
} from '../src/prune.js';
import {
  JSON_HEADERS,
  NOT_FOUND,
  SECRET,
  STORE,
  WIRE,
  failure,
  ok,
  secret,
  useMockCloudflare,
} from './helpers/mock-cloudflare.js';

describe('globMatcher', () => {
  it.each([
    ['API_KEY_*', 'API_KEY_V1', true],
    ['API_KEY_*', 'API_KEY_', true],
    ['API_KEY_*', 'API_KEY', false],
    ['API_KEY_*', 'XAPI_KEY_V1', false],
    ['API_KEY_*', 'api_key_v1', false],
    ['*_V?', 'DB_V1', true],
    ['*_V?', 'DB_V10', false],
    ['?', 'é', true],
    ['A?C', 'A😀C', true],
    ['A.C', 'ABC', false],
    ['A+', 'AA', false],
    ['(A|B)', 'A', false],
    ['(A|B)', '(A|B)', true],
    ['[AB]', 'A', false],
    ['A\\*', 'A\\X', true],
    ['K-{1}$^', 'K-{1}$^', true],
  ])('%s against %s: %s', (pattern, name, expected) => {
    expect(globMatcher(pattern)(name)).toBe(expected);
  });

  it('matches any name against a pattern made of itself (property)', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1 }), (name) =>
        globMatcher(name.replace(/[*?]/g, 'x'))(name.replace(/[*?]/g, 'x')),
      ),
    );
  });
});

describe('createdKey', () => {
  it('orders microseconds that Date drops', () => {
    const a = createdKey('2024-01-01T00:00:00.500000Z')!;
    const b = createdKey('2024-01-01T00:00:00.500001Z')!;
    expect(b - a).toBe(1);
    expect(createdKey('2024-01-01T00:00:00Z')).toBe(Date.parse('2024-01-01T00:00:00Z') * 1000);
    expect(createdKey('2024-01-01T00:00:00.5Z')).toBe(Date.parse('2024-01-01T00:00:00.5Z') * 1000);
  });

  it('is undefined for a time it cannot read', () => {
    expect(createdKey('')).toBeUndefined();
    expect(createdKey('yesterday')).toBeUndefined();
  });
});

/** A secret `API_KEY_V<n>` created on day `n` of 2024. */
const release = (n: number, fields: Partial<Secret> = {}): Secret => ({
  ...secret(`${String(n).padStart(2, '0')}`.repeat(16), `API_KEY_V${n}`, {
    created: `2024-01-${String(n).padStart(2, '0')}T00:00:00.000000Z`,
  }),
  ...fields,
});

describe('selectPrune', () => {
  const matches = globMatcher('API_KEY_V*');
  const select = (
    secrets: Secret[],
    written: { id?: string; name: string }[] = [],
    sources: string[] = [],
    keep = 2,
  ) => selectPrune(secrets, { matches, keep, written, sources: new Set(sources) });
  const names = (list: Secret[]) => list.map((s) => s.name);

  it('keeps the newest by created, whatever the listing order, and dooms the rest newest first', () => {
    const secrets = [release(3), release(1), release(5), release(2), release(4)];
    expect(names(select(secrets).doomed)).toEqual(['API_KEY_V3', 'API_KEY_V2', 'API_KEY_V1']);
  });

  it('dooms nothing when no more than keep match', () => {
    expect(select([release(1), release(2)]).doomed).toEqual([]);
    expect(select([release(1)], [], [], 1).doomed).toEqual([]);
  });

  it('counts what the step wrote among the kept, and never dooms it', () => {
    const secrets = [release(1), release(2), release(3), release(4)];
    // Keep 3: the step wrote V2 (by id) and V9 (not listed yet), so one place is left, for V4.
    const selection = select(
      secrets,
      [{ id: release(2).id, name: 'API_KEY_V2' }, { name: 'API_KEY_V9' }],
      [],
      3,
    );
    expect(names(selection.doomed)).toEqual(['API_KEY_V3', 'API_KEY_V1']);
  });

  it('keeps everything the step wrote even when it is more than keep', () => {
    const written = [1, 2, 3].map((n) => ({ id: release(n).id, name: `API_KEY_V${n}` }));
    expect(names(select([release(1), release(2), release(3), release(4)], written).doomed)).toEqual(
      ['API_KEY_V4'],
    );
  });

  it('a written target that does not match takes no place', () => {
    const selection = select([release(1), release(2), release(3)], [{ name: 'OTHER' }]);
    expect(names(selection.doomed)).toEqual(['API_KEY_V1']);
  });

  it('protects a written target by name too (a dry run has no id yet)', () => {
    expect(
      names(select([release(1), release(2), release(3)], [{ name: 'API_KEY_V1' }], [], 2).doomed),
    ).toEqual(['API_KEY_V2']);
  });

  it('never dooms a source, which takes no place either', () => {
    const secrets = [release(1), release(2), release(3)];
    expect(names(select(secrets, [], [release(1).id]).doomed)).toEqual([]);
    expect(names(select(secrets, [], [release(3).id], 1).doomed)).toEqual(['API_KEY_V1']);
  });

  it('leaves out secrets reported deleted and names that do not match', () => {
    const secrets = [
      release(1, { status: 'deleted' }),
      release(2),
      release(3),
      secret('e'.repeat(32), 'DB_URL'),
    ];
    expect(select(secrets, [], [], 1).doomed.map((s) => s.name)).toEqual(['API_KEY_V2']);
  });

  it('never dooms a secret whose created time it cannot read, and says which', () => {
    const odd = release(1, { created: 'soon' });
    const selection = select([odd, release(2), release(3), release(4)]);
    expect(selection.unreadable).toEqual([odd]);
    expect(names(selection.doomed)).toEqual(['API_KEY_V2']);
  });

  it('breaks a tie of created times by id, so the choice is stable', () => {
    const at = '2024-01-01T00:00:00.000000Z';
    const a = secret('a'.repeat(32), 'API_KEY_VA', { created: at });
    const b = secret('b'.repeat(32), 'API_KEY_VB', { created: at });
    expect(names(select([b, a], [], [], 1).doomed)).toEqual(['API_KEY_VB']);
    expect(names(select([a, b], [], [], 1).doomed)).toEqual(['API_KEY_VB']);
  });

  it('dooms exactly the matching secrets past the newest keep, never a protected one (property)', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.integer({ min: 1, max: 28 }), { minLength: 0, maxLength: 12 }),
        fc.integer({ min: 1, max: 6 }),
        fc.integer({ min: 0, max: 3 }),
        (days, keep, protect) => {
          const secrets = days.map((d) => release(d));
          const written = secrets.slice(0, protect).map((s) => ({ id: s.id, name: s.name }));
          const { doomed } = selectPrune(secrets, { matches, keep, written, sources: new Set() });
          const free = secrets.length - written.length;
          expect(doomed).toHaveLength(Math.max(0, free - Math.max(0, keep - written.length)));
          for (const s of doomed) expect(written.map((w) => w.id)).not.toContain(s.id);
          // Everything doomed is older than everything kept that was not written.
          const kept = secrets.filter(
            (s) => !doomed.includes(s) && !written.some((w) => w.id === s.id),
          );
          for (const d of doomed) for (const k of kept) expect(d.created < k.created).toBe(true);
        },
      ),
    );
  });
});

const COPY: PlannedCopy = {
  sourceRef: 'API_KEY',
  sourceId: SECRET,
  name: 'API_KEY_V9',
  scopes: ['workers'],
};
const NEW = secret('9'.repeat(32), 'API_KEY_V9', { created: '2024-02-01T00:00:00.000000Z' });
const created = (overrides: Partial<CopyResult> = {}): CopyResult =>
  ({
    copy: COPY,
    outcome: 'created',
    secret: NEW,
    adopted: false,
    warnings: [],
    ...overrides,
  }) as CopyResult;

describe('copiesSucceeded', () => {
  it('is true only when no copy failed, was not attempted or was rolled back', () => {
    expect(
      copiesSucceeded([
        created(),
        created({ outcome: 'existing' }),
        created({ outcome: 'replaced' }),
      ]),
    ).toBe(true);
    expect(copiesSucceeded([created({ outcome: 'dry-run', secret: undefined })])).toBe(true);
    expect(copiesSucceeded([created(), created({ outcome: 'failed' })])).toBe(false);
    expect(copiesSucceeded([created({ outcome: 'not-attempted' })])).toBe(false);
    expect(copiesSucceeded([created({ outcome: 'rolled-back' })])).toBe(false);
    // A copy that did not become active, or whose rollback failed, carries an error.
    expect(copiesSucceeded([created({ error: 'still pending' })])).toBe(false);
  });
});

describe('prune', () => {
  const setup = useMockCloudflare({ maxRetries: 0 });
  const LIST = `${WIRE}/stores/${STORE}/secrets?page=1&per_page=100`;
  const path = (s: Secret) => `${WIRE}/stores/${STORE}/secrets/${s.id}`;
  const OPTIONS: PruneOptions = { pattern: 'API_KEY_V*', keep: 2, dryRun: false };
  const plan = { store: { id: STORE }, copies: [COPY] };
  const SOURCE = secret(SECRET, 'API_KEY');
  const LISTING = [NEW, release(3), release(2), release(1), SOURCE];

  it('lists the store and deletes all but the newest, counting the new copy', async () => {
    const { pool, client, urls, reply } = setup();
    reply(LIST, LISTING);
    for (const s of [release(2), release(1)])
      pool.intercept({ path: path(s), method: 'DELETE' }).reply(200, ok(null));

    const report = await prune(client, plan, [created()], OPTIONS);

    expect(report.pruned.map((s) => s.name)).toEqual(['API_KEY_V2', 'API_KEY_V1']);
    expect(report.failures).toEqual([]);
    expect(report.error).toBeUndefined();
    expect(report.skipped).toBeUndefined();
    expect(urls()).toEqual([
      `GET ${LIST}`,
      `DELETE ${path(release(2))}`,
      `DELETE ${path(release(1))}`,
    ]);
  });

  it('on a dry run, names what it would delete and deletes nothing', async () => {
    const { client, urls, reply } = setup();
    reply(LIST, [release(3), release(2), release(1), SOURCE]);

    const dry = created({ outcome: 'dry-run', secret: undefined });
    const report = await prune(client, plan, [dry], { ...OPTIONS, dryRun: true });

    expect(report.pruned.map((s) => s.name)).toEqual(['API_KEY_V2', 'API_KEY_V1']);
    expect(urls()).toEqual([`GET ${LIST}`]);
  });

  it('is skipped, without a request, after a failed copy', async () => {
    const { client, urls } = setup();

    const report = await prune(
      client,
      plan,
      [created({ outcome: 'failed', secret: undefined, error: 'boom' })],
      OPTIONS,
    );

    expect(report.skipped).toBe('a copy failed, so nothing was pruned');
    expect(report.error).toBeUndefined();
    expect(report.pruned).toEqual([]);
    expect(urls()).toEqual([]);
  });

  it('counts a delete whose secret is already gone as done', async () => {
    const { pool, client, reply } = setup();
    reply(LIST, [NEW, release(2), release(1)]);
    pool
      .intercept({ path: path(release(1)), method: 'DELETE' })
      .reply(404, NOT_FOUND, { headers: JSON_HEADERS });

    const report = await prune(client, plan, [created()], { ...OPTIONS, keep: 2 });

    expect(report.pruned.map((s) => s.name)).toEqual(['API_KEY_V1']);
    expect(report.error).toBeUndefined();
  });

  it('goes on after a delete that fails, then fails saying which secrets remain', async () => {
    const { pool, client, reply } = setup();
    reply(LIST, [NEW, release(3), release(2), release(1)]);
    pool
      .intercept({ path: path(release(3)), method: 'DELETE' })
      .reply(403, failure({ code: 10000, message: 'Authentication error' }), {
        headers: JSON_HEADERS,
      });
    pool.intercept({ path: path(release(2)), method: 'DELETE' }).reply(200, ok(null));
    pool
      .intercept({ path: path(release(1)), method: 'DELETE' })
      .reply(403, failure({ code: 10000, message: 'Authentication error' }), {
        headers: JSON_HEADERS,
      });

    const report = await prune(client, plan, [created()], { ...OPTIONS, keep: 1 });

    expect(report.pruned.map((s) => s.name)).toEqual(['API_KEY_V2']);
    expect(report.failures.map((f) => f.secret.name)).toEqual(['API_KEY_V3', 'API_KEY_V1']);
    expect(report.error?.join('\n')).toMatch(
      new RegExp(
        '^Pruning "API_KEY_V\\*" failed: 2 of 3 secret\\(s\\) could not be deleted and remain:\\n' +
          `- "API_KEY_V3" \\(${release(3).id}\\): DELETE .* HTTP 403: \\[10000\\] Authentication error\\..*\\n` +
          `- "API_KEY_V1" \\(${release(1).id}\\): DELETE .*`,
      ),
    );
  });

  it('fails, pruning nothing, when the store cannot be listed', async () => {
    const { pool, client } = setup();
    pool
      .intercept({ path: LIST, method: 'GET' })
      .reply(500, failure({ code: 1000, message: 'Internal error' }));

    const report = await prune(client, plan, [created()], OPTIONS);

    expect(report.pruned).toEqual([]);
    expect(report.skipped).toMatch(/^listing the store failed: GET .* HTTP 500/);
    expect(report.error).toEqual([
      expect.stringMatching(
        /^Pruning "API_KEY_V\*": listing the store failed: .* Nothing was pruned\.$/,
      ),
    ]);
  });

  it('warns about a matching secret whose created time cannot be read, and keeps it', async () => {
    const { client, reply } = setup();
    // An empty time is read as absent; one that is not a time at all is refused by the client.
    reply(LIST, [NEW, release(1, { created: '' })]);

    const report = await prune(client, plan, [created()], { ...OPTIONS, keep: 1 });

    expect(report.pruned).toEqual([]);
    expect(report.warnings).toEqual([
      `prune: kept "API_KEY_V1" (${release(1).id}): its created time "" cannot be read, so its age is unknown.`,
    ]);
  });

  it('prunes nothing when a listed created time is not a date and time', async () => {
    const { client, reply } = setup();
    reply(LIST, [NEW, release(1, { created: 'never' })]);

    const report = await prune(client, plan, [created()], { ...OPTIONS, keep: 1 });

    expect(report.pruned).toEqual([]);
    expect(report.skipped).toMatch(
      /^listing the store failed: GET \S+ returned an unexpected answer from Cloudflare \(HTTP 200\): result\[1\]\.created is string "never", not a date and time\./,
    );
  });
});
