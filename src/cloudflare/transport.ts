/**
 * How the Secrets Store client talks HTTP: one request with its timeout, the envelope checked,
 * every failure turned into a CloudflareError, and retries under one budget and deadline.
 * It knows no endpoint (src/cloudflare/client.ts does); failures.ts says which failures are
 * retried and how they read, answer.ts and envelope.ts how an answer is read, request.ts what
 * a request sends.
 */
import type { Dispatcher } from 'undici';
import { interpretAnswer } from './answer.js';
import { Deadline } from './deadline.js';
import { CloudflareError } from './errors.js';
import { DEFAULT_BACKOFF, RetryBudget, systemClock, withRetries, type Clock } from './retry.js';
import { MAX_BODY_BYTES, readBounded } from './envelope.js';
import {
  connectionError,
  deadlineError,
  exhaustedError,
  RATE_LIMIT_HINT,
  retryDecision,
  seconds,
} from './failures.js';
import { requestHeaders, requestUrl } from './request.js';
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
  private readonly deadline: Deadline;
  private readonly requestTimeoutMs: number;
  private readonly userAgent: string;
  private readonly onRequest: TransportOptions['onRequest'];
  private readonly onRetry: TransportOptions['onRetry'];
  /** No request starts before this time: a 429's Retry-After pauses every caller. */
  private pausedUntil = 0;
  /** Server clock minus local clock, from the last `Date` header; see serverTime(). */
  private serverOffsetMs: number | undefined;
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
    this.deadline = new Deadline(this.clock, options.deadline ?? this.clock.now() + 120_000);
    this.requestTimeoutMs = options.requestTimeoutMs ?? 30_000;
    this.userAgent = options.userAgent ?? 'secrets-store-duplicate-action';
    this.onRequest = options.onRequest;
    this.onRetry = options.onRetry;
  }

  /** Milliseconds left before the deadline (less what keepingBack() holds back). */
  remainingMs(): number {
    return this.deadline.remainingMs();
  }

  /** See Deadline.windDown: ends the work within `ms`, requests in flight cut at half of it. */
  windDown(ms: number): void {
    this.deadline.windDown(ms);
    // A wait longer than what is left (a Retry-After of a minute, say) would outlive the step.
    this.woundDown.abort();
  }

  /** Keeps the account's secrets quota, as just read, for the message of a quota refusal. */
  noteQuota(quota: { quota: number; usage: number }): void {
    this.quota = quota;
  }

  /** See Deadline.keepingBack: runs `fn` with the last `reserveMs` kept for `purpose`. */
  keepingBack<T>(reserveMs: number, purpose: string, fn: () => Promise<T>): Promise<T> {
    return this.deadline.keepingBack(reserveMs, purpose, fn);
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
    const deadline = () => this.deadline.current();
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
        deadlineError(error, waitMs, remainingMs, this.deadline.keptBackNote()),
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
        `${method} ${path} was not sent: the time budget is spent${this.deadline.keptBackNote()}.`,
        {
          kind: 'deadline',
          method,
          path,
        },
      );
    }
    const timer = this.deadline.startRequest(Math.min(this.requestTimeoutMs, remaining));
    const started = this.clock.now();
    let status: number | undefined;
    let failure: string | undefined;
    try {
      const url = requestUrl(this.baseUrl, options);
      const response = await this.dispatcher.request({
        origin: url.origin,
        path: `${url.pathname}${url.search}`,
        method,
        headers: requestHeaders(this.credentials, this.userAgent, options.body !== undefined),
        // No body for undefined: JSON.stringify(undefined) is undefined.
        body: JSON.stringify(options.body),
        signal: timer.signal,
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
      const { result, resultInfo } = interpretAnswer(options, status, text, response.headers, {
        reached: this.reached,
        globalKey: this.credentials.kind === 'global-key',
        quota: this.quota,
        serverNow: this.serverTime(this.clock.now()),
      });
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
      const failed = connectionError(
        error,
        options,
        status,
        timer.signal.aborted,
        timer.timeoutMs(),
      );
      failure = failed.summary;
      if (failed.status === 429 && failed.retryAfterMs !== undefined) {
        this.pausedUntil = Math.max(this.pausedUntil, this.clock.now() + failed.retryAfterMs);
      }
      throw failed;
    } finally {
      timer.done();
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
            `more than the ${seconds(this.remainingMs())} s left of the step's time budget${this.deadline.keptBackNote()}.`,
          { kind: 'deadline', method, path, status: 429, hint: RATE_LIMIT_HINT },
        );
      }
      const wake = this.wakeOnWindDown();
      await this.clock.sleep(wait, wake);
      if (!wake?.aborted) return;
    }
  }

  private noteServerTime(dateHeader: string | string[] | undefined): void {
    const value = Array.isArray(dateHeader) ? dateHeader[0] : dateHeader;
    // Stryker disable next-line ConditionalExpression: Date.parse(undefined) is NaN too
    const serverTime = value === undefined ? Number.NaN : Date.parse(value);
    if (!Number.isNaN(serverTime)) this.serverOffsetMs = serverTime - this.clock.now();
  }
}
