/**
 * The parts of undici the client takes from its modules (src/cloudflare/undici.ts), including
 * the one patched line of behaviour: node:http2 is loaded on the first HTTP/2 connection
 * instead of at start (patches/undici+*.patch; the start-up side is test/integration/startup).
 */
import { once } from 'node:events';
import { createSecureServer, type Http2SecureServer } from 'node:http2';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { EnvHttpProxyAgent, request } from '../../src/cloudflare/undici.js';
import { makeLoopbackCertificate } from '../helpers/tls.js';

let server: Server | Http2SecureServer | undefined;
let agent: InstanceType<typeof EnvHttpProxyAgent> | undefined;
afterEach(async () => {
  await agent?.destroy();
  server?.close();
  agent = undefined;
  server = undefined;
});

function baseUrl(listening: Server | Http2SecureServer, scheme: string): URL {
  return new URL(`${scheme}://127.0.0.1:${(listening.address() as AddressInfo).port}`);
}

describe('request', () => {
  it('sends method, path, query, headers and body, and reads the answer', async () => {
    const seen: { method?: string; url?: string; header?: string; body?: string } = {};
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString()));
      req.on('end', () => {
        Object.assign(seen, {
          method: req.method,
          url: req.url,
          header: req.headers['x-test'],
          body,
        });
        res.writeHead(201, { 'content-type': 'application/json' }).end('{"ok":true}');
      });
    }).listen(0, '127.0.0.1');
    await once(server, 'listening');
    agent = new EnvHttpProxyAgent();

    const url = new URL('/a/b?page=2', baseUrl(server, 'http'));
    const response = await request(agent, url, {
      method: 'POST',
      headers: { 'x-test': 'yes' },
      body: '{"name":"X"}',
    });

    expect(response.statusCode).toBe(201);
    expect(await response.body.json()).toEqual({ ok: true });
    expect(seen).toEqual({
      method: 'POST',
      url: '/a/b?page=2',
      header: 'yes',
      body: '{"name":"X"}',
    });
  });

  it('still speaks HTTP/2 when a dispatcher allows it and the server offers it', async () => {
    const certificate = makeLoopbackCertificate();
    let version = '';
    server = createSecureServer(
      { key: certificate.key, cert: certificate.cert, allowHTTP1: false },
      (req, res) => {
        version = req.httpVersion;
        res.writeHead(200, { 'content-type': 'text/plain' }).end(`${req.method} ${req.url}`);
      },
    ).listen(0, '127.0.0.1');
    await once(server, 'listening');
    agent = new EnvHttpProxyAgent({ allowH2: true, connect: { ca: certificate.cert } });

    const response = await request(agent, new URL('/over/h2', baseUrl(server, 'https')), {
      method: 'GET',
    });

    expect(response.statusCode).toBe(200);
    expect(await response.body.text()).toBe('GET /over/h2');
    expect(version).toBe('2.0');
  });
});
