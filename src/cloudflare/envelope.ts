/** Cloudflare's answer, read defensively: a body may be huge, HTML, truncated or forged. */
import type { Dispatcher } from 'undici';
import type { CloudflareMessage, Envelope } from './types.js';

/**
 * Largest answer read. A listing page of 100 secrets is well under 100 kB; a bigger answer is not
 * one we can use, and reading it all could take the runner's memory.
 */
export const MAX_BODY_BYTES = 4 * 1024 * 1024;

/**
 * The body as text, read a chunk at a time; undefined, and the rest left unread, once it passes
 * MAX_BODY_BYTES (or when its Content-Length says it will).
 */
export async function readBounded(
  body: Dispatcher.ResponseData['body'],
  contentLength: string | string[] | undefined,
): Promise<string | undefined> {
  const declared = Number(Array.isArray(contentLength) ? contentLength[0] : contentLength);
  if (declared > MAX_BODY_BYTES) {
    // undici emits an abort error on a body destroyed unread; nothing waits for it, so it is
    // dropped here rather than left to crash the step as an uncaught exception.
    body.on('error', () => undefined);
    body.destroy();
    return undefined;
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body as AsyncIterable<Buffer>) {
    size += chunk.length;
    // Leaving the loop destroys the body: a stream's iterator does so on return.
    if (size > MAX_BODY_BYTES) return undefined;
    chunks.push(chunk);
  }
  // Decoded as undici's text() does: UTF-8, a byte order mark dropped.
  return new TextDecoder().decode(Buffer.concat(chunks));
}

/** The envelope of `text`, or undefined when it is not one. */
export function parseEnvelope(text: string): Envelope<unknown> | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    // Not JSON: `parsed` stays undefined, turned away below.
  }
  if (typeof parsed !== 'object' || parsed === null || !('success' in parsed)) return undefined;
  const envelope = parsed as Partial<Envelope<unknown>>;
  return {
    success: envelope.success === true,
    errors: cleanMessages(envelope.errors),
    messages: cleanMessages(envelope.messages),
    result: envelope.result,
    result_info:
      typeof envelope.result_info === 'object' && envelope.result_info !== null
        ? envelope.result_info
        : undefined,
  };
}

function cleanMessages(value: unknown): CloudflareMessage[] {
  if (!Array.isArray(value)) return [];
  return value
    .filter((m): m is Record<string, unknown> => typeof m === 'object' && m !== null)
    .map((m) => ({
      code: Number(m.code) || 0,
      message: typeof m.message === 'string' ? m.message : JSON.stringify(m.message ?? ''),
      ...(typeof m.documentation_url === 'string' && m.documentation_url !== ''
        ? { documentation_url: m.documentation_url }
        : {}),
    }));
}

/** What a body that is not an envelope looks like, short enough for a log line. */
export function describeBody(text: string, contentType: string | string[] | undefined): string {
  const type = (Array.isArray(contentType) ? contentType[0] : contentType)
    ?.replace(/;[\s\S]*/, '')
    .trim();
  if (text.trim() === '') return 'an empty body';
  const title = /<title>([^<]{1,120})<\/title>/i.exec(text)?.[1]?.trim();
  if (title) return `an HTML page titled "${title}"`;
  if (type === 'application/json' || /^[[{]/.test(text.trim())) {
    try {
      JSON.parse(text);
      return 'JSON that is not a Cloudflare envelope';
    } catch {
      return `truncated or malformed JSON (${text.length} bytes)`;
    }
  }
  return type
    ? `a body of type ${type} (${text.length} bytes)`
    : `a non-JSON body (${text.length} bytes)`;
}
