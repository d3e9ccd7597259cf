/**
 * The envelope reader and the body describer on their own: every answer goes through them,
 * whatever its shape, and what they return ends up in a user's error message.
 */
import { describe, expect, it } from 'vitest';
import { describeBody, parseEnvelope } from '../../src/cloudflare/envelope.js';

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
    [`<title>${'x'.repeat(121)}</title>`, undefined, 'a non-JSON body (136 bytes)'],
  ])('%j (%j): %s', (text, contentType, description) => {
    expect(describeBody(text, contentType)).toBe(description);
  });
});
