/**
 * What the bundled action loads to start: every module is time on every run (BENCHMARKS.md).
 * These pin the modules that were taken out of the start-up path, without timing anything.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DIST } from '../helpers/run-action.js';
import { copyByIds, startFake, type SeededFake } from '../helpers/fake.js';
import { runAction } from '../helpers/action.js';
import { makeLoopbackCertificate } from '../helpers/tls.js';

const RECORDER = fileURLToPath(new URL('../helpers/record-builtins.cjs', import.meta.url));

let dir: string;
let seeded: SeededFake | undefined;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'startup-test-'));
});
afterEach(async () => {
  await seeded?.fake.close();
  seeded = undefined;
  rmSync(dir, { recursive: true, force: true });
});

/** Runs one copy by ids and returns the built-in modules the action's process loaded. */
async function builtinsLoaded(env: Record<string, string> = {}): Promise<string[]> {
  const file = join(dir, 'builtins');
  const result = await runAction({
    inputs: copyByIds(seeded!),
    env: { NODE_OPTIONS: `--require ${RECORDER}`, RECORD_BUILTINS_FILE: file, ...env },
  });
  expect(result.code, result.stdout).toBe(0);
  return readFileSync(file, 'utf8').split('\n');
}

describe('start-up', () => {
  it('loads neither HTTP/2, TLS nor crypto for a copy over HTTP', async () => {
    seeded = await startFake();
    const loaded = await builtinsLoaded();
    expect(loaded).toContain('http'); // the recorder sees what the action loads
    // undici loads node:http2 only for a connection that negotiates HTTP/2 (patches/undici+*.patch).
    expect(loaded).not.toContain('http2');
    expect(loaded).not.toContain('tls');
    // The output delimiter does not need node:crypto (src/runner.ts).
    expect(loaded).not.toContain('crypto');
  });

  it('loads TLS, but still not HTTP/2, when the API is served over HTTPS', async () => {
    const certificate = makeLoopbackCertificate();
    seeded = await startFake({ tls: certificate });
    const loaded = await builtinsLoaded({ NODE_EXTRA_CA_CERTS: certificate.certFile });
    expect(loaded).toContain('tls');
    expect(loaded).not.toContain('http2');
  });

  it("keeps undici's WebAssembly parser off the optimising compiler, which would hold the exit", async () => {
    seeded = await startFake();
    // By names with the store omitted: three responses to parse, enough for V8 to tier up.
    const result = await runAction({
      inputs: { ...seeded.inputs, secret: 'DB_URL', name: 'DB_URL_COPY' },
      nodeArgs: ['--trace-wasm-compilation-times'],
    });
    expect(result.code, result.stdout).toBe(0);
    const compiled = result.stdout
      .split('\n')
      .filter((line) => line.startsWith('Compiled function'));
    expect(compiled.some((line) => line.includes('using Liftoff'))).toBe(true);
    expect(compiled.filter((line) => line.includes('TurboFan'))).toEqual([]);
  });

  it("leaves undici's fetch body code out of the bundle (script/bundle.js)", () => {
    const bundle = readFileSync(DIST, 'utf8');
    // Only FormData bodies need it, and the client sends JSON text.
    expect(bundle).toContain('require("../web/fetch/body.js")');
    expect(bundle).not.toContain('multipartFormDataParser');
  });
});
