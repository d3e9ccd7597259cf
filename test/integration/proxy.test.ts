/**
 * Self-hosted runners reach Cloudflare through a proxy: HTTPS_PROXY and NO_PROXY, upper or lower
 * case, are honoured; plain HTTP (loopback only) never goes through one. The proxy is a real
 * process on loopback (test/helpers/proxy.js); proxied tests use a fake serving HTTPS.
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

const inputs = () => ({ ...seeded.inputs, secret: 'DB_URL', name: 'VIA_PROXY' });
const PASSWORD = 'proxy-pass-Zk81';

/** A fake serving HTTPS on 127.0.0.1, with its CA for NODE_EXTRA_CA_CERTS; closed after the test. */
async function secureFake() {
  const certificate = makeLoopbackCertificate();
  const secure = await startFake({ tls: certificate });
  opened.push(secure);
  return {
    secure,
    inputs: { ...secure.inputs, secret: 'DB_URL', name: 'VIA_TLS_PROXY' },
    env: { NODE_EXTRA_CA_CERTS: certificate.certFile },
  };
}
let opened: SeededFake[] = [];
afterEach(async () => {
  await Promise.all(opened.map((fake) => fake.fake.close()));
  opened = [];
});

describe('proxies', () => {
  it.each(['HTTP_PROXY', 'http_proxy'])(
    'never sends plain HTTP through %s: the token would reach the proxy in clear text',
    async (variable) => {
      const result = await runAction({ inputs: inputs(), env: { [variable]: proxyUrl } });

      expect(result.code).toBe(0);
      expect(result.outputs['outcome']).toBe('created');
      expect(seeded.fake.requests.length).toBeGreaterThanOrEqual(1);
      expect(proxied).toEqual([]);
    },
  );

  it.each(['HTTPS_PROXY', 'https_proxy'])(
    'tunnels HTTPS through %s with CONNECT',
    async (variable) => {
      const { secure, inputs, env } = await secureFake();
      const result = await runAction({ inputs, env: { ...env, [variable]: proxyUrl } });

      expect(secure.fake.url).toMatch(/^https:/);
      expect(result.code).toBe(0);
      expect(result.outputs['outcome']).toBe('created');
      expect(new Set(proxied)).toEqual(new Set([new URL(secure.fake.url).host]));
    },
  );

  it('tunnels through a proxy URL that has a path, which it drops', async () => {
    const { secure, inputs, env } = await secureFake();
    const result = await runAction({
      inputs,
      env: { ...env, HTTPS_PROXY: `${proxyUrl}/some/path?q=1` },
    });

    expect(result.errors).toEqual([]);
    expect(result.code).toBe(0);
    expect(new Set(proxied)).toEqual(new Set([new URL(secure.fake.url).host]));
  });

  it.each(['NO_PROXY', 'no_proxy'])('bypasses the proxy for hosts in %s', async (variable) => {
    const { inputs, env } = await secureFake();
    const result = await runAction({
      inputs,
      env: { ...env, HTTPS_PROXY: proxyUrl, [variable]: '127.0.0.1' },
    });

    expect(result.code).toBe(0);
    expect(proxied).toEqual([]);
  });

  it('fails with a connection error when the proxy is down, so the proxy really carries the traffic', async () => {
    const { secure, inputs, env } = await secureFake();
    const result = await runAction({
      inputs: { ...inputs, 'max-retries': '0' },
      env: { ...env, HTTPS_PROXY: 'http://127.0.0.1:9' },
    });

    expect(result.code).toBe(1);
    expect(result.errors[0]).toMatch(/failed: the connection failed/);
    expect(secure.fake.requests).toHaveLength(0);
  });

  it("masks the proxy's user name and password before anything is printed", async () => {
    const { inputs, env } = await secureFake();
    const withUser = proxyUrl.replace('http://', `http://proxy-user:${PASSWORD}@`);
    const result = await runAction({
      inputs,
      env: { ...env, HTTPS_PROXY: withUser, RUNNER_DEBUG: '1' },
      forbidden: [PASSWORD],
    });

    expect(result.code).toBe(0);
    expect(proxied.length).toBeGreaterThanOrEqual(1);
    expect(result.stdout).toContain(`::add-mask::${PASSWORD}\n`);
    expect(result.stdout).toContain('::add-mask::proxy-user\n');
    expect(result.stdout).toContain('::debug::Requests go through the proxy set in HTTPS_PROXY.');
  });
});

describe('bad proxy settings', () => {
  it.each([
    ['an unclosed IPv6 host', `http://proxy-user:${PASSWORD}@[::1`, 'is not a valid URL'],
    ['port 99999', `http://proxy-user:${PASSWORD}@127.0.0.1:99999`, 'is not a valid URL'],
    ['an ftp:// proxy', `ftp://proxy-user:${PASSWORD}@127.0.0.1:21`, 'uses ftp://'],
  ])(
    'HTTPS_PROXY with %s fails the step clearly, naming the variable, never the password',
    async (_, value, problem) => {
      const { secure, inputs, env } = await secureFake();
      const result = await runAction({
        inputs,
        env: { ...env, HTTPS_PROXY: value },
        forbidden: [PASSWORD, 'proxy-user'],
      });

      expect(result.code).toBe(1);
      expect(result.errors).toEqual([
        expect.stringMatching(new RegExp(`^HTTPS_PROXY ${problem.replace(/[./]/g, '\\$&')}`)),
      ]);
      expect(result.stdout + result.stderr).not.toMatch(/TypeError|ERR_INVALID_URL|at /);
      expect(result.stdout).toContain(`::add-mask::${PASSWORD}`);
      expect(secure.fake.requests).toHaveLength(0);
    },
  );

  it('a bad setting is ignored where that proxy would not be used', async () => {
    const bad = `http://proxy-user:${PASSWORD}@[::1`;
    const plain = await runAction({
      inputs: inputs(),
      env: { HTTP_PROXY: bad, HTTPS_PROXY: bad },
      forbidden: [PASSWORD],
    });
    expect(plain.code).toBe(0);

    const { inputs: secureInputs, env } = await secureFake();
    const bypassed = await runAction({
      inputs: secureInputs,
      env: { ...env, HTTPS_PROXY: bad, NO_PROXY: '127.0.0.1' },
      forbidden: [PASSWORD],
    });
    expect(bypassed.code).toBe(0);
  });

  it('an ftp:// HTTPS_PROXY that NO_PROXY bypasses does not crash the step', async () => {
    const { inputs, env } = await secureFake();
    const result = await runAction({
      inputs,
      env: {
        ...env,
        HTTPS_PROXY: `ftp://proxy-user:${PASSWORD}@127.0.0.1:21`,
        NO_PROXY: '127.0.0.1',
      },
      forbidden: [PASSWORD],
    });

    expect(result.code).toBe(0);
    expect(result.outputs['outcome']).toBe('created');
    expect(result.stderr).toBe('');
    // @actions/github, loaded for the summary, proxies GitHub's API through it and refuses it.
    expect(result.warnings).toEqual([
      expect.stringMatching(/^Could not write the job summary: Invalid URL protocol/),
    ]);
  });
});
