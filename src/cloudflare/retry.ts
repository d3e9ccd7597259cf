/**
 * Retries with full-jitter exponential backoff, bounded by a count and by a deadline.
 *
 * The clock and sleep are injected so backoff can be tested without waiting.
 */

export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  /** Waits `ms`, or less: it resolves as soon as `signal` (if given) is aborted. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
  /** A number in [0, 1): the jitter source. */
  random(): number;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms, signal) =>
    new Promise((resolve) => {
      if (signal?.aborted) return resolve();
      const done = () => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      signal?.addEventListener('abort', done, { once: true });
    }),
  random: () => Math.random(),
};

export interface RetryPolicy {
  /** Retries after the first attempt (0 = one attempt only). */
  maxRetries: number;
  /** Epoch milliseconds after which no attempt starts and no wait is begun. */
  deadline: number;
  /** First backoff ceiling; doubles each retry up to `maxDelayMs`. */
  baseDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_BACKOFF = { baseDelayMs: 500, maxDelayMs: 8_000 } as const;

/** What to do with a failed attempt. `afterMs` is a wait the server asked for (Retry-After). */
export type RetryDecision = { retry: false } | { retry: true; afterMs?: number };

export interface RetryOptions {
  policy: RetryPolicy;
  clock: Clock;
  classify(error: unknown): RetryDecision;
  /**
   * Builds the error thrown when a retry would pass the deadline; gets the last error and the
   * wait that did not fit. Without it the last error is thrown as it is.
   */
  onDeadline?(error: unknown, waitMs: number, remainingMs: number): unknown;
  onRetry?(event: { attempt: number; waitMs: number; error: unknown }): void;
  /** Retries shared with other calls; a retry is made only if it can take one. */
  budget?: RetryBudget;
  /**
   * Builds the error thrown when a retryable failure is not retried because the retries are used
   * up. Without it the last error is thrown as it is.
   */
  onExhausted?(error: unknown): unknown;
  /**
   * Aborted when the deadline is brought nearer (a cancelled step): a wait in progress ends
   * then, and goes on only if what is left of it still fits before the deadline.
   */
  interrupt?: AbortSignal;
}

/**
 * Retries shared by every call of one run, so that a run (a list of copies included) retries at
 * most `size` times in all, however many requests it makes.
 */
export class RetryBudget {
  private left: number;

  constructor(readonly size: number) {
    this.left = size;
  }

  /** Takes one retry; false when none is left. */
  take(): boolean {
    if (this.left <= 0) return false;
    this.left -= 1;
    return true;
  }

  get remaining(): number {
    return this.left;
  }
}

/** Full jitter (AWS Architecture Blog, "Exponential Backoff And Jitter"): uniform in [0, cap). */
export function backoffDelay(retry: number, policy: RetryPolicy, random: () => number): number {
  const cap = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** retry);
  return Math.floor(random() * cap);
}

/** Runs `attempt` until it succeeds, a failure is not retryable, or the budget is spent. */
export async function withRetries<T>(
  attempt: (attemptNumber: number) => Promise<T>,
  options: RetryOptions,
): Promise<T> {
  const { policy, clock } = options;
  for (let retry = 0; ; retry++) {
    try {
      return await attempt(retry + 1);
    } catch (error) {
      const decision = options.classify(error);
      if (!decision.retry) throw error;
      if (retry >= policy.maxRetries || (options.budget && !options.budget.take())) {
        throw options.onExhausted ? options.onExhausted(error) : error;
      }
      const waitMs = decision.afterMs ?? backoffDelay(retry, policy, clock.random);
      const remainingMs = policy.deadline - clock.now();
      if (waitMs >= remainingMs) {
        throw options.onDeadline ? options.onDeadline(error, waitMs, remainingMs) : error;
      }
      options.onRetry?.({ attempt: retry + 1, waitMs, error });
      const wakeAt = clock.now() + waitMs;
      await clock.sleep(waitMs, options.interrupt);
      if (options.interrupt?.aborted) {
        const left = wakeAt - clock.now();
        const remaining = policy.deadline - clock.now();
        if (left >= remaining) {
          throw options.onDeadline ? options.onDeadline(error, left, remaining) : error;
        }
        if (left > 0) await clock.sleep(left);
      }
    }
  }
}

/**
 * Parses `Retry-After`: whole seconds or an HTTP date (RFC 9110 §10.2.3). Returns milliseconds
 * from `now`, or undefined when absent or unreadable.
 */
export function parseRetryAfter(value: string | undefined, now: number): number | undefined {
  if (value === undefined) return undefined;
  const text = value.trim();
  if (text === '') return undefined;
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  // Only an IMF-fixdate ("Sun, 06 Nov 1994 08:49:37 GMT"), the form RFC 9110 requires senders
  // to use: Date.parse alone would read "1.5" or "-1" as dates and retry at once.
  if (!/^[A-Za-z]{3}, \d{2} [A-Za-z]{3} \d{4} \d{2}:\d{2}:\d{2} GMT$/.test(text)) return undefined;
  const date = Date.parse(text);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - now);
}
