/**
 * What the contract suite (test/contract/contract.test.ts) needs besides its checks: where to
 * point it, a recording of every exchange, and the clients it talks through.
 *
 * The suite only reads CLOUDFLARE_* variables when script/contract.js (`npm run contract`) sets
 * CONTRACT_FROM_ENV, so a plain `npm test` never reaches a live account even when the shell has
 * credentials: it always runs against an in-process fake.
 */
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { Agent, EnvHttpProxyAgent, request, type Dispatcher } from 'undici';
import { DEFAULT_BASE_URL, SecretsStoreClient } from '../../src/cloudflare/client.js';
import type { Credentials, Secret } from '../../src/cloudflare/types.js';
import { expectArrayOf, expectSecret } from '../../src/cloudflare/validate.js';
import { createFakeCloudflare, type FakeCloudflare } from '../fake-cloudflare/server.js';
import { ACCOUNT_ID, TOKEN } from '../helpers/credentials.js';

export interface Target {
  /** What the recording calls this target: "fake (in-process)" or the base URL. */
  label: string;
  baseUrl: string;
  accountId: string;
  credentials: Credentials;
  /** CLOUDFLARE_STORE_ID, when given. */
  storeId?: string;
  /** Only for the in-process fake: lets the suite play the variants the real API leaves open. */
  fake?: FakeCloudflare;
  /** Secrets of the in-process fake that are not the suite's: they must come out untouched. */
  bystanders?: string[];
}

class ConfigError extends Error {}

/** A scope no Cloudflare service has: the unknown-scope check sends it. */
export const UNKNOWN_SCOPE = 'contract_unknown_scope';

/**
 * The in-process fake plays the harsher of each undocumented variant: copies stay pending for a
 * moment, deleted secrets stay listed. total_pages and the not-found status are switched per
 * check.
 */
const FAKE_OPTIONS = { activateAfterMs: 300, listDeleted: true } as const;

/** The CLOUDFLARE_* variables the suite reads, when `npm run contract` lets it read them. */
function settings(env: NodeJS.ProcessEnv) {
  const fromEnv = env.CONTRACT_FROM_ENV === '1';
  const value = (name: string) => (fromEnv ? env[name]?.trim() || undefined : undefined);
  return {
    baseUrl: value('CLOUDFLARE_API_BASE_URL'),
    token: value('CLOUDFLARE_API_TOKEN'),
    email: value('CLOUDFLARE_EMAIL'),
    key: value('CLOUDFLARE_API_KEY'),
    accountId: value('CLOUDFLARE_ACCOUNT_ID'),
    storeId: value('CLOUDFLARE_STORE_ID'),
  };
}

/** Whether resolveTarget() will start the in-process fake: nothing names another API. */
export function usesFake(env: NodeJS.ProcessEnv): boolean {
  const { baseUrl, token, email, key } = settings(env);
  return !baseUrl && !token && !email && !key;
}

/** Reads the target from the environment, or starts a fake when there is nothing to read. */
export async function resolveTarget(env: NodeJS.ProcessEnv): Promise<Target> {
  if (usesFake(env)) return startFake();
  const { baseUrl, token, email, key, accountId, storeId } = settings(env);

  let credentials: Credentials;
  if (token) credentials = { kind: 'token', token };
  else if (email && key) credentials = { kind: 'global-key', email, key };
  else {
    throw new ConfigError(
      'Set CLOUDFLARE_API_TOKEN, or CLOUDFLARE_EMAIL and CLOUDFLARE_API_KEY (both), for the API at ' +
        'CLOUDFLARE_API_BASE_URL (default Cloudflare).',
    );
  }
  if (!accountId) throw new ConfigError('Set CLOUDFLARE_ACCOUNT_ID.');
  return {
    label: checkBaseUrl(baseUrl ?? DEFAULT_BASE_URL),
    baseUrl: baseUrl ?? DEFAULT_BASE_URL,
    accountId,
    credentials,
    ...(storeId ? { storeId } : {}),
  };
}

/** The URL as it may be printed and recorded; refuses one with a user or password in it. */
function checkBaseUrl(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError('CLOUDFLARE_API_BASE_URL is not a URL.');
  }
  if (url.username || url.password) {
    throw new ConfigError('CLOUDFLARE_API_BASE_URL must not carry a user or password.');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new ConfigError('CLOUDFLARE_API_BASE_URL must be an http(s) URL.');
  }
  return `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
}

async function startFake(): Promise<Target> {
  const fake = await createFakeCloudflare({
    tokens: { [TOKEN]: { accounts: [ACCOUNT_ID] } },
    strictContract: true,
    ...FAKE_OPTIONS,
  });
  fake.addAccount(ACCOUNT_ID);
  const store = fake.addStore(ACCOUNT_ID, 'default');
  // Someone else's secrets, one of them with a name the suite's searches could match.
  const bystanders = [
    fake.addSecret(store.id, { name: 'DB_URL', comment: 'CONTRACT_ in a comment' }).id,
    fake.addSecret(store.id, { name: 'CONTRACT_NOT_OURS', scopes: ['workers', 'dex'] }).id,
  ];
  return {
    label: 'fake (in-process)',
    baseUrl: fake.url,
    accountId: ACCOUNT_ID,
    credentials: { kind: 'token', token: TOKEN },
    fake,
    bystanders,
  };
}

/**
 * A name prefix no other run shares: every secret the suite makes starts with it, and cleanup
 * deletes nothing else. Only characters wrangler accepts (A-Za-z0-9_-).
 */
export function runPrefix(now = new Date()): string {
  const stamp = now.toISOString().replace(/\D/g, '').slice(0, 14);
  return `CONTRACT_${stamp}_${randomBytes(4).toString('hex').toUpperCase()}_`;
}

// ---- recording ----------------------------------------------------------------------------

export interface BodyShape {
  json: boolean;
  /** Top-level keys of the envelope, sorted. */
  fields?: string[];
  success?: unknown;
  errors?: { code: unknown; message: unknown }[];
  messagesCount?: number;
  result?: 'null' | 'array' | 'object' | 'other' | 'absent';
  resultInfo?: Record<string, unknown>;
}

export interface Exchange {
  check: string;
  method: string;
  /** Path below the API root with ids replaced by {account_id}, {store_id}, {id}. */
  path: string;
  query: Record<string, string>;
  /** Keys of the JSON request body (of each item for an array), never values. */
  requestFields?: string[];
  status?: number;
  error?: string;
  ms: number;
  body?: BodyShape;
}

type CheckResult = 'passed' | 'failed' | 'skipped';

interface CheckRecord {
  name: string;
  result: CheckResult;
  /** Expected to fail against this target until an open issue is fixed. */
  knownFailure?: boolean;
  note?: string;
  observed: Record<string, unknown>;
}

/** What a run saw, kept free of ids, names and credentials so recordings can be compared. */
export class Recorder {
  readonly exchanges: Exchange[] = [];
  readonly checks = new Map<string, CheckRecord>();
  readonly notes: string[] = [];
  current = 'setup';
  private replacements: [string, string][] = [];
  private readonly startedAt = new Date().toISOString();

  constructor(
    readonly target: string,
    readonly prefix: string,
  ) {
    this.replace(prefix, '{prefix}');
  }

  /** Values that must not reach the recording as such (ids become placeholders). */
  replace(value: string, placeholder: string): void {
    if (value) this.replacements.push([value, placeholder]);
  }

  /** Adds facts to the current check's observations. */
  observe(facts: Record<string, unknown>): void {
    const record = this.check(this.current);
    Object.assign(record.observed, facts);
  }

  check(name: string): CheckRecord {
    let record = this.checks.get(name);
    if (!record) {
      record = { name, result: 'skipped', observed: {} };
      this.checks.set(name, record);
    }
    return record;
  }

  /** The exchanges of the current check, oldest first. */
  ofCurrent(): Exchange[] {
    return this.exchanges.filter((e) => e.check === this.current);
  }

  sanitize<T>(value: T): T {
    const text = JSON.stringify(value, (_key, v: unknown) =>
      typeof v === 'string' ? this.sanitizeText(v) : v,
    );
    return JSON.parse(text) as T;
  }

  sanitizeText(text: string): string {
    let out = text;
    for (const [value, placeholder] of this.replacements) out = out.split(value).join(placeholder);
    return out.replace(/[0-9a-f]{32}/g, '{id}');
  }

  toJSON(extra: Record<string, unknown> = {}): Record<string, unknown> {
    return this.sanitize({
      format: 'secrets-store-contract/1',
      target: this.target,
      startedAt: this.startedAt,
      finishedAt: new Date().toISOString(),
      checks: [...this.checks.values()],
      notes: this.notes,
      exchanges: this.exchanges,
      ...extra,
    });
  }

  /** Writes the recording, refusing if any of `secrets` would end up in it. */
  write(file: string, secrets: string[], extra: Record<string, unknown> = {}): void {
    const text = `${JSON.stringify(this.toJSON(extra), null, 2)}\n`;
    if (secrets.some((secret) => secret && text.includes(secret))) {
      throw new Error(`Refusing to write ${file}: it would contain a credential.`);
    }
    writeFileSync(file, text);
  }
}

/** What an answer's body looks like, without its values (error messages aside). */
export function bodyShape(text: string): BodyShape {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return { json: false };
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    return { json: true };
  }
  const body = parsed as Record<string, unknown>;
  const result = !('result' in body)
    ? 'absent'
    : body.result === null
      ? 'null'
      : Array.isArray(body.result)
        ? 'array'
        : typeof body.result === 'object'
          ? 'object'
          : 'other';
  const errors = Array.isArray(body.errors)
    ? body.errors.map((e: unknown) => {
        const error = (typeof e === 'object' && e !== null ? e : {}) as Record<string, unknown>;
        return { code: error.code, message: error.message };
      })
    : undefined;
  const info = body.result_info;
  return {
    json: true,
    fields: Object.keys(body).sort(),
    success: body.success,
    ...(errors ? { errors } : {}),
    ...(Array.isArray(body.messages) ? { messagesCount: body.messages.length } : {}),
    result,
    ...(typeof info === 'object' && info !== null
      ? { resultInfo: info as Record<string, unknown> }
      : {}),
  };
}

/** Field names of a JSON request body; for an array, of its items. Values never leave here. */
function requestFields(body: unknown): string[] | undefined {
  if (typeof body !== 'string') return undefined;
  try {
    const parsed: unknown = JSON.parse(body);
    const items = Array.isArray(parsed) ? parsed : [parsed];
    const keys = new Set<string>();
    for (const item of items) {
      if (typeof item === 'object' && item !== null) Object.keys(item).forEach((k) => keys.add(k));
    }
    return [...keys].sort();
  } catch {
    return undefined;
  }
}

type Interceptor = Dispatcher.DispatcherComposeInterceptor;

/** Records every exchange (status, body shape, time) into `recorder`, below `apiPath`. */
export function recording(recorder: Recorder, apiPath: string): Interceptor {
  return (dispatch) => (opts, handler) => {
    const started = performance.now();
    const url = new URL(opts.path, 'http://placeholder');
    const path = url.pathname.startsWith(apiPath)
      ? url.pathname.slice(apiPath.length)
      : url.pathname;
    const exchange: Exchange = {
      check: recorder.current,
      method: opts.method,
      path,
      query: Object.fromEntries(url.searchParams),
      ms: 0,
    };
    const fields = requestFields(opts.body);
    if (fields) exchange.requestFields = fields;
    recorder.exchanges.push(exchange);
    const chunks: Buffer[] = [];
    const wrapped: Dispatcher.DispatchHandlers = {
      onConnect: (abort) => handler.onConnect?.(abort),
      onUpgrade: (status, headers, socket) => handler.onUpgrade?.(status, headers, socket),
      onResponseStarted: () => handler.onResponseStarted?.(),
      onBodySent: (size, total) => handler.onBodySent?.(size, total),
      onHeaders: (status, headers, resume, statusText) => {
        exchange.status = status;
        return handler.onHeaders?.(status, headers, resume, statusText) ?? true;
      },
      onData: (chunk) => {
        chunks.push(chunk);
        return handler.onData?.(chunk) ?? true;
      },
      onComplete: (trailers) => {
        exchange.ms = Math.round(performance.now() - started);
        exchange.body = bodyShape(Buffer.concat(chunks).toString('utf8'));
        handler.onComplete?.(trailers);
      },
      onError: (error) => {
        exchange.ms = Math.round(performance.now() - started);
        exchange.error = error.name;
        handler.onError?.(error);
      },
    };
    return dispatch(opts, wrapped);
  };
}

/**
 * Asks for `perPage` items per page whatever the client asked for: the client's own page size
 * is 100, and the checks of pagination need several pages out of a handful of secrets.
 */
export function pageSize(perPage: number): Interceptor {
  return (dispatch) => (opts, handler) =>
    dispatch({ ...opts, path: opts.path.replace(/([?&]per_page=)\d+/, `$1${perPage}`) }, handler);
}

/** The agent under every client: no proxy for a loopback fake, the usual proxy variables else. */
export function baseAgent(target: Target): Dispatcher {
  const { hostname, protocol } = new URL(target.baseUrl);
  const loopback = ['127.0.0.1', 'localhost', '[::1]'].includes(hostname);
  return loopback && protocol === 'http:' ? new Agent() : new EnvHttpProxyAgent();
}

export function makeClient(target: Target, dispatcher: Dispatcher): SecretsStoreClient {
  return new SecretsStoreClient({
    accountId: target.accountId,
    credentials: target.credentials,
    baseUrl: target.baseUrl,
    dispatcher,
    maxRetries: 5,
    // A live run waits for copies to settle; the default two minutes would not be enough.
    deadline: Date.now() + 30 * 60_000,
    requestTimeoutMs: 30_000,
    userAgent: 'secrets-store-duplicate-action contract suite',
  });
}

/** One item of the array `POST .../secrets` takes. The value is write-only: no answer has it. */
export interface NewSecret {
  name: string;
  value: string;
  scopes: string[];
  comment?: string;
}

/**
 * The requests the suite needs and the action never makes, so not in its client: creating a
 * secret with a value, and a listing that keeps the secrets whose status is `deleted`. Plain
 * requests through the suite's dispatcher (so they are recorded), with the target's credentials.
 */
export class SuiteRequests {
  constructor(
    private readonly target: Target,
    private readonly dispatcher: Dispatcher,
  ) {}

  /** `POST .../secrets` with one secret; the answer must be exactly that one secret. */
  async createSecret(storeId: string, secret: NewSecret): Promise<Secret> {
    const result = await this.send('POST', `${this.storePath(storeId)}/secrets`, [secret]);
    const secrets = expectArrayOf(result, 'result', expectSecret);
    if (secrets.length !== 1) throw new Error(`POST answered ${secrets.length} secrets, not 1`);
    return secrets[0]!;
  }

  /** The first page of `GET .../secrets?search=`, as listed: `deleted` ones included. */
  async listAsIs(storeId: string, search: string): Promise<Secret[]> {
    const query = new URLSearchParams({ search, page: '1', per_page: '100' });
    const result = await this.send('GET', `${this.storePath(storeId)}/secrets?${query}`);
    return expectArrayOf(result, 'result', expectSecret);
  }

  private storePath(storeId: string): string {
    return `/accounts/${this.target.accountId}/secrets_store/stores/${storeId}`;
  }

  /** The envelope's `result`; any status but 2xx, or `success` not true, throws. */
  private async send(method: 'GET' | 'POST', path: string, body?: unknown): Promise<unknown> {
    const { credentials } = this.target;
    const headers: Record<string, string> =
      credentials.kind === 'token'
        ? { authorization: `Bearer ${credentials.token}` }
        : { 'x-auth-email': credentials.email, 'x-auth-key': credentials.key };
    if (body !== undefined) headers['content-type'] = 'application/json';
    const answer = await request(`${this.target.baseUrl.replace(/\/+$/, '')}${path}`, {
      method,
      headers,
      dispatcher: this.dispatcher,
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const envelope = (await answer.body.json()) as { success?: unknown; result?: unknown };
    if (answer.statusCode >= 300 || envelope.success !== true) {
      throw new Error(`${method} ${path} answered HTTP ${answer.statusCode}`);
    }
    return envelope.result;
  }
}
