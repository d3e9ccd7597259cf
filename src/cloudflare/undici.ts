/**
 * The parts of undici this client uses, loaded from their own modules instead of the package
 * entry. The entry also builds fetch, WebSocket, cookies, caching and mocks at load time: about
 * 80 ms of every start of the action on Node 20 (BENCHMARKS.md), for code that is never called.
 * This file does the one thing the entry does that these parts need: it gives dispatchers their
 * `request`/`connect`/... methods (a proxy agent calls `connect` on its own dispatcher). Types
 * come from the package's declarations.
 */
import type { Dispatcher, EnvHttpProxyAgent as EnvHttpProxyAgentType } from 'undici';
// The modules ship no declarations of their own; each is typed with the package's below.
// @ts-expect-error TS7016: no declaration file for this internal module.
import DispatcherClass from '../../node_modules/undici/lib/dispatcher/dispatcher.js';
// @ts-expect-error TS7016: no declaration file for this internal module.
import dispatcherApi from '../../node_modules/undici/lib/api/index.js';
// @ts-expect-error TS7016: no declaration file for this internal module.
import EnvHttpProxyAgentClass from '../../node_modules/undici/lib/dispatcher/env-http-proxy-agent.js';

// What undici's entry does on load (index.js: `Object.assign(Dispatcher.prototype, api)`).
Object.assign((DispatcherClass as { prototype: object }).prototype, dispatcherApi as object);

/** A dispatcher that honours HTTP_PROXY, HTTPS_PROXY and NO_PROXY (either case). */
export const EnvHttpProxyAgent = EnvHttpProxyAgentClass as typeof EnvHttpProxyAgentType;

/** `undici.request(url, { dispatcher, ...options })`, with the dispatcher made explicit. */
export function request(
  dispatcher: Dispatcher,
  url: URL,
  options: Omit<Dispatcher.RequestOptions, 'origin' | 'path'>,
): Promise<Dispatcher.ResponseData> {
  return dispatcher.request({
    ...options,
    origin: url.origin,
    path: `${url.pathname}${url.search}`,
  });
}
