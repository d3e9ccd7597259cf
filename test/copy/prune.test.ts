/**
 * prune: the glob, the order by `created`, which secrets are never deleted (no provenance, the
 * step's own, newer than them, recent, sources), and the run over undici's MockAgent (one
 * listing, then one DELETE per secret).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Secret } from '../../src/cloudflare/types.js';
import type { CopyResult } from '../../src/copy/results.js';
import type { PlannedCopy } from '../../src/plan/plan.js';
import {
  copiesSucceeded,
  createdKey,
  globMatcher,
  prune,
  RECENT_MARGIN_MS,
  selectPrune,
  type PruneOptions,
  type Written,
} from '../../src/copy/prune.js';
import { formatProvenance } from '../../src/plan/provenance.js';
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
} from '../helpers/mock-cloudflare.js';

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

  /** The matcher before: a regular expression built from the pattern. */
  const regexGlob = (pattern: string) => {
    const source = [...pattern]
      .map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[\\^$.|+()[\]{}]/g, '\\$&')))
      .join('');
    const regex = new RegExp(`^${source}$`, 'su');
    return (name: string) => regex.test(name);
  };
  const text = (alphabet: string[], maxLength: number) =>
    fc.array(fc.constantFrom(...alphabet), { maxLength }).map((chars) => chars.join(''));

  it('agrees with the regular expression it replaces (property)', () => {
    const chars = ['a', 'b', '.', '\n', 'é', '😀', '\\'];
    fc.assert(
      fc.property(text([...chars, '*', '?'], 12), text(chars, 16), (pattern, name) => {
        expect(globMatcher(pattern)(name)).toBe(regexGlob(pattern)(name));
      }),
      { numRuns: 5_000 },
    );
  });

  it('agrees on names built to match, with pieces of the pattern in them (property)', () => {
    fc.assert(
      fc.property(text(['a', 'b', '*', '?'], 10), text(['a', 'b'], 3), (pattern, filler) => {
        const name = pattern.replace(/\*/g, filler).replace(/\?/g, 'a');
        expect(globMatcher(pattern)(name)).toBe(true);
        expect(globMatcher(pattern)(`${name}b`)).toBe(regexGlob(pattern)(`${name}b`));
      }),
      { numRuns: 2_000 },
    );
  });

  it('decides eight stars against a 64-character name (a regex backtracks for seconds)', () => {
    const matches = globMatcher('A*A*A*A*A*A*A*A*B');
    expect(matches('A'.repeat(64))).toBe(false);
    expect(matches(`${'A'.repeat(63)}B`)).toBe(true);
    expect(matches(`${'AC'.repeat(31)}AB`)).toBe(true);
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

/** Provenance naming source API_KEY (SECRET), as the action writes it. */
const MADE_BY_US = formatProvenance({ sourceName: 'API_KEY', sourceId: SECRET, event: 'release' });

/** A copy `API_KEY_V<n>` of API_KEY, created on day `n` of 2024, with its provenance. */
const release = (n: number, fields: Partial<Secret> = {}): Secret => ({
  ...secret(`${String(n).padStart(2, '0')}`.repeat(16), `API_KEY_V${n}`, {
    created: `2024-01-${String(n).padStart(2, '0')}T00:00:00.000000Z`,
    comment: MADE_BY_US,
  }),
  ...fields,
});

/** Epoch microseconds, as selectPrune's recentFrom. */
const micros = (iso: string) => Date.parse(iso) * 1000;

describe('selectPrune', () => {
  const matches = globMatcher('API_KEY_V*');
  /** The step's targets, copies of API_KEY. */
  const ours = (w: Omit<Written, 'sourceId'>): Written => ({
    sourceName: 'API_KEY',
    sourceId: SECRET,
    ...w,
  });
  const select = (
    secrets: Secret[],
    written: Omit<Written, 'sourceId'>[] = [],
    sources: string[] = [],
    keep = 2,
    recentFrom = Infinity,
  ) =>
    selectPrune(secrets, {
      matches,
      keep,
      written: written.map(ours),
      sources: new Set(sources),
      recentFrom,
    });
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

  it('never dooms a copy newer than one the step wrote (a re-run of an old release)', () => {
    const secrets = [release(1), release(2), release(3), release(4)];
    // The step found V2 (if-exists: skip): V3 and V4 are newer and stay, V1 is older and goes.
    const rerun = [{ id: release(2).id, name: 'API_KEY_V2', created: release(2).created }];
    expect(names(select(secrets, rerun, [], 1).doomed)).toEqual(['API_KEY_V1']);
    // The newest, when the step wrote nothing, would keep only V4.
    expect(names(select(secrets, [], [], 1).doomed)).toEqual([
      'API_KEY_V3',
      'API_KEY_V2',
      'API_KEY_V1',
    ]);
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
      secret('e'.repeat(32), 'DB_URL', { comment: MADE_BY_US }),
    ];
    expect(select(secrets, [], [], 1).doomed.map((s) => s.name)).toEqual(['API_KEY_V2']);
  });

  it('never dooms a secret without provenance, which takes no place, and says which', () => {
    const mine = release(1, { comment: undefined });
    const theirs = release(2, { comment: 'made by hand' });
    const forged = release(3, { comment: `${MADE_BY_US} ` }); // a broken line is not a provenance
    const selection = select([mine, theirs, forged, release(4), release(5), release(6)], [], [], 1);
    expect(names(selection.doomed)).toEqual(['API_KEY_V5', 'API_KEY_V4']);
    expect(selection.untracked).toEqual([mine, theirs, forged]);
  });

  it('never dooms a secret created since the step started (less the margin), which takes no place', () => {
    const secrets = [release(1), release(2), release(3), release(4)];
    const selection = select(secrets, [], [], 1, micros(release(3).created));
    // V3 and V4 are recent: kept. V1 and V2 are older: V2 is the newest of them, kept.
    expect(names(selection.doomed)).toEqual(['API_KEY_V1']);
  });

  it('keeps the newest of each source, grouped by the source name in the provenance', () => {
    const other = formatProvenance({ sourceName: 'OTHER_KEY', sourceId: 'f'.repeat(32) });
    const secrets = [
      release(1),
      release(2),
      release(3, { comment: other }),
      release(4, { comment: other }),
    ];
    expect(names(select(secrets, [], [], 1).doomed)).toEqual(['API_KEY_V3', 'API_KEY_V1']);
  });

  it('a source deleted and created again (another id, same name) keeps its history', () => {
    const before = formatProvenance({ sourceName: 'API_KEY', sourceId: 'a'.repeat(32) });
    const secrets = [release(1, { comment: before }), release(2, { comment: before }), release(3)];
    const written = [{ id: release(3).id, name: 'API_KEY_V3', created: release(3).created }];
    expect(names(select(secrets, written, [], 2).doomed)).toEqual(['API_KEY_V1']);
  });

  it('without a source name, groups by the name the listing gives its id, else by id', () => {
    const byId = formatProvenance({ sourceId: SECRET });
    const gone = formatProvenance({ sourceId: 'b'.repeat(32) });
    const source = secret(SECRET, 'API_KEY');
    const secrets = [
      source,
      release(1, { comment: byId }),
      release(2),
      release(3, { comment: gone }),
      release(4, { comment: gone }),
    ];
    // V1 (by id, listed as API_KEY) joins V2's group; V3 and V4 are a group of their own.
    expect(names(select(secrets, [], [SECRET], 1).doomed)).toEqual(['API_KEY_V3', 'API_KEY_V1']);
    // So does a copy the step made from a source given by id: it takes API_KEY's one place.
    const byIdCopy = { name: 'API_KEY_V9', sourceName: undefined };
    expect(names(select(secrets, [byIdCopy], [SECRET], 1).doomed)).toEqual([
      'API_KEY_V3',
      'API_KEY_V2',
      'API_KEY_V1',
    ]);
  });

  it('never dooms a secret whose created time it cannot read, and says which', () => {
    const odd = release(1, { created: 'soon' });
    const selection = select([odd, release(2), release(3), release(4)]);
    expect(selection.unreadable).toEqual([odd]);
    expect(names(selection.doomed)).toEqual(['API_KEY_V2']);
  });

  it('breaks a tie of created times by id, so the choice is stable', () => {
    const at = '2024-01-01T00:00:00.000000Z';
    const a = secret('a'.repeat(32), 'API_KEY_VA', { created: at, comment: MADE_BY_US });
    const b = secret('b'.repeat(32), 'API_KEY_VB', { created: at, comment: MADE_BY_US });
    expect(names(select([b, a], [], [], 1).doomed)).toEqual(['API_KEY_VB']);
    expect(names(select([a, b], [], [], 1).doomed)).toEqual(['API_KEY_VB']);
  });

  it('dooms exactly the tracked, older secrets past the newest keep, never a protected one (property)', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.integer({ min: 1, max: 28 }), { minLength: 0, maxLength: 12 }),
        fc.integer({ min: 1, max: 6 }),
        fc.integer({ min: 0, max: 3 }),
        fc.integer({ min: 1, max: 29 }),
        fc.func(fc.boolean()),
        (days, keep, protect, recentDay, tracked) => {
          const secrets = days.map((d) => (tracked(d) ? release(d) : release(d, { comment: '' })));
          const written = secrets
            .slice(0, protect)
            .map((s) => ours({ id: s.id, name: s.name, created: s.created }));
          const recentFrom = micros(`2024-01-${String(recentDay).padStart(2, '0')}T00:00:00Z`);
          const { doomed } = selectPrune(secrets, {
            matches,
            keep,
            written,
            sources: new Set(),
            recentFrom,
          });
          const own = secrets.slice(0, protect);
          const oldestOwn = Math.min(...own.map((s) => Date.parse(s.created)));
          const older = secrets.filter(
            (s) =>
              !own.includes(s) &&
              s.comment !== '' &&
              micros(s.created) < recentFrom &&
              Date.parse(s.created) < oldestOwn,
          );
          const rank = (s: Secret) =>
            secrets.filter(
              (t) =>
                (own.includes(t) || (t.comment !== '' && micros(t.created) < recentFrom)) &&
                t.created > s.created,
            ).length;
          expect(names(doomed).sort()).toEqual(names(older.filter((s) => rank(s) >= keep)).sort());
        },
      ),
    );
  });
});

const COPY: PlannedCopy = {
  sourceRef: 'API_KEY',
  sourceId: SECRET,
  source: secret(SECRET, 'API_KEY'),
  name: 'API_KEY_V9',
  scopes: ['workers'],
};
const NEW = secret('9'.repeat(32), 'API_KEY_V9', {
  created: '2024-02-01T00:00:00.000000Z',
  comment: MADE_BY_US,
});
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
  /** The step started after every secret of the listing, on the client's clock. */
  const STARTED = Date.parse('2024-06-01T00:00:00Z');
  const OPTIONS: PruneOptions = {
    pattern: 'API_KEY_V*',
    keep: 2,
    dryRun: false,
    startedAt: STARTED,
  };
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

  it('keeps what was created less than RECENT_MARGIN_MS before the step started', async () => {
    const day3 = Date.parse(release(3).created);
    const { pool, client, reply } = setup();
    reply(LIST, LISTING);
    pool.intercept({ path: path(release(1)), method: 'DELETE' }).reply(200, ok(null));
    const recent = await prune(client, plan, [created()], {
      ...OPTIONS,
      startedAt: day3 + RECENT_MARGIN_MS - 1,
    });
    expect(recent.pruned.map((s) => s.name)).toEqual(['API_KEY_V1']);

    reply(LIST, LISTING);
    for (const s of [release(2), release(1)])
      pool.intercept({ path: path(s), method: 'DELETE' }).reply(200, ok(null));
    const older = await prune(client, plan, [created()], {
      ...OPTIONS,
      startedAt: day3 + RECENT_MARGIN_MS + 1,
    });
    expect(older.pruned.map((s) => s.name)).toEqual(['API_KEY_V2', 'API_KEY_V1']);
  });

  it('reports the matching secrets without provenance, and leaves them alone', async () => {
    const { client, urls, reply } = setup();
    const byHand = release(1, { comment: 'made by hand' });
    reply(LIST, [NEW, byHand, SOURCE]);

    const report = await prune(client, plan, [created()], { ...OPTIONS, keep: 1 });

    expect(report.pruned).toEqual([]);
    expect(report.untracked).toEqual([byHand]);
    expect(urls()).toEqual([`GET ${LIST}`]);
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
