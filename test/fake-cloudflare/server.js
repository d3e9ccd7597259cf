// @ts-check
/**
 * A fake of Cloudflare's Secrets Store API (https://api.cloudflare.com/client/v4), served over real
 * HTTP on 127.0.0.1 so that the action's client is exercised end to end: sockets, headers,
 * envelopes, pagination, auth and scripted network faults.
 *
 * What it models is Cloudflare's published schema, as test/contract/secrets-store.schema.yaml
 * records it, and the API's behaviour seen in public (docs/api-observations.md). Where both are
 * silent (the HTTP status of an error, how a duplicate's status evolves), the fake picks something
 * plausible and makes it configurable, so tests can prove the client copes with every variant
 * rather than with one guess. test/contract/validate.js checks every exchange it serves.
 *
 * Plain ESM JavaScript with JSDoc types: the demo script and the CI workflow run it with `node`.
 */
import http from 'node:http';
import https from 'node:https';
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { URLSearchParams } from 'node:url';
import { contract } from '../contract/validate.js';

/** Where the API lives, like https://api.cloudflare.com/client/v4. */
const API_PREFIX = '/client/v4';

/**
 * @typedef {'read' | 'write'} Permission
 * @typedef {'pending' | 'active' | 'deleted'} SecretStatus
 *
 * @typedef {object} TokenGrant
 * @property {string[]} [accounts] Accounts the token may touch (default: all).
 * @property {Permission[]} [permissions] Default: both. 'write' implies 'read', as Cloudflare's
 *   "Edit" permissions do.
 *
 * @typedef {object} FakeOptions
 * @property {number} [port] Default 0 (an ephemeral port).
 * @property {{ key: string, cert: string }} [tls] Serve HTTPS with this key and certificate
 *   (PEM), for tests of HTTPS_PROXY; `url` then starts with https://.
 * @property {Record<string, TokenGrant>} [tokens] API tokens, sent as `Authorization: Bearer`.
 * @property {Record<string, string>} [globalKeys] Legacy Global API keys by email (full access).
 * @property {number} [latencyMs] Added before every response.
 * @property {number} [maxPerPage] Cap on per_page (default 100), silently applied.
 * @property {number} [quota] Secrets per account (default 100, the open-beta limit).
 * @property {number} [quotaStatus] HTTP status when the quota is reached (default 400).
 * @property {string} [quotaMessage]
 * @property {number} [conflictStatus] HTTP status when a name is taken (default 409).
 * @property {string} [conflictMessage] Default "secret_name_already_exists" (code 1003).
 * @property {404 | 400} [notFoundStatus] HTTP status of secret_not_found and store_not_found
 *   (default 404). The schema gives errors only as 4XX and the code, 1001, is the one of
 *   validation errors, so the real API may well answer 400.
 * @property {SecretStatus} [duplicateStatus] Status of a fresh duplicate (default 'pending').
 * @property {number} [activateAfterMs] If set, a 'pending' secret reads as `pendingBecomes` once
 *   it is this old (default: it stays pending forever, as a copy that never settles would).
 * @property {'active' | 'deleted'} [pendingBecomes] What a pending secret turns into after
 *   `activateAfterMs` (default 'active'); 'deleted' plays a copy that Cloudflare gave up on.
 * @property {string[]} [knownScopes] Scopes the API accepts (default KNOWN_SCOPES); any other is
 *   refused. A test can add one to play a newer API that knows a scope the action does not.
 * @property {boolean} [totalPages] Whether result_info carries total_pages (default true): it is
 *   not in every published version of the schema, and the official SDK does not read it.
 * @property {boolean} [listDeleted] Listings show secrets whose status is 'deleted', and DELETE
 *   leaves the secret listed as 'deleted' instead of removing it (default false: deleted secrets
 *   are never shown). Either way GET answers not-found for it and its name is free.
 * @property {200 | 202 | 204} [deleteStatus] HTTP status of a successful secret DELETE (default
 *   202, as the schema says; 204 answers with no body).
 * @property {'any' | 'all'} [scopesMatch] How several `scopes` filters combine (default 'any').
 * @property {number} [storeQuota] Stores per account for POST /stores (default 1, the open-beta
 *   limit; seeding with addStore() ignores it).
 * @property {boolean} [strictContract] close() rejects when an exchange broke the contract
 *   (test/contract/secrets-store.schema.yaml) and no expectViolations() pattern covers it.
 *
 * @typedef {object} Store
 * @property {string} id
 * @property {string} name
 * @property {string} created
 * @property {string} modified
 * @property {string} account_id
 *
 * @typedef {object} Secret
 * @property {string} id
 * @property {string} name
 * @property {SecretStatus} status
 * @property {string} store_id
 * @property {string} created
 * @property {string} modified
 * @property {string} comment
 * @property {string[]} scopes
 *
 * @typedef {Secret & { value: string, seq: number, createdMs: number }} SecretRecord
 * @typedef {Store & { seq: number }} StoreRecord
 *
 * @typedef {object} SecretSeed
 * @property {string} name
 * @property {string} [value] Default: a random string.
 * @property {string[]} [scopes] Default ['workers'].
 * @property {string} [comment] Default "".
 * @property {SecretStatus} [status] Default 'active'.
 * @property {string} [id] Default: random 32 hex.
 * @property {string} [created] ISO time it was made (default now): seeds a secret made long
 *   before the test, as secrets that exist before a workflow run usually are.
 *
 * @typedef {object} Fault
 * @property {string} [method] Matches any method if absent (case-insensitive).
 * @property {string | RegExp} [path] Exact string or RegExp, tested against the pathname after
 *   /client/v4 (no query string). Matches any path if absent.
 * @property {number} [times] How many requests it applies to (default 1).
 * @property {number} [skip] How many matching requests it lets through untouched first (default
 *   0): a fault for the fourth copy of a list, say.
 * @property {number} [status] Answer with this status instead of running the handler.
 * @property {Record<string, string>} [headers] With status/body: the response's headers. Alone:
 *   merged into the real handler's response (e.g. to add rate-limit headers).
 * @property {string} [body] Raw body sent as given (e.g. an HTML 502 page); status default 200.
 * @property {number} [delayMs] Wait this long first, then carry on.
 * @property {'drop' | 'commit-then-drop' | 'commit-then-hang' | 'truncate'} [action]
 * @property {() => void} [before] Runs just before the handler: changes state between a
 *   client's read and its write (say, a secret deleted by someone else) at a known moment.
 *
 * @typedef {object} RecordedRequest
 * @property {string} method
 * @property {string} path Pathname after /client/v4 (the whole pathname when outside it).
 * @property {Record<string, string | string[]>} query Repeated keys become arrays.
 * @property {Record<string, string | string[] | undefined>} headers Lower-cased, as received.
 * @property {unknown} body Parsed JSON, else the raw string; undefined when empty.
 * @property {number | null} status Status sent, or null when no status line went out.
 * @property {number} startedAt Epoch ms when the request arrived.
 * @property {number | null} endedAt Epoch ms when its connection finished or closed.
 * @property {Fault | null} fault The scripted fault applied to it, if any.
 *
 * @typedef {object} DemoInfo
 * @property {string} url
 * @property {string} accountId
 * @property {string} storeId
 * @property {string} token
 * @property {Record<string, string>} secrets Secret ids by name.
 *
 * @typedef {{ status: number, headers: Record<string, string>, body: string }} Reply
 *
 * @typedef {object} Context
 * @property {string} method
 * @property {Record<string, string>} params
 * @property {Record<string, string | string[]>} query
 * @property {unknown} body
 * @property {boolean} bodyIsJson False when a non-empty body failed to parse.
 */

// Cloudflare documents only the generic codes (10000, 971, 7003, 6003). For the Secrets Store,
// wrangler's tests against the live API show 1001 for secret_not_found and store_not_found, and
// pasted output shows 1001 for validation errors (secret_scope_invalid, secret_scopes_empty,
// secret_name_empty, invalid_json_body) and 1003 for secret_name_already_exists and
// maximum_stores_exceeded: messages are snake_case identifiers. The fake answers with those.
// Where nothing was seen (an unknown account, a full secrets quota, a bad page), the code is the
// nearest seen one and the message, marked "own", is ours; clients must not rely on either.
const CODE = {
  AUTH: 10000,
  RATE_LIMITED: 971,
  NO_ROUTE: 7003,
  BAD_HEADERS: 6003,
  /** Not-found and validation errors alike. */
  INVALID: 1001,
  /** A name taken, a limit reached. */
  EXISTS: 1003,
  INTERNAL: 1000,
};

/** Error messages of the Secrets Store API, as seen in public unless marked own. */
const MESSAGE = {
  SECRET_NOT_FOUND: 'secret_not_found',
  STORE_NOT_FOUND: 'store_not_found',
  NAME_TAKEN: 'secret_name_already_exists',
  NAME_EMPTY: 'secret_name_empty',
  SCOPES_EMPTY: 'secret_scopes_empty',
  SCOPE_INVALID: 'secret_scope_invalid',
  INVALID_JSON: 'invalid_json_body',
  STORE_NOT_EMPTY: 'store_not_empty',
  STORES_EXCEEDED: 'maximum_stores_exceeded',
  // own: modelled on the ones above
  NAME_INVALID: 'secret_name_invalid',
  VALUE_INVALID: 'secret_value_invalid',
  COMMENT_INVALID: 'secret_comment_invalid',
  SECRETS_EXCEEDED: 'maximum_secrets_exceeded',
  RENAME: 'secret_name_immutable',
  PAGINATION_INVALID: 'pagination_invalid',
  ORDER_INVALID: 'order_invalid',
  ACCOUNT_NOT_FOUND: 'account_not_found',
};

/**
 * The scopes Cloudflare's schema lists today (the enum `secrets-store_scopes`), in the order of
 * src/inputs/scopes.ts, which a test keeps equal to this list.
 */
export const KNOWN_SCOPES = Object.freeze([
  'workers',
  'ai_gateway',
  'dex',
  'access',
  'containers',
  'websearch',
]);

const MAX_VALUE_BYTES = 65536;
const SECRET_ORDERS = ['name', 'comment', 'created', 'modified', 'status'];
const STORE_ORDERS = ['name', 'created', 'modified'];

/** An error a handler throws to answer with a Cloudflare error envelope. */
class ApiError extends Error {
  /**
   * @param {number} status
   * @param {number} code
   * @param {string} message
   * @param {string} [pointer] JSON pointer into the request body (errors[].source.pointer).
   * @param {Record<string, unknown>} [extra] More fields for the error object.
   */
  constructor(status, code, message, pointer, extra) {
    super(message);
    this.status = status;
    this.code = code;
    this.pointer = pointer;
    this.extra = extra;
  }
}

/**
 * A validation error: 400 and code 1001, as seen live.
 * @param {string} message @param {string} [pointer]
 */
const badRequest = (message, pointer) => new ApiError(400, CODE.INVALID, message, pointer);

/** 32 lowercase hex characters, like every Cloudflare id. */
function newId() {
  return randomBytes(16).toString('hex');
}

let lastMicros = 0;

/**
 * Wall-clock time as Cloudflare prints it: ISO 8601 with microseconds, "…:32.624632Z". Strictly
 * increasing, so listings ordered by `created` are stable even for secrets made in one millisecond.
 */
function timestamp() {
  // Date has millisecond resolution; the hrtime counter supplies plausible microsecond digits.
  const sub = Number((process.hrtime.bigint() / 1000n) % 1000n);
  const micros = Math.max(Date.now() * 1000 + sub, lastMicros + 1);
  lastMicros = micros;
  const iso = new Date(Math.floor(micros / 1000)).toISOString();
  return iso.replace('Z', `${String(micros % 1000).padStart(3, '0')}Z`);
}

/** An ISO time as epoch microseconds, so "…32.5Z" and "…32.500001Z" compare as times. */
function timeKey(/** @type {string} */ iso) {
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) return 0;
  const digits = /\.\d{3}(\d{1,3})/.exec(iso)?.[1] ?? '';
  return ms * 1000 + Number(digits.padEnd(3, '0'));
}

/**
 * An ISO time as the fake prints it, moved by `ms`, its microsecond digits kept.
 * @param {string} iso @param {number} ms
 */
function shiftTime(iso, ms) {
  const micros = timeKey(iso) + ms * 1000;
  const shifted = new Date(Math.floor(micros / 1000)).toISOString();
  return shifted.replace('Z', `${String(micros % 1000).padStart(3, '0')}Z`);
}

/** Epoch milliseconds with sub-millisecond precision, for ordering recorded requests. */
function preciseNow() {
  return performance.timeOrigin + performance.now();
}

/** @param {unknown} result @param {object} [resultInfo] */
function success(result, resultInfo) {
  return {
    success: true,
    errors: [],
    messages: [],
    result,
    ...(resultInfo ? { result_info: resultInfo } : {}),
  };
}

/** @param {{code: number, message: string, source?: {pointer: string}}[]} errors */
function failure(errors) {
  return { success: false, errors, messages: [], result: null };
}

/** The envelope Cloudflare's edge sends for a status with no more specific error. */
function genericFailure(/** @type {number} */ status) {
  if (status === 429) {
    return failure([
      {
        code: CODE.RATE_LIMITED,
        message: 'Please wait and consider throttling your request speed',
      },
    ]);
  }
  if (status === 401 || status === 403) {
    return failure([{ code: CODE.AUTH, message: 'Authentication error' }]);
  }
  if (status === 404) return failure([{ code: CODE.NO_ROUTE, message: 'No route for the URI' }]);
  const reason = http.STATUS_CODES[status] ?? 'Error';
  return failure([
    { code: CODE.INTERNAL, message: status >= 500 ? `Internal error: ${reason}` : reason },
  ]);
}

/** @param {unknown} value @returns {value is Record<string, unknown>} */
function isObject(value) {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** @param {URLSearchParams} params */
function queryObject(params) {
  /** @type {Record<string, string | string[]>} */
  const query = {};
  for (const [key, value] of params) {
    const previous = query[key];
    if (previous === undefined) query[key] = value;
    else if (Array.isArray(previous)) previous.push(value);
    else query[key] = [previous, value];
  }
  return query;
}

/** The first value of a query parameter (the API takes one page, one per_page, …). */
function single(/** @type {Record<string, string | string[]>} */ query, /** @type {string} */ key) {
  const value = query[key];
  return Array.isArray(value) ? value[0] : value;
}

/**
 * A whole number within the schema's bounds; 0 (which the schema allows and does not explain)
 * and an absent value mean `fallback`.
 * @param {Record<string, string | string[]>} query @param {string} key @param {number} fallback
 * @param {number} [max]
 */
function boundedInt(query, key, fallback, max = Number.MAX_SAFE_INTEGER) {
  const raw = single(query, key);
  if (raw === undefined || raw === '') return fallback;
  if (!/^\d+$/.test(raw) || Number(raw) > max) throw badRequest(MESSAGE.PAGINATION_INVALID);
  return Number(raw) || fallback;
}

/**
 * The `scopes` filter in the schema's comma form (`scopes=workers,dex`) or as repeated keys (the
 * official SDK's form), or both.
 * @param {Record<string, string | string[]>} query
 */
function scopesFilter(query) {
  return [query.scopes ?? []]
    .flat()
    .flatMap((value) => value.split(','))
    .map((scope) => scope.trim())
    .filter((scope) => scope !== '');
}

/**
 * Sorts by `order`/`direction`, by default `created` descending as Cloudflare does: the newest
 * first. Times compare as times; ties fall back on creation order so pages are stable.
 * @template {{ seq: number }} T
 * @param {T[]} items
 * @param {Record<string, string | string[]>} query
 * @param {string[]} allowed
 */
function sortItems(items, query, allowed) {
  const order = single(query, 'order') ?? 'created';
  const direction = single(query, 'direction') ?? 'desc';
  if (!allowed.includes(order) || (direction !== 'asc' && direction !== 'desc')) {
    throw badRequest(MESSAGE.ORDER_INVALID);
  }
  const sign = direction === 'desc' ? -1 : 1;
  const isTime = order === 'created' || order === 'modified';
  /** @param {T} item */
  const key = (item) => {
    const value = String(/** @type {Record<string, unknown>} */ (item)[order] ?? '');
    return isTime ? timeKey(value) : value;
  };
  return [...items].sort((a, b) => {
    const x = key(a);
    const y = key(b);
    if (x !== y) return x < y ? -sign : sign;
    return (a.seq - b.seq) * sign;
  });
}

/**
 * One page of `items`, with Cloudflare's result_info. per_page is capped at `maxPerPage`, like a
 * server that gives fewer than asked; a page past the end is empty, not an error.
 * @template T
 * @param {T[]} items
 * @param {Record<string, string | string[]>} query
 * @param {{ maxPerPage: number, totalPages: boolean }} options
 */
function paginate(items, query, { maxPerPage, totalPages }) {
  const page = boundedInt(query, 'page', 1);
  // The schema bounds per_page to 0..100; a server may still serve fewer (maxPerPage).
  const perPage = Math.min(boundedInt(query, 'per_page', 20, 100), maxPerPage);
  const slice = items.slice((page - 1) * perPage, page * perPage);
  const info = {
    page,
    per_page: perPage,
    count: slice.length,
    total_count: items.length,
    ...(totalPages ? { total_pages: Math.ceil(items.length / perPage) } : {}),
  };
  return { slice, info };
}

// ---- body validation (shared by create, duplicate and patch) ----

/** @param {unknown} name @param {string} pointer */
function checkName(name, pointer) {
  // The docs only say names "cannot contain spaces"; wrangler's stricter pattern is client-side.
  if (name === undefined || name === '') throw badRequest(MESSAGE.NAME_EMPTY, pointer);
  if (typeof name !== 'string' || /\s/.test(name)) throw badRequest(MESSAGE.NAME_INVALID, pointer);
  return name;
}

/**
 * @param {unknown} scopes
 * @param {string} pointer
 * @param {readonly string[]} known
 */
function checkScopes(scopes, pointer, known) {
  if (scopes === undefined || (Array.isArray(scopes) && scopes.length === 0)) {
    throw badRequest(MESSAGE.SCOPES_EMPTY, pointer);
  }
  // A scope outside the enum: the real API's status for it is not documented; 400 is a guess.
  if (!Array.isArray(scopes) || !scopes.every((scope) => known.includes(scope))) {
    throw badRequest(MESSAGE.SCOPE_INVALID, pointer);
  }
  return /** @type {string[]} */ ([...scopes]);
}

/** @param {unknown} comment @param {string} pointer */
function checkComment(comment, pointer) {
  if (comment === undefined || comment === null) return '';
  if (typeof comment !== 'string') throw badRequest(MESSAGE.COMMENT_INVALID, pointer);
  return comment;
}

/** @param {unknown} value @param {string} pointer */
function checkValue(value, pointer) {
  if (typeof value !== 'string' || Buffer.byteLength(value) > MAX_VALUE_BYTES) {
    throw badRequest(MESSAGE.VALUE_INVALID, pointer);
  }
  return value;
}

/** @param {Context} ctx */
function jsonObjectBody(ctx) {
  if (!ctx.bodyIsJson || !isObject(ctx.body)) throw badRequest(MESSAGE.INVALID_JSON);
  return ctx.body;
}

// ---- routing ----

/**
 * @typedef {(ctx: Context) => { status?: number, result: unknown, info?: object }} Handler
 * @typedef {{ method: string, template: string, pattern: RegExp, names: string[], handler: Handler }} Route
 */

/**
 * @param {string} method
 * @param {string} template e.g. '/accounts/:account_id/secrets_store/stores'
 * @param {Handler} handler
 * @returns {Route}
 */
function route(method, template, handler) {
  /** @type {string[]} */
  const names = [];
  const source = template.replace(/:(\w+)/g, (_, name) => {
    names.push(name);
    return '([^/]+)';
  });
  return { method, template, pattern: new RegExp(`^${source}$`), names, handler };
}

/**
 * Cloudflare answers a malformed object identifier in a path with 7003 "Could not route to …",
 * e.g. when a client passes a secret's name where its id belongs.
 */
const IDENTIFIER = /^[0-9A-Za-z]{1,32}$/;

export class FakeCloudflare {
  /** @type {http.Server | https.Server} */
  #server;
  /** @type {Set<import('node:net').Socket>} */
  #sockets = new Set();
  /** Aborts pending delays when the fake closes, so nothing outlives close(). */
  #closing = new AbortController();
  /** @type {Route[]} */
  #routes;
  /** @type {Set<string>} */
  #accounts = new Set();
  /** @type {Map<string, StoreRecord>} */
  #stores = new Map();
  /** @type {Map<string, SecretRecord>} Insertion order is creation order. */
  #secrets = new Map();
  /** @type {Map<string, TokenGrant>} */
  #tokens;
  /** @type {Map<string, string>} */
  #globalKeys;
  /** @type {(Fault & { times: number })[]} */
  #faults = [];
  #seq = 0;
  #inFlight = 0;
  #maxInFlight = 0;
  /** @type {RecordedRequest[]} */
  #requests = [];
  /** @type {string[]} */
  #violations = [];
  /** @type {RegExp[]} */
  #expectedViolations = [];

  /** @param {FakeOptions} [options] */
  constructor(options = {}) {
    this.options = options;
    this.#tokens = new Map(Object.entries(options.tokens ?? {}));
    this.#globalKeys = new Map(Object.entries(options.globalKeys ?? {}));
    this.port = 0;
    this.url = '';
    this.#routes = this.#buildRoutes();
    /** @param {http.IncomingMessage} req @param {http.ServerResponse} res */
    const handler = (req, res) => {
      this.#handle(req, res).catch((error) => {
        // A bug in the fake must not look like a slow server: answer 500 and say why.
        console.error('fake-cloudflare: handler crashed', error);
        if (!res.headersSent) res.writeHead(500).end(JSON.stringify(genericFailure(500)));
      });
    };
    this.#server = options.tls
      ? https.createServer(options.tls, handler)
      : http.createServer(handler);
    this.#server.on('connection', (socket) => {
      this.#sockets.add(socket);
      socket.on('close', () => this.#sockets.delete(socket));
    });
  }

  /** Starts listening on 127.0.0.1 and fills in `port` and `url`. */
  async listen() {
    await new Promise((resolve, reject) => {
      this.#server.once('error', reject);
      this.#server.listen(this.options.port ?? 0, '127.0.0.1', () => {
        this.#server.off('error', reject);
        resolve(undefined);
      });
    });
    const address = /** @type {import('node:net').AddressInfo} */ (this.#server.address());
    this.port = address.port;
    const scheme = this.options.tls ? 'https' : 'http';
    this.url = `${scheme}://127.0.0.1:${address.port}${API_PREFIX}`;
    return this;
  }

  /**
   * Stops listening and destroys every open socket, hanging ones included. With
   * `strictContract`, then rejects if an exchange broke the contract unexpectedly.
   */
  async close() {
    this.#closing.abort();
    const closed = new Promise((resolve) => this.#server.close(() => resolve(undefined)));
    for (const socket of this.#sockets) socket.destroy();
    await closed;
    const unexpected = this.unexpectedViolations();
    if (this.options.strictContract && unexpected.length > 0) {
      throw new Error(
        `The fake saw ${unexpected.length} exchange(s) off the contract ` +
          `(test/contract/secrets-store.schema.yaml):\n${unexpected.join('\n')}`,
      );
    }
  }

  // ---- the contract ----

  /** `METHOD /path/{param}` of every endpoint the fake serves, for comparison with the contract. */
  endpoints() {
    return this.#routes.map((r) => `${r.method} ${r.template.replace(/:(\w+)/g, '{$1}')}`);
  }

  /** Every violation of the contract seen so far, one line each (test/contract/validate.js). */
  get violations() {
    return [...this.#violations];
  }

  /**
   * Marks the violations `pattern` matches, earlier and later ones, as expected: a test's
   * deliberate request off the contract. Keep the pattern narrow.
   * @param {RegExp} pattern
   */
  expectViolations(pattern) {
    this.#expectedViolations.push(pattern);
  }

  /** The violations no expectViolations() pattern covers. */
  unexpectedViolations() {
    return this.#violations.filter((line) => !this.#expectedViolations.some((p) => p.test(line)));
  }

  /**
   * Checks one exchange against the contract. `reply` is undefined when no answer went out, or
   * when a scripted fault wrote it: a deliberately hostile answer is not the fake's own.
   * @param {RecordedRequest} entry @param {boolean} bodyIsJson @param {Reply} [reply]
   */
  #checkContract(entry, bodyIsJson, reply) {
    const found = contract().check(
      {
        ...entry,
        bodyIsJson,
        response: reply && { status: reply.status, body: reply.body },
      },
      { knownScopes: this.options.knownScopes },
    );
    this.#violations.push(...found);
  }

  // ---- observability ----

  /** Every request received since the start or the last resetRequests(), oldest first. */
  get requests() {
    return this.#requests;
  }

  /** Requests being handled right now (a hanging one counts until its socket closes). */
  get inFlight() {
    return this.#inFlight;
  }

  /** The most requests handled at once since the start or the last resetRequests(). */
  get maxInFlight() {
    return this.#maxInFlight;
  }

  resetRequests() {
    this.#requests.length = 0;
    this.#maxInFlight = this.#inFlight;
  }

  /**
   * Scripts a fault for the next matching request(s). Faults are tried in the order added.
   * @param {Fault} fault
   * @returns {Fault & { times: number }} The live record: `times` counts down as it is used.
   */
  addFault(fault) {
    const record = { ...fault, times: fault.times ?? 1 };
    this.#faults.push(record);
    return record;
  }

  clearFaults() {
    this.#faults.length = 0;
  }

  // ---- seeding and inspection ----

  /** @param {string} token @param {TokenGrant} [grant] */
  addToken(token, grant = {}) {
    this.#tokens.set(token, grant);
  }

  /** @param {string} email @param {string} key */
  addGlobalKey(email, key) {
    this.#globalKeys.set(email, key);
  }

  /** @param {string} [id] @returns {string} */
  addAccount(id = newId()) {
    checkSeedId(id);
    this.#accounts.add(id);
    return id;
  }

  /** @param {string} accountId @param {string} name @param {string} [id] @returns {Store} */
  addStore(accountId, name, id = newId()) {
    if (!this.#accounts.has(accountId)) throw new Error(`addStore: no account ${accountId}`);
    checkSeedId(id);
    if (this.#stores.has(id)) throw new Error(`addStore: store ${id} exists`);
    const now = timestamp();
    /** @type {StoreRecord} */
    const store = {
      id,
      name,
      created: now,
      modified: now,
      account_id: accountId,
      seq: ++this.#seq,
    };
    this.#stores.set(id, store);
    return publicStore(store);
  }

  /** @param {string} storeId @param {SecretSeed} seed @returns {Secret} */
  addSecret(storeId, seed) {
    if (!this.#stores.has(storeId)) throw new Error(`addSecret: no store ${storeId}`);
    const id = seed.id ?? newId();
    checkSeedId(id);
    if (this.#secrets.has(id)) throw new Error(`addSecret: secret ${id} exists`);
    if (this.#findByName(storeId, seed.name)) {
      throw new Error(`addSecret: ${seed.name} already exists in store ${storeId}`);
    }
    const secret = this.#insertSecret(storeId, {
      id,
      name: seed.name,
      value: seed.value ?? `fake-${newId()}`,
      scopes: [...(seed.scopes ?? ['workers'])],
      comment: seed.comment ?? '',
      status: seed.status ?? 'active',
      created: seed.created,
    });
    return this.#publicSecret(secret);
  }

  /** @param {string} storeId @returns {Secret[]} Creation order, 'deleted' ones included. */
  listSecrets(storeId) {
    return this.#secretsOf(storeId).map((secret) => this.#publicSecret(secret));
  }

  /** @param {string} accountId @returns {Store[]} */
  listStores(accountId) {
    return this.#storesOf(accountId).map(publicStore);
  }

  /** @param {string} id @returns {Secret | undefined} */
  getSecret(id) {
    const secret = this.#secrets.get(id);
    return secret && this.#publicSecret(secret);
  }

  /** The write-only value, which no endpoint ever returns. @param {string} id */
  secretValue(id) {
    return this.#secrets.get(id)?.value;
  }

  /** E.g. to turn a pending duplicate active. @param {string} id @param {SecretStatus} status */
  setSecretStatus(id, status) {
    const secret = this.#secrets.get(id);
    if (!secret) throw new Error(`setSecretStatus: no secret ${id}`);
    secret.status = status;
    secret.modified = timestamp();
  }

  /**
   * Moves a secret's creation back in time, as if it had been made `ms` earlier: plays releases
   * that came hours apart in a test that makes them seconds apart.
   * @param {string} id @param {number} ms
   */
  ageSecret(id, ms) {
    const secret = this.#secrets.get(id);
    if (!secret) throw new Error(`ageSecret: no secret ${id}`);
    secret.createdMs -= ms;
    secret.created = shiftTime(secret.created, -ms);
    secret.modified = shiftTime(secret.modified, -ms);
  }

  // ---- state helpers ----

  /** @param {string} accountId */
  #storesOf(accountId) {
    return [...this.#stores.values()].filter((store) => store.account_id === accountId);
  }

  /** @param {string} storeId */
  #secretsOf(storeId) {
    return [...this.#secrets.values()].filter(
      (secret) => secret.store_id === storeId && this.#settle(secret),
    );
  }

  /**
   * Applies `activateAfterMs` to a pending secret before anything reads it; always true, so it
   * can sit in a filter.
   * @param {SecretRecord} secret
   */
  #settle(secret) {
    const { activateAfterMs, pendingBecomes = 'active' } = this.options;
    if (
      secret.status === 'pending' &&
      activateAfterMs !== undefined &&
      Date.now() - secret.createdMs >= activateAfterMs
    ) {
      secret.status = pendingBecomes;
      secret.modified = timestamp();
    }
    return true;
  }

  /** Secrets that exist as far as the API is concerned: not 'deleted'. @param {string} storeId */
  #liveSecretsOf(storeId) {
    return this.#secretsOf(storeId).filter((secret) => secret.status !== 'deleted');
  }

  /** @param {string} accountId */
  #usage(accountId) {
    let usage = 0;
    for (const store of this.#storesOf(accountId)) usage += this.#liveSecretsOf(store.id).length;
    return usage;
  }

  /** @param {string} storeId @param {string} name */
  #findByName(storeId, name) {
    return this.#liveSecretsOf(storeId).find((secret) => secret.name === name);
  }

  /**
   * @param {string} storeId
   * @param {{ id?: string, name: string, value: string, scopes: string[], comment: string, status: SecretStatus, created?: string }} fields
   */
  #insertSecret(storeId, fields) {
    const now = fields.created ?? timestamp();
    /** @type {SecretRecord} */
    const secret = {
      id: fields.id ?? newId(),
      name: fields.name,
      status: fields.status,
      store_id: storeId,
      created: now,
      modified: now,
      comment: fields.comment,
      scopes: fields.scopes,
      value: fields.value,
      seq: ++this.#seq,
      createdMs: fields.created ? Date.parse(fields.created) : Date.now(),
    };
    this.#secrets.set(secret.id, secret);
    return secret;
  }

  /**
   * The shape the API returns: never the value.
   * @param {SecretRecord} secret
   * @returns {Secret}
   */
  #publicSecret(secret) {
    this.#settle(secret);
    return {
      id: secret.id,
      name: secret.name,
      status: secret.status,
      store_id: secret.store_id,
      created: secret.created,
      modified: secret.modified,
      comment: secret.comment,
      // Cloudflare returns scopes sorted, whatever order they were sent in.
      scopes: [...secret.scopes].sort(),
    };
  }

  // ---- request handling ----

  /** @param {http.IncomingMessage} req @param {http.ServerResponse} res */
  async #handle(req, res) {
    const socket = req.socket;
    const rawUrl = req.url ?? '/';
    const queryStart = rawUrl.indexOf('?');
    const pathname = queryStart < 0 ? rawUrl : rawUrl.slice(0, queryStart);
    const search = queryStart < 0 ? '' : rawUrl.slice(queryStart + 1);
    const underApi = pathname === API_PREFIX || pathname.startsWith(`${API_PREFIX}/`);
    const path = underApi ? pathname.slice(API_PREFIX.length) : pathname;
    const method = (req.method ?? 'GET').toUpperCase();

    /** @type {RecordedRequest} */
    const entry = {
      method,
      path,
      query: queryObject(new URLSearchParams(search)),
      headers: { ...req.headers },
      body: undefined,
      status: null,
      startedAt: preciseNow(),
      endedAt: null,
      fault: null,
    };
    this.#requests.push(entry);
    this.#inFlight += 1;
    this.#maxInFlight = Math.max(this.#maxInFlight, this.#inFlight);
    // 'close' fires once the response is flushed or the connection dies, whichever comes first,
    // so it ends the request's life in every case: answered, dropped, truncated or hung.
    res.on('close', () => {
      this.#inFlight -= 1;
      entry.endedAt = preciseNow();
    });

    /** @type {string} */
    let rawBody;
    try {
      rawBody = await readBody(req);
    } catch {
      return; // The client went away mid-body; there is nobody to answer.
    }
    let bodyIsJson = true;
    /** @type {unknown} */
    let body;
    if (rawBody !== '') {
      try {
        body = JSON.parse(rawBody);
      } catch {
        body = rawBody;
        bodyIsJson = false;
      }
    }
    entry.body = body;

    const fault = this.#takeFault(method, path);
    entry.fault = fault;
    if (!underApi) this.#violations.push(`${method} ${pathname}: not under ${API_PREFIX}`);
    if (fault?.delayMs && !(await this.#pause(fault.delayMs))) return;

    if (fault?.action === 'drop') {
      if (underApi) this.#checkContract(entry, bodyIsJson);
      // Dropped before the handler: nothing changed server-side.
      if (await this.#pause(this.options.latencyMs)) socket.destroy();
      return;
    }

    fault?.before?.();
    /** @type {Reply} */
    let reply;
    if (fault && (fault.status !== undefined || fault.body !== undefined)) {
      reply = scriptedReply(fault);
    } else {
      reply = underApi
        ? this.#dispatch({
            method,
            path,
            query: entry.query,
            body,
            bodyIsJson,
            headers: req.headers,
          })
        : envelopeReply(404, genericFailure(404));
      if (fault?.headers) reply.headers = { ...reply.headers, ...lowerCaseKeys(fault.headers) };
    }

    if (underApi) {
      const scripted =
        fault && (fault.action || fault.status !== undefined || fault.body !== undefined);
      this.#checkContract(entry, bodyIsJson, scripted ? undefined : reply);
    }
    if (!(await this.#pause(this.options.latencyMs))) return;

    switch (fault?.action) {
      case 'commit-then-drop':
        // The handler has run (state changed); the client just never hears about it.
        socket.destroy();
        return;
      case 'commit-then-hang':
        // Leave the socket open with no answer until the client gives up or close() runs.
        return;
      case 'truncate': {
        const bytes = Buffer.from(reply.body);
        entry.status = reply.status;
        res.writeHead(reply.status, { ...reply.headers, 'content-length': bytes.length });
        res.write(bytes.subarray(0, Math.floor(bytes.length / 2)), () => socket.destroy());
        return;
      }
      default: {
        const bytes = Buffer.from(reply.body);
        entry.status = reply.status;
        res.writeHead(reply.status, { 'content-length': bytes.length, ...reply.headers });
        res.end(bytes);
      }
    }
  }

  /**
   * Waits `ms` unless the fake closes meanwhile.
   * @param {number | undefined} ms
   * @returns {Promise<boolean>} false if the fake closed during the wait.
   */
  async #pause(ms) {
    if (!ms || ms <= 0) return !this.#closing.signal.aborted;
    try {
      await sleep(ms, undefined, { signal: this.#closing.signal });
      return true;
    } catch {
      return false;
    }
  }

  /** @param {string} method @param {string} path */
  #takeFault(method, path) {
    const index = this.#faults.findIndex((fault) => {
      if (fault.method && fault.method.toUpperCase() !== method) return false;
      if (fault.path === undefined) return true;
      if (typeof fault.path === 'string') return fault.path === path;
      fault.path.lastIndex = 0; // a /g or /y RegExp keeps state between tests
      return fault.path.test(path);
    });
    if (index < 0) return null;
    const fault = /** @type {Fault & { times: number }} */ (this.#faults[index]);
    if (fault.skip) {
      fault.skip -= 1;
      return null;
    }
    fault.times -= 1;
    if (fault.times <= 0) this.#faults.splice(index, 1);
    return fault;
  }

  /**
   * Routes, authenticates and runs a handler; always produces an envelope reply.
   * @param {{ method: string, path: string, query: Record<string, string | string[]>, body: unknown, bodyIsJson: boolean, headers: http.IncomingHttpHeaders }} request
   * @returns {Reply}
   */
  #dispatch(request) {
    try {
      const match = this.#match(request.method, request.path);
      this.#authorize(request.headers, request.method, match.params.account_id);
      const {
        status = 200,
        result,
        info,
      } = match.handler({
        method: request.method,
        params: match.params,
        query: request.query,
        body: request.body,
        bodyIsJson: request.bodyIsJson,
      });
      // A 204 has no body by definition.
      if (status === 204) return { status, headers: {}, body: '' };
      return envelopeReply(status, success(result, info));
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      const detail = {
        code: error.code,
        message: error.message,
        ...(error.pointer ? { source: { pointer: error.pointer } } : {}),
        ...error.extra,
      };
      return envelopeReply(error.status, failure([detail]));
    }
  }

  /** @param {string} method @param {string} path */
  #match(method, path) {
    for (const candidate of this.#routes) {
      if (candidate.method !== method) continue;
      const found = candidate.pattern.exec(path);
      if (!found) continue;
      /** @type {Record<string, string>} */
      const params = {};
      candidate.names.forEach((name, i) => (params[name] = found[i + 1] ?? ''));
      if (!Object.values(params).every((value) => IDENTIFIER.test(value))) {
        throw new ApiError(
          404,
          CODE.NO_ROUTE,
          `Could not route to ${path}, perhaps your object identifier is invalid?`,
        );
      }
      return { handler: candidate.handler, params };
    }
    throw new ApiError(404, CODE.NO_ROUTE, 'No route for the URI');
  }

  /**
   * Bearer token first, then the legacy email + Global API key pair.
   * @param {http.IncomingHttpHeaders} headers
   * @param {string} method
   * @param {string | undefined} accountId
   */
  #authorize(headers, method, accountId) {
    /** @type {TokenGrant | undefined} */
    let grant;
    const authorization = headers.authorization;
    const email = headers['x-auth-email'];
    const key = headers['x-auth-key'];
    if (authorization !== undefined) {
      const bearer = /^Bearer ([^\s]+)$/.exec(authorization.trim());
      if (!bearer) throw badHeaders(6111, 'Invalid format for Authorization header');
      grant = this.#tokens.get(/** @type {string} */ (bearer[1]));
    } else if (email !== undefined || key !== undefined) {
      if (typeof email !== 'string' || email === '') {
        throw badHeaders(6102, 'Invalid format for X-Auth-Email header');
      }
      if (typeof key !== 'string' || key === '') {
        throw badHeaders(6103, 'Invalid format for X-Auth-Key header');
      }
      if (this.#globalKeys.get(email) === key) grant = {};
    }
    if (!grant) throw new ApiError(401, CODE.AUTH, 'Authentication error');

    if (accountId !== undefined && grant.accounts && !grant.accounts.includes(accountId)) {
      throw new ApiError(403, CODE.AUTH, 'Authentication error');
    }
    const permissions = grant.permissions ?? ['read', 'write'];
    const writes = ['POST', 'PUT', 'PATCH', 'DELETE'].includes(method);
    const allowed = writes
      ? permissions.includes('write')
      : permissions.includes('read') || permissions.includes('write');
    if (!allowed) throw new ApiError(403, CODE.AUTH, 'Authentication error');
    if (accountId !== undefined && !this.#accounts.has(accountId)) {
      throw new ApiError(404, CODE.INVALID, MESSAGE.ACCOUNT_NOT_FOUND);
    }
  }

  /** @param {Context} ctx */
  #store(ctx) {
    const store = this.#stores.get(ctx.params.store_id ?? '');
    if (!store || store.account_id !== ctx.params.account_id) {
      // The code and message wrangler's tests saw live; the status is not documented.
      throw this.#notFound(MESSAGE.STORE_NOT_FOUND);
    }
    return store;
  }

  /** @param {Context} ctx @param {StoreRecord} store */
  #secret(ctx, store) {
    const secret = this.#secrets.get(ctx.params.secret_id ?? '');
    if (secret) this.#settle(secret);
    if (!secret || secret.store_id !== store.id || secret.status === 'deleted') {
      throw this.#notFound(MESSAGE.SECRET_NOT_FOUND);
    }
    return secret;
  }

  /** @param {string} accountId @param {number} adding */
  #checkQuota(accountId, adding) {
    const quota = this.options.quota ?? 100;
    const usage = this.#usage(accountId);
    if (usage + adding > quota) {
      throw new ApiError(
        this.options.quotaStatus ?? 400,
        CODE.EXISTS,
        this.options.quotaMessage ?? MESSAGE.SECRETS_EXCEEDED,
      );
    }
  }

  #conflict() {
    return new ApiError(
      this.options.conflictStatus ?? 409,
      CODE.EXISTS,
      this.options.conflictMessage ?? MESSAGE.NAME_TAKEN,
    );
  }

  /** @param {string} message */
  #notFound(message) {
    return new ApiError(this.options.notFoundStatus ?? 404, CODE.INVALID, message);
  }

  /** @returns {Route[]} */
  #buildRoutes() {
    const base = '/accounts/:account_id/secrets_store';
    const stores = `${base}/stores`;
    const store = `${stores}/:store_id`;
    const secrets = `${store}/secrets`;
    const secret = `${secrets}/:secret_id`;
    const pages = () => ({
      maxPerPage: this.options.maxPerPage ?? 100,
      totalPages: this.options.totalPages ?? true,
    });
    const known = () => this.options.knownScopes ?? KNOWN_SCOPES;

    return [
      route('GET', stores, (ctx) => {
        const sorted = sortItems(
          this.#storesOf(ctx.params.account_id ?? ''),
          ctx.query,
          STORE_ORDERS,
        );
        const { slice, info } = paginate(sorted, ctx.query, pages());
        return { result: slice.map(publicStore), info };
      }),

      route('POST', stores, (ctx) => {
        const body = jsonObjectBody(ctx);
        const accountId = ctx.params.account_id ?? '';
        if (typeof body.name !== 'string' || body.name.trim() === '') {
          throw badRequest(MESSAGE.NAME_EMPTY, '/name');
        }
        const storeQuota = this.options.storeQuota ?? 1;
        if (this.#storesOf(accountId).length >= storeQuota) {
          throw new ApiError(400, CODE.EXISTS, MESSAGE.STORES_EXCEEDED);
        }
        return { result: this.addStore(accountId, body.name) };
      }),

      route('GET', store, (ctx) => ({ result: publicStore(this.#store(ctx)) })),

      route('DELETE', store, (ctx) => {
        const found = this.#store(ctx);
        const contents = this.#secretsOf(found.id);
        const empty = this.#liveSecretsOf(found.id).length === 0;
        if (!empty && single(ctx.query, 'force') !== 'true') {
          throw new ApiError(409, CODE.INVALID, MESSAGE.STORE_NOT_EMPTY);
        }
        for (const doomed of contents) this.#secrets.delete(doomed.id);
        this.#stores.delete(found.id);
        return { result: null };
      }),

      route('GET', secrets, (ctx) => {
        const found = this.#store(ctx);
        let items = this.options.listDeleted
          ? this.#secretsOf(found.id)
          : this.#liveSecretsOf(found.id);
        const search = single(ctx.query, 'search');
        if (search) {
          const needle = search.toLowerCase();
          items = items.filter(
            (s) =>
              s.name.toLowerCase().includes(needle) || s.comment.toLowerCase().includes(needle),
          );
        }
        const scopes = scopesFilter(ctx.query);
        if (scopes.length > 0) {
          const all = this.options.scopesMatch === 'all';
          items = items.filter((s) =>
            all
              ? scopes.every((x) => s.scopes.includes(x))
              : scopes.some((x) => s.scopes.includes(x)),
          );
        }
        const sorted = sortItems(items, ctx.query, SECRET_ORDERS);
        const { slice, info } = paginate(sorted, ctx.query, pages());
        return { result: slice.map((s) => this.#publicSecret(s)), info };
      }),

      route('POST', secrets, (ctx) => {
        const found = this.#store(ctx);
        if (!ctx.bodyIsJson || !Array.isArray(ctx.body) || ctx.body.length === 0) {
          throw badRequest(MESSAGE.INVALID_JSON);
        }
        // Validate the whole batch before writing anything, so a bad item changes nothing.
        const batch = ctx.body.map((item, i) => {
          if (!isObject(item)) throw badRequest(MESSAGE.INVALID_JSON, `/${i}`);
          return {
            name: checkName(item.name, `/${i}/name`),
            value: checkValue(item.value, `/${i}/value`),
            scopes: checkScopes(item.scopes, `/${i}/scopes`, known()),
            comment: checkComment(item.comment, `/${i}/comment`),
            status: /** @type {SecretStatus} */ ('active'),
          };
        });
        const names = new Set();
        for (const item of batch) {
          if (names.has(item.name) || this.#findByName(found.id, item.name)) {
            throw this.#conflict();
          }
          names.add(item.name);
        }
        this.#checkQuota(found.account_id, batch.length);
        const created = batch.map((item) => this.#insertSecret(found.id, item));
        return { result: created.map((s) => this.#publicSecret(s)) };
      }),

      route('GET', secret, (ctx) => ({
        result: this.#publicSecret(this.#secret(ctx, this.#store(ctx))),
      })),

      route('PATCH', secret, (ctx) => {
        const found = this.#secret(ctx, this.#store(ctx));
        const body = jsonObjectBody(ctx);
        if (body.name !== undefined && body.name !== found.name) {
          throw badRequest(MESSAGE.RENAME, '/name');
        }
        // Check every field before changing any.
        const comment =
          body.comment === undefined ? undefined : checkComment(body.comment, '/comment');
        const scopes =
          body.scopes === undefined ? undefined : checkScopes(body.scopes, '/scopes', known());
        const value = body.value === undefined ? undefined : checkValue(body.value, '/value');
        if (comment !== undefined) found.comment = comment;
        if (scopes !== undefined) found.scopes = scopes;
        if (value !== undefined) found.value = value;
        found.modified = timestamp();
        return { result: this.#publicSecret(found) };
      }),

      route('DELETE', secret, (ctx) => {
        const found = this.#secret(ctx, this.#store(ctx));
        if (this.options.listDeleted) {
          found.status = 'deleted';
          found.modified = timestamp();
        } else {
          this.#secrets.delete(found.id);
        }
        return { status: this.options.deleteStatus ?? 202, result: null };
      }),

      route('POST', `${secret}/duplicate`, (ctx) => {
        // Body first (as a schema-validating gateway would), then lookups, then the name and
        // the quota, which depend on current state.
        const body = jsonObjectBody(ctx);
        const name = checkName(body.name, '/name');
        const scopes = checkScopes(body.scopes, '/scopes', known());
        const comment = checkComment(body.comment, '/comment');
        const found = this.#store(ctx);
        const source = this.#secret(ctx, found);
        if (this.#findByName(found.id, name)) throw this.#conflict();
        this.#checkQuota(found.account_id, 1);
        const copy = this.#insertSecret(found.id, {
          name,
          scopes,
          comment,
          value: source.value, // copied server-side: the value never crosses the wire
          status: this.options.duplicateStatus ?? 'pending',
        });
        return { result: this.#publicSecret(copy) };
      }),

      route('GET', `${base}/quota`, (ctx) => ({
        result: {
          secrets: {
            quota: this.options.quota ?? 100,
            usage: this.#usage(ctx.params.account_id ?? ''),
          },
        },
      })),
    ];
  }
}

/** @param {StoreRecord} store @returns {Store} */
function publicStore(store) {
  const { id, name, created, modified, account_id } = store;
  return { id, name, created, modified, account_id };
}

/** Seeded ids must be routable, or the fake would hold objects no request can reach. */
function checkSeedId(/** @type {string} */ id) {
  if (!/^[0-9a-f]{32}$/.test(id)) throw new Error(`ids are 32 lowercase hex characters: ${id}`);
}

/**
 * A 400 for malformed auth headers, shaped like Cloudflare's 6003 with its error_chain.
 * @param {number} code @param {string} message
 */
function badHeaders(code, message) {
  return new ApiError(400, CODE.BAD_HEADERS, 'Invalid request headers', undefined, {
    error_chain: [{ code, message }],
  });
}

/** @param {number} status @param {object} envelope @returns {Reply} */
function envelopeReply(status, envelope) {
  return {
    status,
    headers: {
      'content-type': 'application/json; charset=utf-8',
      // Real responses carry a ray id; clients may log it.
      'cf-ray': `${randomBytes(8).toString('hex')}-FAK`,
    },
    body: JSON.stringify(envelope),
  };
}

/** @param {Fault} fault @returns {Reply} */
function scriptedReply(fault) {
  const status = fault.status ?? 200;
  if (fault.body === undefined) {
    const reply = envelopeReply(status, genericFailure(status));
    reply.headers = { ...reply.headers, ...lowerCaseKeys(fault.headers ?? {}) };
    return reply;
  }
  // Sent as given: no content-type is added, so an HTML page can be served as one.
  return { status, headers: lowerCaseKeys(fault.headers ?? {}), body: fault.body };
}

/** @param {Record<string, string>} headers */
function lowerCaseKeys(headers) {
  return Object.fromEntries(
    Object.entries(headers).map(([name, value]) => [name.toLowerCase(), value]),
  );
}

/** @param {http.IncomingMessage} req @returns {Promise<string>} */
async function readBody(req) {
  /** @type {Buffer[]} */
  const chunks = [];
  for await (const chunk of req) chunks.push(/** @type {Buffer} */ (chunk));
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * Starts a fake on 127.0.0.1 and resolves once it is listening.
 * @param {FakeOptions} [options]
 */
export async function createFakeCloudflare(options = {}) {
  return new FakeCloudflare(options).listen();
}

export const DEMO = Object.freeze({
  accountId: '985e105f4ecef8ad9ca31a8372d0c353',
  storeId: '023e105f4ecef8ad9ca31a8372d0c353',
  token: 'demo-token-0123456789',
});

/**
 * Seeds the ids used by Cloudflare's own documentation example, so the demo reads like it.
 * @param {FakeCloudflare} fake
 * @returns {DemoInfo}
 */
export function seedDemo(fake) {
  const accountId = fake.addAccount(DEMO.accountId);
  fake.addToken(DEMO.token, { accounts: [accountId], permissions: ['read', 'write'] });
  const store = fake.addStore(accountId, 'default', DEMO.storeId);
  const seeds = [
    {
      id: '3fd85f74b32742f1bff64a85009dda07',
      name: 'DB_URL',
      scopes: ['workers'],
      comment: 'Primary Postgres connection string (production)',
      value: 'postgres://app:fake-demo-password@db.example.internal:5432/app',
    },
    {
      id: '7c1a4e2f9b8d4c6e8a0f1b2c3d4e5f60',
      name: 'STRIPE_KEY',
      scopes: ['workers', 'ai_gateway'],
      comment: 'Stripe secret key for the checkout worker',
      value: 'sk_test_FAKE0000000000000000000000demo',
    },
    {
      id: 'a9b8c7d6e5f40312a1b2c3d4e5f60718',
      name: 'SESSION_SECRET',
      scopes: ['workers'],
      comment: 'Signs session cookies; rotate quarterly',
      value: 'fake-session-secret-5b0e1c7d2a9f4e3b8c6d',
    },
  ];
  /** @type {Record<string, string>} */
  const secrets = {};
  for (const seed of seeds) secrets[seed.name] = fake.addSecret(store.id, seed).id;
  return { url: fake.url, accountId, storeId: store.id, token: DEMO.token, secrets };
}
