/**
 * Self-hosted runners reach Cloudflare through a proxy: HTTP(S)_PROXY and NO_PROXY, upper or
 * lower case, are honoured. The proxy is a real process on loopback (test/helpers/proxy.js).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { runAction } from '../helpers/action.js';
import { startFake, type SeededFake } from '../helpers/fake.js';
import { makeLoopbackCertificate } from '../helpers/tls.js';

const PROXY = fileURLToPath(new URL('../helpers/proxy.js', import.meta.url));

let proxy: ChildProcess;
let proxyUrl: string;
let proxied: string[] = [];
let seeded: SeededFake;

beforeAll(async () => {
  proxy = spawn(process.execPath, [PROXY], { stdio: ['ignore', 'pipe', 'inherit'] });
  const lines = createInterface({ input: proxy.stdout! });
  proxyUrl = await new Promise<string>((resolve) => {
    lines.on('line', (line) => {
      const event = JSON.parse(line) as { port?: number; target?: string };
      if (event.port) resolve(`http://127.0.0.1:${event.port}`);
      if (event.target) proxied.push(event.target);
    });
  });
});

afterAll(() => {
  proxy.kill('SIGTERM');
});

beforeEach(async () => {
  seeded = await startFake();
  proxied = [];
});

afterEach(async () => {
  await seeded.fake.close();
});

const fakeHost = () => new URL(seeded.fake.url).host;
const inputs = () => ({ ...seeded.inputs, secret: 'DB_URL', name: 'VIA_PROXY' });

describe('proxies', () => {
  it.each(['HTTP_PROXY', 'http_proxy'])('sends every request through %s', async (variable) => {
    const result = await runAction({ inputs: inputs(), env: { [variable]: proxyUrl } });

    expect(result.code).toBe(0);
    expect(result.outputs['outcome']).toBe('created');
    expect(proxied.length).toBeGreaterThanOrEqual(1);
    expect(new Set(proxied)).toEqual(new Set([fakeHost()]));
  });

  it.each(['HTTPS_PROXY', 'https_proxy'])(
    'tunnels HTTPS through %s with CONNECT',
    async (variable) => {
      const certificate = makeLoopbackCertificate();
      const secure = await startFake({ tls: certificate });
      try {
        const result = await runAction({
          inputs: { ...secure.inputs, secret: 'DB_URL', name: 'VIA_TLS_PROXY' },
          env: { [variable]: proxyUrl, NODE_EXTRA_CA_CERTS: certificate.certFile },
        });

        expect(secure.fake.url).toMatch(/^https:/);
        expect(result.code).toBe(0);
        expect(result.outputs['outcome']).toBe('created');
        expect(new Set(proxied)).toEqual(new Set([new URL(secure.fake.url).host]));
      } finally {
        await secure.fake.close();
      }
    },
  );

  it.each(['NO_PROXY', 'no_proxy'])('bypasses the proxy for hosts in %s', async (variable) => {
    const result = await runAction({
      inputs: inputs(),
      env: { HTTP_PROXY: proxyUrl, [variable]: '127.0.0.1' },
    });

    expect(result.code).toBe(0);
    expect(proxied).toEqual([]);
  });

  it('fails with a connection error when the proxy is down, so the proxy really carries the traffic', async () => {
    const result = await runAction({
      inputs: { ...inputs(), 'max-retries': '0' },
      env: { HTTP_PROXY: 'http://127.0.0.1:9' },
    });

    expect(result.code).toBe(1);
    expect(result.errors[0]).toMatch(/failed: the connection failed/);
    expect(seeded.fake.requests).toHaveLength(0);
  });
});
