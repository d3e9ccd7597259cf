/**
 * Reads one complete HTTP answer: a 2xx with a successful envelope gives its result; anything
 * else becomes a CloudflareError that says what came back (envelope.ts reads the body).
 */
import { CloudflareError, formatCloudflareMessages, refusalHint } from './errors.js';
import { describeBody, parseEnvelope } from './envelope.js';
import { parseRetryAfter } from './retry.js';
import type { CallOptions } from './transport.js';
import type { ResultInfo } from './types.js';

/** What the transport knows of the session, for the hints of a refusal and Retry-After. */
export interface AnswerContext {
  /** A request has succeeded before: a 401/403 is not about the account id. */
  reached: boolean;
  globalKey: boolean;
  quota: { quota: number; usage: number } | undefined;
  /** Now, on the server's clock (an HTTP-date Retry-After is on it). */
  serverNow: number;
}

/** Turns a complete HTTP answer into a result or a CloudflareError. */
export function interpretAnswer(
  options: CallOptions,
  status: number,
  text: string,
  headers: Record<string, string | string[] | undefined>,
  context: AnswerContext,
): { result: unknown; resultInfo: ResultInfo | undefined } {
  const { method, path } = options;
  const where = `${method} ${path}`;
  const envelope = parseEnvelope(text);
  const errors = envelope?.errors ?? [];
  const retryAfterHeader = headers['retry-after'];
  // An HTTP-date Retry-After is on the server's clock, like the Date header of this answer.
  const retryAfterMs = parseRetryAfter(
    Array.isArray(retryAfterHeader) ? retryAfterHeader[0] : retryAfterHeader,
    context.serverNow,
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
      hint: refusalHint(status, errors, context),
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
    const detail = errors.length > 0 ? formatCloudflareMessages(errors) : 'no error details given';
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
