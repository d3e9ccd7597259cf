/**
 * `wait-for-active`, through the bundled action against the fake API: a pending copy that
 * becomes active, one that stays pending past the deadline, and one that turns deleted.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { ACCOUNT_ID } from '../helpers/credentials.js';
import { copyByIds, startFake, type FakeOptions, type SeededFake } from '../helpers/fake.js';
import { runAction } from '../helpers/action.js';

let seeded: SeededFake | undefined;

async function useFake(options: FakeOptions): Promise<SeededFake> {
  seeded = await startFake(options);
  return seeded;
}

afterEach(async () => {
  await seeded?.fake.close();
  seeded = undefined;
});

const secretsPath = (s: SeededFake) =>
  `/accounts/${ACCOUNT_ID}/secrets_store/stores/${s.storeId}/secrets`;
const requestLines = (s: SeededFake) => s.fake.requests.map((r) => `${r.method} ${r.path}`);
const copyOf = (s: SeededFake) =>
  s.fake.listSecrets(s.storeId).find((x) => x.name === 'DB_URL_PROD');

describe('wait-for-active', () => {
  it('polls a pending copy until it is active, and outputs the final status', async () => {
    // Active 300 ms after the copy; the first poll comes 500 ms after its answer.
    const s = await useFake({ activateAfterMs: 300 });

    const result = await runAction({ inputs: copyByIds(s, { 'wait-for-active': 'true' }) });

    expect(result.code).toBe(0);
    const copy = copyOf(s)!;
    expect(copy.status).toBe('active');
    expect(requestLines(s)).toEqual([
      `POST ${secretsPath(s)}/${s.ids.DB_URL}/duplicate`,
      `GET ${secretsPath(s)}/${copy.id}`,
    ]);
    expect(result.outputs['status']).toBe('active');
    expect(JSON.parse(result.outputs['result']!)).toMatchObject({ id: copy.id, status: 'active' });
    expect(result.stdout).toContain(`Secret "DB_URL_PROD" (${copy.id}) is active.`);
    expect(result.summary).toContain(`| \`${copy.id}\` | workers | active |`);
  });

  it('without wait-for-active, outputs pending and sends no poll', async () => {
    const s = await useFake({ activateAfterMs: 300 });

    const result = await runAction({ inputs: copyByIds(s) });

    expect(result.code).toBe(0);
    expect(result.outputs['status']).toBe('pending');
    expect(s.fake.requests).toHaveLength(1);
  });

  it('fails a copy still pending at the deadline, naming it and its last status', async () => {
    const s = await useFake({}); // pending for good

    const result = await runAction({
      inputs: copyByIds(s, { 'wait-for-active': 'true', 'timeout-seconds': '2' }),
    });

    expect(result.code).toBe(1);
    const copy = copyOf(s)!;
    expect(copy.status).toBe('pending');
    expect(result.errors).toEqual([
      `wait-for-active: secret "DB_URL_PROD" (${copy.id}) was still "pending", not active, ` +
        "when the step's time budget ran out. The timeout-seconds input sets that budget.",
    ]);
    // The copy, then polls of it alone (how many fit in 2 s depends on the machine).
    const [post, ...polls] = requestLines(s);
    expect(post).toBe(`POST ${secretsPath(s)}/${s.ids.DB_URL}/duplicate`);
    expect(polls.length).toBeGreaterThanOrEqual(1);
    expect(new Set(polls)).toEqual(new Set([`GET ${secretsPath(s)}/${copy.id}`]));
    // The copy exists, so the outputs describe it as last seen.
    expect(result.outputs).toMatchObject({
      outcome: 'created',
      'secret-id': copy.id,
      status: 'pending',
    });
    expect(result.summary).toContain('| pending |');
  });

  it('fails a copy that turns deleted (gone: GET answers not-found)', async () => {
    const s = await useFake({ activateAfterMs: 300, pendingBecomes: 'deleted' });

    const result = await runAction({ inputs: copyByIds(s, { 'wait-for-active': 'true' }) });

    expect(result.code).toBe(1);
    const id = JSON.parse(result.outputs['results']!)[0].id as string;
    expect(result.errors).toEqual([
      `wait-for-active: secret "DB_URL_PROD" (${id}) is gone (Cloudflare answers not-found for it); ` +
        'its last status was "pending".',
    ]);
    expect(requestLines(s)).toEqual([
      `POST ${secretsPath(s)}/${s.ids.DB_URL}/duplicate`,
      `GET ${secretsPath(s)}/${id}`,
    ]);
    // A failed copy: the single-copy outputs are not set, and secret-ids leaves it out.
    expect(result.outputs['outcome']).toBeUndefined();
    expect(result.outputs['status']).toBeUndefined();
    expect(result.outputs['secret-ids']).toBe('{}');
    expect(JSON.parse(result.outputs['results']!)[0].outcome).toBe('failed');
    expect(s.fake.getSecret(id)?.status).toBe('deleted');
  });

  it('fails a copy that Cloudflare answers as deleted, without polling', async () => {
    const s = await useFake({ duplicateStatus: 'deleted' });

    const result = await runAction({ inputs: copyByIds(s, { 'wait-for-active': 'true' }) });

    expect(result.code).toBe(1);
    // A fresh copy cannot be deleted already: the answer itself is not trusted (issue 11).
    expect(result.errors).toHaveLength(1);
    expect(result.errors[0]).toMatch(
      /^Got an unexpected answer from Cloudflare .*its status is deleted\./,
    );
    expect(requestLines(s)).toEqual([`POST ${secretsPath(s)}/${s.ids.DB_URL}/duplicate`]);
    expect(result.outputs['status']).toBeUndefined();
  });

  it('waits for every copy of a list', async () => {
    const s = await useFake({ activateAfterMs: 300 });

    const result = await runAction({
      inputs: {
        ...s.inputs,
        secrets: 'DB_URL => DB_URL_PROD\nSTRIPE_KEY => STRIPE_KEY_PROD',
        'wait-for-active': 'true',
      },
    });

    expect(result.code).toBe(0);
    const copies = s.fake.listSecrets(s.storeId).filter((x) => x.name.endsWith('_PROD'));
    expect(copies.map((c) => c.status)).toEqual(['active', 'active']);
    const polls = requestLines(s).filter((l) => /secrets\/[0-9a-f]{32}$/.test(l));
    expect(polls.sort()).toEqual(copies.map((c) => `GET ${secretsPath(s)}/${c.id}`).sort());
  });
});
