/** What one request sends besides its body: the URL and the headers. */
import type { CallOptions } from './transport.js';
import type { Credentials } from './types.js';

/** The request's URL: the base URL, the path, and the query's defined values. */
export function requestUrl(baseUrl: string, options: CallOptions): URL {
  const url = new URL(baseUrl + options.path);
  for (const [key, value] of Object.entries(options.query ?? {})) {
    if (value !== undefined) url.searchParams.set(key, String(value));
  }
  return url;
}

/** JSON both ways, the user agent, and the credentials: a token or the Global API key pair. */
export function requestHeaders(
  credentials: Credentials,
  userAgent: string,
  hasBody: boolean,
): Record<string, string> {
  const headers: Record<string, string> = {
    accept: 'application/json',
    'user-agent': userAgent,
  };
  if (hasBody) headers['content-type'] = 'application/json';
  if (credentials.kind === 'token') {
    headers['authorization'] = `Bearer ${credentials.token}`;
  } else {
    headers['x-auth-email'] = credentials.email;
    headers['x-auth-key'] = credentials.key;
  }
  return headers;
}
