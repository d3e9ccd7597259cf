import { describe, expect, it } from 'vitest';
import { ActionError } from '../../src/shared/errors.js';
import { chooseProxy, proxyCredentials } from '../../src/inputs/proxy.js';

const HTTPS_API = 'https://api.cloudflare.com/client/v4';
const LOOPBACK_API = 'http://127.0.0.1:8787/client/v4';
const PASSWORD = 'proxy-pass-7Hq2';

/** The ActionError `fn` throws; fails the test when it throws anything else or nothing. */
function actionError(fn: () => unknown): ActionError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(ActionError);
    return error as ActionError;
  }
  throw new Error('expected an ActionError, but nothing was thrown');
}

describe('chooseProxy', () => {
  it('sends https:// through https_proxy or HTTPS_PROXY, lower case first', () => {
    expect(chooseProxy(HTTPS_API, { HTTPS_PROXY: 'http://proxy:3128' })).toEqual({
      variable: 'HTTPS_PROXY',
      url: new URL('http://proxy:3128'),
    });
    expect(
      chooseProxy(HTTPS_API, { https_proxy: 'http://lower:1', HTTPS_PROXY: 'http://upper:2' }),
    ).toMatchObject({ variable: 'https_proxy', url: new URL('http://lower:1') });
    expect(
      chooseProxy(HTTPS_API, { https_proxy: ' ', HTTPS_PROXY: 'http://upper:2' }),
    ).toMatchObject({ variable: 'HTTPS_PROXY' });
  });

  // Mutant: the proxy's value not trimmed before it is parsed.
  it('reads the proxy URL without the spaces around it', () => {
    expect(chooseProxy(HTTPS_API, { HTTPS_PROXY: '  http://proxy:3128 ' })?.url.href).toBe(
      'http://proxy:3128/',
    );
  });

  // Mutant: `url.protocol !== 'https:'` as true, or 'https:' emptied.
  it('accepts an https:// proxy', () => {
    expect(chooseProxy(HTTPS_API, { HTTPS_PROXY: 'https://proxy:8443' })?.url.href).toBe(
      'https://proxy:8443/',
    );
  });

  // undici's ProxyAgent throws "invalid url" at a proxy URL with a path.
  it('drops a path, query or fragment from the proxy URL, keeping its credentials', () => {
    expect(
      chooseProxy(HTTPS_API, { HTTPS_PROXY: `http://u:${PASSWORD}@proxy:3128/a/b?c=d#e` })?.url
        .href,
    ).toBe(`http://u:${PASSWORD}@proxy:3128/`);
  });

  it('reads a bare host:port, with or without user:password@, as http://', () => {
    expect(chooseProxy(HTTPS_API, { HTTPS_PROXY: 'proxy.corp:3128' })?.url.href).toBe(
      'http://proxy.corp:3128/',
    );
    expect(chooseProxy(HTTPS_API, { HTTPS_PROXY: `u:${PASSWORD}@proxy:3128` })?.url.password).toBe(
      PASSWORD,
    );
  });

  it('never sends plain http:// through a proxy, whatever is set', () => {
    const env = {
      HTTP_PROXY: 'http://proxy:3128',
      http_proxy: 'http://proxy:3128',
      HTTPS_PROXY: 'http://proxy:3128',
    };
    expect(chooseProxy(LOOPBACK_API, env)).toBeUndefined();
  });

  it('does not use HTTP_PROXY for https://', () => {
    expect(chooseProxy(HTTPS_API, { HTTP_PROXY: 'http://proxy:3128' })).toBeUndefined();
  });

  it.each([
    ['the host', 'api.cloudflare.com'],
    ['a parent domain', 'cloudflare.com'],
    ['a parent domain with a dot', '.cloudflare.com'],
    ['a parent domain with *.', '*.cloudflare.com'],
    ['the host and its port', 'example.test, api.cloudflare.com:443'],
    ['everything', '*'],
    ['the host, in capitals, after a space', 'example.test API.CLOUDFLARE.COM'],
  ])('connects directly when NO_PROXY names %s', (_, noProxy) => {
    expect(
      chooseProxy(HTTPS_API, { HTTPS_PROXY: 'http://proxy:3128', NO_PROXY: noProxy }),
    ).toBeUndefined();
    expect(
      chooseProxy(HTTPS_API, { HTTPS_PROXY: 'http://proxy:3128', no_proxy: noProxy }),
    ).toBeUndefined();
  });

  // Mutant: the `''` for an unset NO_PROXY as "Stryker was here!", which would name `was`.
  it('uses the proxy for every host when NO_PROXY is not set', () => {
    expect(chooseProxy('https://api.was/client/v4', { HTTPS_PROXY: 'http://proxy:3128' })).toEqual({
      variable: 'HTTPS_PROXY',
      url: new URL('http://proxy:3128'),
    });
  });

  // Mutant: NO_PROXY not trimmed before it is compared with `*`.
  it('connects directly when NO_PROXY is * with spaces around it', () => {
    expect(
      chooseProxy(HTTPS_API, { HTTPS_PROXY: 'http://proxy:3128', NO_PROXY: ' * ' }),
    ).toBeUndefined();
  });

  // Mutant: the port's regex in `host.replace(/:\d*$/, '')` changed, or its '' replaced.
  it('matches a NO_PROXY host without a port against a target on any port', () => {
    const env = { HTTPS_PROXY: 'http://proxy:3128' };
    const api = 'https://api.cloudflare.com:8443/client/v4';
    expect(chooseProxy(api, { ...env, NO_PROXY: 'api.cloudflare.com' })).toBeUndefined();
    expect(chooseProxy(api, { ...env, NO_PROXY: 'cloudflare.com:8443' })).toBeUndefined();
    expect(chooseProxy(api, { ...env, NO_PROXY: 'api.cloudflare.com:443' })).toBeDefined();
  });

  // Mutant: `/:\d*$/` without `$`, and `/^(.+):(\d+)$/` without `$`, which cut into `[::1]`.
  it('connects directly to an IPv6 host that NO_PROXY names in brackets', () => {
    const env = { HTTPS_PROXY: 'http://proxy:3128', NO_PROXY: 'example.test,[::1]' };
    expect(chooseProxy('https://[::1]/client/v4', env)).toBeUndefined();
    expect(chooseProxy('https://[::1]:8443/client/v4', env)).toBeUndefined();
    expect(chooseProxy('https://[::2]/client/v4', env)).toBeDefined();
  });

  // Mutant: the filter of empty entries removed, or always true: '' would match a trailing dot.
  it('takes no host from the empty entries of NO_PROXY', () => {
    const env = { HTTPS_PROXY: 'http://proxy:3128', NO_PROXY: 'example.test, other.test,' };
    expect(chooseProxy('https://api.cloudflare.com./client/v4', env)).toBeDefined();
  });

  it.each([
    ['another host', 'example.test'],
    ['a longer name that ends the same', 'i.cloudflare.com'],
    ['the host with another port', 'api.cloudflare.com:8443'],
  ])('still uses the proxy when NO_PROXY names %s', (_, noProxy) => {
    expect(
      chooseProxy(HTTPS_API, { HTTPS_PROXY: 'http://proxy:3128', NO_PROXY: noProxy }),
    ).toBeDefined();
  });

  it.each([
    [
      'an unclosed IPv6 host',
      `http://proxy-user:${PASSWORD}@[::1`,
      'is not a valid URL (check the host, and a port from 1 to 65535)',
    ],
    [
      'port 99999',
      `http://proxy-user:${PASSWORD}@proxy:99999`,
      'is not a valid URL (check the host, and a port from 1 to 65535)',
    ],
    [
      // Mutant: the scheme's regex without `^`, which would take `proxy-user` for the scheme.
      'a bare value whose password holds an unencoded ://',
      `proxy-user:pa://${PASSWORD}@proxy:3128`,
      'is not a valid URL (check the host, and a port from 1 to 65535)',
    ],
    [
      'an ftp:// URL',
      `ftp://proxy-user:${PASSWORD}@proxy:21`,
      'uses ftp://, and only http:// and https:// proxies are supported',
    ],
  ])('refuses %s, naming the variable and never the password', (_, value, problem) => {
    const error = actionError(() => chooseProxy(HTTPS_API, { HTTPS_PROXY: value }));
    expect(error.message).toMatch(
      new RegExp(`^HTTPS_PROXY ${problem.replace(/[()./*+?]/g, '\\$&')}; its value is not shown`),
    );
    expect(error.message).not.toContain(PASSWORD);
    expect(error.message).not.toContain('proxy-user');
  });

  it('says how to set the proxy right', () => {
    const error = actionError(() => chooseProxy(HTTPS_API, { https_proxy: 'ftp://proxy:21' }));
    expect(error.message).toBe(
      'https_proxy uses ftp://, and only http:// and https:// proxies are supported; its value ' +
        'is not shown, as it may hold a password. Set https_proxy to http://host:port (with ' +
        "user:password@ if the proxy needs them), or add the API's host to NO_PROXY.",
    );
  });

  it('ignores a bad proxy setting that would not be used', () => {
    const bad = `http://u:${PASSWORD}@[::1`;
    expect(chooseProxy(LOOPBACK_API, { HTTP_PROXY: bad, HTTPS_PROXY: bad })).toBeUndefined();
    expect(chooseProxy(HTTPS_API, { HTTP_PROXY: bad })).toBeUndefined();
    expect(
      chooseProxy(HTTPS_API, { HTTPS_PROXY: bad, NO_PROXY: 'cloudflare.com' }),
    ).toBeUndefined();
  });
});

describe('proxyCredentials', () => {
  it('finds the user and password of every proxy variable, even unparsable ones, raw and decoded', () => {
    expect(
      proxyCredentials({
        HTTPS_PROXY: `http://proxy-user:${PASSWORD}%21@[::1`,
        http_proxy: 'other-user:other-pass@proxy:3128',
        HTTP_PROXY: 'http://proxy:3128',
        NO_PROXY: 'user:not-a-proxy@x',
      }),
    ).toEqual([
      `proxy-user:${PASSWORD}%21`,
      'proxy-user',
      `${PASSWORD}%21`,
      `${PASSWORD}!`,
      'other-user:other-pass',
      'other-user',
      'other-pass',
    ]);
  });

  // Mutant: the value not trimmed, which would take the spaces into the user name.
  it('finds the user and password of a value with spaces around it', () => {
    expect(proxyCredentials({ HTTPS_PROXY: ' http://u:p%21@proxy:3128 ' })).toEqual([
      'u:p%21',
      'u',
      'p%21',
      'p!',
    ]);
    expect(proxyCredentials({ HTTPS_PROXY: ' u:p@proxy:3128' })).toEqual(['u:p', 'u', 'p']);
  });

  it('finds nothing when no proxy has credentials', () => {
    expect(proxyCredentials({ HTTPS_PROXY: 'http://proxy:3128' })).toEqual([]);
    expect(proxyCredentials({})).toEqual([]);
  });
});
