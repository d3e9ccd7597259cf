/**
 * Scaffolding for unit tests of SecretsStoreClient, and of what is built on it, over undici's
 * MockAgent: ids and paths, a fake clock, envelope and object builders, and `useMockCloudflare()`,
 * which gives a file its `setup()` and checks after every test that each reply set up was used.
 */
import { MockAgent } from 'undici';
import { afterEach, expect } from 'vitest';
import {
  SecretsStoreClient,
  type ClientOptions,
  type RequestEvent,
} from '../../src/cloudflare/client.js';
import type { Clock } from '../../src/cloudflare/retry.js';
import type { CloudflareMessage, Secret } from '../../src/cloudflare/types.js';
import { ACCOUNT_ID, TOKEN } from './credentials.js';

export const ORIGIN = 'https://api.cloudflare.test';
export const BASE_URL = `${ORIGIN}/client/v4`;
export const STORE = '023e105f4ecef8ad9ca31a8372d0c353';
export const OTHER_STORE = '9b2e4f6a8c0d1e3f5a7b9c1d3e5f7a9b';
/** Three distinct secret ids, for files to name by their role (source, copy, a taken name...). */
export const SECRET = '3fd85f74b32742f1bff64a85009dda07';
export const NEW_SECRET = '7a1c0e5b9d3f4e2a8b6c4d2e0f1a3b5c';
export const OTHER_SECRET = 'c0ffee00c0ffee00c0ffee00c0ffee00';
/** Paths as the client names them (below the API root)... */
export const API = `/accounts/${ACCOUNT_ID}/secrets_store`;
/** ...and as the server sees them. */
export const WIRE = `/client/v4${API}`;
/** The first page of the store listing, as the server sees it. */
export const STORES = `${WIRE}/stores?page=1&per_page=100`;
/** A whole second, so the `Date` header (1 s resolution) carries it exactly. */
export const START = 1_700_000_000_000;
export const JSON_HEADERS = { 'content-type': 'application/json' };
/** The scopes a `secret()` has unless a test gives others. */
export const SCOPES: readonly string[] = ['workers', 'ai_gateway'];
/** When a `secret()` was made unless a test says otherwise, in the API's own format. */
const CREATED = '2023-09-21T18:56:32.624632Z';

export interface FakeClock extends Clock {
  sleeps: number[];
  /** Moves the clock forward, as a slow attempt would. */
  advance(ms: number): void;
}

/**
 * A clock that never waits: sleep records the wait and moves `now` forward. `random` returns
 * `randoms` when it is a number, or replays the list and throws once it runs out (so a test can
 * prove the jitter source was not used).
 */
export function fakeClock(randoms: number | number[] = 0.5): FakeClock {
  let now = START;
  const sleeps: number[] = [];
  const queue = Array.isArray(randoms) ? [...randoms] : undefined;
  return {
    sleeps,
    now: () => now,
    sleep: async (ms) => {
      sleeps.push(ms);
      now += ms;
    },
    random: () => {
      if (!queue) return randoms as number;
      const next = queue.shift();
      if (next === undefined) throw new Error('random() called more often than the test expects');
      return next;
    },
    advance: (ms) => {
      now += ms;
    },
  };
}

/** A successful envelope; `resultInfo` becomes its `result_info`, which lists use to page. */
export const ok = (result: unknown, resultInfo?: Record<string, number>) => ({
  success: true,
  errors: [],
  messages: [],
  result,
  ...(resultInfo ? { result_info: resultInfo } : {}),
});

/** A failed envelope carrying `errors`, e.g. `failure({ code: 7003, message: 'No route' })`. */
export const failure = (...errors: CloudflareMessage[]) => ({
  success: false,
  errors,
  messages: [],
  result: null,
});

/** Cloudflare's 404: it does not say whether the account, the store or the secret is missing. */
export const NOT_FOUND = failure({ code: 7003, message: 'No route for the URI' });

export const store = (id: string, name: string) => ({
  id,
  name,
  created: '2023-01-01T00:00:00Z',
  modified: '2023-01-01T00:00:00Z',
});

/** A secret as the API sends it. A type, not an interface, so it also passes as a plain record. */
export type SecretJson = { [K in keyof Secret]: Secret[K] };

export interface SecretFields {
  status?: string;
  /** An ISO time as the API writes it, or milliseconds since the epoch; `modified` follows it. */
  created?: string | number;
  modified?: string;
  /** Default SCOPES; `scopes: undefined` leaves the field out, as for a secret that has none. */
  scopes?: string[];
  comment?: string;
}

/** A secret in STORE, active, with SCOPES and no comment unless `fields` say otherwise. */
export function secret(id: string, name: string, fields: SecretFields = {}): SecretJson {
  const { created = CREATED, ...rest } = fields;
  const at = typeof created === 'number' ? new Date(created).toISOString() : created;
  const result: SecretJson = {
    id,
    name,
    status: 'active',
    store_id: STORE,
    created: at,
    modified: at,
    scopes: [...SCOPES],
    ...rest,
  };
  if ('scopes' in fields && fields.scopes === undefined) delete result.scopes;
  return result;
}

/**
 * The rejection of `promise`, which must not resolve; given `type`, the rejection must also be an
 * instance of it (an expectation, so a mismatch fails the test).
 */
export async function rejection<E = Error>(
  promise: Promise<unknown>,
  type?: abstract new (...args: never[]) => E,
): Promise<E> {
  const error = await promise.then(
    () => {
      throw new Error('expected the call to fail, but it succeeded');
    },
    (e: unknown) => e,
  );
  if (type) expect(error).toBeInstanceOf(type);
  return error as E;
}

/** What a file or a test may change in the client that `setup()` makes. */
export type MockOptions = Partial<
  Pick<ClientOptions, 'credentials' | 'baseUrl' | 'maxRetries' | 'deadline' | 'requestTimeoutMs'>
>;

/**
 * Registers, in the calling test file, an afterEach that asserts every interceptor the test set
 * up was used and then closes the agent; returns that file's `setup()`. The hook is registered
 * here rather than in each file so that no file can have a `setup()` without it: call this once,
 * at the top level of the file, so the hook covers every test in it.
 *
 * `defaults` are the file's own client options (say `{ maxRetries: 0 }`); a test's options to
 * `setup()` win over them. Without either, the client has a token and up to 3 retries.
 */
export function useMockCloudflare(defaults: MockOptions = {}) {
  let agent: MockAgent | undefined;

  afterEach(async () => {
    if (!agent) return;
    const current = agent;
    agent = undefined;
    try {
      // Every reply a test set up must have been used: no test passes by skipping a request.
      current.assertNoPendingInterceptors();
    } finally {
      await current.close();
    }
  });

  return function setup(options: MockOptions = {}) {
    const settings = { ...defaults, ...options };
    agent = new MockAgent();
    agent.disableNetConnect();
    /** Every request the client sent, in order: method, path + query as sent, headers, body. */
    const sent: { method: string; url: string; headers: Record<string, string>; body?: string }[] =
      [];
    // Recorded on the way in, as the client hands each request to its dispatcher.
    const recorder = agent.compose((dispatch) => (opts, handler) => {
      sent.push({
        method: opts.method,
        url: opts.path,
        headers: opts.headers as Record<string, string>,
        body: opts.body as string | undefined,
      });
      return dispatch(opts, handler);
    });
    const pool = agent.get(ORIGIN);
    const clock = fakeClock();
    const events: RequestEvent[] = [];
    const retries: { method: string; path: string; waitMs: number; reason: string }[] = [];
    const client = new SecretsStoreClient({
      accountId: ACCOUNT_ID,
      credentials: settings.credentials ?? { kind: 'token', token: TOKEN },
      baseUrl: settings.baseUrl ?? BASE_URL,
      dispatcher: recorder,
      clock,
      maxRetries: settings.maxRetries ?? 3,
      // Left undefined, these two take the client's own defaults.
      deadline: settings.deadline,
      requestTimeoutMs: settings.requestTimeoutMs,
      onRequest: (event) => events.push(event),
      onRetry: (event) => retries.push(event),
    });
    const calls = () => [...sent];
    /** The same requests as `METHOD /path?query`. */
    const urls = () => calls().map((call) => `${call.method} ${call.url}`);
    /** Answers the next GET of `path` with 200 and `result`; a list comes as the only page. */
    const reply = (path: string, result: unknown) =>
      pool
        .intercept({ path, method: 'GET' })
        .reply(200, ok(result, Array.isArray(result) ? { total_pages: 1 } : undefined), {
          headers: JSON_HEADERS,
        });
    return { pool, client, clock, events, retries, calls, urls, reply };
  };
}
