/**
 * The contract suite: every assumption the action and its fake make about Cloudflare's Secrets
 * Store API, as one check each, run through the project's own client against whatever API it is
 * pointed at. `npm test` runs it against an in-process fake; `npm run contract` against the API
 * that CLOUDFLARE_* variables name (docs/api-observations.md).
 *
 * Every secret it makes starts with a prefix unique to the run and is deleted in afterAll, also
 * when a check fails; it deletes nothing else. Checks run in order and share the secrets that
 * earlier ones made.
 */
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Dispatcher } from 'undici';
import { afterAll, beforeAll, expect, it, type TestContext } from 'vitest';
import type { SecretsStoreClient } from '../../src/cloudflare/client.js';
import { CloudflareError, isNotFound } from '../../src/cloudflare/errors.js';
import type { Secret } from '../../src/cloudflare/types.js';
import {
  baseAgent,
  makeClient,
  pageSize,
  Recorder,
  recording,
  resolveTarget,
  runPrefix,
  SuiteRequests,
  UNKNOWN_SCOPE,
  usesFake,
  type Exchange,
  type Target,
} from './harness.js';

const HEX32 = /^[0-9a-f]{32}$/;
const COMMENT = 'secrets-store-duplicate-action contract suite; safe to delete';
/** Names in the pagination checks: one exact match among seven hits of a search, five a page. */
const PAGE_SIZE = 5;
const NEAR_MISSES = 6;
/**
 * The most secrets one run can hold at once: the source, a copy, the pagination set, a deleted
 * copy and its successor, and one for each refusal check should the API accept it after all.
 */
const MAX_SECRETS = 1 + 1 + (1 + NEAR_MISSES) + 2 + 2;
const PENDING_LIMIT_MS = Number(process.env.CONTRACT_PENDING_SECONDS ?? 60) * 1000;
/** How long a delete may take to show (GET not-found, name free) on an eventually consistent API. */
const SETTLE_MS = 15_000;

let target: Target | undefined;
let recorder: Recorder | undefined;
let agent: Dispatcher | undefined;
let client: SecretsStoreClient;
/** The same client, but every listing asks for PAGE_SIZE items a page. */
let pagedClient: SecretsStoreClient;
/** What the suite asks of the API beyond the client: creating secrets, raw listings. */
let suite: SuiteRequests;
let storeId: string;
let source: Secret;
/** Ids of every secret this run made and has not deleted. */
const created = new Set<string>();

beforeAll(async () => {
  target = await resolveTarget(process.env);
  const prefix = runPrefix();
  recorder = new Recorder(target.label, prefix);
  recorder.replace(target.accountId, '{account_id}');
  console.log(`contract suite: against ${target.label}; run prefix ${prefix}`);
  const apiPath = new URL(target.baseUrl).pathname.replace(/\/+$/, '');
  agent = baseAgent(target);
  client = makeClient(target, agent.compose(recording(recorder, apiPath)));
  suite = new SuiteRequests(target, agent.compose(recording(recorder, apiPath)));
  pagedClient = makeClient(
    target,
    agent.compose(recording(recorder, apiPath), pageSize(PAGE_SIZE)),
  );

  storeId = await pickStore(target.storeId);
  recorder.replace(storeId, '{store_id}');
  const { secrets } = await client.getQuota();
  if (secrets.usage + MAX_SECRETS > secrets.quota) {
    throw new Error(
      `Refusing to run: the account holds ${secrets.usage} of its ${secrets.quota} secrets, and the ` +
        `suite needs room for ${MAX_SECRETS} more.`,
    );
  }
  source = await create(`${prefix}SOURCE`, ['workers']);
}, 120_000);

afterAll(async () => {
  if (!recorder || !target) return;
  recorder.current = 'cleanup';
  let cleanup: { deleted: number; left: string[] } = { deleted: 0, left: [] };
  try {
    if (storeId) cleanup = await cleanUp(recorder.prefix);
    if (target.fake && target.bystanders) {
      for (const id of target.bystanders) expect(target.fake.getSecret(id)?.status).toBe('active');
    }
  } finally {
    const file = process.env.CONTRACT_RECORD;
    if (file) recorder.write(file, credentialsOf(target), { cleanup });
    await target.fake?.close();
    await agent?.close();
  }
  if (cleanup.left.length > 0) {
    throw new Error(
      `Cleanup left ${cleanup.left.length} secret(s) of this run: ${cleanup.left.join(', ')}. ` +
        `Delete them by hand; their names start with ${recorder.prefix}.`,
    );
  }
}, 300_000);

// ---- the checks, one per assumption --------------------------------------------------------

check('the quota endpoint answers secrets.quota and secrets.usage as whole numbers', async () => {
  const { secrets } = await client.getQuota();
  expect(Number.isInteger(secrets.quota) && secrets.quota > 0).toBe(true);
  expect(Number.isInteger(secrets.usage) && secrets.usage >= 0).toBe(true);
  expect(secrets.usage).toBeLessThanOrEqual(secrets.quota);
  const answer = recorder!.ofCurrent().at(-1)!;
  observe({ resultType: answer.body?.result, usageAtMostQuota: secrets.usage <= secrets.quota });
});

let copy: Secret | undefined;
let copyRead: Secret | undefined;
let copyAnsweredAt = 0;

check(
  'a duplicate copies the value server-side into a new secret with the requested name, scopes (as a set) and comment',
  async () => {
    const requested = {
      name: `${recorder!.prefix}COPY`,
      scopes: ['workers', 'ai_gateway'],
      comment: 'contract: a copy',
    };
    copy = track(await client.duplicateSecret(storeId, source.id, requested));
    copyAnsweredAt = Date.now();
    copyRead = await client.getSecret(storeId, copy.id);
    for (const seen of [copy, copyRead]) {
      expect(seen.id).toMatch(HEX32);
      expect(seen.id).not.toBe(source.id);
      expect(seen.name).toBe(requested.name);
      expect([...(seen.scopes ?? [])].sort()).toEqual([...requested.scopes].sort());
      expect(seen.comment).toBe(requested.comment);
    }
    // The value is write-only: the request carries none, and only the fake can show the copy's.
    const post = recorder!.ofCurrent().find((e) => e.method === 'POST')!;
    expect(post.requestFields).toEqual(['comment', 'name', 'scopes']);
    if (target!.fake) {
      expect(target!.fake.secretValue(copy.id)).toBe(target!.fake.secretValue(source.id));
    }
    observe({ answerFields: Object.keys(copy).sort(), readFields: Object.keys(copyRead).sort() });
  },
);

check('scopes come back sorted, whatever order was sent', async () => {
  const seen = needed(copy, 'the copy of the duplicate check');
  observe({ sent: ['workers', 'ai_gateway'], answered: seen.scopes, read: copyRead?.scopes });
  expect(seen.scopes).toEqual(['ai_gateway', 'workers']);
  expect(copyRead?.scopes).toEqual(['ai_gateway', 'workers']);
});

check(
  'a fresh copy is pending or active, and a pending copy turns active',
  async () => {
    const fresh = needed(copy, 'the copy of the duplicate check');
    observe({ statusInAnswer: fresh.status });
    expect(['pending', 'active']).toContain(fresh.status);
    if (fresh.status === 'active') return;
    const statuses: string[] = [];
    let wait = 100;
    while (Date.now() - copyAnsweredAt < PENDING_LIMIT_MS) {
      await sleep(wait);
      wait = Math.min(wait * 2, 2000);
      const { status } = await client.getSecret(storeId, fresh.id);
      statuses.push(status);
      if (status === 'active') {
        observe({ pendingMs: Date.now() - copyAnsweredAt, statusesRead: statuses });
        return;
      }
      expect(status).toBe('pending');
    }
    observe({ statusesRead: statuses });
    throw new Error(`The copy was still pending ${PENDING_LIMIT_MS / 1000} s after the answer.`);
  },
  { timeout: PENDING_LIMIT_MS + 60_000 },
);

check(
  'a duplicate to a name that exists is refused with a 4xx other than 401, 403, 404 and 429, and creates nothing',
  async () => {
    const existing = needed(copy, 'the copy of the duplicate check');
    const error = await refusal(
      client.duplicateSecret(storeId, source.id, { name: existing.name, scopes: ['workers'] }),
    );
    observe(describeError(error));
    expect(error.status).toBeGreaterThanOrEqual(400);
    expect(error.status).toBeLessThan(500);
    expect([401, 403, 404, 429]).not.toContain(error.status);
    const named = (await client.listSecrets(storeId)).filter(
      (s) => s.name === existing.name && s.status !== 'deleted',
    );
    expect(named.map((s) => s.id)).toEqual([existing.id]);
  },
);

check('an unknown scope is refused with a 4xx and creates nothing', async () => {
  const name = `${recorder!.prefix}UNKNOWN_SCOPE`;
  // Off the contract on purpose: the scope is outside the schema's enum.
  target!.fake?.expectViolations(/\/duplicate: request body \/scopes\/1: .*\(enum\)$/);
  const error = await refusal(
    client.duplicateSecret(storeId, source.id, { name, scopes: ['workers', UNKNOWN_SCOPE] }),
  );
  observe(describeError(error));
  expect(error.status).toBeGreaterThanOrEqual(400);
  expect(error.status).toBeLessThan(500);
  expect(await client.findSecretByName(storeId, name)).toBeUndefined();
});

check(
  'a missing secret and a missing store both answer not-found (a 404, or a 4xx saying secret_not_found or store_not_found), and the store listing tells them apart',
  async () => {
    const otherStore = randomId();
    const missing = async () => {
      const secret = await refusal(client.getSecret(storeId, randomId()));
      const store = await refusal(client.getSecret(otherStore, source.id));
      expect(isNotFound(secret), 'the missing secret is not-found').toBe(true);
      expect(isNotFound(store), 'the missing store is not-found').toBe(true);
      return { secret, store };
    };
    const { secret, store } = await missing();
    // The schema gives errors only as 4XX: which status the API uses is what a live run tells.
    observe({
      secret: describeError(secret),
      store: describeError(store),
      notFoundStatus: { secret: secret.status, store: store.status },
    });
    const stores = (await client.listStores()).map((s) => s.id);
    expect(stores).toContain(storeId);
    expect(stores).not.toContain(otherStore);
    // The fake also plays the other answer the schema allows.
    const fake = target!.fake;
    if (fake) {
      fake.options.notFoundStatus = 400;
      try {
        const as400 = await missing();
        expect([as400.secret.status, as400.store.status]).toEqual([400, 400]);
      } finally {
        delete fake.options.notFoundStatus;
      }
    }
  },
);

check(
  `a search listing finds an exact name among names that contain it, across pages of ${PAGE_SIZE}, with total_pages`,
  (ctx) => findAcrossPages(ctx, true),
);

check(
  `a search listing finds an exact name among names that contain it, across pages of ${PAGE_SIZE}, without total_pages`,
  (ctx) => findAcrossPages(ctx, false),
);

check('a listing without order is newest first (created, descending)', async () => {
  const { exact, nearMisses } = await pagingSecrets();
  const order = (await client.listSecrets(storeId))
    .map((s) => s.id)
    .filter((id) => id === exact.id || nearMisses.some((s) => s.id === id));
  const newestFirst = [...nearMisses].reverse().map((s) => s.id);
  observe({ newestFirst: order.join() === [...newestFirst, exact.id].join() });
  expect(order).toEqual([...newestFirst, exact.id]);
});

check(
  'after a delete, GET answers not-found and the name is free again; a deleted secret still listed says status deleted',
  async () => {
    const name = `${recorder!.prefix}DELETED`;
    const victim = track(
      await client.duplicateSecret(storeId, source.id, { name, scopes: ['workers'] }),
    );
    await client.deleteSecret(storeId, victim.id);
    created.delete(victim.id);
    const deletion = recorder!.ofCurrent().find((e) => e.method === 'DELETE')!;
    observe({ deleteStatus: deletion.status, deleteResult: deletion.body?.result });
    expect(deletion.status).toBeGreaterThanOrEqual(200);
    expect(deletion.status).toBeLessThan(300);

    const gone = await settled('GET of the deleted secret', async () => {
      const error = await refusal(client.getSecret(storeId, victim.id));
      if (!isNotFound(error)) throw error;
      return error;
    });
    observe({ getAfterDelete: describeError(gone.value), getNotFoundAfterMs: gone.ms });

    const listed = (await suite.listAsIs(storeId, name)).find((s) => s.id === victim.id);
    observe({ listedAfterDelete: listed !== undefined, listedStatus: listed?.status ?? null });
    if (listed) expect(listed.status).toBe('deleted');

    const again = await settled('a duplicate to the freed name', async () =>
      track(await client.duplicateSecret(storeId, source.id, { name, scopes: ['workers'] })),
    );
    observe({ nameFreeAfterMs: again.ms });
    expect(again.value.id).not.toBe(victim.id);
    expect(again.value.name).toBe(name);
  },
);

// Last, so that it sees the answers of every check before it.
check(
  'every answer is a Cloudflare envelope as the schema allows: success, errors, messages, result; result_info fields are numbers',
  async () => {
    const answers = recorder!.exchanges.filter((e) => e.status !== undefined);
    expect(answers.length).toBeGreaterThan(0);
    const fields = new Set<string>();
    const infoFields = new Set<string>();
    const codes = new Set<unknown>();
    const failureResults = new Set<unknown>();
    let failuresWithoutErrors = 0;
    for (const answer of answers) {
      const where = `${answer.method} ${answer.path} (HTTP ${answer.status})`;
      const body = answer.body!;
      expect(body.json, `${where}: a JSON object`).toBe(true);
      body.fields?.forEach((f) => fields.add(f));
      expect(body.fields, where).toEqual(
        expect.arrayContaining(['errors', 'messages', 'result', 'success']),
      );
      const ok = answer.status! >= 200 && answer.status! < 300;
      expect(body.success, `${where}: success`).toBe(ok);
      expect(body.messagesCount, `${where}: messages is an array`).toBeGreaterThanOrEqual(0);
      if (ok) {
        expect(body.errors, `${where}: errors`).toEqual([]);
      } else {
        failureResults.add(body.result);
        // The schema does not require an error in a failure: count the ones without.
        expect(Array.isArray(body.errors), `${where}: errors is an array`).toBe(true);
        if (body.errors?.length === 0) failuresWithoutErrors += 1;
        for (const error of body.errors ?? []) {
          codes.add(error.code);
          expect(Number.isInteger(error.code), `${where}: an integer code`).toBe(true);
          expect(typeof error.message, `${where}: a message`).toBe('string');
        }
      }
      // result_info and each of its fields are optional in the schema; a field sent is a number.
      if (ok && answer.method === 'GET' && isListing(answer)) {
        for (const [field, value] of Object.entries(body.resultInfo ?? {})) {
          infoFields.add(field);
          expect(typeof value, `${where}: result_info.${field}`).toBe('number');
        }
      }
    }
    observe({
      envelopeFields: [...fields].sort(),
      resultInfoFields: [...infoFields].sort(),
      errorCodes: [...codes].sort(),
      resultOfFailures: [...failureResults].sort(),
      failuresWithoutErrors,
    });
  },
);

// ---- helpers -------------------------------------------------------------------------------

/**
 * One check: recorded as passed, failed or skipped with what it observed (skipWith() skips, for
 * what only the fake can play). `knownFailureOnFake`: a failure of the project's own code that
 * the fake exposes and an open issue fixes; against the in-process fake the check is then
 * expected to fail (it.fails), so that the fix shows up as this check turning red.
 */
function check(
  name: string,
  fn: (ctx: TestContext) => Promise<void>,
  { timeout = 120_000, knownFailureOnFake = false } = {},
): void {
  const expectFailure = knownFailureOnFake && usesFake(process.env);
  (expectFailure ? it.fails : it)(
    name,
    async (ctx) => {
      const rec = recorder!;
      rec.current = name;
      const record = rec.check(name);
      if (expectFailure) record.knownFailure = true;
      record.result = 'failed';
      try {
        await fn(ctx);
        record.result = 'passed';
      } catch (error) {
        // skipWith() has set the result and note already.
        if (record.result === 'failed') {
          record.note = rec.sanitizeText(error instanceof Error ? error.message : String(error));
        }
        throw error;
      } finally {
        rec.current = 'between checks';
      }
    },
    timeout,
  );
}

function observe(facts: Record<string, unknown>): void {
  recorder!.observe(facts);
}

/** Skips the current check with a note in the recording. */
function skipWith(ctx: TestContext, note: string): never {
  const record = recorder!.check(recorder!.current);
  record.result = 'skipped';
  record.note = note;
  return ctx.skip(note);
}

function needed<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new Error(`Not checked: ${what} is missing.`);
  return value;
}

function track(secret: Secret): Secret {
  created.add(secret.id);
  return secret;
}

async function create(name: string, scopes: string[]): Promise<Secret> {
  const value = `contract-${randomBytes(12).toString('hex')}`;
  return track(await suite.createSecret(storeId, { name, value, scopes, comment: COMMENT }));
}

function randomId(): string {
  return randomBytes(16).toString('hex');
}

/** The CloudflareError a call fails with; a success is tracked for cleanup and fails the check. */
async function refusal(call: Promise<unknown>): Promise<CloudflareError> {
  let value: unknown;
  try {
    value = await call;
  } catch (error) {
    if (error instanceof CloudflareError) return error;
    throw error;
  }
  if (typeof value === 'object' && value !== null && 'id' in value) track(value as Secret);
  throw new Error('Expected a refusal, but the call succeeded.');
}

function describeError(error: CloudflareError) {
  return {
    status: error.status,
    codes: error.errors.map((e) => e.code),
    messages: error.errors.map((e) => e.message),
  };
}

/** Runs `fn` until it succeeds or SETTLE_MS pass, for what an eventually consistent API shows late. */
async function settled<T>(what: string, fn: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const started = Date.now();
  for (;;) {
    try {
      return { value: await fn(), ms: Date.now() - started };
    } catch (error) {
      if (Date.now() - started > SETTLE_MS) {
        throw new Error(`${what}: still failing after ${SETTLE_MS / 1000} s`, { cause: error });
      }
      await sleep(500);
    }
  }
}

function isListing(answer: Exchange): boolean {
  return /\/(stores|secrets)$/.test(answer.path);
}

async function pickStore(wanted: string | undefined): Promise<string> {
  const stores = await client.listStores();
  if (wanted !== undefined) {
    if (!stores.some((s) => s.id === wanted)) {
      throw new Error(`CLOUDFLARE_STORE_ID is not one of the account's ${stores.length} store(s).`);
    }
    return wanted;
  }
  if (stores.length === 1) return stores[0]!.id;
  throw new Error(
    stores.length === 0
      ? 'The account has no store; the suite uses one and does not create it.'
      : `The account has ${stores.length} stores; set CLOUDFLARE_STORE_ID to the one the suite may use.`,
  );
}

let paging: Promise<{ exact: Secret; nearMisses: Secret[] }> | undefined;

/** The exact name first, then names that contain it, one at a time so they are newest first. */
function pagingSecrets() {
  paging ??= (async () => {
    const needle = `${recorder!.prefix}PAGE`;
    const exact = await create(needle, ['workers']);
    const nearMisses: Secret[] = [];
    for (let i = 1; i <= NEAR_MISSES; i++)
      nearMisses.push(await create(`${needle}_${i}`, ['workers']));
    return { exact, nearMisses };
  })();
  return paging;
}

async function findAcrossPages(ctx: TestContext, withTotalPages: boolean): Promise<void> {
  const { exact } = await pagingSecrets();
  const fake = target!.fake;
  if (fake) fake.options.totalPages = withTotalPages;
  try {
    const found = await pagedClient.findSecretByName(storeId, exact.name);
    const pages = recorder!
      .ofCurrent()
      .filter((e) => e.method === 'GET' && e.query.search !== undefined);
    const info = pages[0]?.body?.resultInfo ?? {};
    const sent = 'total_pages' in info;
    observe({
      totalPagesSent: sent,
      perPageAnswered: info.per_page,
      pagesRead: pages.map((p) => Number(p.query.page)),
    });
    if (!fake && sent !== withTotalPages) {
      skipWith(
        ctx,
        `The API ${sent ? 'sends' : 'leaves out'} total_pages; only the fake can play the other case.`,
      );
    }
    expect(pages.every((p) => p.query.per_page === String(PAGE_SIZE))).toBe(true);
    expect(pages.map((p) => p.query.page)).toContain('2');
    expect(found?.id).toBe(exact.id);
  } finally {
    if (fake) fake.options.totalPages = true;
  }
}

/**
 * Deletes every secret of this run: the ones it tracked and any other whose name has the run's
 * prefix (say, one a refusal check should not have made). Nothing else.
 */
async function cleanUp(prefix: string): Promise<{ deleted: number; left: string[] }> {
  const ours = async () =>
    (await client.listSecrets(storeId))
      .filter((s) => s.name.startsWith(prefix) && s.status !== 'deleted')
      .map((s) => s.id);
  const doomed = new Set(created);
  try {
    (await ours()).forEach((id) => doomed.add(id));
  } catch (error) {
    recorder!.notes.push(`cleanup could not list the store: ${String(error)}`);
  }
  let deleted = 0;
  for (const id of doomed) {
    try {
      await client.deleteSecret(storeId, id);
      deleted++;
    } catch (error) {
      if (!isNotFound(error)) {
        recorder!.notes.push(`cleanup could not delete ${id}: ${String(error)}`);
      }
    }
    created.delete(id);
  }
  const left = await settled('cleanup', async () => {
    const remaining = await ours();
    if (remaining.length > 0) throw new Error(`${remaining.length} left`);
    return remaining;
  }).then(
    (r) => r.value,
    () => ours(),
  );
  return { deleted, left };
}

function credentialsOf(t: Target): string[] {
  return t.credentials.kind === 'token'
    ? [t.credentials.token]
    : [t.credentials.email, t.credentials.key];
}
