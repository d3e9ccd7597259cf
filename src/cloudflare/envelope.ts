/** Cloudflare's answer envelope, read defensively: a body may be HTML, truncated or forged. */
import type { CloudflareMessage, Envelope } from './types.js';

/** The envelope of `text`, or undefined when it is not one. */
export function parseEnvelope(text: string): Envelope<unknown> | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return undefined;
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
      code: typeof m.code === 'number' ? m.code : Number(m.code) || 0,
      message: typeof m.message === 'string' ? m.message : JSON.stringify(m.message ?? ''),
      ...(typeof m.documentation_url === 'string' && m.documentation_url !== ''
        ? { documentation_url: m.documentation_url }
        : {}),
    }));
}

/** What a body that is not an envelope looks like, short enough for a log line. */
export function describeBody(text: string, contentType: string | string[] | undefined): string {
  const type = (Array.isArray(contentType) ? contentType[0] : contentType)?.split(';')[0]?.trim();
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
