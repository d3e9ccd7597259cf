/**
 * How the Secrets Store client talks HTTP: one request with its timeout, the envelope checked,
 * every failure turned into a CloudflareError, and retries under one budget and deadline.
 * It knows no endpoint (src/cloudflare/client.ts does); failures.ts says which failures are
 * retried and how they read, envelope.ts how an answer is read.
 */
import type { Dispatcher } from 'undici';
import { CloudflareError, formatCloudflareMessages, refusalHint } from './errors.js';
import {
  DEFAULT_BACKOFF,
  parseRetryAfter,
  RetryBudget,
  systemClock,
  withRetries,
  type Clock,
} from './retry.js';
import { describeBody, MAX_BODY_BYTES, parseEnvelope, readBounded } from './envelope.js';
import {
  connectionError,
  deadlineError,
  exhaustedError,
  RATE_LIMIT_HINT,
  retryDecision,
  seconds,
} from './failures.js';
import type { Credentials, ResultInfo } from './types.js';
import { ShapeError } from './validate.js';

export const DEFAULT_BASE_URL = 'https://api.cloudflare.com/client/v4';

/** One line of request-level debug output. Never carries headers or bodies. */
export interface RequestEvent {
  method: string;
  path: string;
  attempt: number;
  status?: number;
  durationMs: number;
  error?: string;
}

export interface TransportOptions {
  credentials: Credentials;
  baseUrl?: string;
  /** Carries every request: an Agent or ProxyAgent in the action, a MockAgent in unit tests. */
  dispatcher: Dispatcher;
  /** Retries (after connection errors, timeouts, 429 and 5xx) allowed in all, shared by every request. */
  maxRetries?: number;
  /** Epoch ms by which all of the work must be done. */
  deadline?: number;
  /** Upper bound for one request; also capped by the time left before the deadline. */
  requestTimeoutMs?: number;
  clock?: Clock;
  userAgent?: string;
  onRequest?(event: RequestEvent): void;
  onRetry?(event: { method: string; path: string; waitMs: number; reason: string }): void;
}

export interface CallOptions {
  method: 'GET' | 'POST' | 'DELETE';
  path: string;
  query?: Record<string, string | number | undefined>;
  body?: unknown;
}

/** Reads what a call needs out of `result`; throws ShapeError when it is not there. */
export type ParseResult<T> = (result: unknown, resultInfo: ResultInfo | undefined) => T;

export class Transport {
  private readonly baseUrl: string;
  private readonly credentials: Credentials;
  private readonly dispatcher: Dispatcher;
  private readonly clock: Clock;
  private readonly maxRetries: number;
  private readonly retryBudget: RetryBudget;
  private deadline: number;
  private readonly requestTimeoutMs: number;
  private readonly userAgent: string;
  private readonly onRequest: TransportOptions['onRequest'];
  private readonly onRetry: TransportOptions['onRetry'];
  /** No request starts before this time: a 429's Retry-After pauses every caller. */
  private pausedUntil = 0;
  /** Server clock minus local clock, from the last `Date` header; see serverTime(). */
  private serverOffsetMs: number | undefined;
  /**
   * The ends of the budget kept back while keepingBack() calls run, each for the work that
   * follows it, with that work in words for the errors that come early because of it.
   */
  private readonly reserves = new Set<{ ms: number; purpose: string }>();
  /** Requests on the wire, each with the way to cut it short (see windDown()). */
  private readonly inFlight = new Set<(afterMs: number) => void>();
  /** Aborted by windDown(): waits (backoff, Retry-After, polls) end early then. */
  private readonly woundDown = new AbortController();
  /** A request has succeeded: a later 401/403 is not about the account id (see refusalHint). */
  private reached = false;
  /** The account's secrets quota as last read, for the message of a quota refusal. */
  private quota: { quota: number; usage: number } | undefined;

  constructor(options: TransportOptions) {
    this.credentials = options.credentials;
    this.baseUrl = (options.baseUrl ?? DEFAULT_BASE_URL).replace(/\/+$/, '');
    this.dispatcher = options.dispatcher;
    this.clock = options.clock ?? systemClock;
    this.maxRetries = options.maxRetries ?? 3;
    this.retryBudget = new RetryBudget(this.maxRetries);
    this.deadline = options.deadline ?? this.clock.now() + 120_000;
    this.requestTimeoutMs = options.requestTimeoutMs ?? 30_000;
    this.userAgent = options.userAgent ?? 'secrets-store-duplicate-action';
    this.onRequest = options.onRequest;
    this.onRetry = options.onRetry;
  }

  /** Milliseconds left before the deadline (less what keepingBack() holds back). */
  remainingMs(): number {
    return this.currentDeadline() - this.clock.now();
  }

  /**
   * Ends this client's work within `ms` from now: the deadline moves there (never later), and
   * each request in flight is cut at half of it, so that the work that follows those requests
   * (undoing what they left half done) still has the other half.
   */
  windDown(ms: number): void {
    this.deadline = Math.min(this.deadline, this.clock.now() + ms);
    for (const cut of this.inFlight) cut(ms / 2);
    // A wait longer than what is left (a Retry-After of a minute, say) would outlive the step.
    this.woundDown.abort();
  }

  /** Keeps the account's secrets quota, as just read, for the message of a quota refusal. */
  noteQuota(quota: { quota: number; usage: number }): void {
    this.quota = quota;
  }

  /**
   * Runs `fn` as if the deadline came `reserveMs` earlier, so that the time kept back is still
   * there when `fn` is done (say, to undo what `fn` did). `purpose` names that later work in
   * the errors of a deadline reached early. Calls may nest and run side by side: what they keep
   * back adds up. Nothing started by `fn` may outlive it.
   */
  async keepingBack<T>(reserveMs: number, purpose: string, fn: () => Promise<T>): Promise<T> {
    const reserve = { ms: Math.max(0, reserveMs), purpose };
    this.reserves.add(reserve);
    try {
      return await fn();
    } finally {
      this.reserves.delete(reserve);
    }
  }

  private reservedMs(): number {
    let total = 0;
    for (const { ms } of this.reserves) total += ms;
    return total;
  }

  private currentDeadline(): number {
    return this.deadline - this.reservedMs();
  }

  /** What a deadline error adds while time is kept back, so the user knows why it came early. */
  private keptBackNote(): string {
    const kept = [...this.reserves].filter((r) => r.ms > 0);
    if (kept.length === 0) return '';
    const purposes = [...new Set(kept.map((r) => r.purpose))].join(' and ');
    return ` (the last ${seconds(this.reservedMs())} s of it are kept for ${purposes})`;
  }

  /** The local time, from the injected clock. */
  now(): number {
    return this.clock.now();
  }

  /** Waits on the injected clock, so tests never really wait; windDown() ends the wait. */
  sleep(ms: number): Promise<void> {
    return this.clock.sleep(ms, this.wakeOnWindDown());
  }

  /**
   * The signal that ends a wait at windDown(); none once it came, since every wait that starts
   * after it is checked against the new deadline first (and would otherwise spin).
   */
  private wakeOnWindDown(): AbortSignal | undefined {
    return this.woundDown.signal.aborted ? undefined : this.woundDown.signal;
  }

  /**
   * A local time on the server's clock, from the last `Date` header (1 s resolution; no
   * correction before the first response).
   */
  serverTime(localMs: number): number {
    return localMs + (this.serverOffsetMs ?? 0);
  }

  /** Runs `fn` under the shared retry budget and deadline. */
  retrying<T>(fn: (attempt: number) => Promise<T>, classify = retryDecision): Promise<T> {
    // A getter: windDown() may bring the deadline nearer while a call is retrying.
    const deadline = () => this.currentDeadline();
    return withRetries(fn, {
      policy: {
        maxRetries: this.maxRetries,
        get deadline() {
          return deadline();
        },
        ...DEFAULT_BACKOFF,
      },
      clock: this.clock,
      classify,
      budget: this.retryBudget,
      interrupt: this.woundDown.signal,
      onExhausted: (error) => exhaustedError(error, this.maxRetries),
      onDeadline: (error, waitMs, remainingMs) =>
        deadlineError(error, waitMs, remainingMs, this.keptBackNote()),
      onRetry: ({ waitMs, error }) => {
        if (error instanceof CloudflareError) {
          this.onRetry?.({ method: error.method, path: error.path, waitMs, reason: error.summary });
        }
      },
    });
  }

  /** A request that is safe to repeat, so retried. */
  read<T>(options: CallOptions, parse: ParseResult<T>): Promise<T> {
    return this.retrying((attempt) => this.call(options, attempt, parse));
  }

  /** One HTTP exchange, never retried: envelope parsed and checked, every failure a CloudflareError. */
  async call<T>(options: CallOptions, attempt: number, parse: ParseResult<T>): Promise<T> {
    const { method, path } = options;
    await this.waitForPause(options);
    const remaining = this.remainingMs();
    if (remaining <= 0) {
      throw new CloudflareError(
        `${method} ${path} was not sent: the time budget is spent${this.keptBackNote()}.`,
        {
          kind: 'deadline',
          method,
          path,
        },
      );
    }
    let timeoutMs = Math.min(this.requestTimeoutMs, remaining);
    const controller = new AbortController();
    let timer = setTimeout(() => controller.abort(), timeoutMs);
    const started = this.clock.now();
    const cut = (afterMs: number) => {
      const elapsed = this.clock.now() - started;
      if (elapsed + afterMs >= timeoutMs) return;
      clearTimeout(timer);
      timeoutMs = elapsed + afterMs;
      timer = setTimeout(() => controller.abort(), afterMs);
    };
    this.inFlight.add(cut);
    let status: number | undefined;
    let failure: string | undefined;
    try {
      const url = this.url(options);
      const response = await this.dispatcher.request({
        origin: url.origin,
        path: `${url.pathname}${url.search}`,
        method,
        headers: this.headers(options.body !== undefined),
        // Stryker disable next-line ConditionalExpression: JSON.stringify(undefined) is undefined too
        body: options.body === undefined ? undefined : JSON.stringify(options.body),
        signal: controller.signal,
      });
      status = response.statusCode;
      this.noteServerTime(response.headers['date']);
      const text = await readBounded(response.body, response.headers['content-length']);
      if (text === undefined) {
        throw new CloudflareError(
          `${method} ${path} returned HTTP ${status} with a body larger than ${MAX_BODY_BYTES / 1024 / 1024} MiB; it was not read.`,
          { kind: 'invalid-response', method, path, status, ambiguous: true },
        );
      }
      const { result, resultInfo } = this.interpret(options, status, text, response.headers);
      try {
        const parsed = parse(result, resultInfo);
        this.reached = true;
        return parsed;
      } catch (error) {
        if (!(error instanceof ShapeError)) throw error;
        // The request succeeded but we cannot read what it did: for a write, it may have
        // taken effect, so the caller must look before it tries again.
        throw new CloudflareError(
          `${method} ${path} returned an unexpected answer from Cloudflare (HTTP ${status}): ${error.message}.`,
          { kind: 'invalid-response', method, path, status, ambiguous: true },
        );
      }
    } catch (error) {
      const failed = connectionError(error, options, status, controller.signal.aborted, timeoutMs);
      failure = failed.summary;
      if (failed.status === 429 && failed.retryAfterMs !== undefined) {
        this.pausedUntil = Math.max(this.pausedUntil, this.clock.now() + failed.retryAfterMs);
      }
      throw failed;
    } finally {
      clearTimeout(timer);
      this.inFlight.delete(cut);
      this.onRequest?.({
        method,
        path,
        attempt,
        status,
        durationMs: this.clock.now() - started,
        error: failure,
      });
    }
  }

  /** Holds a request back while a 429's Retry-After (seen by any caller) is in force. */
  private async waitForPause({ method, path }: CallOptions): Promise<void> {
    // Again after a windDown() that cut the wait short: what is left must fit the new deadline.
    for (;;) {
      const wait = this.pausedUntil - this.clock.now();
      if (wait <= 0) return;
      if (wait >= this.remainingMs()) {
        throw new CloudflareError(
          `${method} ${path} was not sent: Cloudflare rate-limited this account and asked to wait ${seconds(wait)} s, ` +
            `more than the ${seconds(this.remainingMs())} s left of the step's time budget${this.keptBackNote()}.`,
          { kind: 'deadline', method, path, status: 429, hint: RATE_LIMIT_HINT },
        );
      }
      const wake = this.wakeOnWindDown();
      await this.clock.sleep(wait, wake);
      if (!wake?.aborted) return;
    }
  }

  private url(options: CallOptions): URL {
    const url = new URL(this.baseUrl + options.path);
    for (const [key, value] of Object.entries(options.query ?? {})) {
      if (value !== undefined) url.searchParams.set(key, String(value));
    }
    return url;
  }

  private headers(hasBody: boolean): Record<string, string> {
    const headers: Record<string, string> = {
      accept: 'application/json',
      'user-agent': this.userAgent,
    };
    if (hasBody) headers['content-type'] = 'application/json';
    if (this.credentials.kind === 'token') {
      headers['authorization'] = `Bearer ${this.credentials.token}`;
    } else {
      headers['x-auth-email'] = this.credentials.email;
      headers['x-auth-key'] = this.credentials.key;
    }
    return headers;
  }

  private noteServerTime(dateHeader: string | string[] | undefined): void {
    const value = Array.isArray(dateHeader) ? dateHeader[0] : dateHeader;
    // Stryker disable next-line ConditionalExpression: Date.parse(undefined) is NaN too
    const serverTime = value === undefined ? Number.NaN : Date.parse(value);
    if (!Number.isNaN(serverTime)) this.serverOffsetMs = serverTime - this.clock.now();
  }

  /** Turns a complete HTTP answer into a result or a CloudflareError. */
  private interpret(
    options: CallOptions,
    status: number,
    text: string,
    headers: Record<string, string | string[] | undefined>,
  ): { result: unknown; resultInfo: ResultInfo | undefined } {
    const { method, path } = options;
    const where = `${method} ${path}`;
    const envelope = parseEnvelope(text);
    const errors = envelope?.errors ?? [];
    const retryAfterHeader = headers['retry-after'];
    // An HTTP-date Retry-After is on the server's clock, like the Date header of this answer.
    const retryAfterMs = parseRetryAfter(
      Array.isArray(retryAfterHeader) ? retryAfterHeader[0] : retryAfterHeader,
      this.serverTime(this.clock.now()),
    );

    if (status < 200 || status >= 300) {
      // An envelope with an empty `errors` (the schema does not require one) is still one:
      // its status says what failed.
      const detail =
        errors.length > 0
          ? formatCloudflareMessages(errors)
          : envelope
            ? 'no error details given'
            : describeBody(text, headers['content-type']);
      let summary = `${where} failed: HTTP ${status}: ${detail}.`;
      if (status >= 300 && status < 400) {
        summary += ' Redirects are not followed, so credentials never go to another address.';
      }
      throw new CloudflareError(summary, {
        kind: 'http',
        method,
        path,
        status,
        errors,
        ambiguous: status >= 500,
        retryAfterMs,
        hint: refusalHint(status, errors, {
          reached: this.reached,
          globalKey: this.credentials.kind === 'global-key',
          quota: this.quota,
        }),
      });
    }
    // The schema answers a DELETE with 202; any 2xx does, with or without a body (a 204 has none).
    if (method === 'DELETE' && text.trim() === '') return { result: null, resultInfo: undefined };
    if (envelope === undefined) {
      throw new CloudflareError(
        `${where} returned HTTP ${status} with ${describeBody(text, headers['content-type'])}, not a Cloudflare API response.`,
        { kind: 'invalid-response', method, path, status, ambiguous: true },
      );
    }
    if (envelope.success !== true) {
      const detail =
        errors.length > 0 ? formatCloudflareMessages(errors) : 'no error details given';
      throw new CloudflareError(`${where} failed: HTTP ${status} but success=false: ${detail}.`, {
        kind: 'http',
        method,
        path,
        status,
        errors,
      });
    }
    return { result: envelope.result, resultInfo: envelope.result_info };
  }
}
