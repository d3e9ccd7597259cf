/**
 * Which proxy, if any, carries the step's requests, from the variables a self-hosted runner sets.
 * src/main.ts masks every proxy user name and password first, then asks, inside the step's error
 * handling: a bad setting is an ActionError naming the variable, never quoting its value, and
 * only when that proxy would be used.
 */
import { ActionError } from '../shared/errors.js';
import { userinfoParts } from '../shared/sanitize.js';

type Env = Record<string, string | undefined>;

/** Lower case first, as curl and @actions/http-client read them. */
const HTTPS_PROXY = ['https_proxy', 'HTTPS_PROXY'] as const;
const ALL_PROXIES = [...HTTPS_PROXY, 'http_proxy', 'HTTP_PROXY'] as const;

/** Every user name and password in a proxy variable, raw and decoded, to be masked. */
export function proxyCredentials(env: Env): string[] {
  const values = ALL_PROXIES.map((name) => env[name]).filter((value) => value !== undefined);
  return [...new Set(values.flatMap((value) => userinfoParts(value.trim())))];
}

export interface ProxyChoice {
  /** The variable it came from, for messages. */
  variable: string;
  url: URL;
}

/**
 * The proxy for requests to `baseUrl`, or undefined to connect directly.
 * - `http://` (which parseBaseUrl allows to loopback only) never goes through a proxy: the
 *   credentials would reach it in clear text. HTTP_PROXY is therefore never used.
 * - `https://` goes through https_proxy or HTTPS_PROXY, unless NO_PROXY names the host (as
 *   undici reads it: `*`, host names and their subdomains, an optional `:port`).
 */
export function chooseProxy(baseUrl: string, env: Env): ProxyChoice | undefined {
  const target = new URL(baseUrl);
  if (target.protocol !== 'https:') return undefined;
  const [variable, value] =
    HTTPS_PROXY.map((name) => [name, env[name]?.trim() ?? ''] as const).find(
      ([, set]) => set !== '',
    ) ?? [];
  if (variable === undefined || value === undefined) return undefined;
  if (bypassed(target, env.no_proxy ?? env.NO_PROXY ?? '')) return undefined;
  return { variable, url: parseProxyUrl(value, variable) };
}

function bypassed(target: URL, noProxy: string): boolean {
  if (noProxy.trim() === '*') return true;
  // `host` keeps the brackets of an IPv6 address; the port goes.
  const host = target.host.replace(/:\d*$/, '').toLowerCase();
  const port = Number(target.port) || 443;
  return noProxy
    .split(/[,\s]/)
    .filter((entry) => entry !== '')
    .some((entry) => {
      const [, hostPart = entry, portPart] = /^(.+):(\d+)$/.exec(entry) ?? [];
      if (portPart !== undefined && Number(portPart) !== port) return false;
      const name = hostPart.replace(/^\*?\./, '').toLowerCase();
      return host === name || host.endsWith(`.${name}`);
    });
}

/**
 * A proxy URL; a bare `host:port` means `http://host:port`, as curl reads it. A proxy is a host
 * and a port: a path, query or fragment in the setting is dropped (undici refuses them).
 */
function parseProxyUrl(value: string, variable: string): URL {
  const text = /^[A-Za-z][A-Za-z0-9+.-]*:\/\//.test(value) ? value : `http://${value}`;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw badProxy(variable, 'is not a valid URL (check the host, and a port from 1 to 65535)');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw badProxy(
      variable,
      `uses ${url.protocol.slice(0, -1)}://, and only http:// and https:// proxies are supported`,
    );
  }
  url.pathname = '/';
  url.search = '';
  url.hash = '';
  return url;
}

function badProxy(variable: string, problem: string): ActionError {
  return new ActionError(
    `${variable} ${problem}; its value is not shown, as it may hold a password. ` +
      `Set ${variable} to http://host:port (with user:password@ if the proxy needs them), ` +
      "or add the API's host to NO_PROXY.",
  );
}
