/**
 * Fault injection against the bundled action: one test per fault class, each asserting the
 * exit code, the outputs, the error text, elapsed-time bounds where time is the point, and the
 * fake's final state (exactly one new secret, or none).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { copyByIds, startFake, type SeededFake } from '../helpers/fake.js';
import { runAction } from '../helpers/action.js';

let seeded: SeededFake;

beforeEach(async () => {
  seeded = await startFake();
});

afterEach(async () => {
  await seeded.fake.close();
});

const DUPLICATE = /\/duplicate$/;
const LISTING = /\/secrets$/;
const countOf = (method: string, path: RegExp) =>
  seeded.fake.requests.filter((r) => r.method === method && path.test(r.path)).length;
const secretsNamed = (name: string) =>
  seeded.fake.listSecrets(seeded.storeId).filter((s) => s.name === name);

/** Ids given with scopes: the happy path is one POST, so every extra request is the fault's. */
const byIds = (extra: Record<string, string> = {}) => copyByIds(seeded, extra);

describe('lost answers on the duplicate: adopted, never doubled', () => {
  it('commit then drop the connection: finds the secret it created and reports it', async () => {
    seeded.fake.addFault({ method: 'POST', path: DUPLICATE, action: 'commit-then-drop' });
    const result = await runAction({ inputs: byIds() });

    expect(result.code).toBe(0);
    const [created] = secretsNamed('DB_URL_PROD');
    expect(secretsNamed('DB_URL_PROD')).toHaveLength(1);
    expect(countOf('POST', DUPLICATE)).toBe(1);
    expect(result.outputs['secret-id']).toBe(created!.id);
    expect(result.outputs['outcome']).toBe('created');
    expect(result.stdout).toContain(
      `::notice::Cloudflare's answer to the duplicate was lost, but the secret "DB_URL_PROD" (${created!.id})`,
    );
    expect(result.summary).toContain('created (recovered after a lost answer)');
  });

  it('truncated JSON after a 200: adopts the secret instead of failing or re-sending', async () => {
    seeded.fake.addFault({ method: 'POST', path: DUPLICATE, action: 'truncate' });
    const result = await runAction({ inputs: byIds() });

    expect(result.code).toBe(0);
    expect(secretsNamed('DB_URL_PROD')).toHaveLength(1);
    expect(countOf('POST', DUPLICATE)).toBe(1);
    expect(result.outputs['outcome']).toBe('created');
  });

  it('a timeout after the server committed: adopts within the time budget', async () => {
    seeded.fake.addFault({ method: 'POST', path: DUPLICATE, action: 'commit-then-hang' });
    // timeout-seconds 3 gives each request 1 s, leaving time to look before retrying.
    const result = await runAction({ inputs: byIds({ 'timeout-seconds': '3' }) });

    expect(result.code).toBe(0);
    expect(secretsNamed('DB_URL_PROD')).toHaveLength(1);
    expect(countOf('POST', DUPLICATE)).toBe(1);
    expect(result.outputs['outcome']).toBe('created');
    expect(result.durationMs).toBeGreaterThanOrEqual(1_000);
    expect(result.durationMs).toBeLessThan(10_000);
  });

  it('a 5xx that did not commit: looks, finds nothing, retries, creates exactly one', async () => {
    seeded.fake.addFault({ method: 'POST', path: DUPLICATE, status: 503 });
    const result = await runAction({ inputs: byIds() });

    expect(result.code).toBe(0);
    expect(countOf('POST', DUPLICATE)).toBe(2);
    expect(countOf('GET', LISTING)).toBe(1);
    expect(secretsNamed('DB_URL_PROD')).toHaveLength(1);
    expect(result.outputs['outcome']).toBe('created');
    expect(result.stdout).toMatch(
      /Retrying POST \S+\/duplicate in \d+\.\d s: POST \S+ failed: HTTP 503/,
    );
  });

  it('a lost answer while a secret of that name already existed: never reported as created', async () => {
    seeded.fake.addFault({
      method: 'POST',
      path: DUPLICATE,
      status: 502,
      body: '<html><title>502 Bad Gateway</title></html>',
      headers: { 'content-type': 'text/html' },
    });
    const result = await runAction({ inputs: byIds({ name: 'SESSION_SECRET' }) });

    expect(result.code).toBe(1);
    expect(result.errors[0]).toContain(
      `A secret named "SESSION_SECRET" already exists in store ${seeded.storeId}, with id ${seeded.ids.SESSION_SECRET}.`,
    );
    expect(result.outputs['outcome']).toBeUndefined();
    expect(secretsNamed('SESSION_SECRET')).toHaveLength(1);
  });

  it('5xx on every attempt: gives up after max-retries, says nothing was created', async () => {
    seeded.fake.addFault({ method: 'POST', path: DUPLICATE, status: 500, times: 10 });
    const result = await runAction({ inputs: byIds({ 'max-retries': '2' }) });

    expect(result.code).toBe(1);
    expect(countOf('POST', DUPLICATE)).toBe(3);
    expect(result.errors[0]).toMatch(
      /failed: HTTP 500: \[\d+\] .+ No secret named "DB_URL_PROD" was created\./,
    );
    expect(secretsNamed('DB_URL_PROD')).toHaveLength(0);
  });
});

describe('what is retried and what is not', () => {
  it('retries a read that got an HTML 502 page from the edge', async () => {
    seeded.fake.addFault({
      method: 'GET',
      path: LISTING,
      status: 502,
      headers: { 'content-type': 'text/html' },
      body: '<!DOCTYPE html><html><head><title>example.com | 502: Bad gateway</title></head><body>Cloudflare</body></html>',
    });
    const result = await runAction({
      inputs: { ...seeded.inputs, secret: 'DB_URL', name: 'COPY' },
    });

    expect(result.code).toBe(0);
    expect(countOf('GET', LISTING)).toBe(2);
    expect(result.stdout).toContain(
      'HTTP 502: an HTML page titled "example.com | 502: Bad gateway"',
    );
    expect(secretsNamed('COPY')).toHaveLength(1);
  });

  it('does not retry a 400, and says what Cloudflare said', async () => {
    seeded.fake.addFault({
      method: 'POST',
      path: DUPLICATE,
      status: 400,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        success: false,
        errors: [
          {
            code: 1001,
            message: 'scopes: unknown scope',
            documentation_url: 'https://developers.cloudflare.com/secrets-store/',
          },
        ],
        messages: [],
        result: null,
      }),
    });
    const result = await runAction({ inputs: byIds() });

    expect(result.code).toBe(1);
    expect(countOf('POST', DUPLICATE)).toBe(1);
    expect(result.errors[0]).toContain(
      'failed: HTTP 400: [1001] scopes: unknown scope (https://developers.cloudflare.com/secrets-store/).',
    );
    expect(secretsNamed('DB_URL_PROD')).toHaveLength(0);
  });

  it('retries connection errors, then fails naming the cause', async () => {
    const closed = await startFake();
    const url = closed.fake.url;
    await closed.fake.close();
    const result = await runAction({
      inputs: { ...byIds({ 'max-retries': '1' }), 'api-base-url': url },
    });

    expect(result.code).toBe(1);
    expect(result.errors[0]).toMatch(
      /POST \S+\/duplicate failed: the connection failed \(ECONNREFUSED/,
    );
    expect(result.stdout).toMatch(/Retrying POST/);
  });
});

describe('redirects', () => {
  it('never follows a redirect, so credentials cannot travel to another origin', async () => {
    const elsewhere = await startFake();
    try {
      seeded.fake.addFault({
        method: 'POST',
        path: DUPLICATE,
        status: 307,
        headers: { location: `${elsewhere.fake.url}/steal` },
        body: '',
      });
      const result = await runAction({ inputs: byIds() });

      expect(result.code).toBe(1);
      expect(result.errors[0]).toContain(
        'failed: HTTP 307: an empty body. Redirects are not followed',
      );
      expect(elsewhere.fake.requests).toHaveLength(0);
      expect(countOf('POST', DUPLICATE)).toBe(1);
    } finally {
      await elsewhere.fake.close();
    }
  });
});

describe('rate limits and deadlines', () => {
  it('honours Retry-After (real time) and then succeeds', async () => {
    seeded.fake.addFault({
      method: 'GET',
      path: LISTING,
      status: 429,
      headers: { 'retry-after': '1' },
    });
    const result = await runAction({
      inputs: { ...seeded.inputs, secret: 'DB_URL', name: 'COPY' },
    });

    expect(result.code).toBe(0);
    expect(countOf('GET', LISTING)).toBe(2);
    const [limited, retried] = seeded.fake.requests.filter((r) => LISTING.test(r.path));
    expect(retried!.startedAt - limited!.startedAt).toBeGreaterThanOrEqual(950);
    expect(result.stdout).toContain('in 1.0 s: GET');
  });

  it('fails at once when Retry-After is longer than the time left, saying how long', async () => {
    seeded.fake.addFault({
      method: 'POST',
      path: DUPLICATE,
      status: 429,
      headers: { 'retry-after': '300' },
    });
    const result = await runAction({ inputs: byIds() });

    expect(result.code).toBe(1);
    expect(result.errors[0]).toContain(
      'HTTP 429: [971] Please wait and consider throttling your request speed.',
    );
    expect(result.errors[0]).toContain(
      'Cloudflare asked to wait 300 s before retrying (Retry-After), more than the',
    );
    expect(result.errors[0]).toContain('stays locked for 5 minutes');
    expect(result.errors[0]).toMatch(/The timeout-seconds input sets that time budget\.$/);
    expect(result.durationMs).toBeLessThan(20_000);
    expect(countOf('POST', DUPLICATE)).toBe(1);
    expect(secretsNamed('DB_URL_PROD')).toHaveLength(0);
  });

  it('a server that never answers: stops at timeout-seconds with a clear error', async () => {
    seeded.fake.addFault({ method: 'GET', path: LISTING, delayMs: 30_000, times: 10 });
    const result = await runAction({
      inputs: { ...seeded.inputs, secret: 'DB_URL', name: 'COPY', 'timeout-seconds': '2' },
    });

    expect(result.code).toBe(1);
    expect(result.errors[0]).toMatch(
      /GET \S+\/secrets\?page=1&per_page=100 timed out after|GET \S+\/secrets timed out after/,
    );
    expect(result.durationMs).toBeGreaterThanOrEqual(1_900);
    expect(result.durationMs).toBeLessThan(15_000);
    expect(countOf('POST', DUPLICATE)).toBe(0);
  });
});

describe('answers that cannot be trusted', () => {
  it('success: false with HTTP 200', async () => {
    seeded.fake.addFault({
      method: 'GET',
      path: LISTING,
      status: 200,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        success: false,
        errors: [{ code: 1000, message: 'internal error' }],
        messages: [],
        result: null,
      }),
    });
    const result = await runAction({
      inputs: { ...seeded.inputs, secret: 'DB_URL', name: 'COPY' },
    });

    expect(result.code).toBe(1);
    expect(result.errors[0]).toMatch(
      /^GET \S+\/secrets failed: HTTP 200 but success=false: \[1000\] internal error\.$/,
    );
    expect(countOf('POST', DUPLICATE)).toBe(0);
  });

  it('a 200 whose body is not JSON', async () => {
    seeded.fake.addFault({
      method: 'GET',
      path: /\/stores$/,
      status: 200,
      headers: { 'content-type': 'text/html' },
      body: '<html><title>Captive portal</title></html>',
    });
    const result = await runAction({
      inputs: { ...seeded.inputs, secret: 'DB_URL', name: 'COPY' },
    });

    expect(result.code).toBe(1);
    expect(result.errors[0]).toMatch(
      /^GET \S+\/stores returned HTTP 200 with an HTML page titled "Captive portal", not a Cloudflare API response\.$/,
    );
  });

  it('a duplicate result without the fields we rely on', async () => {
    seeded.fake.addFault({
      method: 'POST',
      path: DUPLICATE,
      status: 200,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        success: true,
        errors: [],
        messages: [],
        result: { name: 'DB_URL_PROD' },
      }),
    });
    const result = await runAction({ inputs: byIds({ 'max-retries': '0' }) });

    expect(result.code).toBe(1);
    expect(result.errors[0]).toContain(
      'returned an unexpected answer from Cloudflare (HTTP 200): result.id is missing.',
    );
    expect(result.errors[0]).toContain('No secret named "DB_URL_PROD" was created.');
    expect(result.stdout + result.stderr).not.toContain('TypeError');
  });
});
