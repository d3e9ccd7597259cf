/**
 * When src/main.ts loads @actions/github, the source of the job summary's workflow context: as
 * the first request's headers leave, so that loading overlaps the wait for Cloudflare's answer,
 * or when the summary asks, if no request went out; never before, and once.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { request } from 'undici';
import { afterEach, beforeEach, expect, it, vi } from 'vitest';

/** How many times the test's src/main.ts loaded @actions/github. */
const loads = { count: 0 };
let server: Server | undefined;

beforeEach(() => {
  // A fresh src/main.ts and a fresh mock per test, so each test sees its own loads.
  vi.resetModules();
  loads.count = 0;
  vi.doMock('@actions/github', async (importOriginal) => {
    loads.count += 1;
    return importOriginal();
  });
});

afterEach(async () => {
  await new Promise((resolve) => server?.close(resolve) ?? resolve(undefined));
  server = undefined;
});

const loader = async () => (await import('../src/main.js')).loadGitHubOnFirstRequest();
const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

it('starts loading when the first request is sent, before its answer comes', async () => {
  const load = await loader();
  await nextTurn();
  expect(loads.count).toBe(0);

  // The answer waits until loading has started: without the early start it never would.
  server = createServer((_req, res) => {
    void vi
      .waitFor(() => expect(loads.count).toBe(1))
      .then(
        () => res.end('loaded'),
        () => res.end('not loaded'),
      );
  });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const response = await request(`http://127.0.0.1:${port}/`);

  expect(await response.body.text()).toBe('loaded');
  const github = await load();
  expect(github.context).toBeDefined();
  expect(loads.count).toBe(1);
});

it('loads when the summary asks, if no request went out, and only once', async () => {
  const load = await loader();
  await nextTurn();
  expect(loads.count).toBe(0);

  const [first, second] = await Promise.all([load(), load()]);

  expect(first.context).toBeDefined();
  expect(second).toBe(first);
  expect(loads.count).toBe(1);
});
