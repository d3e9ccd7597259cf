/**
 * if-exists: replace in executeCopy and executePlan, request by request over undici's MockAgent:
 * the backup comes first, then the delete, the duplicate and the backup's delete; a failed copy
 * restores the target from the backup, and every message says only what is known.
 */
import { describe, expect, it } from 'vitest';
import { executeCopy, ReplaceFailed, type CopyOptions } from '../../src/copy/duplicate.js';
import { executePlan, type ExecuteOptions } from '../../src/copy/execute.js';
import type { PlannedCopy, PlannedStore } from '../../src/plan/plan.js';
import { backupName, freeName, isBackupOf, leftBehind } from '../../src/copy/backups.js';
import { StepState } from '../../src/copy/step.js';
import {
  API,
  JSON_HEADERS,
  NEW_SECRET,
  OTHER_SECRET,
  SCOPES,
  SECRET,
  START,
  STORE,
  WIRE,
  failure,
  ok,
  rejection,
  secret,
  useMockCloudflare,
} from '../helpers/mock-cloudflare.js';

const SOURCE = SECRET;
const CREATED = NEW_SECRET;
const OLD = OTHER_SECRET;
const BACKUP = 'b'.repeat(32);
const RESTORED = 'e'.repeat(32);
const NAME = 'DB_URL_PRODUCTION';
const BACKUP_NAME = `${NAME}_BACKUP_LOCAL_1`;

const path = (id: string) => `${WIRE}/stores/${STORE}/secrets/${id}`;
const DUPLICATE = `${path(SOURCE)}/duplicate`;
const BACKUP_POST = `${path(OLD)}/duplicate`;
const RESTORE_POST = `${path(BACKUP)}/duplicate`;
const LISTING = `${WIRE}/stores/${STORE}/secrets?page=1&per_page=100`;
const SEARCH = `${WIRE}/stores/${STORE}/secrets?search=${NAME}&page=1&per_page=100`;

const MAIN: PlannedStore = { id: STORE, name: 'main' };
const REPLACE: CopyOptions = { ifExists: 'replace', dryRun: false };
const OLD_SECRET = secret(OLD, NAME, { created: '2024-01-01T00:00:00.000000Z', comment: 'prod' });

function copy(overrides: Partial<PlannedCopy> = {}): PlannedCopy {
  return {
    sourceRef: 'DB_URL_STAGING',
    sourceId: SOURCE,
    name: NAME,
    scopes: [...SCOPES],
    existing: OLD_SECRET,
    ...overrides,
  };
}

const setup = useMockCloudflare({ maxRetries: 0 });
type Pool = ReturnType<typeof setup>['pool'];

const json = { headers: JSON_HEADERS };
const listing = (pool: Pool, secrets: unknown[] = [OLD_SECRET]) =>
  pool
    .intercept({ path: LISTING, method: 'GET' })
    .reply(200, ok(secrets, { total_pages: 1 }), json);
const post = (pool: Pool, at: string, id: string, name: string) =>
  pool.intercept({ path: at, method: 'POST' }).reply(200, ok(secret(id, name)), json);
const del = (pool: Pool, id: string, status = 200) =>
  pool
    .intercept({ path: path(id), method: 'DELETE' })
    .reply(status, status < 300 ? ok(null) : failure({ code: 10000, message: 'no' }), json);
const refused = (pool: Pool, at: string) =>
  pool
    .intercept({ path: at, method: 'POST' })
    .reply(400, failure({ code: 1001, message: 'secret_scope_invalid' }), json);
const bodies = (calls: ReturnType<ReturnType<typeof setup>['calls']>) =>
  calls.filter((c) => c.method === 'POST').map((c) => JSON.parse(String(c.body)));

describe('backup names', () => {
  it('are the target, _BACKUP_, the run id in base 36 and the attempt', () => {
    expect(backupName('DB', { runId: '4242', attempt: '2', repository: 'a/b' })).toBe(
      'DB_BACKUP_39U_2',
    );
    expect(backupName('DB', { runId: '', attempt: '', repository: '' })).toBe('DB_BACKUP_LOCAL_1');
  });

  it('are recognised by name AND comment, for their own target only', () => {
    const comment = `Backup of "DB" (${OLD}) made by run 1 (secrets-store-duplicate-action backup); …`;
    const of = (name: string, text = comment) => secret(BACKUP, name, { comment: text });
    expect(isBackupOf(of('DB_BACKUP_39U_2'), 'DB')).toBe(true);
    expect(isBackupOf(of('DB_BACKUP_39U_2', 'my own notes'), 'DB')).toBe(false);
    expect(isBackupOf(of('DB_BACKUP_notes'), 'DB')).toBe(false);
    expect(isBackupOf(of('DBX_BACKUP_39U_2'), 'DB')).toBe(false);
    expect(isBackupOf(of('DB_BACKUP_39U_2'), 'D')).toBe(false);
  });
});

// What the mutation run asked of the names and comments (CONTRIBUTING.md, "Mutation testing").
describe('backup names and comments, at their edges', () => {
  it('take the run id and the attempt only when they are all digits', () => {
    const name = (runId: string, attempt: string) =>
      backupName('DB', { runId, attempt, repository: '' });
    expect(name('a12', '2')).toBe('DB_BACKUP_LOCAL_2');
    expect(name('12a', '2')).toBe('DB_BACKUP_LOCAL_2');
    expect(name('12', 'x2')).toBe('DB_BACKUP_C_1');
    expect(name('12', '2x')).toBe('DB_BACKUP_C_1');
    expect(name('12', '12')).toBe('DB_BACKUP_C_12');
  });

  it('a taken name counts up from _2 until one is free', () => {
    const taken = new Map([
      ['DB_BACKUP_C_1', secret(BACKUP, 'DB_BACKUP_C_1')],
      ['DB_BACKUP_C_1_2', secret(RESTORED, 'DB_BACKUP_C_1_2')],
    ]);
    expect(freeName('DB_BACKUP_C_1', taken)).toBe('DB_BACKUP_C_1_3');
    expect(freeName('DB_BACKUP_C_2', taken)).toBe('DB_BACKUP_C_2');
  });

  it('are recognised only whole: the target, _BACKUP_, the id, the attempt and a suffix', () => {
    const comment = `Backup of "DB" (${OLD}) made by run 1 (secrets-store-duplicate-action backup); …`;
    const of = (name: string, text = comment) => secret(BACKUP, name, { comment: text });
    expect(isBackupOf(of('DB_BACKUP_39U_12'), 'DB')).toBe(true);
    expect(isBackupOf(of('DB_BACKUP_39U_2_13'), 'DB')).toBe(true);
    expect(isBackupOf(of('DBXBACKUPY39U_2'), 'DB')).toBe(false);
    expect(isBackupOf(of('DB_BACKUP_x39U_2'), 'DB')).toBe(false);
    expect(isBackupOf(of('DB_BACKUP_39U_2x'), 'DB')).toBe(false);
    // The comment must both start as a backup's and carry the action's mark.
    expect(
      isBackupOf(of('DB_BACKUP_39U_2', 'notes (secrets-store-duplicate-action backup)'), 'DB'),
    ).toBe(false);
    expect(isBackupOf(of('DB_BACKUP_39U_2', `Backup of "DB" (${OLD}) my notes`), 'DB')).toBe(false);
    expect(isBackupOf(secret(BACKUP, 'DB_BACKUP_39U_2'), 'DB')).toBe(false);
  });

  it('outside a workflow an earlier attempt does not count: only age tells', () => {
    const { client } = setup();
    const local = new StepState(client, STORE, undefined, {
      runId: '',
      attempt: '2',
      repository: '',
    });
    const now = client.serverTime(client.now());
    const made = (msAgo: number) =>
      secret(BACKUP, 'DB_BACKUP_LOCAL_1', { created: new Date(now - msAgo).toISOString() });
    expect(leftBehind(made(1_000), 'DB', local)).toBe(false);
    // Exactly as old as the longest step plus the minute for the clocks is not yet older.
    expect(leftBehind(made(3_660_000), 'DB', local)).toBe(false);
    expect(leftBehind(made(3_660_001), 'DB', local)).toBe(true);
  });

  it('a backup’s comment names the target, the run and the repository, and the action’s mark', async () => {
    const { pool, client, calls } = setup();
    const run = { runId: '4242', attempt: '2', repository: 'a/b' };
    listing(pool);
    post(pool, BACKUP_POST, BACKUP, `${NAME}_BACKUP_39U_2`);
    del(pool, OLD);
    post(pool, DUPLICATE, CREATED, NAME);
    del(pool, BACKUP);

    await executeCopy(client, MAIN, copy(), REPLACE, new StepState(client, STORE, undefined, run));

    expect(bodies(calls())[0]).toEqual({
      name: `${NAME}_BACKUP_39U_2`,
      scopes: [...SCOPES],
      comment:
        `Backup of "${NAME}" (${OLD}) made by run 4242 of a/b while replacing it ` +
        '(secrets-store-duplicate-action backup); the step deletes it once the new copy is in place.',
    });
  });

  it('a kept previous value’s comment says which run kept it', async () => {
    const { pool, client, calls } = setup();
    const run = { runId: '4242', attempt: '2', repository: '' };
    listing(pool);
    post(pool, BACKUP_POST, BACKUP, `${NAME}_PREVIOUS`);
    del(pool, OLD);
    post(pool, DUPLICATE, CREATED, NAME);

    await executeCopy(
      client,
      MAIN,
      copy(),
      { ...REPLACE, keepPrevious: true },
      new StepState(client, STORE, undefined, run),
    );

    expect(bodies(calls())[0]).toEqual({
      name: `${NAME}_PREVIOUS`,
      scopes: [...SCOPES],
      comment: `Previous value of "${NAME}" (${OLD}), kept by keep-previous when run 4242 replaced it.`,
    });
  });
});

describe('backups left behind', () => {
  it('go when an earlier attempt of this run made them, or when older than any step can work', () => {
    const { client } = setup();
    const run = { runId: '4242', attempt: '3', repository: 'a/b' };
    const step = new StepState(client, STORE, undefined, run);
    const now = client.serverTime(client.now());
    const made = (name: string, msAgo: number) =>
      secret(BACKUP, name, { created: new Date(now - msAgo).toISOString() });
    // An earlier attempt of this run has ended: attempts run one after another.
    expect(leftBehind(made('DB_BACKUP_39U_2', 1_000), 'DB', step)).toBe(true);
    // The same attempt (another job of the run) or another run may still need theirs.
    expect(leftBehind(made('DB_BACKUP_39U_3', 1_000), 'DB', step)).toBe(false);
    expect(leftBehind(made('DB_BACKUP_39V_1', 1_000), 'DB', step)).toBe(false);
    expect(leftBehind(made('DB_BACKUP_39V_1', 3_600_000), 'DB', step)).toBe(false);
    // No step works on the API for longer than timeout-seconds allows (an hour).
    expect(leftBehind(made('DB_BACKUP_39V_1', 3_661_000), 'DB', step)).toBe(true);
    // Outside a workflow every step is LOCAL: only age tells.
    const local = new StepState(client, STORE);
    expect(leftBehind(made('DB_BACKUP_LOCAL_1', 1_000), 'DB', local)).toBe(false);
  });
});

describe('executeCopy with if-exists: replace', () => {
  it('backs the target up, deletes it, duplicates the source, then deletes the backup: 4 writes', async () => {
    const { pool, client, urls, calls } = setup();
    listing(pool);
    post(pool, BACKUP_POST, BACKUP, BACKUP_NAME);
    del(pool, OLD);
    post(pool, DUPLICATE, CREATED, NAME);
    del(pool, BACKUP);

    const result = await executeCopy(client, MAIN, copy(), REPLACE);

    expect(result.outcome).toBe('replaced');
    expect(result.secret?.id).toBe(CREATED);
    expect(result.replaced).toBe(OLD_SECRET);
    expect(result.backup).toBeUndefined();
    expect(urls()).toEqual([
      `GET ${LISTING}`,
      `POST ${BACKUP_POST}`,
      `DELETE ${path(OLD)}`,
      `POST ${DUPLICATE}`,
      `DELETE ${path(BACKUP)}`,
    ]);
    const [backup] = bodies(calls());
    expect(backup).toMatchObject({ name: BACKUP_NAME, scopes: [...SCOPES] });
    expect(backup.comment).toMatch(new RegExp(`^Backup of "${NAME}" \\(${OLD}\\) made by a run`));
  });

  it('stops before any delete when the backup is refused (a mistyped scope, say)', async () => {
    const { pool, client, urls } = setup();
    listing(pool);
    refused(pool, BACKUP_POST);

    const error = await rejection(executeCopy(client, MAIN, copy(), REPLACE), ReplaceFailed);

    expect(error.afterDelete).toBe(false);
    expect(error.name).toBe('ReplaceFailed');
    expect(error.message).toMatch(
      new RegExp(
        `^"${NAME}" \\(${OLD}\\) was not replaced and is unchanged: its backup "${BACKUP_NAME}" could not be made: POST .* HTTP 400: \\[1001\\] secret_scope_invalid`,
      ),
    );
    expect(urls()).toEqual([`GET ${LISTING}`, `POST ${BACKUP_POST}`]);
  });

  it('a refused delete leaves the target as it was and deletes the backup', async () => {
    const { pool, client, urls } = setup();
    listing(pool);
    post(pool, BACKUP_POST, BACKUP, BACKUP_NAME);
    del(pool, OLD, 403);
    del(pool, BACKUP);

    const error = await rejection(executeCopy(client, MAIN, copy(), REPLACE), ReplaceFailed);

    expect(error.message).toBe(
      `"${NAME}" (${OLD}) was not replaced and is unchanged: deleting it was refused: ` +
        `DELETE ${API}/stores/${STORE}/secrets/${OLD} failed: HTTP 403: [10000] no.`,
    );
    expect(urls().at(-1)).toBe(`DELETE ${path(BACKUP)}`);
  });

  it('a delete whose answer was lost, unconfirmed, keeps the backup and names it', async () => {
    const { pool, client } = setup();
    listing(pool);
    post(pool, BACKUP_POST, BACKUP, BACKUP_NAME);
    pool.intercept({ path: path(OLD), method: 'DELETE' }).reply(502, '');
    pool.intercept({ path: path(OLD), method: 'GET' }).reply(502, '');

    const error = await rejection(executeCopy(client, MAIN, copy(), REPLACE), ReplaceFailed);

    expect(error.afterDelete).toBe(true);
    expect(error.message).toMatch(
      new RegExp(
        `^Deleting "${NAME}" \\(${OLD}\\) to replace it failed, and it may have taken effect: `,
      ),
    );
    expect(error.message).toContain(
      `Its value is kept in the backup "${BACKUP_NAME}" (${BACKUP}). Check whether "${NAME}" still exists`,
    );
    expect(error.message).not.toMatch(/was not replaced/);
    // And how to finish (a mutant that emptied that sentence's end survived).
    expect(error.message).toMatch(
      new RegExp(
        `Its value is kept in the backup "${BACKUP_NAME}" \\(${BACKUP}\\)\\. Check whether "${NAME}" still exists; ` +
          're-running the step finishes the replace and then deletes the backup\\.$',
      ),
    );
  });

  it('a delete whose answer was lost but took effect counts as done', async () => {
    const { pool, client } = setup({ maxRetries: 1 });
    listing(pool);
    post(pool, BACKUP_POST, BACKUP, BACKUP_NAME);
    pool.intercept({ path: path(OLD), method: 'DELETE' }).reply(502, '');
    pool
      .intercept({ path: path(OLD), method: 'DELETE' })
      .reply(404, failure({ code: 1001, message: 'secret_not_found' }), json);
    post(pool, DUPLICATE, CREATED, NAME);
    del(pool, BACKUP);

    const result = await executeCopy(client, MAIN, copy(), REPLACE);

    expect(result.outcome).toBe('replaced');
  });

  it('a failed copy restores the target from its backup, with its scopes and comment', async () => {
    const { pool, client, urls, calls } = setup();
    listing(pool);
    post(pool, BACKUP_POST, BACKUP, BACKUP_NAME);
    del(pool, OLD);
    refused(pool, DUPLICATE);
    post(pool, RESTORE_POST, RESTORED, NAME);
    del(pool, BACKUP);

    const error = await rejection(executeCopy(client, MAIN, copy(), REPLACE), ReplaceFailed);

    expect(error.afterDelete).toBe(true);
    expect(error.message).toMatch(
      new RegExp(
        `^Deleted "${NAME}" \\(${OLD}\\) to replace it, but copying the source under that name failed: POST .* HTTP 400: .*` +
          `It was restored from its backup, with its old value, scopes and comment, as ${RESTORED} \\(a new id\\)\\.$`,
      ),
    );
    expect(error.message).not.toMatch(/was not created|appeared/);
    expect(bodies(calls()).at(-1)).toEqual({ name: NAME, scopes: [...SCOPES], comment: 'prod' });
    expect(urls().at(-1)).toBe(`DELETE ${path(BACKUP)}`);
  });

  // Without scopes, the backup's (the requested ones); without a comment, an empty one (not a
  // default of the code's own).
  it.each([
    [
      'listed without scopes is restored with the backup’s',
      { scopes: undefined, comment: 'prod' },
      'prod',
    ],
    ['without a comment is restored with an empty one', {}, ''],
  ])('a target %s', async (_, fields, comment) => {
    const { pool, client, calls } = setup();
    const bare = secret(OLD, NAME, fields);
    listing(pool, [bare]);
    post(pool, BACKUP_POST, BACKUP, BACKUP_NAME);
    del(pool, OLD);
    refused(pool, DUPLICATE);
    post(pool, RESTORE_POST, RESTORED, NAME);
    del(pool, BACKUP);

    await rejection(executeCopy(client, MAIN, copy({ existing: bare }), REPLACE), ReplaceFailed);

    expect(bodies(calls()).at(-1)).toEqual({ name: NAME, scopes: [...SCOPES], comment });
  });

  it('when even the restore fails, the backup stays and the error names it, its id and the re-run', async () => {
    const { pool, client } = setup();
    listing(pool);
    post(pool, BACKUP_POST, BACKUP, BACKUP_NAME);
    del(pool, OLD);
    refused(pool, DUPLICATE);
    refused(pool, RESTORE_POST);

    const error = await rejection(executeCopy(client, MAIN, copy(), REPLACE), ReplaceFailed);

    expect(error.message).toContain('Restoring it from its backup failed (');
    expect(error.message).toContain(
      `Its value is kept in the backup "${BACKUP_NAME}" (${BACKUP}); re-running the step finishes the replace and then deletes the backup.`,
    );
  });

  it('a listing that still shows the deleted target does not make it "appear"', async () => {
    const { pool, client } = setup({ maxRetries: 1 });
    listing(pool);
    post(pool, BACKUP_POST, BACKUP, BACKUP_NAME);
    del(pool, OLD);
    pool.intercept({ path: DUPLICATE, method: 'POST' }).reply(502, '');
    pool
      .intercept({ path: SEARCH, method: 'GET' })
      .reply(200, ok([OLD_SECRET], { total_pages: 1 }), json);
    post(pool, DUPLICATE, CREATED, NAME);
    del(pool, BACKUP);

    const result = await executeCopy(client, MAIN, copy(), REPLACE);

    expect(result.outcome).toBe('replaced');
    expect(result.secret?.id).toBe(CREATED);
  });

  it('starts no delete without time for the delete, the copy and a restore', async () => {
    const { pool, client, urls } = setup({ deadline: START + 10_000 });
    listing(pool);

    const error = await rejection(
      executeCopy(client, MAIN, copy(), { ...REPLACE, writeMs: 5_000 }),
      ReplaceFailed,
    );

    expect(error.message).toMatch(
      /was not replaced and is unchanged: less than 15 s of the time budget/,
    );
    expect(urls()).toEqual([`GET ${LISTING}`]);
  });

  it('deletes the backups earlier runs left of the same target, and nothing else', async () => {
    const { pool, client, urls } = setup();
    const leftComment = `Backup of "${NAME}" (${OLD}) made by run 1 (secrets-store-duplicate-action backup); x`;
    const left = secret('c'.repeat(32), `${NAME}_BACKUP_1_1`, { comment: leftComment });
    const lookalike = secret('d'.repeat(32), `${NAME}_BACKUP_2_1`, { comment: 'mine' });
    listing(pool, [OLD_SECRET, left, lookalike]);
    post(pool, BACKUP_POST, BACKUP, BACKUP_NAME);
    del(pool, OLD);
    post(pool, DUPLICATE, CREATED, NAME);
    del(pool, BACKUP);
    del(pool, left.id);

    await executeCopy(client, MAIN, copy(), REPLACE);

    expect(urls().filter((u) => u.startsWith('DELETE'))).toEqual([
      `DELETE ${path(OLD)}`,
      `DELETE ${path(BACKUP)}`,
      `DELETE ${path(left.id)}`,
    ]);
  });

  it('a backup name a step of the same run attempt left taken gets a suffix; the old one goes', async () => {
    const { pool, client, urls, calls } = setup();
    const leftComment = `Backup of "${NAME}" (${OLD}) made by run 1 (secrets-store-duplicate-action backup); x`;
    const left = secret('c'.repeat(32), BACKUP_NAME, { comment: leftComment });
    listing(pool, [OLD_SECRET, left]);
    post(pool, BACKUP_POST, BACKUP, `${BACKUP_NAME}_2`);
    del(pool, OLD);
    post(pool, DUPLICATE, CREATED, NAME);
    del(pool, BACKUP);
    del(pool, left.id);

    await executeCopy(client, MAIN, copy(), REPLACE);

    expect(bodies(calls())[0].name).toBe(`${BACKUP_NAME}_2`);
    expect(isBackupOf(secret(BACKUP, `${BACKUP_NAME}_2`, { comment: leftComment }), NAME)).toBe(
      true,
    );
    expect(urls().at(-1)).toBe(`DELETE ${path(left.id)}`);
  });

  it('a re-run that finds the target missing creates it, then deletes the backup left behind', async () => {
    const { pool, client, urls } = setup();
    const leftComment = `Backup of "${NAME}" (${OLD}) made by run 1 (secrets-store-duplicate-action backup); x`;
    const left = secret('c'.repeat(32), `${NAME}_BACKUP_1_1`, { comment: leftComment });
    post(pool, DUPLICATE, CREATED, NAME);
    listing(pool, [left]);
    del(pool, left.id);

    const result = await executeCopy(client, MAIN, copy({ existing: undefined }), REPLACE);

    expect(result.outcome).toBe('created');
    expect(urls()).toEqual([`POST ${DUPLICATE}`, `GET ${LISTING}`, `DELETE ${path(left.id)}`]);
  });
});

describe('keep-previous', () => {
  const PREVIOUS = `${NAME}_PREVIOUS`;
  const KEEP: CopyOptions = { ...REPLACE, keepPrevious: true };

  it('without a _PREVIOUS yet, the backup is made under that name and kept: 3 writes', async () => {
    const { pool, client, urls } = setup();
    listing(pool);
    post(pool, BACKUP_POST, BACKUP, PREVIOUS);
    del(pool, OLD);
    post(pool, DUPLICATE, CREATED, NAME);

    const result = await executeCopy(client, MAIN, copy(), KEEP);

    expect(result.outcome).toBe('replaced');
    expect(result.previous?.id).toBe(BACKUP);
    expect(urls().filter((u) => !u.startsWith('GET'))).toHaveLength(3);
  });

  it('an older _PREVIOUS gives way only once the new copy is in place', async () => {
    const { pool, client, urls } = setup();
    const older = secret('a'.repeat(32), PREVIOUS);
    listing(pool, [OLD_SECRET, older]);
    post(pool, BACKUP_POST, BACKUP, BACKUP_NAME);
    del(pool, OLD);
    post(pool, DUPLICATE, CREATED, NAME);
    del(pool, older.id);
    post(pool, RESTORE_POST, RESTORED, PREVIOUS);
    del(pool, BACKUP);

    const result = await executeCopy(client, MAIN, copy(), KEEP);

    expect(result.previous?.id).toBe(RESTORED);
    // The backup went once it was copied as the new _PREVIOUS: none is reported as left.
    expect(result.backup).toBeUndefined();
    expect(urls().filter((u) => !u.startsWith('GET'))).toEqual([
      `POST ${BACKUP_POST}`,
      `DELETE ${path(OLD)}`,
      `POST ${DUPLICATE}`,
      `DELETE ${path(older.id)}`,
      `POST ${RESTORE_POST}`,
      `DELETE ${path(BACKUP)}`,
    ]);
  });

  it('a failed copy leaves the older _PREVIOUS as it was', async () => {
    const { pool, client, urls } = setup();
    const older = secret('a'.repeat(32), PREVIOUS);
    listing(pool, [OLD_SECRET, older]);
    post(pool, BACKUP_POST, BACKUP, BACKUP_NAME);
    del(pool, OLD);
    refused(pool, DUPLICATE);
    post(pool, RESTORE_POST, RESTORED, NAME);
    del(pool, BACKUP);

    await rejection(executeCopy(client, MAIN, copy(), KEEP), ReplaceFailed);

    expect(urls()).not.toContain(`DELETE ${path(older.id)}`);
  });
});

describe('executePlan with if-exists: replace', () => {
  const LIST: ExecuteOptions = {
    ...REPLACE,
    maxParallel: 1,
    rollbackOnFailure: false,
    waitForActive: false,
  };
  const other = (n: number) => secret(`${n}`.repeat(32), `T${n}`);
  const line = (n: number) => copy({ line: n, name: `T${n}`, existing: other(n) });

  it('stops after 3 identical errors: no delete at all when every backup is refused', async () => {
    const { pool, client, urls } = setup();
    listing(pool, [1, 2, 3].map(other));
    for (const n of [1, 2, 3]) refused(pool, `${path(`${n}`.repeat(32))}/duplicate`);

    const results = await executePlan(
      client,
      { store: MAIN, copies: [1, 2, 3, 4, 5, 6].map(line) },
      LIST,
    );

    const outcomes = results.map((r) => r.outcome);
    expect(outcomes).toEqual([...Array(3).fill('failed'), ...Array(3).fill('not-attempted')]);
    expect(results[3]!.error).toMatch(/3 copies failed with the same error \(HTTP 400 \[1001\]\)/);
    expect(urls().filter((u) => u.startsWith('DELETE'))).toEqual([]);
  });

  it('stops after the first copy that failed after its delete', async () => {
    const { pool, client } = setup();
    listing(pool, [other(1)]);
    post(pool, `${path('1'.repeat(32))}/duplicate`, BACKUP, 'T1_BACKUP_LOCAL_1');
    del(pool, '1'.repeat(32));
    refused(pool, DUPLICATE);
    post(pool, RESTORE_POST, RESTORED, 'T1');
    del(pool, BACKUP);

    const results = await executePlan(client, { store: MAIN, copies: [line(1), line(2)] }, LIST);

    expect(results.map((r) => r.outcome)).toEqual(['failed', 'not-attempted']);
    expect(results[0]!.restored?.id).toBe(RESTORED);
    expect(results[1]!.error).toBe(
      'not attempted: a replace failed after deleting its target, so no more were sent',
    );
  });

  it('with rollback-on-failure, a failed line restores every target already replaced', async () => {
    const { pool, client, urls } = setup();
    listing(pool, [other(1)]);
    post(pool, `${path('1'.repeat(32))}/duplicate`, BACKUP, 'T1_BACKUP_LOCAL_1');
    del(pool, '1'.repeat(32));
    post(pool, DUPLICATE, CREATED, 'T1');
    refused(pool, DUPLICATE);
    del(pool, CREATED);
    post(pool, RESTORE_POST, RESTORED, 'T1');
    del(pool, BACKUP);

    const results = await executePlan(
      client,
      { store: MAIN, copies: [line(1), copy({ line: 2, name: 'NEW', existing: undefined })] },
      { ...LIST, rollbackOnFailure: true },
    );

    expect(results.map((r) => r.outcome)).toEqual(['rolled-back', 'failed']);
    expect(results[0]!.restored?.id).toBe(RESTORED);
    expect(results[0]!.replaced?.id).toBe('1'.repeat(32));
    // The backup stayed until the list failed, and went once the target was back.
    expect(urls().slice(-3)).toEqual([
      `DELETE ${path(CREATED)}`,
      `POST ${RESTORE_POST}`,
      `DELETE ${path(BACKUP)}`,
    ]);
  });

  it('a rollback never deletes the backup of a target whose delete may have taken effect', async () => {
    const { pool, client, urls } = setup();
    listing(pool, [other(1)]);
    post(pool, `${path('1'.repeat(32))}/duplicate`, BACKUP, 'T1_BACKUP_LOCAL_1');
    pool.intercept({ path: path('1'.repeat(32)), method: 'DELETE' }).reply(502, '');
    pool.intercept({ path: path('1'.repeat(32)), method: 'GET' }).reply(502, '');

    const results = await executePlan(
      client,
      { store: MAIN, copies: [line(1), line(2)] },
      { ...LIST, rollbackOnFailure: true },
    );

    expect(results.map((r) => r.outcome)).toEqual(['failed', 'not-attempted']);
    expect(results[0]!.backup?.id).toBe(BACKUP);
    expect(urls()).not.toContain(`DELETE ${path(BACKUP)}`);
  });

  it('a cancelled step starts no write, and rolls back under rollback-on-failure', async () => {
    const { pool, client, urls } = setup();
    const cancel = new AbortController();
    listing(pool, [other(1)]);
    post(pool, `${path('1'.repeat(32))}/duplicate`, BACKUP, 'T1_BACKUP_LOCAL_1');
    // The signal comes while the delete is in flight: the delete finishes, the copy never starts.
    pool.intercept({ path: path('1'.repeat(32)), method: 'DELETE' }).reply(
      200,
      () => {
        cancel.abort('SIGINT');
        return ok(null);
      },
      json,
    );
    post(pool, RESTORE_POST, RESTORED, 'T1');
    del(pool, BACKUP);

    const results = await executePlan(
      client,
      { store: MAIN, copies: [line(1), line(2)] },
      { ...LIST, signal: cancel.signal },
    );

    expect(results.map((r) => r.outcome)).toEqual(['failed', 'not-attempted']);
    expect(results[0]!.restored?.id).toBe(RESTORED);
    expect(results[1]!.error).toBe('not attempted: the step was cancelled');
    expect(urls()).not.toContain(`POST ${DUPLICATE}`);
  });

  it('three failures with different errors do not stop the list', async () => {
    const { pool, client } = setup();
    listing(pool, [1, 2, 3, 4].map(other));
    for (const n of [1, 2, 3])
      pool
        .intercept({ path: `${path(`${n}`.repeat(32))}/duplicate`, method: 'POST' })
        .reply(400, failure({ code: 1000 + n, message: 'no' }), json);
    refused(pool, `${path('4'.repeat(32))}/duplicate`);

    const results = await executePlan(
      client,
      { store: MAIN, copies: [1, 2, 3, 4].map(line) },
      LIST,
    );

    expect(results.map((r) => r.outcome)).toEqual(Array(4).fill('failed'));
  });

  it('what finishing a line warns of is in its result', async () => {
    const { pool, client } = setup();
    listing(pool, [other(1)]);
    post(pool, `${path('1'.repeat(32))}/duplicate`, BACKUP, 'T1_BACKUP_LOCAL_1');
    del(pool, '1'.repeat(32));
    post(pool, DUPLICATE, CREATED, 'T1');
    del(pool, BACKUP, 400);

    const [result] = await executePlan(client, { store: MAIN, copies: [line(1)] }, LIST);

    expect(result!.outcome).toBe('replaced');
    expect(result!.warnings).toHaveLength(1);
    expect(result!.warnings[0]).toMatch(
      /^"T1" was replaced, but finishing with its backup failed: /,
    );
  });

  it('a step cancelled during a copy leaves that line unfinished: its backup stays and is named', async () => {
    const { pool, client, urls } = setup();
    const cancel = new AbortController();
    listing(pool, [other(1)]);
    post(pool, `${path('1'.repeat(32))}/duplicate`, BACKUP, 'T1_BACKUP_LOCAL_1');
    del(pool, '1'.repeat(32));
    pool.intercept({ path: DUPLICATE, method: 'POST' }).reply(
      200,
      () => {
        cancel.abort('SIGINT');
        return ok(secret(CREATED, 'T1'));
      },
      json,
    );

    const [result] = await executePlan(
      client,
      { store: MAIN, copies: [line(1)] },
      { ...LIST, signal: cancel.signal },
    );

    expect(result!.outcome).toBe('replaced');
    expect(result!.backup?.id).toBe(BACKUP);
    expect(urls()).not.toContain(`DELETE ${path(BACKUP)}`);
  });

  it('a step shares one listing between its replace lines', async () => {
    const { pool, client, urls } = setup();
    listing(pool, [other(1), other(2)]);
    for (const n of [1, 2]) {
      post(
        pool,
        `${path(`${n}`.repeat(32))}/duplicate`,
        `${n + 2}`.repeat(32),
        `T${n}_BACKUP_LOCAL_1`,
      );
      del(pool, `${n}`.repeat(32));
      post(pool, DUPLICATE, `${n + 4}`.repeat(32), `T${n}`);
      del(pool, `${n + 2}`.repeat(32));
    }

    const results = await executePlan(client, { store: MAIN, copies: [line(1), line(2)] }, LIST);

    expect(results.map((r) => r.outcome)).toEqual(['replaced', 'replaced']);
    expect(urls().filter((u) => u.startsWith('GET'))).toEqual([`GET ${LISTING}`]);
  });
});

// Each test here pins what a surviving mutant of src/copy/replace.ts changed without a test
// failing (CONTRIBUTING.md, "Mutation testing"): the exact message, the requests, the state left.
describe('replace, at its edges', () => {
  const FOREIGN = 'f'.repeat(32);
  const search = (name: string) =>
    `${WIRE}/stores/${STORE}/secrets?search=${name}&page=1&per_page=100`;
  /** Answers the POST to `at` with a copy named `name`, after `then` ran (a signal, a clock). */
  const postThen = (pool: Pool, at: string, id: string, name: string, then: () => void) =>
    pool.intercept({ path: at, method: 'POST' }).reply(
      200,
      () => {
        then();
        return ok(secret(id, name));
      },
      json,
    );

  it('a listing that fails before the backup leaves the target unchanged, and says why', async () => {
    const { pool, client, urls } = setup();
    pool
      .intercept({ path: LISTING, method: 'GET' })
      .reply(500, failure({ code: 10000, message: 'down' }), json);

    const error = await rejection(executeCopy(client, MAIN, copy(), REPLACE), ReplaceFailed);

    expect(error.afterDelete).toBe(false);
    expect(error.message).toMatch(
      new RegExp(
        `^"${NAME}" \\(${OLD}\\) was not replaced and is unchanged: listing the store before backing it up failed: GET .*HTTP 500`,
      ),
    );
    expect(urls()).toEqual([`GET ${LISTING}`]);
  });

  // EqualityOperator `<` into `<=`, at both checks of the time budget.
  it('exactly the time of 3 writes left is enough to replace', async () => {
    const { pool, client, urls } = setup({ deadline: START + 15_000 });
    listing(pool);
    post(pool, BACKUP_POST, BACKUP, BACKUP_NAME);
    del(pool, OLD);
    post(pool, DUPLICATE, CREATED, NAME);
    del(pool, BACKUP);

    const result = await executeCopy(client, MAIN, copy(), { ...REPLACE, writeMs: 5_000 });

    expect(result.outcome).toBe('replaced');
    expect(result.warnings).toEqual([]);
    expect(urls()).toHaveLength(5);
  });

  it('says how much time a replace needs, and which input sets it', async () => {
    const { pool, client } = setup({ deadline: START + 14_999 });
    listing(pool);

    const error = await rejection(
      executeCopy(client, MAIN, copy(), { ...REPLACE, writeMs: 5_000 }),
      ReplaceFailed,
    );

    expect(error.afterDelete).toBe(false);
    expect(error.message).toBe(
      `"${NAME}" (${OLD}) was not replaced and is unchanged: less than 15 s of the time budget ` +
        'is left, too little to delete it, copy the source and, should the copy fail, restore it. ' +
        'The timeout-seconds input sets that budget.',
    );
  });

  it('a backup that used up the time left stops the replace before its delete, and goes', async () => {
    const { pool, client, clock, urls } = setup({ deadline: START + 15_000 });
    listing(pool);
    postThen(pool, BACKUP_POST, BACKUP, BACKUP_NAME, () => clock.advance(1));
    del(pool, BACKUP);

    const error = await rejection(
      executeCopy(client, MAIN, copy(), { ...REPLACE, writeMs: 5_000 }),
      ReplaceFailed,
    );

    expect(error.message).toBe(
      `"${NAME}" (${OLD}) was not replaced and is unchanged: the time budget ran short before its delete.`,
    );
    expect(urls()).toEqual([`GET ${LISTING}`, `POST ${BACKUP_POST}`, `DELETE ${path(BACKUP)}`]);
  });

  it('a step cancelled while its backup was made deletes no target, and says so', async () => {
    const { pool, client, urls } = setup();
    const cancel = new AbortController();
    listing(pool);
    postThen(pool, BACKUP_POST, BACKUP, BACKUP_NAME, () => cancel.abort('SIGINT'));
    del(pool, BACKUP, 403);

    const step = new StepState(client, STORE, cancel.signal);
    const error = await rejection(executeCopy(client, MAIN, copy(), REPLACE, step), ReplaceFailed);

    expect(error.message).toBe(
      `"${NAME}" (${OLD}) was not replaced and is unchanged: the step was cancelled before its delete. ` +
        `Its backup "${BACKUP_NAME}" (${BACKUP}) could not be deleted; a re-run deletes it.`,
    );
    expect(urls()).toEqual([`GET ${LISTING}`, `POST ${BACKUP_POST}`, `DELETE ${path(BACKUP)}`]);
  });

  it('a refused delete whose backup cannot be deleted either names the backup', async () => {
    const { pool, client } = setup();
    listing(pool);
    post(pool, BACKUP_POST, BACKUP, BACKUP_NAME);
    del(pool, OLD, 403);
    del(pool, BACKUP, 403);

    const error = await rejection(executeCopy(client, MAIN, copy(), REPLACE), ReplaceFailed);

    expect(error.message).toMatch(
      new RegExp(
        `deleting it was refused: .*HTTP 403: \\[10000\\] no\\. Its backup "${BACKUP_NAME}" \\(${BACKUP}\\) could not be deleted; a re-run deletes it\\.$`,
      ),
    );
  });

  it('a backup name someone else took while the answer was lost stops the replace', async () => {
    const { pool, client, urls } = setup();
    listing(pool);
    pool.intercept({ path: BACKUP_POST, method: 'POST' }).reply(502, '');
    pool
      .intercept({ path: search(BACKUP_NAME), method: 'GET' })
      .reply(200, ok([secret(FOREIGN, BACKUP_NAME)], { total_pages: 1 }), json);

    const error = await rejection(executeCopy(client, MAIN, copy(), REPLACE), ReplaceFailed);

    expect(error.afterDelete).toBe(false);
    expect(error.message).toBe(
      `"${NAME}" (${OLD}) was not replaced and is unchanged: the name "${BACKUP_NAME}" is taken by ${FOREIGN}.`,
    );
    expect(urls()).not.toContain(`DELETE ${path(OLD)}`);
  });

  it('a name taken while the copy’s answer was lost: the restore meets it too, and the backup stays', async () => {
    const { pool, client } = setup();
    listing(pool);
    post(pool, BACKUP_POST, BACKUP, BACKUP_NAME);
    del(pool, OLD);
    pool.intercept({ path: DUPLICATE, method: 'POST' }).reply(502, '');
    const taken = () =>
      pool
        .intercept({ path: SEARCH, method: 'GET' })
        .reply(200, ok([secret(FOREIGN, NAME)], { total_pages: 1 }), json);
    taken();
    pool.intercept({ path: RESTORE_POST, method: 'POST' }).reply(502, '');
    taken();

    const error = await rejection(executeCopy(client, MAIN, copy(), REPLACE), ReplaceFailed);

    expect(error.message).toBe(
      `Deleted "${NAME}" (${OLD}) to replace it, but copying the source under that name failed: ` +
        `another secret named "${NAME}" (${FOREIGN}), not made by this step, was created meanwhile. ` +
        `Restoring it from its backup failed (another secret (${FOREIGN}) now holds the name.). ` +
        `Its value is kept in the backup "${BACKUP_NAME}" (${BACKUP}); re-running the step finishes the replace and then deletes the backup.`,
    );
  });

  it('a restored target whose backup cannot be deleted says a re-run deletes it', async () => {
    const { pool, client } = setup();
    listing(pool);
    post(pool, BACKUP_POST, BACKUP, BACKUP_NAME);
    del(pool, OLD);
    refused(pool, DUPLICATE);
    post(pool, RESTORE_POST, RESTORED, NAME);
    del(pool, BACKUP, 403);

    const error = await rejection(executeCopy(client, MAIN, copy(), REPLACE), ReplaceFailed);

    expect(error.message).toMatch(
      new RegExp(
        `as ${RESTORED} \\(a new id\\)\\. The backup "${BACKUP_NAME}" \\(${BACKUP}\\) could not be deleted; a re-run deletes it\\.$`,
      ),
    );
  });

  it('a backup that cannot be deleted after the copy is a warning that names it, and is kept', async () => {
    const { pool, client } = setup();
    listing(pool);
    post(pool, BACKUP_POST, BACKUP, BACKUP_NAME);
    del(pool, OLD);
    post(pool, DUPLICATE, CREATED, NAME);
    del(pool, BACKUP, 400);

    const result = await executeCopy(client, MAIN, copy(), REPLACE);

    expect(result.outcome).toBe('replaced');
    expect(result.backup?.id).toBe(BACKUP);
    // The refusal's own text ends the sentence, with one full stop.
    expect(result.warnings).toHaveLength(1);
    expect(result.warnings[0]).not.toContain('..');
    expect(result.warnings[0]).toMatch(
      new RegExp(
        `^"${NAME}" was replaced, but finishing with its backup failed: DELETE .*${BACKUP} failed: HTTP 400: \\[10000\\] no\\..* ` +
          `Its old value is in the backup "${BACKUP_NAME}" \\(${BACKUP}\\), left in the store; a re-run of the step deletes it\\.$`,
      ),
    );
  });

  it('a backup an earlier run left that cannot be deleted is a warning', async () => {
    const { pool, client } = setup();
    const leftComment = `Backup of "${NAME}" (${OLD}) made by run 1 (secrets-store-duplicate-action backup); x`;
    const left = secret('c'.repeat(32), `${NAME}_BACKUP_1_1`, { comment: leftComment });
    listing(pool, [OLD_SECRET, left]);
    post(pool, BACKUP_POST, BACKUP, BACKUP_NAME);
    del(pool, OLD);
    post(pool, DUPLICATE, CREATED, NAME);
    del(pool, BACKUP);
    del(pool, left.id, 400);

    const result = await executeCopy(client, MAIN, copy(), REPLACE);

    expect(result.backup).toBeUndefined();
    expect(result.warnings).toEqual([
      `The backup "${left.name}" (${left.id}) an earlier run left could not be deleted: ` +
        `DELETE ${API}/stores/${STORE}/secrets/${left.id} failed: HTTP 400: [10000] no.`,
    ]);
  });

  it('a step cancelled during the copy leaves earlier runs’ backups to a re-run', async () => {
    const { pool, client, urls } = setup();
    const cancel = new AbortController();
    const leftComment = `Backup of "${NAME}" (${OLD}) made by run 1 (secrets-store-duplicate-action backup); x`;
    const left = secret('c'.repeat(32), `${NAME}_BACKUP_1_1`, { comment: leftComment });
    listing(pool, [OLD_SECRET, left]);
    post(pool, BACKUP_POST, BACKUP, BACKUP_NAME);
    del(pool, OLD);
    postThen(pool, DUPLICATE, CREATED, NAME, () => cancel.abort('SIGINT'));
    del(pool, BACKUP);

    const step = new StepState(client, STORE, cancel.signal);
    const result = await executeCopy(client, MAIN, copy(), REPLACE, step);

    expect(result.outcome).toBe('replaced');
    expect(result.warnings).toEqual([]);
    expect(urls()).not.toContain(`DELETE ${path(left.id)}`);
  });

  it('a listing that fails after a re-run created the missing target only skips the cleanup', async () => {
    const { pool, client, urls } = setup();
    post(pool, DUPLICATE, CREATED, NAME);
    pool
      .intercept({ path: LISTING, method: 'GET' })
      .reply(500, failure({ code: 10000, message: 'down' }), json);

    const result = await executeCopy(client, MAIN, copy({ existing: undefined }), REPLACE);

    expect(result.outcome).toBe('created');
    expect(result.warnings).toEqual([]);
    expect(urls()).toEqual([`POST ${DUPLICATE}`, `GET ${LISTING}`]);
  });

  it('with keep-previous and no _PREVIOUS yet, the backup is kept as it and not reported as a backup', async () => {
    const { pool, client } = setup();
    listing(pool);
    post(pool, BACKUP_POST, BACKUP, `${NAME}_PREVIOUS`);
    del(pool, OLD);
    post(pool, DUPLICATE, CREATED, NAME);

    const result = await executeCopy(client, MAIN, copy(), { ...REPLACE, keepPrevious: true });

    expect(result.previous?.id).toBe(BACKUP);
    expect(result.backup).toBeUndefined();
    expect(result.warnings).toEqual([]);
  });

  it('a backup another run made a moment ago is left alone: its replace may be under way', async () => {
    const { pool, client, urls } = setup();
    const comment = `Backup of "${NAME}" (${OLD}) made by run 1 (secrets-store-duplicate-action backup); x`;
    const fresh = secret('c'.repeat(32), `${NAME}_BACKUP_1_1`, { comment, created: START });
    listing(pool, [OLD_SECRET, fresh]);
    post(pool, BACKUP_POST, BACKUP, BACKUP_NAME);
    del(pool, OLD);
    post(pool, DUPLICATE, CREATED, NAME);
    del(pool, BACKUP);

    const result = await executeCopy(client, MAIN, copy(), REPLACE);

    expect(result.warnings).toEqual([]);
    expect(urls()).not.toContain(`DELETE ${path(fresh.id)}`);
  });

  it('a copy cut short by the time kept for the restore says what the time is kept for', async () => {
    const { pool, client, clock } = setup({ maxRetries: 1, deadline: START + 20_000 });
    listing(pool);
    post(pool, BACKUP_POST, BACKUP, BACKUP_NAME);
    del(pool, OLD);
    pool.intercept({ path: DUPLICATE, method: 'POST' }).reply(
      429,
      () => {
        clock.advance(15_000);
        return failure({ code: 10000, message: 'rate limited' });
      },
      json,
    );
    post(pool, RESTORE_POST, RESTORED, NAME);
    del(pool, BACKUP);

    const error = await rejection(
      executeCopy(client, MAIN, copy(), { ...REPLACE, writeMs: 5_000 }),
      ReplaceFailed,
    );

    expect(error.message).toContain(`kept for restoring "${NAME}" from its backup)`);
    expect(error.message).toContain(`It was restored from its backup`);
  });
});
