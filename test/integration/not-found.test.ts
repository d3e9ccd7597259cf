/**
 * Not-found as the real API may answer it. Cloudflare's schema gives every error only as 4XX,
 * and secret_not_found carries code 1001 like a validation error, so not-found may come back as
 * a 400. Each scenario that meets a not-found runs against a fake answering 404 and one answering
 * 400 (code 1001, same messages); every outcome must be the same.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { ACCOUNT_ID } from '../helpers/credentials.js';
import {
  copyByIds,
  runProvenance,
  startFake,
  type FakeOptions,
  type SeededFake,
} from '../helpers/fake.js';
import { runAction, type RunResult } from '../helpers/action.js';

const HOUR = 3_600_000;
const started: SeededFake[] = [];

afterEach(async () => {
  await Promise.all(started.splice(0).map((s) => s.fake.close()));
});

async function fake(options: FakeOptions): Promise<SeededFake> {
  const seeded = await startFake(options);
  started.push(seeded);
  return seeded;
}

const secretsPath = (s: SeededFake) =>
  `/accounts/${ACCOUNT_ID}/secrets_store/stores/${s.storeId}/secrets`;

/** Runs the action with `inputs` and lets `arrange` set the fake up first. */
interface Scenario {
  options?: FakeOptions;
  arrange?: (s: SeededFake) => void;
  inputs: (s: SeededFake) => Record<string, string>;
}

/**
 * What a run did, with what must differ between two fakes taken out: ids and times (new per
 * fake) and the HTTP status of the not-found itself.
 */
function outcome(s: SeededFake, result: RunResult, confirmed: boolean) {
  const text = JSON.stringify({
    code: result.code,
    errors: result.errors,
    warnings: result.warnings,
    outputs: result.outputs,
    secrets: s.fake
      .listSecrets(s.storeId)
      .map((secret) => `${secret.name} ${secret.status}`)
      .sort(),
    requests: s.fake.requests.map((r) => `${r.method} ${r.path}`),
  });
  const same = text
    .replace(/[0-9a-f]{32}/g, '{id}')
    .replace(/\d{4}-\d\d-\d\dT[\d:.]+Z/g, '{time}')
    .replace(/HTTP 40[04]: \[(1001|7003)\]/g, 'HTTP 4xx: [$1]');
  // A DELETE answered with a 400 not-found is confirmed by a GET: the one request that differs.
  return JSON.parse(confirmed ? same.replace(/(?<="DELETE ([^"]*)"),"GET \1"/g, '') : same);
}

async function bothWays(scenario: Scenario) {
  const runs = [];
  for (const notFoundStatus of [404, 400] as const) {
    const s = await fake({ ...scenario.options, notFoundStatus });
    scenario.arrange?.(s);
    s.fake.resetRequests();
    const result = await runAction({ inputs: scenario.inputs(s) });
    runs.push({ s, result, outcome: outcome(s, result, notFoundStatus === 400) });
  }
  const [as404, as400] = runs;
  expect(as400!.outcome).toEqual(as404!.outcome);
  // The 400 run really met a 400 not-found: the scenario is not vacuous.
  expect(as400!.s.fake.requests.some((r) => r.status === 400)).toBe(true);
  return as404!;
}

/** Makes secret `id` disappear just before the DELETE of it arrives: someone else deleted it. */
function vanishBeforeDelete(s: SeededFake, id: string) {
  s.fake.addFault({
    method: 'DELETE',
    path: `${secretsPath(s)}/${id}`,
    before: () => s.fake.setSecretStatus(id, 'deleted'),
  });
}

describe('a not-found answered 400 with code 1001 changes no outcome', () => {
  it('a missing source: the step fails and says the secret is not in the store', async () => {
    const { result } = await bothWays({
      inputs: (s) => copyByIds(s, { secret: 'e'.repeat(32) }),
    });
    expect(result.code).toBe(1);
    expect(result.errors[0]).toContain(`Secret ${'e'.repeat(32)} is not in store`);
  });

  it('a missing store: the step fails and lists the account stores', async () => {
    const { result } = await bothWays({
      inputs: (s) => copyByIds(s, { store: 'd'.repeat(32) }),
    });
    expect(result.code).toBe(1);
    expect(result.errors[0]).toContain(`Store ${'d'.repeat(32)} is not in account ${ACCOUNT_ID}`);
  });

  it('wait-for-active: a copy that disappears is reported gone', async () => {
    const { result } = await bothWays({
      options: { activateAfterMs: 300, pendingBecomes: 'deleted' },
      inputs: (s) => copyByIds(s, { 'wait-for-active': 'true' }),
    });
    expect(result.code).toBe(1);
    expect(result.errors[0]).toMatch(/is gone \(Cloudflare answers not-found for it\)/);
    // A failed single copy sets only the list outputs (action.yml): no status of a gone secret.
    expect(result.outputs['status']).toBeUndefined();
    expect(JSON.parse(result.outputs['results']!)[0].outcome).toBe('failed');
  });

  it("replace: a target deleted by someone else just before the step's DELETE still ends replaced", async () => {
    let oldId = '';
    const { s, result } = await bothWays({
      arrange: (s) => {
        oldId = s.fake.addSecret(s.storeId, {
          name: 'DB_URL_PRODUCTION',
          created: new Date(Date.now() - HOUR).toISOString(),
        }).id;
        vanishBeforeDelete(s, oldId);
      },
      inputs: (s) => ({
        ...s.inputs,
        secret: 'DB_URL',
        name: 'DB_URL_PRODUCTION',
        'if-exists': 'replace',
      }),
    });
    expect(result.code).toBe(0);
    const live = s.fake.listSecrets(s.storeId).filter((x) => x.name === 'DB_URL_PRODUCTION');
    expect(live.map((x) => x.status)).toEqual(['deleted', 'pending']);
    expect(s.fake.secretValue(live[1]!.id)).toBe('postgres://db-url-value');
  });

  it('prune: a release deleted by someone else, or by a DELETE whose answer was lost, counts as pruned', async () => {
    const releases: Record<string, string> = {};
    const { result } = await bothWays({
      arrange: (s) => {
        for (let n = 1; n <= 4; n++) {
          const created = new Date(Date.now() - (10 - n) * HOUR).toISOString();
          // Copies of earlier runs: prune deletes only what carries the action's provenance.
          const comment = runProvenance({ sourceName: 'DB_URL', sourceId: s.ids.DB_URL! }, n);
          releases[n] = s.fake.addSecret(s.storeId, { name: `DB_URL_V${n}`, created, comment }).id;
        }
        vanishBeforeDelete(s, releases[1]!);
        s.fake.addFault({
          method: 'DELETE',
          path: `${secretsPath(s)}/${releases[2]}`,
          action: 'commit-then-drop',
        });
      },
      inputs: (s) => ({
        ...s.inputs,
        secret: 'DB_URL',
        name: 'DB_URL_V5',
        prune: 'DB_URL_V*',
        'prune-keep': '2',
        'max-parallel': '1',
      }),
    });
    expect(result.code).toBe(0);
    const pruned = JSON.parse(result.outputs['pruned']!) as { name: string }[];
    expect(pruned.map((p) => p.name).sort()).toEqual(['DB_URL_V1', 'DB_URL_V2', 'DB_URL_V3']);
  });

  it('rollback: a copy whose DELETE answer was lost is rolled back', async () => {
    const { result } = await bothWays({
      arrange: (s) => {
        // Line 2 fails for good; line 1's rollback DELETE is done but its answer lost.
        s.fake.addFault({
          method: 'POST',
          path: `${secretsPath(s)}/${s.ids.STRIPE_KEY}/duplicate`,
          status: 403,
          times: 5,
        });
        s.fake.addFault({ method: 'DELETE', action: 'commit-then-drop' });
      },
      inputs: (s) => ({
        ...s.inputs,
        secrets: 'DB_URL => A\nSTRIPE_KEY => B',
        'rollback-on-failure': 'true',
        'max-parallel': '1',
      }),
    });
    expect(result.code).toBe(1);
    const entries = JSON.parse(result.outputs['results']!) as { outcome: string }[];
    expect(entries.map((e) => e.outcome)).toEqual(['rolled-back', 'failed']);
  });
});
