/**
 * Tests of the fake Cloudflare Secrets Store API itself: if the fake lies, every integration
 * test built on it lies too. Everything here goes over real HTTP on 127.0.0.1.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { request } from 'undici';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { KNOWN_SCOPES } from '../src/inputs/scopes.js';
import {
  createFakeCloudflare,
  KNOWN_SCOPES as FAKE_KNOWN_SCOPES,
  seedDemo,
  type FakeCloudflare,
  type FakeOptions,
} from './fake-cloudflare/server.js';

const TOKEN = 'test-token';
const READ_ONLY = 'read-only-token';
const ISO_MICROS = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/;
const HEX32 = /^[0-9a-f]{32}$/;

interface Envelope {
  success: boolean;
  errors: { code: number; message: string; source?: { pointer: string } }[];
  messages: unknown[];
  result: any; // eslint-disable-line @typescript-eslint/no-explicit-any
  result_info?: {
    page: number;
    per_page: number;
    count: number;
    total_count: number;
    total_pages?: number;
  };
}

let fake: FakeCloudflare;
let accountId: string;
let storeId: string;
let sourceId: string;

async function start(options: FakeOptions = {}) {
  fake = await createFakeCloudflare({
    tokens: { [TOKEN]: {}, [READ_ONLY]: { permissions: ['read'] } },
    globalKeys: { 'ops@example.com': 'global-key' },
    ...options,
  });
  accountId = fake.addAccount();
  storeId = fake.addStore(accountId, 'default').id;
  sourceId = fake.addSecret(storeId, {
    name: 'DB_URL',
    value: 'postgres://s3cr3t-value',
    scopes: ['workers'],
    comment: 'Primary database',
  }).id;
}

interface CallOptions {
  method?: string;
  body?: unknown;
  rawBody?: string;
  token?: string | null;
  headers?: Record<string, string>;
  signal?: AbortSignal;
}

/** Calls the fake under its API root; `path` is relative to /client/v4. */
async function call(path: string, options: CallOptions = {}) {
  const headers: Record<string, string> = { ...options.headers };
  const token = options.token === undefined ? TOKEN : options.token;
  if (token !== null) headers.authorization = `Bearer ${token}`;
  let body: string | undefined = options.rawBody;
  if (options.body !== undefined) {
    body = JSON.stringify(options.body);
    headers['content-type'] = 'application/json';
  }
  const response = await fetch(`${fake.url}${path}`, {
    method: options.method ?? 'GET',
    headers,
    body,
    signal: options.signal,
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, text, json: parse(text) };
}

function parse(text: string): Envelope {
  try {
    return JSON.parse(text) as Envelope;
  } catch {
    return undefined as unknown as Envelope;
  }
}

const base = () => `/accounts/${accountId}/secrets_store`;
const secretsPath = () => `${base()}/stores/${storeId}/secrets`;
const duplicatePath = (id = sourceId) => `${secretsPath()}/${id}/duplicate`;

function expectError(json: Envelope) {
  expect(json.success).toBe(false);
  expect(json.result).toBeNull();
  expect(json.errors.length).toBeGreaterThan(0);
  expect(json.messages).toEqual([]);
  for (const error of json.errors) {
    expect(typeof error.code).toBe('number');
    expect(typeof error.message).toBe('string');
  }
  return json.errors[0]!;
}

describe('fake Cloudflare Secrets Store API', () => {
  beforeEach(async () => {
    await start();
  });
  afterEach(async () => {
    await fake.close();
  });

  describe('routing and envelope', () => {
    it('serves under /client/v4 with the envelope and a Date header', async () => {
      expect(fake.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/client\/v4$/);
      const { status, headers, json } = await call(`${base()}/stores/${storeId}`);
      expect(status).toBe(200);
      expect(headers.get('content-type')).toMatch(/^application\/json/);
      expect(Math.abs(Date.parse(headers.get('date')!) - Date.now())).toBeLessThan(5000);
      expect(json).toEqual({
        success: true,
        errors: [],
        messages: [],
        result: {
          id: storeId,
          name: 'default',
          created: expect.stringMatching(ISO_MICROS),
          modified: expect.stringMatching(ISO_MICROS),
          account_id: accountId,
        },
      });
    });

    it('answers 404 / 7003 for unknown routes, outside the API root and wrong methods', async () => {
      for (const path of [`${base()}/nothing`, `${base()}/stores/${storeId}/secrets/x/y/z`]) {
        const { status, json } = await call(path);
        expect(status).toBe(404);
        expect(expectError(json)).toMatchObject({ code: 7003, message: 'No route for the URI' });
      }
      const outside = await fetch(fake.url.replace('/client/v4', '/elsewhere'));
      expect(outside.status).toBe(404);
      expect(expectError((await outside.json()) as Envelope).code).toBe(7003);
      const wrongMethod = await call(`${base()}/quota`, { method: 'DELETE' });
      expect(wrongMethod.status).toBe(404);
    });

    it('answers 7003 "Could not route" when a path holds a malformed identifier', async () => {
      // The classic client bug: a secret's name where its id belongs.
      const { status, json } = await call(`${secretsPath()}/DB_URL`);
      expect(status).toBe(404);
      const error = expectError(json);
      expect(error.code).toBe(7003);
      expect(error.message).toMatch(/Could not route to .*identifier is invalid/);
    });
  });

  describe('authentication', () => {
    it('rejects missing and unknown credentials with 401 / 10000', async () => {
      for (const token of [null, 'nope']) {
        const { status, json } = await call(`${base()}/quota`, { token });
        expect(status).toBe(401);
        expect(expectError(json)).toMatchObject({ code: 10000, message: 'Authentication error' });
      }
      const badKey = await call(`${base()}/quota`, {
        token: null,
        headers: { 'x-auth-email': 'ops@example.com', 'x-auth-key': 'wrong' },
      });
      expect(badKey.status).toBe(401);
    });

    it('accepts a Global API key with its email', async () => {
      const { status, json } = await call(duplicatePath(), {
        method: 'POST',
        token: null,
        headers: { 'x-auth-email': 'ops@example.com', 'x-auth-key': 'global-key' },
        body: { name: 'VIA_KEY', scopes: ['workers'] },
      });
      expect(status).toBe(200);
      expect(json.result.name).toBe('VIA_KEY');
    });

    it('answers 400 / 6003 to malformed auth headers', async () => {
      const malformed = await call(`${base()}/quota`, {
        token: null,
        headers: { authorization: 'Token abc' },
      });
      expect(malformed.status).toBe(400);
      expect(expectError(malformed.json).code).toBe(6003);
      const halfPair = await call(`${base()}/quota`, {
        token: null,
        headers: { 'x-auth-email': 'ops@example.com' },
      });
      expect(halfPair.status).toBe(400);
      expect(expectError(halfPair.json).code).toBe(6003);
    });

    it('forbids other accounts and writes without the write permission (403 / 10000)', async () => {
      const other = fake.addAccount();
      fake.addToken('scoped', { accounts: [other] });
      const scoped = await call(`${base()}/quota`, { token: 'scoped' });
      expect(scoped.status).toBe(403);
      expect(expectError(scoped.json).code).toBe(10000);

      const read = await call(secretsPath(), { token: READ_ONLY });
      expect(read.status).toBe(200);
      const write = await call(duplicatePath(), {
        method: 'POST',
        token: READ_ONLY,
        body: { name: 'NOPE', scopes: ['workers'] },
      });
      expect(write.status).toBe(403);
      expect(expectError(write.json).code).toBe(10000);
      expect(fake.listSecrets(storeId).map((s) => s.name)).toEqual(['DB_URL']);
    });

    it('answers 404 account_not_found for an unknown account', async () => {
      const { status, json } = await call(`/accounts/${'0'.repeat(32)}/secrets_store/stores`);
      expect(status).toBe(404);
      expect(expectError(json).message).toBe('account_not_found');
    });
  });

  describe('stores', () => {
    it('lists, creates (one per account by default) and deletes stores', async () => {
      const list = await call(`${base()}/stores`);
      expect(list.json.result.map((s: { id: string }) => s.id)).toEqual([storeId]);
      expect(list.json.result_info).toEqual({
        page: 1,
        per_page: 20,
        count: 1,
        total_count: 1,
        total_pages: 1,
      });

      const refused = await call(`${base()}/stores`, { method: 'POST', body: { name: 'two' } });
      expect(refused.status).toBe(400);
      expectError(refused.json);

      const notEmpty = await call(`${base()}/stores/${storeId}`, { method: 'DELETE' });
      expect(notEmpty.status).toBe(409);
      const forced = await call(`${base()}/stores/${storeId}?force=true`, { method: 'DELETE' });
      expect(forced.json).toEqual({ success: true, errors: [], messages: [], result: null });
      expect(fake.getSecret(sourceId)).toBeUndefined();

      const created = await call(`${base()}/stores`, { method: 'POST', body: { name: 'fresh' } });
      expect(created.status).toBe(200);
      expect(created.json.result).toMatchObject({ name: 'fresh', account_id: accountId });
      expect(created.json.result.id).toMatch(HEX32);
    });

    it('answers 404 for a store of another account', async () => {
      const other = fake.addAccount();
      const foreign = fake.addStore(other, 'theirs');
      const { status, json } = await call(`${base()}/stores/${foreign.id}`);
      expect(status).toBe(404);
      expectError(json);
    });
  });

  describe('listing secrets', () => {
    beforeEach(() => {
      for (let i = 1; i <= 24; i += 1) {
        fake.addSecret(storeId, {
          name: `KEY_${String(i).padStart(2, '0')}`,
          scopes: i % 2 ? ['workers'] : ['ai_gateway', 'dex'],
          comment: i === 7 ? 'Rotated by the Payments team' : '',
        });
      }
    });

    it('paginates with result_info, newest first by default', async () => {
      const first = await call(`${secretsPath()}?per_page=10`);
      expect(first.json.result_info).toEqual({
        page: 1,
        per_page: 10,
        count: 10,
        total_count: 25,
        total_pages: 3,
      });
      expect(first.json.result[0].name).toBe('KEY_24');
      const last = await call(`${secretsPath()}?per_page=10&page=3`);
      expect(last.json.result.map((s: { name: string }) => s.name)).toEqual([
        'KEY_04',
        'KEY_03',
        'KEY_02',
        'KEY_01',
        'DB_URL',
      ]);
      const defaults = await call(secretsPath());
      expect(defaults.json.result_info).toMatchObject({ page: 1, per_page: 20, count: 20 });
    });

    it('caps per_page at maxPerPage, so clients must follow total_pages', async () => {
      await fake.close();
      await start({ maxPerPage: 4 });
      for (let i = 0; i < 9; i += 1) fake.addSecret(storeId, { name: `S${i}` });
      const { json } = await call(`${secretsPath()}?per_page=50`);
      expect(json.result).toHaveLength(4);
      expect(json.result_info).toEqual({
        page: 1,
        per_page: 4,
        count: 4,
        total_count: 10,
        total_pages: 3,
      });
    });

    it('answers an out-of-range page with an empty result and true totals', async () => {
      const { status, json } = await call(`${secretsPath()}?page=9`);
      expect(status).toBe(200);
      expect(json.result).toEqual([]);
      expect(json.result_info).toEqual({
        page: 9,
        per_page: 20,
        count: 0,
        total_count: 25,
        total_pages: 2,
      });
    });

    it('keeps page and per_page within the schema: page from 0, per_page 0 to 100', async () => {
      // 0 is in bounds for both, and the schema does not say what it means: the defaults.
      const zero = await call(`${secretsPath()}?page=0&per_page=0`);
      expect(zero.status).toBe(200);
      expect(zero.json.result_info).toMatchObject({ page: 1, per_page: 20, count: 20 });
      for (const query of ['per_page=101', 'page=-1', 'page=x']) {
        const bad = await call(`${secretsPath()}?${query}`);
        expect(bad.status).toBe(400);
        expect(expectError(bad.json)).toEqual({ code: 1001, message: 'pagination_invalid' });
      }
    });

    it('searches case-insensitively over name and comment', async () => {
      const byName = await call(`${secretsPath()}?search=key_1`);
      expect(byName.json.result.map((s: { name: string }) => s.name)).toEqual(
        ['19', '18', '17', '16', '15', '14', '13', '12', '11', '10'].map((n) => `KEY_${n}`),
      );
      const byComment = await call(`${secretsPath()}?search=payments`);
      expect(byComment.json.result.map((s: { name: string }) => s.name)).toEqual(['KEY_07']);
      // A substring search: an exact-name lookup must filter the results itself.
      const db = await call(`${secretsPath()}?search=DB`);
      expect(db.json.result.map((s: { name: string }) => s.name)).toEqual(['DB_URL']);
    });

    it('filters by scopes in the comma form of the schema and as repeated keys', async () => {
      const dex = await call(`${secretsPath()}?scopes=dex&per_page=100`);
      expect(dex.json.result_info!.total_count).toBe(12);
      const either = await call(`${secretsPath()}?scopes=dex&scopes=workers&per_page=100`);
      expect(either.json.result_info!.total_count).toBe(25);
      expect(fake.requests.at(-1)!.query).toEqual({ scopes: ['dex', 'workers'], per_page: '100' });
      const comma = await call(`${secretsPath()}?scopes=dex,workers&per_page=100`);
      expect(comma.json.result_info!.total_count).toBe(25);
      expect(fake.requests.at(-1)!.query).toEqual({ scopes: 'dex,workers', per_page: '100' });
      fake.options.scopesMatch = 'all';
      const both = await call(`${secretsPath()}?scopes=ai_gateway,dex&per_page=100`);
      expect(both.json.result_info!.total_count).toBe(12);
      const none = await call(`${secretsPath()}?scopes=dex,workers&per_page=100`);
      expect(none.json.result_info!.total_count).toBe(0);
    });

    it('orders by a field and direction', async () => {
      const { json } = await call(`${secretsPath()}?order=name&direction=desc&per_page=3`);
      expect(json.result.map((s: { name: string }) => s.name)).toEqual([
        'KEY_24',
        'KEY_23',
        'KEY_22',
      ]);
      const bad = await call(`${secretsPath()}?order=value`);
      expect(bad.status).toBe(400);
    });
  });

  describe('secrets CRUD', () => {
    it('creates secrets in a batch and never returns a value', async () => {
      const { status, json, text } = await call(secretsPath(), {
        method: 'POST',
        body: [
          { name: 'A', value: 'value-a-123', scopes: ['workers'] },
          { name: 'B', value: 'value-b-456', scopes: ['dex'], comment: 'bee' },
        ],
      });
      expect(status).toBe(200);
      expect(json.result).toHaveLength(2);
      expect(json.result[1]).toEqual({
        id: expect.stringMatching(HEX32),
        name: 'B',
        status: 'active',
        store_id: storeId,
        created: expect.stringMatching(ISO_MICROS),
        modified: expect.stringMatching(ISO_MICROS),
        comment: 'bee',
        scopes: ['dex'],
      });
      expect(text).not.toContain('value-');
      expect(fake.secretValue(json.result[0].id)).toBe('value-a-123');

      const clash = await call(secretsPath(), {
        method: 'POST',
        body: [
          { name: 'C', value: 'c', scopes: ['workers'] },
          { name: 'A', value: 'a', scopes: ['workers'] },
        ],
      });
      expect(clash.status).toBe(409);
      expect(fake.listSecrets(storeId).map((s) => s.name)).toEqual(['DB_URL', 'A', 'B']);
    });

    it('gets, patches (no rename) and deletes a secret', async () => {
      const got = await call(`${secretsPath()}/${sourceId}`);
      expect(got.json.result).toMatchObject({
        id: sourceId,
        name: 'DB_URL',
        comment: 'Primary database',
      });
      expect(got.text).not.toContain('s3cr3t');

      const patched = await call(`${secretsPath()}/${sourceId}`, {
        method: 'PATCH',
        body: { comment: 'rotated', value: 'new-value', scopes: ['workers', 'dex'] },
      });
      expect(patched.json.result).toMatchObject({ comment: 'rotated', scopes: ['dex', 'workers'] });
      expect(patched.text).not.toContain('new-value');
      expect(fake.secretValue(sourceId)).toBe('new-value');

      const rename = await call(`${secretsPath()}/${sourceId}`, {
        method: 'PATCH',
        body: { name: 'OTHER' },
      });
      expect(rename.status).toBe(400);

      const deleted = await call(`${secretsPath()}/${sourceId}`, { method: 'DELETE' });
      expect(deleted.json).toEqual({ success: true, errors: [], messages: [], result: null });
      const gone = await call(`${secretsPath()}/${sourceId}`);
      expect(gone.status).toBe(404);
      expectError(gone.json);
    });

    it('reports the account quota and usage across stores', async () => {
      const other = fake.addStore(accountId, 'second');
      fake.addSecret(other.id, { name: 'ELSEWHERE' });
      const { json } = await call(`${base()}/quota`);
      expect(json.result).toEqual({ secrets: { quota: 100, usage: 2 } });
    });
  });

  describe('duplicate', () => {
    it('creates a pending copy that carries the source value server-side', async () => {
      const { status, json, text } = await call(duplicatePath(), {
        method: 'POST',
        body: { name: 'MY_API_KEY', scopes: ['workers', 'ai_gateway'], comment: 'info' },
      });
      expect(status).toBe(200);
      expect(json).toEqual({
        success: true,
        errors: [],
        messages: [],
        result: {
          id: expect.stringMatching(HEX32),
          name: 'MY_API_KEY',
          status: 'pending',
          store_id: storeId,
          created: expect.stringMatching(ISO_MICROS),
          modified: expect.stringMatching(ISO_MICROS),
          comment: 'info',
          scopes: ['ai_gateway', 'workers'],
        },
      });
      expect(json.result.id).not.toBe(sourceId);
      expect(text).not.toContain('s3cr3t');
      expect(fake.secretValue(json.result.id)).toBe('postgres://s3cr3t-value');
      expect(fake.getSecret(json.result.id)).toEqual(json.result);
    });

    it('defaults the comment to "" and honours duplicateStatus', async () => {
      await fake.close();
      await start({ duplicateStatus: 'active' });
      const { json } = await call(duplicatePath(), {
        method: 'POST',
        body: { name: 'COPY', scopes: ['workers'] },
      });
      expect(json.result).toMatchObject({ status: 'active', comment: '' });
    });

    it('turns pending into active after activateAfterMs', async () => {
      await fake.close();
      await start({ activateAfterMs: 30 });
      const { json } = await call(duplicatePath(), {
        method: 'POST',
        body: { name: 'COPY', scopes: ['workers'] },
      });
      expect(json.result.status).toBe('pending');
      await new Promise((resolve) => setTimeout(resolve, 40));
      const later = await call(`${secretsPath()}/${json.result.id}`);
      expect(later.json.result.status).toBe('active');
    });

    it('with pendingBecomes: deleted, drops a pending copy after activateAfterMs', async () => {
      await fake.close();
      await start({ activateAfterMs: 30, pendingBecomes: 'deleted' });
      const { json } = await call(duplicatePath(), {
        method: 'POST',
        body: { name: 'COPY', scopes: ['workers'] },
      });
      expect(json.result.status).toBe('pending');
      await new Promise((resolve) => setTimeout(resolve, 40));
      // Gone as after a DELETE: GET answers not-found, the listing and the quota leave it out.
      const later = await call(`${secretsPath()}/${json.result.id}`);
      expect(later.status).toBe(404);
      const listing = await call(secretsPath());
      expect(listing.json.result.map((s: { name: string }) => s.name)).not.toContain('COPY');
      expect(fake.getSecret(json.result.id)?.status).toBe('deleted');
    });

    it.each([
      ['not JSON', '{"name":'],
      ['not an object', '["NAME"]'],
      ['empty', ''],
      ['name missing', JSON.stringify({ scopes: ['workers'] })],
      ['name empty', JSON.stringify({ name: '', scopes: ['workers'] })],
      ['name with a space', JSON.stringify({ name: 'MY KEY', scopes: ['workers'] })],
      ['name with a tab', JSON.stringify({ name: 'MY\tKEY', scopes: ['workers'] })],
      ['scopes missing', JSON.stringify({ name: 'OK' })],
      ['scopes empty', JSON.stringify({ name: 'OK', scopes: [] })],
      ['scopes not strings', JSON.stringify({ name: 'OK', scopes: ['workers', 3] })],
      ['scopes a string', JSON.stringify({ name: 'OK', scopes: 'workers' })],
      ['comment not a string', JSON.stringify({ name: 'OK', scopes: ['workers'], comment: 5 })],
    ])('answers 400 when the body is invalid: %s', async (_label, rawBody) => {
      const { status, json } = await call(duplicatePath(), {
        method: 'POST',
        rawBody,
        headers: { 'content-type': 'application/json' },
      });
      expect(status).toBe(400);
      expectError(json);
      expect(fake.listSecrets(storeId)).toHaveLength(1);
    });

    it('answers 409 secret_name_already_exists (code 1003) when the name is taken (status configurable)', async () => {
      const taken = await call(duplicatePath(), {
        method: 'POST',
        body: { name: 'DB_URL', scopes: ['workers'] },
      });
      expect(taken.status).toBe(409);
      expect(expectError(taken.json)).toEqual({
        code: 1003,
        message: 'secret_name_already_exists',
      });

      await fake.close();
      await start({ conflictStatus: 400 });
      const as400 = await call(duplicatePath(), {
        method: 'POST',
        body: { name: 'DB_URL', scopes: ['workers'] },
      });
      expect(as400.status).toBe(400);
      expect(expectError(as400.json).message).toBe('secret_name_already_exists');
    });

    it('enforces the account quota (limit and status configurable)', async () => {
      await fake.close();
      await start({ quota: 2, quotaStatus: 403 });
      const first = await call(duplicatePath(), {
        method: 'POST',
        body: { name: 'ONE', scopes: ['workers'] },
      });
      expect(first.status).toBe(200);
      const second = await call(duplicatePath(), {
        method: 'POST',
        body: { name: 'TWO', scopes: ['workers'] },
      });
      expect(second.status).toBe(403);
      expect(expectError(second.json)).toEqual({ code: 1003, message: 'maximum_secrets_exceeded' });
      expect((await call(`${base()}/quota`)).json.result).toEqual({
        secrets: { quota: 2, usage: 2 },
      });
    });

    it('answers 404 for a missing source or store', async () => {
      const body = { name: 'COPY', scopes: ['workers'] };
      const noSource = await call(duplicatePath('f'.repeat(32)), { method: 'POST', body });
      expect(noSource.status).toBe(404);
      expectError(noSource.json);
      const noStore = await call(
        `${base()}/stores/${'e'.repeat(32)}/secrets/${sourceId}/duplicate`,
        { method: 'POST', body },
      );
      expect(noStore.status).toBe(404);
      expectError(noStore.json);
      // A source that lives in another store is not found through this one.
      const second = fake.addStore(accountId, 'second');
      const stray = await call(`${base()}/stores/${second.id}/secrets/${sourceId}/duplicate`, {
        method: 'POST',
        body,
      });
      expect(stray.status).toBe(404);
    });
  });

  describe('closer to the real API', () => {
    const names = (json: Envelope) => json.result.map((s: { name: string }) => s.name);
    const dupBody = (name: string, scopes: unknown) => ({
      method: 'POST',
      body: { name, scopes },
    });

    it('knows the scopes src/inputs/scopes.ts knows', () => {
      expect([...FAKE_KNOWN_SCOPES]).toEqual([...KNOWN_SCOPES]);
    });

    it('returns scopes sorted from every endpoint, whatever order was sent', async () => {
      const copy = await call(duplicatePath(), dupBody('COPY', ['workers', 'dex', 'access']));
      expect(copy.json.result.scopes).toEqual(['access', 'dex', 'workers']);
      const created = await call(secretsPath(), {
        method: 'POST',
        body: [{ name: 'NEW', value: 'v', scopes: ['websearch', 'ai_gateway'] }],
      });
      expect(created.json.result[0].scopes).toEqual(['ai_gateway', 'websearch']);
      const patched = await call(`${secretsPath()}/${sourceId}`, {
        method: 'PATCH',
        body: { scopes: ['workers', 'containers'] },
      });
      expect(patched.json.result.scopes).toEqual(['containers', 'workers']);
      const got = await call(`${secretsPath()}/${copy.json.result.id}`);
      expect(got.json.result.scopes).toEqual(['access', 'dex', 'workers']);
      const listed = await call(secretsPath());
      for (const secret of listed.json.result) {
        expect(secret.scopes).toEqual([...secret.scopes].sort());
      }
    });

    it('refuses an unknown scope with a 4xx, writing nothing', async () => {
      const attempts = [
        call(duplicatePath(), dupBody('COPY', ['workers', 'ai-gateway'])),
        call(secretsPath(), {
          method: 'POST',
          body: [
            { name: 'OK', value: 'v', scopes: ['workers'] },
            { name: 'BAD', value: 'v', scopes: ['Workers'] },
          ],
        }),
        call(`${secretsPath()}/${sourceId}`, { method: 'PATCH', body: { scopes: ['kv'] } }),
      ];
      for (const { status, json } of await Promise.all(attempts)) {
        expect(status).toBe(400);
        const error = expectError(json);
        expect(error).toMatchObject({ code: 1001, message: 'secret_scope_invalid' });
      }
      expect(fake.listSecrets(storeId).map((s) => [s.name, s.scopes])).toEqual([
        ['DB_URL', ['workers']],
      ]);
    });

    it('accepts the scopes given in knownScopes, as a newer API would', async () => {
      await fake.close();
      await start({ knownScopes: ['workers', 'vectorize'] });
      const copy = await call(duplicatePath(), dupBody('COPY', ['workers', 'vectorize']));
      expect(copy.status).toBe(200);
      expect(copy.json.result.scopes).toEqual(['vectorize', 'workers']);
      const dex = await call(duplicatePath(), dupBody('DEX', ['dex']));
      expect(dex.status).toBe(400);
    });

    it('leaves total_pages out of result_info when totalPages is false', async () => {
      const withTotal = await call(`${secretsPath()}?per_page=5`);
      expect(withTotal.json.result_info).toHaveProperty('total_pages', 1);
      await fake.close();
      await start({ totalPages: false });
      for (const path of [`${secretsPath()}?per_page=5`, `${base()}/stores?per_page=5`]) {
        const { json } = await call(path);
        expect(json.result_info).toEqual({ page: 1, per_page: 5, count: 1, total_count: 1 });
      }
    });

    it('lists newest first by default, comparing times as times', async () => {
      // Seeded times, with and without microseconds, around secrets made just now.
      fake.addSecret(storeId, { name: 'OLD_MS', created: '2020-01-01T00:00:00.500Z' });
      fake.addSecret(storeId, { name: 'OLD_US', created: '2020-01-01T00:00:00.500001Z' });
      fake.addSecret(storeId, { name: 'OLDEST', created: '2019-06-01T00:00:00Z' });
      fake.addSecret(storeId, { name: 'NEWEST' });
      const newest = await call(secretsPath());
      expect(names(newest.json)).toEqual(['NEWEST', 'DB_URL', 'OLD_US', 'OLD_MS', 'OLDEST']);
      const oldest = await call(`${secretsPath()}?direction=asc`);
      expect(names(oldest.json)).toEqual(['OLDEST', 'OLD_MS', 'OLD_US', 'DB_URL', 'NEWEST']);
      const byName = await call(`${secretsPath()}?order=name`);
      expect(names(byName.json)).toEqual(['OLD_US', 'OLD_MS', 'OLDEST', 'NEWEST', 'DB_URL']);
    });

    it('ageSecret moves a creation time back, microseconds kept, and the listing order with it', async () => {
      const made = fake.addSecret(storeId, {
        name: 'MADE',
        created: '2024-01-01T10:00:00.123456Z',
      });
      const later = fake.addSecret(storeId, { name: 'LATER', created: '2024-01-01T10:30:00Z' });
      fake.ageSecret(later.id, 3_600_000);
      expect(fake.getSecret(later.id)).toMatchObject({
        created: '2024-01-01T09:30:00.000000Z',
        modified: '2024-01-01T09:30:00.000000Z',
      });
      fake.ageSecret(made.id, 1);
      expect(fake.getSecret(made.id)?.created).toBe('2024-01-01T10:00:00.122456Z');
      const listed = await call(secretsPath());
      expect(names(listed.json)).toEqual(['DB_URL', 'MADE', 'LATER']);
      expect(() => fake.ageSecret('0'.repeat(32), 1)).toThrow('ageSecret: no secret');
    });

    it('gives secrets made in one burst strictly increasing created times', async () => {
      const body = Array.from({ length: 40 }, (_, i) => ({
        name: `BURST_${i}`,
        value: 'v',
        scopes: ['workers'],
      }));
      const { json } = await call(secretsPath(), { method: 'POST', body });
      const times = json.result.map((s: { created: string }) => s.created) as string[];
      for (const time of times) expect(time).toMatch(ISO_MICROS);
      expect(new Set(times).size).toBe(40);
      expect([...times].sort()).toEqual(times);
      const listed = await call(`${secretsPath()}?per_page=100`);
      expect(names(listed.json).slice(0, 40)).toEqual(body.map((b) => b.name).reverse());
    });

    it.each([
      [404, {}],
      [400, { notFoundStatus: 400 as const }],
    ])(
      'answers not-found with %i, code 1001, secret_not_found or store_not_found',
      async (expected, options) => {
        await fake.close();
        await start(options);
        const missing = 'f'.repeat(32);
        const noStore = `${base()}/stores/${'e'.repeat(32)}`;
        const secretCases = [
          call(`${secretsPath()}/${missing}`),
          call(`${secretsPath()}/${missing}`, { method: 'DELETE' }),
          call(`${secretsPath()}/${missing}`, { method: 'PATCH', body: { comment: 'x' } }),
          call(duplicatePath(missing), dupBody('COPY', ['workers'])),
        ];
        for (const { status, json } of await Promise.all(secretCases)) {
          expect(status).toBe(expected);
          expect(expectError(json)).toEqual({ code: 1001, message: 'secret_not_found' });
        }
        const storeCases = [
          call(noStore),
          call(`${noStore}/secrets`),
          call(`${noStore}/secrets/${sourceId}`),
          call(`${noStore}/secrets/${sourceId}/duplicate`, dupBody('COPY', ['workers'])),
        ];
        for (const { status, json } of await Promise.all(storeCases)) {
          expect(status).toBe(expected);
          expect(expectError(json)).toEqual({ code: 1001, message: 'store_not_found' });
        }
      },
    );

    it('removes a deleted secret by default, and never lists a seeded deleted one', async () => {
      const gone = fake.addSecret(storeId, { name: 'GONE', status: 'deleted' });
      const listed = await call(secretsPath());
      expect(names(listed.json)).toEqual(['DB_URL']);
      expect((await call(`${secretsPath()}/${gone.id}`)).status).toBe(404);
      const reused = await call(duplicatePath(), dupBody('GONE', ['workers']));
      expect(reused.status).toBe(200);

      await call(`${secretsPath()}/${reused.json.result.id}`, { method: 'DELETE' });
      expect(fake.getSecret(reused.json.result.id)).toBeUndefined();
      expect((await call(`${base()}/quota`)).json.result.secrets.usage).toBe(1);
    });

    it('lists deleted secrets with status deleted when listDeleted is on', async () => {
      await fake.close();
      await start({ listDeleted: true });
      const copy = await call(duplicatePath(), dupBody('COPY', ['workers']));
      const copyPath = `${secretsPath()}/${copy.json.result.id}`;
      const deleted = await call(copyPath, { method: 'DELETE' });
      expect(deleted.status).toBe(202);

      const listed = await call(secretsPath());
      expect(listed.json.result.map((s: { name: string; status: string }) => s.status)).toEqual([
        'deleted',
        'active',
      ]);
      expect(listed.json.result[0]).toMatchObject({ id: copy.json.result.id, name: 'COPY' });
      // Gone for everything else: GET, a second DELETE, the quota, the name.
      for (const again of [await call(copyPath), await call(copyPath, { method: 'DELETE' })]) {
        expect(again.status).toBe(404);
        expect(expectError(again.json).message).toBe('secret_not_found');
      }
      expect((await call(`${base()}/quota`)).json.result.secrets.usage).toBe(1);
      const reused = await call(duplicatePath(), dupBody('COPY', ['workers']));
      expect(reused.status).toBe(200);
      expect(reused.json.result.id).not.toBe(copy.json.result.id);
      const search = await call(`${secretsPath()}?search=COPY`);
      expect(search.json.result.map((s: { status: string }) => s.status)).toEqual([
        'pending',
        'deleted',
      ]);
    });

    it('answers a DELETE with 202, as the schema says, unless deleteStatus says otherwise', async () => {
      const { status, json } = await call(`${secretsPath()}/${sourceId}`, { method: 'DELETE' });
      expect(status).toBe(202);
      expect(json).toEqual({ success: true, errors: [], messages: [], result: null });
      expect(fake.getSecret(sourceId)).toBeUndefined();

      await fake.close();
      await start({ deleteStatus: 200 });
      expect((await call(`${secretsPath()}/${sourceId}`, { method: 'DELETE' })).status).toBe(200);
      await fake.close();
      await start({ deleteStatus: 204 });
      const bare = await fetch(`${fake.url}${secretsPath()}/${sourceId}`, {
        method: 'DELETE',
        headers: { authorization: `Bearer ${TOKEN}` },
      });
      expect(bare.status).toBe(204);
      expect(await bare.text()).toBe('');
    });

    it('keeps a fresh copy pending for good unless activateAfterMs is set', async () => {
      const copy = await call(duplicatePath(), dupBody('COPY', ['workers']));
      fake.addFault({ path: /\/quota$/, delayMs: 50 }); // time passes, with no timing assertion
      await call(`${base()}/quota`);
      const later = await call(`${secretsPath()}/${copy.json.result.id}`);
      expect(later.json.result.status).toBe('pending');
      expect(names((await call(`${secretsPath()}?search=COPY`)).json)).toEqual(['COPY']);
    });
  });

  describe('scripted faults', () => {
    const dup = (name: string, signal?: AbortSignal) =>
      call(duplicatePath(), { method: 'POST', body: { name, scopes: ['workers'] }, signal });

    it("runs a fault's before hook just before the handler, once per use", async () => {
      let calls = 0;
      fake.addFault({
        method: 'DELETE',
        before: () => {
          calls += 1;
          fake.setSecretStatus(sourceId, 'deleted');
        },
      });
      const gone = await call(`${secretsPath()}/${sourceId}`, { method: 'DELETE' });
      expect(gone.status).toBe(404);
      expect(expectError(gone.json).message).toBe('secret_not_found');
      await call(`${secretsPath()}/${sourceId}`, { method: 'DELETE' });
      expect(calls).toBe(1);
    });

    it('answers a status-only fault with a Cloudflare envelope, then recovers', async () => {
      const fault = fake.addFault({
        method: 'post',
        path: /\/duplicate$/,
        status: 429,
        times: 2,
        headers: { 'Retry-After': '0' },
      });
      const quota = await call(`${base()}/quota`); // not matched: GET, other path
      expect(quota.status).toBe(200);
      for (let i = 0; i < 2; i += 1) {
        const limited = await dup('COPY');
        expect(limited.status).toBe(429);
        expect(limited.headers.get('retry-after')).toBe('0');
        expect(expectError(limited.json)).toMatchObject({
          code: 971,
          message: 'Please wait and consider throttling your request speed',
        });
      }
      expect(fault.times).toBe(0);
      expect(fake.listSecrets(storeId)).toHaveLength(1); // the handler never ran
      expect((await dup('COPY')).status).toBe(200);

      fake.addFault({ status: 503 });
      const unavailable = await call(`${base()}/quota`);
      expect(unavailable.status).toBe(503);
      expectError(unavailable.json);
    });

    it('sends a raw body as given, e.g. an HTML 502 or a 200 that is not a success', async () => {
      const html = '<html><body><h1>502 Bad Gateway</h1></body></html>';
      fake.addFault({ status: 502, body: html, headers: { 'content-type': 'text/html' } });
      const gateway = await call(`${base()}/quota`);
      expect(gateway).toMatchObject({ status: 502, text: html });
      expect(gateway.headers.get('content-type')).toBe('text/html');

      const lie = '{"success":false,"errors":[{"code":1000,"message":"odd"}],"result":null}';
      fake.addFault({ path: `${base()}/quota`, status: 200, body: lie });
      expect(await call(`${base()}/quota`)).toMatchObject({ status: 200, text: lie });
    });

    it('merges headers-only faults into the real response', async () => {
      fake.addFault({ headers: { 'Ratelimit-Policy': '1200;w=300' } });
      const { status, headers, json } = await call(`${base()}/quota`);
      expect(status).toBe(200);
      expect(headers.get('ratelimit-policy')).toBe('1200;w=300');
      expect(json.success).toBe(true);
    });

    it('delays, then runs the real handler', async () => {
      fake.addFault({ path: /\/duplicate$/, delayMs: 80 });
      const started = Date.now();
      const { status } = await dup('SLOW');
      expect(status).toBe(200);
      expect(Date.now() - started).toBeGreaterThanOrEqual(70);
    });

    it('drop: closes the socket without running the handler', async () => {
      fake.addFault({ path: /\/duplicate$/, action: 'drop' });
      await expect(dup('DROPPED')).rejects.toThrow();
      expect(fake.listSecrets(storeId).map((s) => s.name)).toEqual(['DB_URL']);
      expect(fake.requests.at(-1)).toMatchObject({ status: null });
    });

    it('commit-then-drop: the write happens but no answer comes back', async () => {
      fake.addFault({ path: /\/duplicate$/, action: 'commit-then-drop' });
      await expect(dup('COMMITTED')).rejects.toThrow();
      expect(fake.listSecrets(storeId).map((s) => s.name)).toEqual(['DB_URL', 'COMMITTED']);
      expect(fake.requests.at(-1)!.status).toBeNull();
      // A blind retry, as the official SDK would send, now hits the name conflict.
      expect((await dup('COMMITTED')).status).toBe(409);
    });

    it('commit-then-hang: the write happens and the socket stays silent', async () => {
      fake.addFault({ path: /\/duplicate$/, action: 'commit-then-hang' });
      await expect(dup('HUNG', AbortSignal.timeout(150))).rejects.toThrow();
      expect(fake.getSecret(fake.listSecrets(storeId)[1]!.id)!.name).toBe('HUNG');
      expect(fake.requests.at(-1)!.status).toBeNull();
    });

    it('close() does not wait for a hanging request', async () => {
      fake.addFault({ path: /\/duplicate$/, action: 'commit-then-hang' });
      const pending = dup('HUNG');
      pending.catch(() => undefined);
      await vitestWaitFor(() => fake.inFlight === 1);
      const started = Date.now();
      await fake.close();
      expect(Date.now() - started).toBeLessThan(500);
      await expect(pending).rejects.toThrow();
      await start(); // afterEach closes again
    });

    it('truncate: full Content-Length, half the body, then the socket closes', async () => {
      fake.addFault({ path: /\/duplicate$/, action: 'truncate' });
      const response = await request(`${fake.url}${duplicatePath()}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'TRUNCATED', scopes: ['workers'] }),
      });
      expect(response.statusCode).toBe(200);
      const declared = Number(response.headers['content-length']);
      expect(declared).toBeGreaterThan(100);
      await expect(response.body.text()).rejects.toThrow();
      expect(fake.listSecrets(storeId).map((s) => s.name)).toContain('TRUNCATED');
      expect(fake.requests.at(-1)!.status).toBe(200);
    });
  });

  describe('observability', () => {
    it('records method, path, query, headers, body and status', async () => {
      fake.resetRequests();
      await call(`${secretsPath()}?search=db&scopes=a&scopes=b`, {
        headers: { 'X-Custom': 'yes' },
      });
      await call(duplicatePath(), { method: 'POST', body: { name: 'REC', scopes: ['workers'] } });
      await call(duplicatePath(), { method: 'POST', rawBody: 'not json' });
      expect(fake.requests).toHaveLength(3);
      const [list, dup, raw] = fake.requests;
      expect(list).toMatchObject({
        method: 'GET',
        path: secretsPath(),
        query: { search: 'db', scopes: ['a', 'b'] },
        body: undefined,
        status: 200,
      });
      expect(list!.headers['x-custom']).toBe('yes');
      expect(list!.headers.authorization).toBe(`Bearer ${TOKEN}`);
      expect(dup).toMatchObject({ method: 'POST', body: { name: 'REC', scopes: ['workers'] } });
      expect(raw).toMatchObject({ body: 'not json', status: 400 });
      for (const entry of fake.requests) {
        expect(entry.endedAt).toBeGreaterThanOrEqual(entry.startedAt);
      }
    });

    it('adds latencyMs and counts concurrent requests', async () => {
      await fake.close();
      await start({ latencyMs: 60 });
      const started = Date.now();
      await Promise.all([1, 2, 3, 4].map(() => call(`${base()}/quota`)));
      expect(Date.now() - started).toBeGreaterThanOrEqual(55);
      expect(fake.maxInFlight).toBe(4);
      expect(fake.inFlight).toBe(0);
      fake.resetRequests();
      expect(fake.requests).toEqual([]);
      expect(fake.maxInFlight).toBe(0);
    });
  });
});

/** Polls until `check` holds (at most 2 s). */
async function vitestWaitFor(check: () => boolean) {
  const deadline = Date.now() + 2000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

describe('seedDemo and the CLI', () => {
  it('seeds the documented example ids', async () => {
    const demo = await createFakeCloudflare();
    try {
      const info = seedDemo(demo);
      expect(info).toEqual({
        url: demo.url,
        accountId: '985e105f4ecef8ad9ca31a8372d0c353',
        storeId: '023e105f4ecef8ad9ca31a8372d0c353',
        token: 'demo-token-0123456789',
        secrets: {
          DB_URL: '3fd85f74b32742f1bff64a85009dda07',
          STRIPE_KEY: expect.stringMatching(HEX32),
          SESSION_SECRET: expect.stringMatching(HEX32),
        },
      });
      expect(demo.getSecret(info.secrets.STRIPE_KEY!)!.scopes).toEqual(['ai_gateway', 'workers']);
      for (const id of Object.values(info.secrets)) expect(demo.secretValue(id)).toBeTruthy();
    } finally {
      await demo.close();
    }
  });

  const cli = fileURLToPath(new URL('./fake-cloudflare/cli.js', import.meta.url));

  /** Starts cli.js; resolves with its info line once it listens. */
  function startCli(args: string[]) {
    const child = spawn(process.execPath, [cli, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    const info = new Promise<string>((resolve, reject) => {
      createInterface({ input: child.stdout! }).once('line', resolve);
      child.once('exit', () => reject(new Error('cli exited before printing')));
    }).then((line) => JSON.parse(line));
    return { child, exited, info };
  }

  it('cli.js prints one JSON line, serves, and exits 0 on SIGTERM', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fake-cf-'));
    const infoFile = join(dir, 'info.json');
    const { child, exited, info: started } = startCli(['--port', '0', '--info-file', infoFile]);
    try {
      const info = await started;
      expect(JSON.parse(readFileSync(infoFile, 'utf8'))).toEqual(info);
      const response = await fetch(
        `${info.url}/accounts/${info.accountId}/secrets_store/stores/${info.storeId}/secrets`,
        { headers: { authorization: `Bearer ${info.token}` } },
      );
      const json = (await response.json()) as Envelope;
      expect(json.result.map((s: { name: string }) => s.name)).toEqual([
        'SESSION_SECRET',
        'STRIPE_KEY',
        'DB_URL',
      ]);
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('cli.js --activate-after-ms turns fresh copies active after that long', async () => {
    const { child, exited, info: started } = startCli(['--activate-after-ms', '0']);
    try {
      const info = await started;
      const response = await fetch(
        `${info.url}/accounts/${info.accountId}/secrets_store/stores/${info.storeId}/secrets/${info.secrets.DB_URL}/duplicate`,
        {
          method: 'POST',
          headers: { authorization: `Bearer ${info.token}`, 'content-type': 'application/json' },
          body: JSON.stringify({ name: 'COPY', scopes: ['workers'] }),
        },
      );
      expect(((await response.json()) as Envelope).result.status).toBe('active');
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });

  it('cli.js refuses a bad --activate-after-ms with its usage', async () => {
    const { child, exited, info } = startCli(['--activate-after-ms', 'soon']);
    info.catch(() => undefined);
    let stderr = '';
    child.stderr!.on('data', (chunk) => (stderr += chunk));
    expect(await exited).toBe(2);
    expect(stderr).toContain('invalid --activate-after-ms: soon');
  });
});
