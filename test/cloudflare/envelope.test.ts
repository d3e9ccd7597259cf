/**
 * The envelope reader and the body describer on their own: every answer goes through them,
 * whatever its shape, and what they return ends up in a user's error message.
 */
import { Readable } from 'node:stream';
import type { Dispatcher } from 'undici';
import { describe, expect, it } from 'vitest';
import {
  MAX_BODY_BYTES,
  describeBody,
  parseEnvelope,
  readBounded,
} from '../../src/cloudflare/envelope.js';

/** A body that yields `chunks`, and says how many of them were read. */
function bodyOf(...chunks: Buffer[]) {
  let read = 0;
  const stream = Readable.from(
    (function* () {
      for (const chunk of chunks) {
        read += 1;
        yield chunk;
      }
    })(),
  );
  return {
    body: stream as unknown as Dispatcher.ResponseData['body'],
    stream,
    read: () => read,
  };
}

describe('readBounded', () => {
  it('reads a body of exactly MAX_BODY_BYTES, declared as such', async () => {
    const { body } = bodyOf(Buffer.alloc(MAX_BODY_BYTES - 1, 'a'), Buffer.from('b'));

    const text = await readBounded(body, String(MAX_BODY_BYTES));

    expect(text?.length).toBe(MAX_BODY_BYTES);
    expect(text?.endsWith('ab')).toBe(true);
  });

  // Mutant: the Content-Length check dropped (or `>` as `>=`, or made `false`), or the body
  // left open once it is turned away.
  it('reads nothing of a body whose Content-Length is over MAX_BODY_BYTES, and closes it', async () => {
    const { body, stream, read } = bodyOf(Buffer.from('{"success":true}'));

    expect(await readBounded(body, [String(MAX_BODY_BYTES + 1), '16'])).toBeUndefined();
    expect(read()).toBe(0);
    expect(stream.destroyed).toBe(true);
  });

  // Mutant: the body left open once it passes MAX_BODY_BYTES.
  it('stops reading, and closes the body, once it passes MAX_BODY_BYTES', async () => {
    const { body, stream, read } = bodyOf(
      Buffer.alloc(MAX_BODY_BYTES, 'a'),
      Buffer.from('b'),
      Buffer.from('never read'),
    );

    expect(await readBounded(body, undefined)).toBeUndefined();
    expect(read()).toBe(2);
    expect(stream.destroyed).toBe(true);
  });

  it('decodes UTF-8 split across chunks, and drops a byte order mark', async () => {
    const bytes = Buffer.from('\uFEFF{"message":"caf\u00e9"}');
    const { body } = bodyOf(bytes.subarray(0, 17), bytes.subarray(17));

    expect(await readBounded(body, undefined)).toBe('{"message":"caf\u00e9"}');
  });
});

describe('parseEnvelope', () => {
  it.each([
    ['not JSON', '<html>'],
    ['JSON null', 'null'],
    ['a JSON string', '"success"'],
    ['an array', '[{"success":true}]'],
    ['an object without success', '{"result":{}}'],
  ])('is undefined for %s', (_what, text) => {
    expect(parseEnvelope(text)).toBeUndefined();
  });

  it('reads a whole envelope', () => {
    const text = JSON.stringify({
      success: true,
      errors: [],
      messages: [{ code: 1, message: 'note' }],
      result: [{ id: 'a' }],
      result_info: { page: 1, total_pages: 2 },
    });

    expect(parseEnvelope(text)).toEqual({
      success: true,
      errors: [],
      messages: [{ code: 1, message: 'note' }],
      result: [{ id: 'a' }],
      result_info: { page: 1, total_pages: 2 },
    });
  });

  it('takes success only when it is exactly true', () => {
    expect(parseEnvelope('{"success":"true"}')?.success).toBe(false);
    expect(parseEnvelope('{"success":1}')?.success).toBe(false);
  });

  it('leaves out a result_info that is not an object', () => {
    expect(parseEnvelope('{"success":true,"result_info":null}')?.result_info).toBeUndefined();
    expect(parseEnvelope('{"success":true,"result_info":"1"}')?.result_info).toBeUndefined();
  });

  it('cleans the messages: only objects, a numeric code, a string message, a non-empty url', () => {
    const text = JSON.stringify({
      success: false,
      errors: [
        null,
        'text',
        7,
        { code: '1001', message: 'code as text', documentation_url: '' },
        { code: 'abc', message: { detail: 'not a string' }, documentation_url: 42 },
        { documentation_url: 'https://x.test/doc' },
      ],
      messages: 'not a list',
    });

    expect(parseEnvelope(text)).toEqual({
      success: false,
      errors: [
        { code: 1001, message: 'code as text' },
        { code: 0, message: '{"detail":"not a string"}' },
        { code: 0, message: '""', documentation_url: 'https://x.test/doc' },
      ],
      messages: [],
      result: undefined,
      result_info: undefined,
    });
  });
});

describe('describeBody', () => {
  it.each([
    ['', undefined, 'an empty body'],
    [' \n ', 'application/json', 'an empty body'],
    [
      '<HTML><Title> 502 Bad Gateway </Title></HTML>',
      'text/html',
      'an HTML page titled "502 Bad Gateway"',
    ],
    ['{"a":1}', 'application/json; charset=utf-8', 'JSON that is not a Cloudflare envelope'],
    ['{"a":1}', ['application/json', 'text/plain'], 'JSON that is not a Cloudflare envelope'],
    ['  [1, 2]', undefined, 'JSON that is not a Cloudflare envelope'],
    ['{"success":tr', undefined, 'truncated or malformed JSON (13 bytes)'],
    ['nope', 'application/json', 'truncated or malformed JSON (4 bytes)'],
    ['plain words', 'text/plain; charset=utf-8', 'a body of type text/plain (11 bytes)'],
    ['plain words', undefined, 'a non-JSON body (11 bytes)'],
    // Mutant: the media type not trimmed, so `application/json ;` is not JSON.
    ['nope', 'application/json ; charset=utf-8', 'truncated or malformed JSON (4 bytes)'],
    ['plain words', 'text/plain ; charset=utf-8', 'a body of type text/plain (11 bytes)'],
    // Mutant: `/^[[{]/` without its `^`, taking any body with a brace in it for JSON.
    ['plain {words}', undefined, 'a non-JSON body (13 bytes)'],
    [`<title>${'x'.repeat(121)}</title>`, undefined, 'a non-JSON body (136 bytes)'],
  ])('%j (%j): %s', (text, contentType, description) => {
    expect(describeBody(text, contentType)).toBe(description);
  });
});
