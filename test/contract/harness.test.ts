/** The contract suite's plumbing: where it points, and what its recordings may hold. */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Agent } from 'undici';
import { describe, expect, it } from 'vitest';
import { DEFAULT_BASE_URL } from '../../src/cloudflare/client.js';
import {
  bodyShape,
  makeClient,
  Recorder,
  resolveTarget,
  runPrefix,
  SuiteRequests,
  usesFake,
} from './harness.js';

const LIVE = { CLOUDFLARE_API_TOKEN: 'cf-live-token-abc', CLOUDFLARE_ACCOUNT_ID: 'a'.repeat(32) };

describe('resolveTarget', () => {
  it('ignores CLOUDFLARE_* unless npm run contract set CONTRACT_FROM_ENV, so npm test stays on the fake', async () => {
    expect(usesFake(LIVE)).toBe(true);
    expect(usesFake({ ...LIVE, CONTRACT_FROM_ENV: '1' })).toBe(false);
    expect(usesFake({ CONTRACT_FROM_ENV: '1' })).toBe(true);
    const target = await resolveTarget(LIVE);
    try {
      expect(target.label).toBe('fake (in-process)');
      expect(target.baseUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/client\/v4$/);
    } finally {
      await target.fake?.close();
    }
  });

  it("reads the token, or the email and key, and defaults to Cloudflare's API", async () => {
    const token = await resolveTarget({ ...LIVE, CONTRACT_FROM_ENV: '1' });
    expect(token).toEqual({
      label: DEFAULT_BASE_URL,
      baseUrl: DEFAULT_BASE_URL,
      accountId: LIVE.CLOUDFLARE_ACCOUNT_ID,
      credentials: { kind: 'token', token: LIVE.CLOUDFLARE_API_TOKEN },
    });
    const key = await resolveTarget({
      CONTRACT_FROM_ENV: '1',
      CLOUDFLARE_EMAIL: 'ops@example.test',
      CLOUDFLARE_API_KEY: 'k',
      CLOUDFLARE_ACCOUNT_ID: LIVE.CLOUDFLARE_ACCOUNT_ID,
      CLOUDFLARE_STORE_ID: 'b'.repeat(32),
      CLOUDFLARE_API_BASE_URL: 'http://127.0.0.1:9/client/v4/',
    });
    expect(key).toMatchObject({
      label: 'http://127.0.0.1:9/client/v4',
      credentials: { kind: 'global-key', email: 'ops@example.test', key: 'k' },
      storeId: 'b'.repeat(32),
    });
  });

  it.each([
    [{ CLOUDFLARE_API_BASE_URL: 'http://127.0.0.1:9' }, /^Set CLOUDFLARE_API_TOKEN, or/],
    [{ CLOUDFLARE_EMAIL: 'ops@example.test' }, /CLOUDFLARE_EMAIL and CLOUDFLARE_API_KEY \(both\)/],
    [{ CLOUDFLARE_API_TOKEN: 't' }, /^Set CLOUDFLARE_ACCOUNT_ID\.$/],
    [{ ...LIVE, CLOUDFLARE_API_BASE_URL: 'not a url' }, /is not a URL/],
    [{ ...LIVE, CLOUDFLARE_API_BASE_URL: 'ftp://example.test' }, /must be an http\(s\) URL/],
  ])('refuses an incomplete or bad setting: %o', async (env, message) => {
    await expect(resolveTarget({ ...env, CONTRACT_FROM_ENV: '1' })).rejects.toThrow(message);
  });

  it('refuses a base URL with a password, without repeating it', async () => {
    const env = { ...LIVE, CONTRACT_FROM_ENV: '1' };
    const target = resolveTarget({
      ...env,
      CLOUDFLARE_API_BASE_URL: 'https://user:hunter2-pass@api.example.test/client/v4',
    });
    await expect(target).rejects.toThrow(
      /^CLOUDFLARE_API_BASE_URL must not carry a user or password\.$/,
    );
  });
});

describe('runPrefix', () => {
  it('is unique per run and made of the characters wrangler accepts', () => {
    const when = new Date('2026-03-04T05:06:07.890Z');
    const [a, b] = [runPrefix(when), runPrefix(when)];
    expect(a).toMatch(/^CONTRACT_20260304050607_[0-9A-F]{8}_$/);
    expect(a).not.toBe(b);
  });
});

describe('Recorder', () => {
  it('replaces the prefix, the known ids and any other id with placeholders', () => {
    const recorder = new Recorder('fake', 'CONTRACT_1_AB_');
    recorder.replace('a'.repeat(32), '{account_id}');
    const text = `GET /accounts/${'a'.repeat(32)}/x/${'c'.repeat(32)} CONTRACT_1_AB_COPY`;
    expect(recorder.sanitizeText(text)).toBe('GET /accounts/{account_id}/x/{id} {prefix}COPY');
    recorder.current = 'a check';
    recorder.observe({ messages: [`no secret CONTRACT_1_AB_X (${'d'.repeat(32)})`] });
    expect(recorder.toJSON().checks).toEqual([
      {
        name: 'a check',
        result: 'skipped',
        observed: { messages: ['no secret {prefix}X ({id})'] },
      },
    ]);
  });

  it('refuses to write a recording that holds a credential', () => {
    const dir = mkdtempSync(join(tmpdir(), 'contract-recorder-'));
    try {
      const recorder = new Recorder('fake', 'CONTRACT_1_AB_');
      recorder.notes.push('a note with cf-secret-value in it');
      const file = join(dir, 'r.json');
      expect(() => recorder.write(file, ['cf-secret-value'])).toThrow(
        `Refusing to write ${file}: it would contain a credential.`,
      );
      recorder.write(file, ['something-else']);
      expect(JSON.parse(readFileSync(file, 'utf8')).format).toBe('secrets-store-contract/1');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('bodyShape', () => {
  it('keeps the envelope fields, result type, errors and result_info, never result values', () => {
    const shape = bodyShape(
      JSON.stringify({
        success: false,
        errors: [{ code: 1001, message: 'secret_not_found', extra: 'x' }],
        messages: [],
        result: null,
      }),
    );
    expect(shape).toEqual({
      json: true,
      fields: ['errors', 'messages', 'result', 'success'],
      success: false,
      errors: [{ code: 1001, message: 'secret_not_found' }],
      messagesCount: 0,
      result: 'null',
    });
    const listing = bodyShape(
      JSON.stringify({
        success: true,
        result: [{ name: 'SECRET_NAME' }],
        result_info: { page: 1 },
      }),
    );
    expect(listing).toMatchObject({ result: 'array', resultInfo: { page: 1 } });
    expect(JSON.stringify(listing)).not.toContain('SECRET_NAME');
  });

  it('says when a body is not JSON, or not an object', () => {
    expect(bodyShape('<html>502</html>')).toEqual({ json: false });
    expect(bodyShape('[1]')).toEqual({ json: true });
  });
});

describe('SuiteRequests', () => {
  it('creates a secret, and lists deleted secrets that the client leaves out', async () => {
    const target = await resolveTarget({});
    const agent = new Agent();
    try {
      const client = makeClient(target, agent);
      const suite = new SuiteRequests(target, agent);
      const [store] = await client.listStores();
      const storeId = store!.id;
      const made = await suite.createSecret(storeId, {
        name: 'SUITE_MADE',
        value: 'v-1',
        scopes: ['workers'],
        comment: 'c',
      });
      expect(made).toMatchObject({ name: 'SUITE_MADE', scopes: ['workers'], comment: 'c' });
      expect(await client.findSecretByName(storeId, 'SUITE_MADE')).toMatchObject({ id: made.id });

      await client.deleteSecret(storeId, made.id);
      expect(await client.findSecretByName(storeId, 'SUITE_MADE')).toBeUndefined();
      const listed = await suite.listAsIs(storeId, 'SUITE_MADE');
      expect(listed.map(({ id, status }) => ({ id, status }))).toEqual([
        { id: made.id, status: 'deleted' },
      ]);

      await expect(suite.listAsIs('f'.repeat(32), 'X')).rejects.toThrow(
        /^GET \S+ answered HTTP 404$/,
      );
    } finally {
      await agent.close();
      await target.fake?.close();
    }
  });
});
