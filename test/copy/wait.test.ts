/**
 * waitForActive and wait-for-active in executePlan, over undici's MockAgent with a fake clock:
 * which polls are sent, how long it waits between them, and how each way of not becoming active
 * is reported.
 */
import { describe, expect, it } from 'vitest';
import { CloudflareError } from '../../src/cloudflare/errors.js';
import { executePlan } from '../../src/copy/execute.js';
import { ActionError } from '../../src/shared/errors.js';
import type { PlannedCopy } from '../../src/plan/plan.js';
import { NotActive, pollDelay, waitForActive } from '../../src/copy/wait.js';
import {
  JSON_HEADERS,
  NEW_SECRET,
  NOT_FOUND,
  OTHER_SECRET,
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

const NAME = 'API_KEY_V1';
const PATH = `${WIRE}/stores/${STORE}/secrets/${NEW_SECRET}`;
const PENDING = secret(NEW_SECRET, NAME, { status: 'pending' });
const WHAT = `wait-for-active: secret "${NAME}" (${NEW_SECRET})`;

const setup = useMockCloudflare({ maxRetries: 2 });

/** Answers the next GETs of the new secret, one per status given. */
function polls(pool: ReturnType<typeof setup>['pool'], ...statuses: string[]): void {
  for (const status of statuses) {
    pool
      .intercept({ path: PATH, method: 'GET' })
      .reply(200, ok(secret(NEW_SECRET, NAME, { status })), { headers: JSON_HEADERS });
  }
}

describe('pollDelay', () => {
  it('starts at half a second and doubles up to five seconds', () => {
    expect([0, 1, 2, 3, 4, 5, 20].map(pollDelay)).toEqual([
      500, 1000, 2000, 4000, 5000, 5000, 5000,
    ]);
  });
});

describe('waitForActive', () => {
  it('returns an active secret at once, without a request', async () => {
    const { client, urls, clock } = setup();
    const active = secret(NEW_SECRET, NAME);

    expect(await waitForActive(client, STORE, active)).toBe(active);
    expect(urls()).toEqual([]);
    expect(clock.sleeps).toEqual([]);
  });

  it('polls with backoff until the secret is active, and returns it as last seen', async () => {
    const { pool, client, urls, clock } = setup();
    polls(pool, 'pending', 'pending', 'active');

    const result = await waitForActive(client, STORE, PENDING);

    expect(result.status).toBe('active');
    expect(urls()).toEqual([`GET ${PATH}`, `GET ${PATH}`, `GET ${PATH}`]);
    expect(clock.sleeps).toEqual([500, 1000, 2000]);
  });

  it('keeps polling through a status it does not know', async () => {
    const { pool, client } = setup();
    polls(pool, 'settling', '', 'active');

    expect((await waitForActive(client, STORE, PENDING)).status).toBe('active');
  });

  it('fails on deleted, naming the secret and the status', async () => {
    const { pool, client } = setup();
    polls(pool, 'deleted');

    const error = await rejection(waitForActive(client, STORE, PENDING), NotActive);

    expect(error.message).toBe(`${WHAT} is "deleted": it never became active.`);
    expect(error.last.status).toBe('deleted');
  });

  it('fails when a duplicate already answered deleted, without polling', async () => {
    const { client, urls } = setup();
    const gone = secret(NEW_SECRET, NAME, { status: 'deleted' });

    await rejection(waitForActive(client, STORE, gone), NotActive);
    expect(urls()).toEqual([]);
  });

  it('fails when the secret is gone (404), with the last status it had', async () => {
    const { pool, client } = setup();
    pool.intercept({ path: PATH, method: 'GET' }).reply(404, NOT_FOUND, { headers: JSON_HEADERS });

    const error = await rejection(waitForActive(client, STORE, PENDING), NotActive);

    expect(error.message).toBe(
      `${WHAT} is gone (Cloudflare answers not-found for it); its last status was "pending".`,
    );
    expect(error.last.status).toBe('deleted');
  });

  it('gives up before a wait that would pass the deadline, with the last status', async () => {
    // 500 + 1000 + 2000 ms of waits fit in 4 s; the next one (4 s) does not.
    const { pool, client, urls, clock } = setup({ deadline: START + 4_000 });
    polls(pool, 'pending', 'pending', 'pending');

    const error = await rejection(waitForActive(client, STORE, PENDING), NotActive);

    expect(error.message).toBe(
      `${WHAT} was still "pending", not active, when the step's time budget ran out. ` +
        'The timeout-seconds input sets that budget.',
    );
    expect(error.last.status).toBe('pending');
    expect(urls()).toHaveLength(3);
    expect(clock.sleeps).toEqual([500, 1000, 2000]);
  });

  it('reports the deadline the same way when it passes during a poll', async () => {
    const { pool, client, clock } = setup({ deadline: START + 1_000 });
    pool.intercept({ path: PATH, method: 'GET' }).reply(() => {
      clock.advance(600); // the poll is slow: the time budget is spent when it fails
      return { statusCode: 503, data: failure({ code: 1000, message: 'busy' }) };
    });

    const error = await rejection(waitForActive(client, STORE, PENDING), NotActive);

    expect(error.message).toContain('was still "pending", not active, when the step');
  });

  it('throws any other failure of a poll as it is', async () => {
    const { pool, client } = setup({ maxRetries: 0 });
    pool
      .intercept({ path: PATH, method: 'GET' })
      .reply(403, failure({ code: 10000, message: 'Authentication error' }));

    const error = await rejection(waitForActive(client, STORE, PENDING), CloudflareError);

    expect(error.status).toBe(403);
  });

  it('refuses an answer about another secret', async () => {
    const { pool, client } = setup();
    pool
      .intercept({ path: PATH, method: 'GET' })
      .reply(200, ok(secret(OTHER_SECRET, NAME)), { headers: JSON_HEADERS });

    const error = await rejection(waitForActive(client, STORE, PENDING), ActionError);

    expect(error).not.toBeInstanceOf(NotActive);
    expect(error.message).toBe(
      `${WHAT}: Cloudflare answered with another secret (${OTHER_SECRET}).`,
    );
  });

  it('quotes a status it does not know, cut short', async () => {
    const { pool, client } = setup({ deadline: START + 1_000 });
    // The client refuses a status of more than one word; a long unknown word is quoted.
    polls(pool, 'y'.repeat(64));

    const error = await rejection(waitForActive(client, STORE, PENDING), NotActive);

    expect(error.message).toContain(`was still ${JSON.stringify('y'.repeat(40))}, not`);
  });
});

describe('wait-for-active in executePlan', () => {
  const DUPLICATE = `${WIRE}/stores/${STORE}/secrets/${SECRET}/duplicate`;
  const copy: PlannedCopy = {
    sourceRef: SECRET,
    sourceId: SECRET,
    name: NAME,
    scopes: ['workers', 'ai_gateway'],
  };
  const options = {
    ifExists: 'fail' as const,
    dryRun: false,
    maxParallel: 1,
    rollbackOnFailure: false,
    waitForActive: true,
  };

  it('waits for the copy and reports its final status', async () => {
    const { pool, client, urls } = setup();
    pool
      .intercept({ path: DUPLICATE, method: 'POST' })
      .reply(200, ok(PENDING), { headers: JSON_HEADERS });
    polls(pool, 'active');

    const [result] = await executePlan(client, { store: { id: STORE }, copies: [copy] }, options);

    expect(result!.outcome).toBe('created');
    expect(result!.secret?.status).toBe('active');
    expect(result!.error).toBeUndefined();
    expect(urls()).toEqual([`POST ${DUPLICATE}`, `GET ${PATH}`]);
  });

  it('a copy that turns deleted is a failure, which a rollback does not try to delete', async () => {
    const { pool, client } = setup();
    pool
      .intercept({ path: DUPLICATE, method: 'POST' })
      .reply(200, ok(PENDING), { headers: JSON_HEADERS });
    polls(pool, 'deleted');

    const [result] = await executePlan(
      client,
      { store: { id: STORE }, copies: [copy] },
      { ...options, rollbackOnFailure: true },
    );

    // Gone, so failed (never `created`), and nothing is left to delete.
    expect(result!.outcome).toBe('failed');
    expect(result!.error).toBe(`${WHAT} is "deleted": it never became active.`);
  });

  it('a copy found gone is failed, kept as last seen', async () => {
    const { pool, client } = setup();
    pool
      .intercept({ path: DUPLICATE, method: 'POST' })
      .reply(200, ok(PENDING), { headers: JSON_HEADERS });
    pool.intercept({ path: PATH, method: 'GET' }).reply(404, NOT_FOUND, { headers: JSON_HEADERS });

    const [result] = await executePlan(client, { store: { id: STORE }, copies: [copy] }, options);

    expect(result!.outcome).toBe('failed');
    expect(result!.secret?.status).toBe('deleted');
    expect(result!.error).toMatch(/is gone/);
  });

  it('keeps the secret as last seen when a poll fails other than by the secret not being active', async () => {
    const { pool, client } = setup();
    pool
      .intercept({ path: DUPLICATE, method: 'POST' })
      .reply(200, ok(PENDING), { headers: JSON_HEADERS });
    pool
      .intercept({ path: PATH, method: 'GET' })
      .reply(403, failure({ code: 10000, message: 'Authentication error' }), {
        headers: JSON_HEADERS,
      });

    const [result] = await executePlan(client, { store: { id: STORE }, copies: [copy] }, options);

    expect(result!.outcome).toBe('created');
    expect(result!.secret?.id).toBe(NEW_SECRET);
    expect(result!.secret?.status).toBe('pending');
    expect(result!.error).toMatch(/HTTP 403/);
  });

  it('waits for a secret that replaced another, and deletes the backup only after', async () => {
    const { pool, client, urls } = setup();
    const old = secret(OTHER_SECRET, NAME);
    const oldPath = `${WIRE}/stores/${STORE}/secrets/${OTHER_SECRET}`;
    const backupId = 'b'.repeat(32);
    const backupPath = `${WIRE}/stores/${STORE}/secrets/${backupId}`;
    const listing = `${WIRE}/stores/${STORE}/secrets?page=1&per_page=100`;
    pool
      .intercept({ path: listing, method: 'GET' })
      .reply(200, ok([old]), { headers: JSON_HEADERS });
    pool
      .intercept({ path: `${oldPath}/duplicate`, method: 'POST' })
      .reply(200, ok(secret(backupId, `${NAME}_BACKUP_LOCAL_1`)), { headers: JSON_HEADERS });
    pool.intercept({ path: oldPath, method: 'DELETE' }).reply(200, ok(null), {
      headers: JSON_HEADERS,
    });
    pool
      .intercept({ path: DUPLICATE, method: 'POST' })
      .reply(200, ok(PENDING), { headers: JSON_HEADERS });
    polls(pool, 'active');
    pool.intercept({ path: backupPath, method: 'DELETE' }).reply(200, ok(null), {
      headers: JSON_HEADERS,
    });

    const [result] = await executePlan(
      client,
      { store: { id: STORE }, copies: [{ ...copy, existing: old }] },
      { ...options, ifExists: 'replace' },
    );

    expect(result!.outcome).toBe('replaced');
    expect(result!.secret?.status).toBe('active');
    expect(urls()).toEqual([
      `GET ${listing}`,
      `POST ${oldPath}/duplicate`,
      `DELETE ${oldPath}`,
      `POST ${DUPLICATE}`,
      `GET ${PATH}`,
      `DELETE ${backupPath}`,
    ]);
  });

  it('does not wait for a secret that already existed, however pending', async () => {
    const { client, urls } = setup();
    const existing = secret(OTHER_SECRET, NAME, { status: 'pending' });

    const [result] = await executePlan(
      client,
      { store: { id: STORE }, copies: [{ ...copy, existing }] },
      { ...options, ifExists: 'skip' },
    );

    expect(result!.outcome).toBe('existing');
    expect(result!.error).toBeUndefined();
    expect(urls()).toEqual([]);
  });

  it('does not wait on a dry run, nor for a secret that already existed', async () => {
    const { client, urls } = setup();
    const existing = secret(OTHER_SECRET, NAME, { status: 'pending' });

    const results = await executePlan(
      client,
      { store: { id: STORE }, copies: [copy, { ...copy, name: 'OTHER', existing }] },
      { ...options, dryRun: true, ifExists: 'skip' },
    );

    expect(results.map((r) => r.outcome)).toEqual(['dry-run', 'existing']);
    expect(urls()).toEqual([]);
  });

  // The ends of a replace that waits (the mutation run's survivors in src/copy/execute.ts).
  describe('under if-exists: replace', () => {
    const old = secret(OTHER_SECRET, NAME);
    const oldPath = `${WIRE}/stores/${STORE}/secrets/${OTHER_SECRET}`;
    const backupId = 'b'.repeat(32);
    const backupName = `${NAME}_BACKUP_LOCAL_1`;
    const backupPath = `${WIRE}/stores/${STORE}/secrets/${backupId}`;
    const restoredId = 'e'.repeat(32);
    const listing = `${WIRE}/stores/${STORE}/secrets?page=1&per_page=100`;
    const json = { headers: JSON_HEADERS };
    /** The listing, the backup, the target's delete and the copy, pending. */
    function replaced(pool: ReturnType<typeof setup>['pool']) {
      pool.intercept({ path: listing, method: 'GET' }).reply(200, ok([old]), json);
      pool
        .intercept({ path: `${oldPath}/duplicate`, method: 'POST' })
        .reply(200, ok(secret(backupId, backupName)), json);
      pool.intercept({ path: oldPath, method: 'DELETE' }).reply(200, ok(null), json);
      pool.intercept({ path: DUPLICATE, method: 'POST' }).reply(200, ok(PENDING), json);
    }
    const replace = { ...options, ifExists: 'replace' as const };

    it('a copy not seen active keeps the backup, and the error names it', async () => {
      const { pool, client, urls } = setup({ maxRetries: 0 });
      replaced(pool);
      pool
        .intercept({ path: PATH, method: 'GET' })
        .reply(403, failure({ code: 10000, message: 'Authentication error' }), json);

      const [result] = await executePlan(
        client,
        { store: { id: STORE }, copies: [{ ...copy, existing: old }] },
        replace,
      );

      expect(result!.backup?.id).toBe(backupId);
      expect(result!.error).toMatch(
        new RegExp(
          `HTTP 403.* The value it replaced \\(${OTHER_SECRET}\\) is kept in the backup "${backupName}" ` +
            `\\(${backupId}\\) until the copy is active; a re-run of the step deletes it\\.$`,
        ),
      );
      expect(urls()).not.toContain(`DELETE ${backupPath}`);
    });

    it('a name found free and created, not seen active, has no backup to keep', async () => {
      const { pool, client, urls } = setup({ maxRetries: 0 });
      pool.intercept({ path: DUPLICATE, method: 'POST' }).reply(200, ok(PENDING), json);
      pool
        .intercept({ path: PATH, method: 'GET' })
        .reply(403, failure({ code: 10000, message: 'Authentication error' }), json);

      const [result] = await executePlan(client, { store: { id: STORE }, copies: [copy] }, replace);

      expect(result!.outcome).toBe('created');
      expect(result!.backup).toBeUndefined();
      expect(result!.error).toMatch(/HTTP 403: \[10000\] Authentication error/);
      expect(result!.error).not.toMatch(/backup/);
      // Nor any cleanup of earlier runs' backups: that waits for a copy seen active.
      expect(urls()).toEqual([`POST ${DUPLICATE}`, `GET ${PATH}`]);
    });

    it('a copy that turns deleted brings the target back from its backup', async () => {
      const { pool, client, urls } = setup({ maxRetries: 0 });
      replaced(pool);
      polls(pool, 'deleted');
      pool
        .intercept({ path: `${backupPath}/duplicate`, method: 'POST' })
        .reply(200, ok(secret(restoredId, NAME)), json);
      pool.intercept({ path: backupPath, method: 'DELETE' }).reply(200, ok(null), json);

      const [result] = await executePlan(
        client,
        { store: { id: STORE }, copies: [{ ...copy, existing: old }] },
        replace,
      );

      expect(result!.outcome).toBe('failed');
      expect(result!.restored?.id).toBe(restoredId);
      expect(result!.backup).toBeUndefined();
      // The copy is gone: no delete of it, only of the backup once the target is back.
      expect(urls().slice(-3)).toEqual([
        `GET ${PATH}`,
        `POST ${backupPath}/duplicate`,
        `DELETE ${backupPath}`,
      ]);
    });

    it('under rollback-on-failure, the backup goes only once the whole list succeeded', async () => {
      const { pool, client, urls } = setup({ maxRetries: 0 });
      replaced(pool);
      polls(pool, 'active');
      pool.intercept({ path: backupPath, method: 'DELETE' }).reply(200, ok(null), json);

      const [result] = await executePlan(
        client,
        { store: { id: STORE }, copies: [{ ...copy, existing: old }] },
        { ...replace, rollbackOnFailure: true },
      );

      expect(result!.outcome).toBe('replaced');
      expect(result!.warnings).toEqual([]);
      expect(result!.backup).toBeUndefined();
      expect(urls().slice(-2)).toEqual([`GET ${PATH}`, `DELETE ${backupPath}`]);
    });

    it('under rollback-on-failure, a copy not seen active stops the list and is rolled back', async () => {
      const { pool, client, urls } = setup({ maxRetries: 0 });
      replaced(pool);
      pool
        .intercept({ path: PATH, method: 'GET' })
        .reply(403, failure({ code: 10000, message: 'Authentication error' }), json);
      pool.intercept({ path: PATH, method: 'DELETE' }).reply(200, ok(null), json);
      pool
        .intercept({ path: `${backupPath}/duplicate`, method: 'POST' })
        .reply(200, ok(secret(restoredId, NAME)), json);
      pool.intercept({ path: backupPath, method: 'DELETE' }).reply(200, ok(null), json);

      const results = await executePlan(
        client,
        {
          store: { id: STORE },
          copies: [
            { ...copy, existing: old },
            { ...copy, line: 2, name: 'OTHER' },
          ],
        },
        { ...replace, rollbackOnFailure: true },
      );

      expect(results[0]!.restored?.id).toBe(restoredId);
      expect(results[1]!.outcome).toBe('not-attempted');
      expect(results[1]!.error).toBe(
        'not attempted: another copy failed and rollback-on-failure is set',
      );
      expect(urls().slice(-3)).toEqual([
        `DELETE ${PATH}`,
        `POST ${backupPath}/duplicate`,
        `DELETE ${backupPath}`,
      ]);
    });
  });
});
