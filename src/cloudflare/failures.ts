/**
 * Which failed requests are tried again, and how a failure reads: a connection error or timeout
 * turned into a CloudflareError, and the errors of a retry budget or deadline used up.
 */
import { CloudflareError } from './errors.js';
import type { RetryDecision } from './retry.js';

export const RATE_LIMIT_HINT =
  'A rate-limited account stays locked for 5 minutes (1,200 requests per 5 minutes, shared by every tool on the account): try again later, or allow more time.';

/**
 * A failure with no HTTP answer to read (a connection error, a timeout, a body that broke off) as
 * a CloudflareError; `ambiguous` unless the error proves the request never left this machine.
 */
export function connectionError(
  error: unknown,
  { method, path }: { method: string; path: string },
  status: number | undefined,
  timedOut: boolean,
  timeoutMs: number,
): CloudflareError {
  if (error instanceof CloudflareError) return error;
  const where = `${method} ${path}`;
  if (timedOut) {
    return new CloudflareError(
      `${where} timed out after ${seconds(timeoutMs)} s${status ? ` (HTTP ${status} headers arrived, the body did not)` : ''}.`,
      { kind: 'timeout', method, path, status, ambiguous: true },
    );
  }
  const code = errorCode(error);
  // Only these codes prove the request never left this machine; anything else may have
  // reached Cloudflare.
  const neverSent = ['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'UND_ERR_CONNECT_TIMEOUT'];
  const reason = code ? `${code}: ${safeMessage(error)}` : safeMessage(error);
  const detail =
    status === undefined
      ? `the connection failed (${reason})`
      : `HTTP ${status} arrived but its body broke off (${reason})`;
  return new CloudflareError(`${where} failed: ${detail}.`, {
    kind: status === undefined ? 'network' : 'invalid-response',
    method,
    path,
    status,
    ambiguous: !(status === undefined && neverSent.some((c) => c === code)),
  });
}

/** Retry reads and rejected writes: connection errors, timeouts, 429 and 5xx; never other 4xx. */
export function retryDecision(error: unknown): RetryDecision {
  if (!(error instanceof CloudflareError)) return { retry: false };
  switch (error.kind) {
    case 'network':
    case 'timeout':
      return { retry: true };
    case 'invalid-response':
      // A broken or non-JSON body: retryable when the status says the server had trouble.
      return error.status === undefined || error.status >= 500 ? { retry: true } : { retry: false };
    case 'http':
      if (error.status === 429) return { retry: true, afterMs: error.retryAfterMs };
      return (error.status ?? 0) >= 500 ? { retry: true } : { retry: false };
    case 'deadline':
      return { retry: false };
  }
}

/** The last error, saying that it was not retried because the run's retries are used up. */
export function exhaustedError(error: unknown, maxRetries: number): unknown {
  // With retries turned off (0) there is nothing to explain.
  if (!(error instanceof CloudflareError) || maxRetries === 0) return error;
  const allowed =
    maxRetries === 1
      ? 'the 1 retry allowed for this run is'
      : `the ${maxRetries} retries allowed for this run are`;
  return error.withSummary(`${error.summary} Not retried: ${allowed} used up.`);
}

export function deadlineError(
  error: unknown,
  waitMs: number,
  remainingMs: number,
  keptBack: string,
): unknown {
  if (!(error instanceof CloudflareError)) return error;
  const left = `${seconds(Math.max(0, remainingMs))} s left of the step's time budget${keptBack}`;
  if (error.status === 429 && error.retryAfterMs !== undefined) {
    return new CloudflareError(
      `${error.summary} Cloudflare asked to wait ${seconds(waitMs)} s before retrying (Retry-After), ` +
        `more than the ${left}, so the step stops now instead of sleeping.`,
      {
        kind: 'deadline',
        method: error.method,
        path: error.path,
        status: 429,
        errors: error.errors,
        hint: RATE_LIMIT_HINT,
      },
    );
  }
  return new CloudflareError(
    `${error.summary} Not retried: the next attempt would pass the ${left}.`,
    {
      kind: 'deadline',
      method: error.method,
      path: error.path,
      status: error.status,
      errors: error.errors,
      ambiguous: error.ambiguous,
      hint: error.hint ?? '',
    },
  );
}

function errorCode(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string') return code;
  const cause = (error as { cause?: unknown }).cause;
  return cause === error ? undefined : errorCode(cause);
}

/**
 * The error's own message only: undici errors can carry request options (headers included) as
 * properties, so nothing but `.message` is ever read, and it is cut short.
 */
function safeMessage(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.replace(/\n[\s\S]*/, '').slice(0, 200);
}

export function seconds(ms: number): string {
  return (Math.round(ms / 100) / 10).toString();
}
