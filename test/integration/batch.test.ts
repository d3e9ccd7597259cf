/**
 * `secrets`: several copies in one step, through the bundled action against the fake API.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ACCOUNT_ID } from '../helpers/credentials.js';
import { runProvenance, startFake, type FakeOptions, type SeededFake } from '../helpers/fake.js';
import { runAction } from '../helpers/action.js';

let seeded: SeededFake;

async function useFake(options: FakeOptions = {}): Promise<void> {
  await seeded.fake.close();
  seeded = await startFake(options);
}

beforeEach(async () => {
  seeded = await startFake();
});

afterEach(async () => {
  await seeded.fake.close();
});

const DUPLICATE = /\/duplicate$/;
const posts = () => seeded.fake.requests.filter((r) => r.method === 'POST');
const reads = () => seeded.fake.requests.filter((r) => r.method === 'GET');
const names = () => seeded.fake.listSecrets(seeded.storeId).map((s) => s.name);
const parse = <T>(text: string | undefined): T => JSON.parse(text ?? 'null') as T;

/** The most requests the fake was handling at one moment, from its request log. */
function maxOverlap(requests: { startedAt: number; endedAt: number | null }[]): number {
  const events = requests.flatMap((r) => [
    { at: r.startedAt, delta: 1 },
    { at: r.endedAt ?? Number.POSITIVE_INFINITY, delta: -1 },
  ]);
  // An end and a start at the same instant do not overlap.
  events.sort((a, b) => a.at - b.at || a.delta - b.delta);
  let current = 0;
  let max = 0;
  for (const event of events) max = Math.max(max, (current += event.delta));
  return max;
}

interface Entry {
  source: string;
  name: string;
  id: string | null;
  outcome: string;
  error: string | null;
}

/** Ten lines mixing ids and names, and a comment and blank lines that are ignored. */
function tenLines(): string {
  const { DB_URL, STRIPE_KEY, SESSION_SECRET } = seeded.ids;
  return [
    '# staging -> production',
    `DB_URL => DB_URL_PROD`,
    `${STRIPE_KEY} => STRIPE_KEY_PROD`,
    'SESSION_SECRET => SESSION_SECRET_PROD',
    '',
    `${DB_URL} => DB_URL_REPLICA`,
    'STRIPE_KEY => STRIPE_KEY_EU',
    `${SESSION_SECRET} => SESSION_SECRET_EU`,
    'DB_URL=>DB_URL_EU',
    '  STRIPE_KEY   =>   STRIPE_KEY_US  ',
    'SESSION_SECRET => SESSION_SECRET_US',
    `${DB_URL} => DB_URL_US`,
  ].join('\n');
}

describe('a promotion of several secrets', () => {
  it('copies ten lines of ids and names with one listing, one quota read and ten writes', async () => {
    const result = await runAction({ inputs: { ...seeded.inputs, secrets: tenLines() } });

    expect(result.code).toBe(0);
    expect(posts()).toHaveLength(10);
    // The store comes first; the listing and the quota read then go out together.
    expect(reads()[0]!.path).toBe(`/accounts/${ACCOUNT_ID}/secrets_store/stores`);
    expect(
      reads()
        .map((r) => r.path)
        .sort(),
    ).toEqual([
      `/accounts/${ACCOUNT_ID}/secrets_store/quota`,
      `/accounts/${ACCOUNT_ID}/secrets_store/stores`,
      `/accounts/${ACCOUNT_ID}/secrets_store/stores/${seeded.storeId}/secrets`,
    ]);
    const results = parse<Entry[]>(result.outputs['results']);
    expect(results.map((r) => [r.name, r.outcome, r.error])).toEqual(
      [
        'DB_URL_PROD',
        'STRIPE_KEY_PROD',
        'SESSION_SECRET_PROD',
        'DB_URL_REPLICA',
        'STRIPE_KEY_EU',
        'SESSION_SECRET_EU',
        'DB_URL_EU',
        'STRIPE_KEY_US',
        'SESSION_SECRET_US',
        'DB_URL_US',
      ].map((name) => [name, 'created', null]),
    );
    expect(results[1]!.source).toBe(seeded.ids.STRIPE_KEY);
    expect(results[2]!.source).toBe('SESSION_SECRET');
    const ids = parse<Record<string, string>>(result.outputs['secret-ids']);
    expect(Object.keys(ids)).toHaveLength(10);
    for (const secret of seeded.fake.listSecrets(seeded.storeId).slice(3)) {
      expect(ids[secret.name]).toBe(secret.id);
    }
    // Each copy took its own source's scopes and value.
    const stripeUs = seeded.fake
      .listSecrets(seeded.storeId)
      .find((s) => s.name === 'STRIPE_KEY_US')!;
    expect(stripeUs.scopes).toEqual(['ai_gateway', 'workers']);
    expect(seeded.fake.secretValue(stripeUs.id)).toBe('sk_stripe_value');
    // One summary row per line; the single-secret outputs stay unset for a list.
    expect(result.summary.split('\n').filter((l) => l.endsWith('| created |'))).toHaveLength(10);
    expect(result.outputs['secret-id']).toBeUndefined();
    expect(result.outputs['store-id']).toBe(seeded.storeId);
  });

  it('applies scopes, comment and if-exists to every line', async () => {
    const result = await runAction({
      inputs: {
        ...seeded.inputs,
        secrets: 'DB_URL => DB_URL_PROD\nSTRIPE_KEY => SESSION_SECRET',
        scopes: 'workers',
        comment: 'promoted',
        'if-exists': 'skip',
      },
    });
    expect(result.code).toBe(0);
    expect(posts().map((r) => r.body)).toEqual([
      {
        name: 'DB_URL_PROD',
        scopes: ['workers'],
        comment: `promoted\n${runProvenance({ sourceName: 'DB_URL', sourceId: seeded.ids.DB_URL! })}`,
      },
    ]);
    const results = parse<Entry[]>(result.outputs['results']);
    expect(results.map((r) => r.outcome)).toEqual(['created', 'existing']);
    expect(results[1]!.id).toBe(seeded.ids.SESSION_SECRET);
  });

  it('dry-run of a list checks everything and writes nothing', async () => {
    const result = await runAction({
      inputs: { ...seeded.inputs, secrets: tenLines(), 'dry-run': 'true' },
    });
    expect(result.code).toBe(0);
    expect(posts()).toHaveLength(0);
    expect(reads()).toHaveLength(3);
    const results = parse<Entry[]>(result.outputs['results']);
    expect(new Set(results.map((r) => r.outcome))).toEqual(new Set(['dry-run']));
    expect(results.every((r) => r.id === null)).toBe(true);
    expect(result.outputs['secret-ids']).toBe('{}');
  });
});

describe('checked before the first write', () => {
  it('refuses a list that would pass the account quota', async () => {
    await useFake({ quota: 5 });
    const result = await runAction({
      inputs: { ...seeded.inputs, secrets: 'DB_URL => A\nDB_URL => B\nDB_URL => C' },
    });
    expect(result.code).toBe(1);
    expect(result.errors[0]).toBe(
      `Nothing was written: this list creates 3 secrets, but account ${ACCOUNT_ID} already uses 3 of its 5 ` +
        '(Secrets Store quota), so only 2 more fit. Delete unused secrets or shorten the list.',
    );
    expect(posts()).toHaveLength(0);
  });

  it('checks a one-line list as a list: ids and scopes still get the listing and the quota', async () => {
    await useFake({ quota: 3 });
    const result = await runAction({
      inputs: { ...seeded.inputs, secrets: `${seeded.ids.DB_URL} => A`, scopes: 'workers' },
    });
    expect(result.code).toBe(1);
    expect(result.errors[0]).toContain('Nothing was written: this list creates 1 secrets');
    expect(posts()).toHaveLength(0);
  });

  it('refuses a TARGET listed twice, naming the lines, before any request', async () => {
    const result = await runAction({
      inputs: {
        ...seeded.inputs,
        secrets: 'DB_URL => COPY\n# note\nSTRIPE_KEY => OTHER\nSESSION_SECRET => COPY',
      },
    });
    expect(result.code).toBe(1);
    expect(result.errors[0]).toBe(
      'Invalid input: secrets: TARGET "COPY" is listed 2 times (lines 1, 4); each new name can be created once.',
    );
    expect(seeded.fake.requests).toHaveLength(0);
  });

  it('names the line of a parse error', async () => {
    const result = await runAction({
      inputs: { ...seeded.inputs, secrets: 'DB_URL => A\nSTRIPE_KEY -> B\nX => Y Z' },
    });
    expect(result.code).toBe(1);
    expect(result.errors[0]).toBe(
      'Invalid inputs:\n' +
        '- secrets line 2: expected "SOURCE => TARGET" (got "STRIPE_KEY -> B").\n' +
        '- secrets line 3 TARGET must not contain white space (got "Y Z"); Cloudflare secret names cannot contain spaces. ' +
        'With normalize-name: true it would be "Y_Z".',
    );
    expect(seeded.fake.requests).toHaveLength(0);
  });

  it('refuses a list whose SOURCE does not exist, listing every bad line', async () => {
    const result = await runAction({
      inputs: { ...seeded.inputs, secrets: 'DB_URL => A\nNOPE => B\nSTRIPE_KEY => SESSION_SECRET' },
    });
    expect(result.code).toBe(1);
    expect(result.errors[0]).toContain('Nothing was written: 2 of 3 lines cannot be copied.');
    expect(result.errors[0]).toContain(
      '- secrets line 2: No secret named "NOPE" in store "production"',
    );
    expect(result.errors[0]).toContain(
      '- secrets line 3: A secret named "SESSION_SECRET" already exists',
    );
    expect(posts()).toHaveLength(0);
  });

  it('refuses secret and secrets together, naming both', async () => {
    const result = await runAction({
      inputs: { ...seeded.inputs, secret: 'DB_URL', secrets: 'DB_URL => A' },
    });
    expect(result.code).toBe(1);
    expect(result.errors[0]).toBe(
      'Invalid input: Use either secret + name (one copy) or secrets (a list), not both: secrets is set, and so is secret.',
    );
    expect(seeded.fake.requests).toHaveLength(0);
  });
});

describe('a line that fails', () => {
  const failOn = (sourceId: string) => ({
    method: 'POST',
    path: new RegExp(`/secrets/${sourceId}/duplicate$`),
    status: 400,
    times: 10,
  });

  it('does not stop the others; the step fails listing the failed line', async () => {
    seeded.fake.addFault(failOn(seeded.ids.STRIPE_KEY!));
    const result = await runAction({
      inputs: { ...seeded.inputs, secrets: 'DB_URL => A\nSTRIPE_KEY => B\nSESSION_SECRET => C' },
    });
    expect(result.code).toBe(1);
    expect(names()).toEqual(['DB_URL', 'STRIPE_KEY', 'SESSION_SECRET', 'A', 'C']);
    const results = parse<Entry[]>(result.outputs['results']);
    expect(results.map((r) => r.outcome)).toEqual(['created', 'failed', 'created']);
    expect(results[1]!.error).toMatch(/failed: HTTP 400/);
    expect(result.errors[0]).toMatch(
      /^1 of 3 copies failed:\n- line 2 \(STRIPE_KEY => B\): POST \S+ failed: HTTP 400/,
    );
    expect(result.summary).toMatch(/\| failed: POST .+ failed\\: HTTP 400/);
  });

  it('with rollback-on-failure, deletes only what this step created', async () => {
    seeded.fake.addFault(failOn(seeded.ids.STRIPE_KEY!));
    const result = await runAction({
      inputs: {
        ...seeded.inputs,
        secrets: 'DB_URL => A\nSTRIPE_KEY => B\nSESSION_SECRET => C\nDB_URL => SESSION_SECRET',
        'if-exists': 'skip',
        'rollback-on-failure': 'true',
        'max-parallel': '1',
      },
    });
    expect(result.code).toBe(1);
    // A was created then deleted; C and the rest never started; the existing SESSION_SECRET stays.
    expect(names()).toEqual(['DB_URL', 'STRIPE_KEY', 'SESSION_SECRET']);
    const results = parse<Entry[]>(result.outputs['results']);
    expect(results.map((r) => r.outcome)).toEqual([
      'rolled-back',
      'failed',
      'not-attempted',
      'existing',
    ]);
    expect(results[2]!.error).toBe(
      'not attempted: another copy failed and rollback-on-failure is set',
    );
    expect(seeded.fake.requests.filter((r) => r.method === 'DELETE')).toHaveLength(1);
    expect(result.errors[0]).toContain(
      `Rolled back (deleted) 1 secret(s) this step had created:\n- A (${results[0]!.id})`,
    );
  });
});

describe('shared limits', () => {
  it('a 429 on one line pauses every worker for its Retry-After', async () => {
    await useFake({ latencyMs: 20 });
    const lines = Array.from({ length: 8 }, (_, i) => `DB_URL => COPY_${i}`).join('\n');
    seeded.fake.addFault({
      method: 'POST',
      path: DUPLICATE,
      status: 429,
      headers: { 'retry-after': '1' },
    });
    const result = await runAction({
      inputs: { ...seeded.inputs, secrets: lines, 'max-parallel': '4' },
    });

    expect(result.code).toBe(0);
    expect(names()).toHaveLength(3 + 8);
    const limited = seeded.fake.requests.find((r) => r.status === 429)!;
    const pausedFrom = limited.endedAt!;
    // Nothing new may start in the second Cloudflare asked for (small slack for clock reads).
    const startedDuringPause = posts().filter(
      (r) => r.startedAt > pausedFrom + 50 && r.startedAt < pausedFrom + 900,
    );
    expect(startedDuringPause).toEqual([]);
    expect(posts().filter((r) => r.startedAt >= pausedFrom + 900).length).toBeGreaterThanOrEqual(1);
  });

  it('max-retries is one budget for the whole step, not per line', async () => {
    // One 503 for each line's first attempt.
    for (const source of [seeded.ids.DB_URL!, seeded.ids.STRIPE_KEY!]) {
      seeded.fake.addFault({
        method: 'POST',
        path: new RegExp(`/${source}/duplicate$`),
        status: 503,
      });
    }
    const result = await runAction({
      inputs: {
        ...seeded.inputs,
        secrets: 'DB_URL => A\nSTRIPE_KEY => B',
        'max-retries': '1',
        'max-parallel': '1',
      },
    });

    expect(result.code).toBe(1);
    // Line 1: 503, nothing there, the step's one retry, created. Line 2: 503, nothing there, no retry left.
    expect(posts()).toHaveLength(3);
    const results = parse<Entry[]>(result.outputs['results']);
    expect(results.map((r) => r.outcome)).toEqual(['created', 'failed']);
    expect(results[1]!.error).toMatch(
      /HTTP 503: .+ No secret named "B" was created\. Not retried: the 1 retry allowed for this run is used up\.$/,
    );
    expect(names()).toEqual(['DB_URL', 'STRIPE_KEY', 'SESSION_SECRET', 'A']);
  });

  it.each([1, 3])('max-parallel %i bounds the requests in flight', async (maxParallel) => {
    await useFake({ latencyMs: 100 });
    const lines = Array.from({ length: 8 }, (_, i) => `DB_URL => COPY_${i}`).join('\n');
    const result = await runAction({
      inputs: { ...seeded.inputs, secrets: lines, 'max-parallel': String(maxParallel) },
    });
    expect(result.code).toBe(0);
    // The plan's two reads may overlap; the copies are what max-parallel bounds.
    expect(maxOverlap(posts())).toBe(maxParallel);
    expect(seeded.fake.maxInFlight).toBeLessThanOrEqual(Math.max(maxParallel, 2));
  });
});
