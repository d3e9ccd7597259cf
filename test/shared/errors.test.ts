import { describe, expect, it } from 'vitest';
import { CloudflareError } from '../../src/cloudflare/errors.js';
import {
  ActionError,
  failureLines,
  failureText,
  isExpectedFailure,
} from '../../src/shared/errors.js';
import { InputError } from '../../src/inputs/values.js';

const http = new CloudflareError('GET /x failed: HTTP 400: [1001] bad.', {
  kind: 'http',
  method: 'GET',
  path: '/x',
  status: 400,
});
const deadline = new CloudflareError('GET /x was not sent: the time budget is spent.', {
  kind: 'deadline',
  method: 'GET',
  path: '/x',
});

describe('failureText', () => {
  it('reports expected failures by their message alone', () => {
    expect(failureText(new ActionError('No store named "x".'))).toBe('No store named "x".');
    expect(failureText(new InputError('name is required.'))).toBe(
      'Invalid input: name is required.',
    );
    expect(failureText(http)).toBe('GET /x failed: HTTP 400: [1001] bad.');
  });

  it('names the input that sets the time budget when the deadline stopped the step', () => {
    expect(failureText(deadline)).toBe(
      'GET /x was not sent: the time budget is spent. The timeout-seconds input sets that time budget.',
    );
  });

  it('names the input that sets the address when a redirect was refused', () => {
    const redirect = new CloudflareError('GET /x failed: HTTP 301: an empty body.', {
      kind: 'http',
      method: 'GET',
      path: '/x',
      status: 301,
    });
    expect(failureText(redirect)).toBe(
      'GET /x failed: HTTP 301: an empty body. Check the api-base-url input.',
    );
  });

  it.each([
    [300, true],
    [399, true],
    [400, false],
    [undefined, false],
  ])('HTTP %s: points to api-base-url only for a 3xx', (status, hinted) => {
    const error = new CloudflareError('GET /x failed.', {
      kind: status === undefined ? 'network' : 'http',
      method: 'GET',
      path: '/x',
      status,
    });
    expect(failureText(error)).toBe(
      hinted ? 'GET /x failed. Check the api-base-url input.' : 'GET /x failed.',
    );
  });

  it('a status on an error that is not from the client gets no hint: it is unexpected', () => {
    const error = Object.assign(new Error('moved'), { status: 301 });
    expect(failureText(error)).toBe('Unexpected error: moved');
  });

  it('calls anything else unexpected', () => {
    expect(failureText(new TypeError('x is not a function'))).toBe(
      'Unexpected error: x is not a function',
    );
    expect(failureText('thrown string')).toBe('Unexpected error: thrown string');
  });
});

describe('isExpectedFailure', () => {
  it('accepts the action and Cloudflare errors, including input errors, and nothing else', () => {
    expect([new ActionError('a'), new InputError('b'), http].map(isExpectedFailure)).toEqual([
      true,
      true,
      true,
    ]);
    expect([new Error('c'), new TypeError('d'), undefined].map(isExpectedFailure)).toEqual([
      false,
      false,
      false,
    ]);
  });
});

describe('ActionError', () => {
  it('is named, so a stack or a log says which error it was', () => {
    expect(new ActionError('x').name).toBe('ActionError');
    expect(String(new ActionError('x'))).toBe('ActionError: x');
  });
});

describe('failureLines', () => {
  it('keeps the head and items of a message about several things apart', () => {
    const error = new ActionError('Nothing was written: 2 of 2 lines cannot be copied.', [
      'secrets line 1: a\nb',
      'secrets line 2: c',
    ]);
    expect(failureLines(error)).toEqual([
      'Nothing was written: 2 of 2 lines cannot be copied.',
      '- secrets line 1: a\nb',
      '- secrets line 2: c',
    ]);
    expect(error.message).toBe(failureLines(error).join('\n'));
    expect(failureLines(new InputError('a.', 'b.'))).toEqual(['Invalid inputs:', '- a.', '- b.']);
  });

  it('is the failure text, as one line, for anything else', () => {
    expect(failureLines(http)).toEqual(['GET /x failed: HTTP 400: [1001] bad.']);
    expect(failureLines(new Error('x\ny'))).toEqual(['Unexpected error: x\ny']);
  });
});
