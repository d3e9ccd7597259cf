/**
 * Hostile answers through the bundled action: values from Cloudflare (or from a server posing as
 * it) that try to run workflow commands, forge outputs, inject Markdown or exhaust memory. The
 * answers come from the fake's scripted faults.
 */
import { marked } from 'marked';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runAction } from '../helpers/action.js';
import { TOKEN } from '../helpers/credentials.js';
import { copyByIds, startFake, type SeededFake } from '../helpers/fake.js';
import { endlessBody, startHostileServer } from '../helpers/hostile-server.js';

let seeded: SeededFake;

beforeEach(async () => {
  seeded = await startFake();
});

afterEach(async () => {
  await seeded.fake.close();
});

const DUPLICATE = /\/duplicate$/;
const STORES = /\/stores$/;

/** A value that tries every way to start a workflow command from inside a log line. */
const INJECTION =
  'x\n::warning::forged warning\r\n::add-mask::DB_URL\n::stop-commands::pwned\u2028' +
  '::error::forged error ##[set-output name=secret-id;]forged-id \u0085::notice::forged';

/**
 * The lines of stdout the runner would act on: a `::command::` at the start of a line (after
 * white space), or the legacy `##[command]` anywhere in one.
 */
function commands(stdout: string): string[] {
  return stdout.split(/\r?\n|\r/).filter((line) => /^\s*::/.test(line) || line.includes('##['));
}

/** A Cloudflare envelope answering `result`, as the fake's scripted body. */
function envelope(result: unknown, extra: Record<string, unknown> = {}) {
  return {
    status: 200,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ success: true, errors: [], messages: [], result, ...extra }),
  };
}

/** A fault answering the store listing with one store, of this name. */
const onlyStore = (name: string) => ({
  method: 'GET',
  path: STORES,
  ...envelope([{ id: seeded.storeId, name }], { result_info: { total_pages: 1 } }),
});

describe('workflow-command injection', () => {
  it('a store name cannot start a command in the log: it is printed on one line, escaped', async () => {
    seeded.fake.addFault(onlyStore(INJECTION));
    const result = await runAction({
      inputs: { ...seeded.inputs, secret: 'DB_URL', name: 'COPY' },
    });

    expect(result.code).toBe(0);
    // The token's mask is the only command; nothing the store name holds became one.
    expect(commands(result.stdout)).toEqual([`::add-mask::${TOKEN}`]);
    expect(result.stdout).toContain(
      'Store: "x\\n::warning::forged warning\\r\\n::add-mask::DB_URL\\n::stop-commands::pwned\\u2028' +
        '::error::forged error ##\\[set-output name=secret-id;]forged-id \\u0085::notice::forged"',
    );
    expect(result.outputs['secret-id']).toMatch(/^[0-9a-f]{32}$/);
  });

  it("Cloudflare's error message and documentation_url cannot start a command either", async () => {
    seeded.fake.addFault({
      method: 'POST',
      path: DUPLICATE,
      status: 400,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        success: false,
        errors: [{ code: 1001, message: INJECTION, documentation_url: `https://x/${INJECTION}` }],
        messages: [],
        result: null,
      }),
    });
    const result = await runAction({ inputs: copyByIds(seeded) });

    expect(result.code).toBe(1);
    const found = commands(result.stdout);
    expect(found.filter((line) => !line.startsWith('::add-mask::'))).toHaveLength(1);
    expect(found.at(-1)).toMatch(
      /^::error::POST \S+\/duplicate failed: HTTP 400: \[1001\] x\\n::warning::/,
    );
    // The error is one line: the annotation has no line of its own for the forged commands.
    expect(result.errors).toHaveLength(1);
    expect(result.errors[0]!.split('\n')).toHaveLength(1);
    expect(result.warnings).toEqual([]);
  });

  it("an HTML error page's title, printed when the read is retried, stays on its line", async () => {
    seeded.fake.addFault({
      method: 'GET',
      path: STORES,
      status: 502,
      headers: { 'content-type': 'text/html' },
      body: '<html><title>Bad gateway\n::warning::forged\n##[add-mask]DB_URL</title></html>',
    });
    const result = await runAction({
      inputs: { ...seeded.inputs, secret: 'DB_URL', name: 'COPY' },
      env: { RUNNER_DEBUG: '1' },
    });

    expect(result.code).toBe(0);
    expect(result.stdout).toContain(
      'an HTML page titled "Bad gateway\\n::warning::forged\\n##\\[add-mask]DB_URL"',
    );
    const notOurs = commands(result.stdout).filter(
      (line) => !/^::(add-mask|debug)::/.test(line) || line.includes('##['),
    );
    expect(notOurs).toEqual([]);
    expect(result.warnings).toEqual([]);
  });
});

describe('outputs carry only checked values', () => {
  const answer = (fields: Record<string, unknown>) =>
    envelope({
      id: '0123456789abcdef0123456789abcdef',
      name: 'DB_URL_PROD',
      status: 'pending',
      store_id: seeded.storeId,
      created: new Date().toISOString(),
      scopes: ['workers'],
      ...fields,
    });

  it.each([
    ['an id that is not 32 lowercase hex', { id: 'forged\n::warning::x' }, 'result.id is'],
    ['a created time that is not a date', { created: 'now\nforged=1' }, 'result.created is'],
    ['a status of more than one line', { status: 'active\nforged=1' }, 'result.status is'],
    ['a scope with a comma', { scopes: ['workers,forged'] }, 'result.scopes[0] is'],
  ])('a duplicate answer with %s fails the copy, output nowhere', async (_, fields, what) => {
    seeded.fake.addFault({ method: 'POST', path: DUPLICATE, ...answer(fields) });
    const result = await runAction({ inputs: copyByIds(seeded, { 'max-retries': '0' }) });

    expect(result.code).toBe(1);
    expect(result.errors[0]).toContain(
      `/duplicate returned an unexpected answer from Cloudflare (HTTP 200): ${what}`,
    );
    expect(result.outputs['secret-id']).toBeUndefined();
    expect(result.outputs['status']).toBeUndefined();
    expect(result.outputs['secret-ids']).toBe('{}');
    expect(result.stdout).not.toMatch(/^forged/m);
  });

  it('a listing whose secret has a forged status fails the step before it writes', async () => {
    seeded.fake.addFault({
      method: 'GET',
      path: /\/secrets$/,
      ...envelope(
        [
          {
            id: seeded.ids.DB_URL,
            name: 'DB_URL',
            status: 'active\n::set-output name=status::forged',
            created: new Date().toISOString(),
            scopes: ['workers'],
          },
        ],
        { result_info: { total_pages: 1 } },
      ),
    });
    const result = await runAction({
      inputs: { ...seeded.inputs, secret: 'DB_URL', name: 'COPY', 'if-exists': 'skip' },
    });

    expect(result.code).toBe(1);
    expect(result.errors[0]).toMatch(
      /^GET \S+\/secrets returned an unexpected answer from Cloudflare \(HTTP 200\): result\[0\]\.status is/,
    );
    expect(result.outputs).toEqual({});
    expect(seeded.fake.requests.filter((r) => r.method === 'POST')).toHaveLength(0);
  });
});

describe('job summary injection', () => {
  it('a store name, a deployment environment and a repository name render as text', async () => {
    const markup = '<img src=https://evil.example/p.png> [login](https://evil.example) `x`';
    seeded.fake.addFault(onlyStore(markup));
    const result = await runAction({
      inputs: { ...seeded.inputs, secret: 'DB_URL', name: 'COPY' },
      eventName: 'deployment',
      event: {
        deployment: { environment: '<script>alert(1)</script>' },
        repository: { full_name: 'acme/![pixel](https://evil.example/q.png)' },
      },
    });

    expect(result.code).toBe(0);
    const html = marked.parse(result.summary, { async: false, gfm: true });
    expect(html).not.toMatch(/<(img|a|script)\b/);
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect([...html.matchAll(/<code>([^<]*)<\/code>/g)].map((m) => m[1])).toEqual([
      expect.stringMatching(/^[0-9a-f]{32}$/),
      expect.stringMatching(/^[0-9a-f]{32}$/),
      seeded.storeId,
    ]);
  });
});

describe('names that are also object keys', () => {
  it('name: __proto__ is output in secret-ids like any other name', async () => {
    const result = await runAction({
      inputs: { ...seeded.inputs, secret: 'DB_URL', name: '__proto__' },
    });

    expect(result.code).toBe(0);
    const id = result.outputs['secret-id']!;
    expect(id).toMatch(/^[0-9a-f]{32}$/);
    expect(result.outputs['secret-ids']).toBe(`{"__proto__":"${id}"}`);
  });

  it('a list with __proto__, constructor and toString keeps every entry', async () => {
    const result = await runAction({
      inputs: {
        ...seeded.inputs,
        secrets: 'DB_URL => __proto__\nSTRIPE_KEY => constructor\nSESSION_SECRET => toString',
      },
    });

    expect(result.code).toBe(0);
    const ids = JSON.parse(result.outputs['secret-ids']!) as Record<string, string>;
    expect(Object.keys(ids)).toEqual(['__proto__', 'constructor', 'toString']);
    const names = seeded.fake.listSecrets(seeded.storeId).map((s) => s.name);
    for (const [name, id] of Object.entries(ids)) {
      expect(id).toMatch(/^[0-9a-f]{32}$/);
      expect(names).toContain(name);
    }
    const results = JSON.parse(result.outputs['results']!) as { name: string }[];
    expect(results.map((r) => r.name)).toEqual(['__proto__', 'constructor', 'toString']);
  });
});

describe('names that look like others', () => {
  it('refuses a zero-width or bidirectional-control character in a name before any request', async () => {
    const result = await runAction({
      inputs: {
        ...seeded.inputs,
        secrets: 'DB_URL => DB\u200bURL_PROD\nSTRIPE_KEY => KEY\u202e_PROD',
      },
    });

    expect(result.code).toBe(1);
    expect(result.errors[0]!.split('\n')).toEqual([
      'Invalid inputs:',
      expect.stringMatching(
        /^- secrets line 1 TARGET contains an invisible or control character \(got "DB\\u200bURL_PROD"\)/,
      ),
      expect.stringMatching(
        /^- secrets line 2 TARGET contains an invisible or control character \(got "KEY\\u202e_PROD"\)/,
      ),
    ]);
    expect(seeded.fake.requests).toHaveLength(0);
  });

  it('warns about a new name outside A-Za-z0-9_-, and creates it as given', async () => {
    const result = await runAction({
      inputs: { ...seeded.inputs, secret: 'DB_URL', name: 'db.url@prod' },
    });

    expect(result.code).toBe(0);
    expect(result.warnings).toEqual([
      'The new name "db.url@prod" has characters outside A-Z, a-z, 0-9, _ and - (the set wrangler accepts): ' +
        'sent to Cloudflare as given, but wrangler and other tools may refuse such names.',
    ]);
    expect(seeded.fake.listSecrets(seeded.storeId).map((s) => s.name)).toContain('db.url@prod');
  });
});

describe('unbounded answers', () => {
  it('a 5 MB store name is refused unread, naming the request, and nothing big is printed', async () => {
    seeded.fake.addFault(onlyStore('x'.repeat(5_000_000)));
    const result = await runAction({
      inputs: { ...seeded.inputs, secret: 'DB_URL', name: 'COPY' },
    });

    expect(result.code).toBe(1);
    expect(result.errors).toEqual([
      expect.stringMatching(
        /^GET \/accounts\/\w+\/secrets_store\/stores returned HTTP 200 with a body larger than 4 MiB; it was not read\.$/,
      ),
    ]);
    expect(result.stdout.length).toBeLessThan(10_000);
    expect(result.summary).toBe('');
  });

  it('a 1 MB store name is cut in the log and the summary, saying how much', async () => {
    seeded.fake.addFault(onlyStore('n'.repeat(1_000_000)));
    const result = await runAction({
      inputs: { ...seeded.inputs, secret: 'DB_URL', name: 'COPY' },
    });

    expect(result.code).toBe(0);
    expect(result.stdout.length).toBeLessThan(20_000);
    expect(result.stdout).toMatch(/^Store: "n+… \[\d{3},\d{3} more characters cut\]$/m);
    expect(result.summary.length).toBeLessThan(5_000);
    expect(result.summary).toContain('n… \\[999,744 more characters cut\\]');
  });

  it('a 1 MB comment in the answer is cut in the result output, saying how much', async () => {
    seeded.fake.addFault({
      method: 'POST',
      path: DUPLICATE,
      ...envelope({
        id: '0123456789abcdef0123456789abcdef',
        name: 'DB_URL_PROD',
        status: 'pending',
        created: new Date().toISOString(),
        scopes: ['workers'],
        comment: 'c'.repeat(1_000_000),
      }),
    });
    const result = await runAction({ inputs: copyByIds(seeded) });

    expect(result.code).toBe(0);
    const secret = JSON.parse(result.outputs['result']!) as { comment: string };
    expect(secret.comment).toBe(`${'c'.repeat(4_096)}… [995,904 more characters cut]`);
    expect(JSON.stringify(result.outputs).length).toBeLessThan(10_000);
  });

  it('a body that never ends is cut off at the cap instead of filling memory', async () => {
    const server = await startHostileServer(endlessBody);
    try {
      const result = await runAction({
        inputs: { ...seeded.inputs, 'api-base-url': server.url, secret: 'DB_URL', name: 'COPY' },
      });

      expect(result.code).toBe(1);
      expect(result.errors[0]).toMatch(
        /^GET \S+\/stores returned HTTP 200 with a body larger than 4 MiB; it was not read\.$/,
      );
      expect(server.requests).toHaveLength(1);
    } finally {
      await server.close();
    }
  });
});

describe('credentials in api-base-url', () => {
  it.each([
    [
      'an unclosed IPv6 host',
      'https://admin:base-url-pw-9@[::1/client/v4',
      '(got "https://***@[::1/client/v4")',
    ],
    [
      'port 99999',
      'https://admin:base-url-pw-9@127.0.0.1:99999/v4',
      '(got "https://***@127.0.0.1:99999/v4")',
    ],
    [
      'no scheme',
      'admin:base-url-pw-9@api.cloudflare.com/client/v4',
      'api-base-url must use https://.',
    ],
  ])('a URL with %s and a password is refused without repeating either', async (_, url, shown) => {
    const result = await runAction({
      inputs: { ...seeded.inputs, secret: 'DB_URL', name: 'COPY', 'api-base-url': url },
      forbidden: ['base-url-pw-9', 'admin:'],
    });

    expect(result.code).toBe(1);
    expect(result.errors[0]).toContain(shown);
    expect(seeded.fake.requests).toHaveLength(0);
  });
});
