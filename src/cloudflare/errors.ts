import type { CloudflareMessage } from './types.js';

/**
 * Why a request failed:
 * - `http`: Cloudflare answered with a non-2xx status or `success: false`;
 * - `network`: the connection failed or broke;
 * - `timeout`: no complete answer within the request's timeout;
 * - `invalid-response`: an answer we cannot trust (not JSON, truncated, fields missing);
 * - `deadline`: the overall time budget ran out before another attempt could be made.
 */
export type FailureKind = 'http' | 'network' | 'timeout' | 'invalid-response' | 'deadline';

export interface CloudflareErrorDetails {
  kind: FailureKind;
  method: string;
  /** Path below the API root, e.g. `/accounts/{id}/secrets_store/stores`. Never has credentials. */
  path: string;
  status?: number;
  errors?: CloudflareMessage[];
  /**
   * True when the request may have reached Cloudflare and taken effect although we saw no
   * success: the connection broke after sending, the request timed out, or a 5xx came back.
   * A write that failed this way must be reconciled before it is sent again.
   */
  ambiguous?: boolean;
  /** The server's `Retry-After`, in milliseconds, when it sent one. */
  retryAfterMs?: number;
  /** Extra sentences that tell the user what to do. */
  hint?: string;
}

/** A failed Cloudflare API call, with a message a user can act on. */
export class CloudflareError extends Error {
  readonly kind: FailureKind;
  readonly method: string;
  readonly path: string;
  readonly status: number | undefined;
  readonly errors: CloudflareMessage[];
  readonly ambiguous: boolean;
  readonly retryAfterMs: number | undefined;
  readonly hint: string | undefined;
  /** What went wrong, without the hint (the message is this plus the hint). */
  readonly summary: string;

  constructor(summary: string, details: CloudflareErrorDetails) {
    const hint = details.hint ?? defaultHint(details.status);
    super(hint ? `${summary} ${hint}` : summary);
    this.name = 'CloudflareError';
    this.summary = summary;
    this.kind = details.kind;
    this.method = details.method;
    this.path = details.path;
    this.status = details.status;
    this.errors = details.errors ?? [];
    this.ambiguous = details.ambiguous ?? false;
    this.retryAfterMs = details.retryAfterMs;
    this.hint = hint;
  }

  /** The same failure with a different hint (used once the caller knows more than the client). */
  withHint(hint: string): CloudflareError {
    return new CloudflareError(this.summary, { ...this.details(), hint });
  }

  /** The same failure with more words about what happened. */
  withSummary(summary: string): CloudflareError {
    return new CloudflareError(summary, { ...this.details(), hint: this.hint ?? '' });
  }

  private details(): CloudflareErrorDetails {
    return {
      kind: this.kind,
      method: this.method,
      path: this.path,
      status: this.status,
      errors: this.errors,
      ambiguous: this.ambiguous,
      retryAfterMs: this.retryAfterMs,
    };
  }
}

/** `[10000] Authentication error (https://...)`, one per Cloudflare error, joined by `; `. */
export function formatCloudflareMessages(messages: readonly CloudflareMessage[]): string {
  return messages
    .map((m) => {
      const doc = m.documentation_url ? ` (${m.documentation_url})` : '';
      return `[${m.code}] ${m.message}${doc}`;
    })
    .join('; ');
}

/** What the client knows when Cloudflare refuses a request, to say which cause is likely. */
export interface RefusalContext {
  /** An earlier request to this account succeeded: its id and the token's access to it hold. */
  reached: boolean;
  /** The legacy email and Global API key pair is in use, not a token. */
  globalKey: boolean;
  /** The account's secrets quota, when this client read it. */
  quota?: { quota: number; usage: number };
}

const WRITE_PERMISSION = '"Secrets Store Write" permission (Account, Secrets Store, Edit)';

/**
 * The hint for a refused request: a quota refusal says quota and nothing of credentials; a 401
 * or 403 names the likeliest wrong thing first (the account id, the token's account resources
 * or its permissions). Undefined for other failures.
 */
export function refusalHint(
  status: number | undefined,
  errors: readonly CloudflareMessage[],
  context: RefusalContext,
): string | undefined {
  if (status === undefined || status < 400 || status >= 500) return undefined;
  if (status !== 404 && status !== 429 && isQuotaRefusal(errors)) {
    const used = context.quota
      ? ` (it used ${context.quota.usage} of its ${context.quota.quota} secrets when this step read it)`
      : '';
    return (
      `Cloudflare refused it for the account's Secrets Store quota${used}: delete secrets the account ` +
      'no longer needs, or ask Cloudflare for a higher limit, then run the step again.'
    );
  }
  if (status !== 401 && status !== 403) return undefined;
  if (context.globalKey) {
    return (
      'Check first that the account id is the one of the account that holds the store, then that ' +
      'the email and Global API key are current and belong to a member of that account.'
    );
  }
  if (status === 401) {
    return (
      'Cloudflare did not accept the API token: check first that it was copied whole and is still ' +
      `active (Cloudflare dashboard, My Profile, API Tokens). It needs the ${WRITE_PERMISSION}.`
    );
  }
  if (context.reached) {
    return (
      "Earlier requests to this account succeeded, so the account id and the token's account " +
      `resources are right: the token lacks a permission. Check first that it has the ${WRITE_PERMISSION}; ` +
      '"Secrets Store Read" allows only reads, such as a dry run.'
    );
  }
  return (
    'The account id is the likeliest cause: check first that it is the Account ID the Cloudflare ' +
    "dashboard shows for the account that holds the store. If it is, the token's account resources " +
    `must include that account, and it needs the ${WRITE_PERMISSION}.`
  );
}

/**
 * Cloudflare documents no quota error code, and its status varies (400, 403), so the words of its
 * errors tell: "quota", or a `maximum_…_exceeded` identifier such as the stores' one.
 */
function isQuotaRefusal(errors: readonly CloudflareMessage[]): boolean {
  return errors.some((e) => /quota|maximum_\w*_exceeded/i.test(e.message));
}

function defaultHint(status: number | undefined): string | undefined {
  return refusalHint(status, [], { reached: false, globalKey: false });
}

/** What the API says when a secret or a store is not there (code 1001, like validation errors). */
const NOT_FOUND_MESSAGES = new Set(['secret_not_found', 'store_not_found']);

/**
 * True when `error` says the thing asked for is not there: a 404, or any other 4xx whose errors
 * say `secret_not_found` or `store_not_found`. The schema gives every error status only as 4XX
 * and the live API uses code 1001 for not-found and validation alike, so not-found may come back
 * as a 400: the message decides, not the status. Where the answer leads to a delete or a
 * re-create, the caller still confirms by looking.
 */
export function isNotFound(error: unknown): boolean {
  if (!(error instanceof CloudflareError)) return false;
  const status = error.status ?? 0;
  if (status === 404) return true;
  return (
    status >= 400 &&
    status < 500 &&
    error.errors.some((e) => NOT_FOUND_MESSAGES.has(e.message.trim().toLowerCase()))
  );
}
