/**
 * run() in-process against the fake API on 127.0.0.1, with @actions/core replaced by a
 * recorder: what src/main.ts says to the runner (masks, logs, outputs, summary, failure), and
 * in which order. The bundle, run as the runner runs it, is tested in test/integration/.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ClientOptions } from '../src/cloudflare/client.js';
import { run } from '../src/main.js';
import { formatProvenance } from '../src/plan/provenance.js';
import { ACCOUNT_ID, TOKEN } from './helpers/credentials.js';
import { copyByIds, startFake, type SeededFake } from './helpers/fake.js';

/** Every call main.ts made to @actions/core, in order: [function name, ...arguments]. */
const calls = vi.hoisted(() => [] as [string, ...unknown[]][]);
const inputs = vi.hoisted(() => new Map<string, string>());
/** What the recorder does besides recording; reset after each test. */
const behaviour = vi.hoisted(() => ({
  debug: false,
  summaryError: undefined as unknown,
  outputError: undefined as unknown,
}));
/** The options of every SecretsStoreClient main.ts made. */
const clients = vi.hoisted(() => [] as ClientOptions[]);

vi.mock('@actions/core', () => {
  const record =
    (name: string) =>
    (...args: unknown[]) => {
      calls.push([name, ...args]);
    };
  const summary = {
    addRaw: (...args: unknown[]) => {
      calls.push(['summary.addRaw', ...args]);
      return summary;
    },
    write: async () => {
      if (behaviour.summaryError !== undefined) throw behaviour.summaryError;
      calls.push(['summary.write']);
      return summary;
    },
  };
  return {
    getInput: (name: string) => inputs.get(name) ?? '',
    isDebug: () => behaviour.debug,
    setOutput: (...args: unknown[]) => {
      if (behaviour.outputError !== undefined) throw behaviour.outputError;
      calls.push(['setOutput', ...args]);
    },
    summary,
    ...Object.fromEntries(
      ['setSecret', 'setFailed', 'info', 'debug', 'warning', 'notice'].map((name) => [
        name,
        record(name),
      ]),
    ),
  };
});

vi.mock('../src/cloudflare/client.js', async (importOriginal) => {
  const actual = await importOriginal<typeof import('../src/cloudflare/client.js')>();
  class RecordedClient extends actual.SecretsStoreClient {
    constructor(options: ClientOptions) {
      clients.push(options);
      super(options);
    }
    override windDown(ms: number): void {
      calls.push(['client.windDown', ms]);
      super.windDown(ms);
    }
  }
  return { ...actual, SecretsStoreClient: RecordedClient };
});

/** Each dispatcher main.ts makes records its closing (a destroy() called with no arguments). */
vi.mock('undici', async (importOriginal) => {
  const actual = await importOriginal<typeof import('undici')>();
  function recordDestroy(dispatcher: { destroy: (...args: unknown[]) => unknown }, name: string) {
    const destroy = dispatcher.destroy.bind(dispatcher);
    dispatcher.destroy = (...args: unknown[]) => {
      if (args.length === 0) calls.push([`${name}.destroy`]);
      return destroy(...args);
    };
  }
  class Agent extends actual.Agent {
    constructor(...args: ConstructorParameters<typeof actual.Agent>) {
      super(...args);
      recordDestroy(this as never, 'Agent');
    }
  }
  class ProxyAgent extends actual.ProxyAgent {
    constructor(...args: ConstructorParameters<typeof actual.ProxyAgent>) {
      super(...args);
      recordDestroy(this as never, 'ProxyAgent');
    }
  }
  return { ...actual, Agent, ProxyAgent };
});

let seeded: SeededFake;

beforeEach(async () => {
  // The fake is on 127.0.0.1: no proxy from the environment may come between.
  for (const name of ['HTTP_PROXY', 'HTTPS_PROXY', 'http_proxy', 'https_proxy'])
    vi.stubEnv(name, '');
  seeded = await startFake();
});

afterEach(async () => {
  await seeded.fake.close();
  vi.unstubAllEnvs();
  calls.length = 0;
  clients.length = 0;
  inputs.clear();
  Object.assign(behaviour, { debug: false, summaryError: undefined, outputError: undefined });
});

function setInputs(values: Record<string, string>): void {
  for (const [name, value] of Object.entries(values)) inputs.set(name, value);
}

/** The arguments of every call to `name`, in order. */
const argsOf = (name: string) => calls.filter(([n]) => n === name).map(([, ...args]) => args);
/** The first argument of every call to `name`, in order. */
const messages = (name: string) => argsOf(name).map(([message]) => message);
const outputs = () => Object.fromEntries(argsOf('setOutput') as [string, string][]);
const storeLine = () => `Store: "production" (${seeded.storeId})`;
/** The id of the secret named `name` in the fake's store. */
const idOf = (name: string) =>
  seeded.fake.listSecrets(seeded.storeId).find((secret) => secret.name === name)?.id;

describe('run', () => {
  // Mutant: parseInputs called before the credentials are masked, so an input error is
  // reported (and could echo a credential) before any `::add-mask::`.
  it('masks the credentials before it reports an invalid input', async () => {
    // The token pasted into account-id too: the input error quotes it.
    setInputs({ 'account-id': TOKEN, 'api-token': TOKEN, secret: 'DB_URL', name: 'DB_URL_COPY' });

    await run();

    expect(calls.map(([name]) => name)).toEqual(['setSecret', 'setFailed']);
    expect(calls[0]).toEqual(['setSecret', TOKEN]);
    expect(calls[1]![1]).toMatch(/^Invalid input: account-id /);
    expect(calls[1]![1]).toContain(TOKEN);
    expect(clients).toEqual([]);
  });

  it('copies a secret by name: logs each step, sets the outputs, writes the summary', async () => {
    setInputs({ ...seeded.inputs, secret: 'DB_URL', name: 'DB_URL_PROD' });

    await run();

    const id = idOf('DB_URL_PROD');
    expect(id).toBeDefined();
    expect(messages('info')).toEqual([
      storeLine(),
      `Duplicating "DB_URL" (${seeded.ids.DB_URL}) as "DB_URL_PROD" with scopes workers`,
      `Created secret "DB_URL_PROD" (${id}).`,
    ]);
    expect(outputs()).toMatchObject({
      'secret-id': id,
      'secret-name': 'DB_URL_PROD',
      'store-id': seeded.storeId,
      outcome: 'created',
    });
    const [markdown, overwrite] = argsOf('summary.addRaw')[0]!;
    expect(markdown).toMatch(/^## Secrets Store duplicate\n/);
    expect(markdown).toContain(`\`${id}\``);
    // addRaw(text, true) ends the text with a newline, as the next step's summary expects.
    expect(overwrite).toBe(true);
    expect(calls.map(([name]) => name).slice(-3)).toEqual([
      'summary.addRaw',
      'summary.write',
      'Agent.destroy',
    ]);
    expect(messages('setFailed')).toEqual([]);
    expect(messages('warning')).toEqual([]);
    expect(messages('notice')).toEqual([]);
    expect(messages('debug')).toEqual([]);
  });

  it('names the source by its id when the plan did not look it up, and lists every scope', async () => {
    setInputs(copyByIds(seeded, { scopes: 'workers,ai_gateway' }));

    await run();

    expect(messages('info')).toEqual([
      `Store: ${seeded.storeId}`,
      `Duplicating ${seeded.ids.DB_URL} as "DB_URL_PROD" with scopes workers, ai_gateway`,
      `Created secret "DB_URL_PROD" (${idOf('DB_URL_PROD')}).`,
    ]);
  });

  it('a dry run says what it would do, and writes nothing', async () => {
    setInputs({ ...seeded.inputs, secret: 'DB_URL', name: 'DB_URL_PROD', 'dry-run': 'true' });

    await run();

    expect(messages('info')).toEqual([
      storeLine(),
      `Would duplicate "DB_URL" (${seeded.ids.DB_URL}) as "DB_URL_PROD" with scopes workers`,
      'Dry run: "DB_URL_PROD" can be created; nothing written.',
    ]);
    expect(idOf('DB_URL_PROD')).toBeUndefined();
    expect(outputs()).toMatchObject({ outcome: 'dry-run' });
    expect(messages('setFailed')).toEqual([]);
  });

  it('warns of an unknown scope, and of an existing name kept with other scopes', async () => {
    const existing = seeded.fake.addSecret(seeded.storeId, {
      name: 'DB_URL_PROD',
      scopes: ['workers'],
    });
    setInputs({
      ...seeded.inputs,
      secret: 'DB_URL',
      name: 'DB_URL_PROD',
      scopes: 'workers,workerz',
      'if-exists': 'skip',
    });

    await run();

    expect(messages('warning')).toEqual([
      expect.stringMatching(/^scopes: "workerz" \(did you mean "workers"\?\) is not a known scope/),
      expect.stringMatching(
        new RegExp(`^Secret "DB_URL_PROD" \\(${existing.id}\\) already exists in store `),
      ),
    ]);
    expect(messages('info')).toContain(
      `Secret "DB_URL_PROD" already exists (${existing.id}); nothing written (if-exists: skip).`,
    );
    expect(outputs()).toMatchObject({ outcome: 'existing', 'secret-id': existing.id });
    expect(messages('setFailed')).toEqual([]);
  });

  it('gives notice when it adopted a secret whose answer was lost', async () => {
    seeded.fake.addFault({ method: 'POST', path: /\/duplicate$/, action: 'commit-then-drop' });
    setInputs(copyByIds(seeded));

    await run();

    const id = idOf('DB_URL_PROD');
    expect(messages('notice')).toEqual([
      `Cloudflare's answer to the duplicate was lost, but the secret "DB_URL_PROD" (${id}) it created was found and used; nothing was created twice.`,
    ]);
    expect(messages('info')).toContain(`Created secret "DB_URL_PROD" (${id}).`);
    expect(messages('setFailed')).toEqual([]);
  });

  it('rolls a list back: logs each deletion, and fails the step with what happened', async () => {
    seeded.fake.addFault({
      method: 'POST',
      path: new RegExp(`${seeded.ids.STRIPE_KEY}/duplicate$`),
      status: 422,
      body: JSON.stringify({ success: false, errors: [{ code: 1000, message: 'no' }] }),
    });
    setInputs({
      ...seeded.inputs,
      secrets: 'DB_URL => DB_URL_PROD\nSTRIPE_KEY => STRIPE_KEY_PROD',
      'max-parallel': '1',
      'rollback-on-failure': 'true',
    });

    await run();

    const created = seeded.fake.requests
      .find((r) => r.method === 'DELETE')
      ?.path.split('/')
      .pop();
    expect(messages('info')).toContain(
      `Rolled back: deleted "DB_URL_PROD" (${created}), which this step had created.`,
    );
    expect(idOf('DB_URL_PROD')).toBeUndefined();
    // The failed copy is reported once, by the step's failure, not by a log line of its own.
    expect(messages('info').filter((m) => String(m).includes('STRIPE_KEY_PROD'))).toEqual([
      expect.stringMatching(/^Duplicating "STRIPE_KEY"/),
    ]);
    const [failure] = messages('setFailed');
    expect(failure).toMatch(/^1 of 2 copies failed:\n- line 2 \(STRIPE_KEY => STRIPE_KEY_PROD\): /);
    expect(failure).toContain('Rolled back (deleted) 1 secret(s) this step had created:');
    expect(calls.map(([name]) => name).slice(-4)).toEqual([
      'summary.addRaw',
      'summary.write',
      'setFailed',
      'Agent.destroy',
    ]);
  });

  it('logs each retry with its wait and reason', async () => {
    seeded.fake.addFault({ method: 'GET', path: /\/secrets$/, status: 503, body: '' });
    setInputs({ ...seeded.inputs, secret: 'DB_URL', name: 'DB_URL_PROD' });

    await run();

    const retries = messages('info').filter((m) => String(m).startsWith('Retrying '));
    expect(retries).toEqual([
      expect.stringMatching(
        new RegExp(
          `^Retrying GET /accounts/${ACCOUNT_ID}/secrets_store/stores/${seeded.storeId}/secrets ` +
            'in 0\\.\\d s: GET \\S+ failed: HTTP 503: an empty body\\.$',
        ),
      ),
    ]);
    expect(messages('setFailed')).toEqual([]);
  });

  describe('replace and wait-for-active', () => {
    /** A fake whose new copies are active at once, so wait-for-active needs one read. */
    async function activeFake(): Promise<void> {
      await seeded.fake.close();
      seeded = await startFake({ duplicateStatus: 'active' });
    }

    /** Inputs that replace DB_URL_PROD with a copy of DB_URL, and `extra`. */
    const replacing = (extra: Record<string, string>) =>
      setInputs({
        ...seeded.inputs,
        secret: 'DB_URL',
        name: 'DB_URL_PROD',
        'if-exists': 'replace',
        ...extra,
      });

    it('replaces the secret with the name, and says the new one is active', async () => {
      await activeFake();
      const old = seeded.fake.addSecret(seeded.storeId, { name: 'DB_URL_PROD' });
      replacing({
        'wait-for-active': 'true',
      });

      await run();

      const id = idOf('DB_URL_PROD');
      expect(id).not.toBe(old.id);
      expect(messages('info')).toEqual([
        storeLine(),
        `Duplicating "DB_URL" (${seeded.ids.DB_URL}) as "DB_URL_PROD", replacing the secret that has that name (${old.id}) with scopes workers`,
        `Replaced secret "DB_URL_PROD": deleted ${old.id}, created ${id}.`,
        `Secret "DB_URL_PROD" (${id}) is active.`,
      ]);
      expect(messages('setFailed')).toEqual([]);
    });

    it('with keep-previous, says where the replaced value is kept, and outputs its id', async () => {
      const old = seeded.fake.addSecret(seeded.storeId, { name: 'DB_URL_PROD' });
      replacing({
        'keep-previous': 'true',
      });

      await run();

      const previous = idOf('DB_URL_PROD_PREVIOUS');
      expect(messages('info')).toContain(
        `Kept the value it replaced as "DB_URL_PROD_PREVIOUS" (${previous}).`,
      );
      expect(outputs()['previous-secret-id']).toBe(previous);
      expect(outputs()['replaced-secret-id']).toBe(old.id);
      expect(messages('setFailed')).toEqual([]);
    });

    it('a failed copy says the target was restored from its backup, and under which id', async () => {
      seeded.fake.addSecret(seeded.storeId, { name: 'DB_URL_PROD' });
      seeded.fake.addFault({
        method: 'POST',
        path: new RegExp(`/${seeded.ids.DB_URL}/duplicate$`),
        status: 400,
      });
      replacing({
        'max-retries': '0',
      });

      await run();

      const restored = idOf('DB_URL_PROD');
      expect(messages('info')).toContain(
        `Restored "DB_URL_PROD" from its backup as ${restored}, with its old value.`,
      );
      expect(String(messages('setFailed')[0])).toMatch(/^Deleted "DB_URL_PROD" \(/);
    });

    it('a signal cancels the step: a warning, no new write, and a failure naming what it did', async () => {
      const duplicate = `/${seeded.ids.DB_URL}/duplicate`;
      seeded.fake.addFault({ method: 'POST', path: new RegExp(`${duplicate}$`), delayMs: 300 });
      setInputs({
        ...seeded.inputs,
        secrets: 'DB_URL => A_COPY\nSTRIPE_KEY => B_COPY',
        'max-parallel': '1',
      });
      const listeners = process.listenerCount('SIGTERM');

      const running = run();
      while (!seeded.fake.requests.some((r) => r.path.endsWith(duplicate))) {
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
      process.emit('SIGTERM', 'SIGTERM');
      await running;

      expect(messages('warning')).toEqual([
        'Received SIGTERM: the step is cancelled. No new write starts; writes in flight finish, ' +
          'and what they leave half done is restored or completed before the step reports.',
      ]);
      expect(idOf('B_COPY')).toBeUndefined();
      const [failure] = messages('setFailed') as string[];
      expect(failure!.split('\n').slice(0, 3)).toEqual([
        'The step was cancelled (SIGTERM): no write started after that.',
        'Secrets it wrote or deleted:',
        `- A_COPY: created ${idOf('A_COPY')}`,
      ]);
      expect(outputs()['secret-ids']).toBe(JSON.stringify({ A_COPY: idOf('A_COPY') }));
      // The listeners go with the step.
      expect(process.listenerCount('SIGTERM')).toBe(listeners);
    });

    /** The body of the POST that made the backup of DB_URL_PROD. */
    const backupBody = () =>
      seeded.fake.requests
        .filter((r) => r.method === 'POST' && r.body !== undefined)
        .map((r) => (typeof r.body === 'string' ? JSON.parse(r.body) : r.body))
        .find((body: { name?: string }) => body.name?.startsWith('DB_URL_PROD_BACKUP_'));

    it('names the run in its backups: its id in base 36, its attempt and the repository', async () => {
      seeded.fake.addSecret(seeded.storeId, { name: 'DB_URL_PROD' });
      vi.stubEnv('GITHUB_RUN_ID', '4242');
      vi.stubEnv('GITHUB_RUN_ATTEMPT', '2');
      vi.stubEnv('GITHUB_REPOSITORY', 'a/b');
      replacing({});

      await run();

      expect(messages('setFailed')).toEqual([]);
      expect(backupBody()).toMatchObject({ name: 'DB_URL_PROD_BACKUP_39U_2' });
      expect(backupBody().comment).toMatch(/ made by run 4242 of a\/b while replacing it /);
    });

    it('outside a workflow, its backups name no run', async () => {
      seeded.fake.addSecret(seeded.storeId, { name: 'DB_URL_PROD' });
      for (const name of ['GITHUB_RUN_ID', 'GITHUB_RUN_ATTEMPT', 'GITHUB_REPOSITORY'])
        vi.stubEnv(name, undefined);
      replacing({});

      await run();

      expect(messages('setFailed')).toEqual([]);
      expect(backupBody()).toMatchObject({ name: 'DB_URL_PROD_BACKUP_LOCAL_1' });
      expect(backupBody().comment).toMatch(/ made by a run while replacing it /);
    });

    // Each write is given at most 5 s: with a third of the budget each, the 3 writes a replace
    // needs time for would take all of it.
    it('with timeout-seconds 20, a replace has the time it needs', async () => {
      const old = seeded.fake.addSecret(seeded.storeId, { name: 'DB_URL_PROD' });
      replacing({ 'timeout-seconds': '20' });

      await run();

      expect(messages('setFailed')).toEqual([]);
      expect(idOf('DB_URL_PROD')).not.toBe(old.id);
    });

    it('SIGINT cancels too, once however many signals follow, and brings the deadline to 7 s', async () => {
      const duplicate = `/${seeded.ids.DB_URL}/duplicate`;
      seeded.fake.addFault({ method: 'POST', path: new RegExp(`${duplicate}$`), delayMs: 300 });
      setInputs({ ...seeded.inputs, secrets: 'DB_URL => A_COPY\nSTRIPE_KEY => B_COPY' });
      const listeners = process.listenerCount('SIGINT');

      const running = run();
      while (!seeded.fake.requests.some((r) => r.path.endsWith(duplicate))) {
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
      process.emit('SIGINT', 'SIGINT');
      process.emit('SIGTERM', 'SIGTERM');
      await running;

      expect(messages('warning')).toEqual([
        'Received SIGINT: the step is cancelled. No new write starts; writes in flight finish, ' +
          'and what they leave half done is restored or completed before the step reports.',
      ]);
      expect(argsOf('client.windDown')).toEqual([[7_000]]);
      expect(String(messages('setFailed')[0])).toMatch(/^The step was cancelled \(SIGINT\)/);
      expect(process.listenerCount('SIGINT')).toBe(listeners);
    });

    it('a dry run of a replace names the secret it would delete', async () => {
      const old = seeded.fake.addSecret(seeded.storeId, { name: 'DB_URL_PROD' });
      replacing({
        'dry-run': 'true',
      });

      await run();

      expect(messages('info')).toEqual([
        storeLine(),
        `Would duplicate "DB_URL" (${seeded.ids.DB_URL}) as "DB_URL_PROD", replacing the secret that has that name (${old.id}) with scopes workers`,
        `Dry run: "DB_URL_PROD" (${old.id}) would be deleted and created again as a copy; nothing written.`,
      ]);
      expect(idOf('DB_URL_PROD')).toBe(old.id);
    });

    it('says "active" of a secret it created, not of one if-exists: skip kept', async () => {
      await activeFake();
      const kept = seeded.fake.addSecret(seeded.storeId, { name: 'DB_URL_PROD' });
      setInputs({
        ...seeded.inputs,
        secrets: 'DB_URL => DB_URL_PROD\nSTRIPE_KEY => STRIPE_KEY_PROD',
        scopes: 'workers',
        'if-exists': 'skip',
        'wait-for-active': 'true',
      });

      await run();

      const id = idOf('STRIPE_KEY_PROD');
      const info = messages('info');
      // No "replacing" for a name that if-exists: skip keeps.
      expect(info).toContain(
        `Duplicating "DB_URL" (${seeded.ids.DB_URL}) as "DB_URL_PROD" with scopes workers`,
      );
      expect(info).toContain(
        `Secret "DB_URL_PROD" already exists (${kept.id}); nothing written (if-exists: skip).`,
      );
      expect(info.filter((m) => String(m).endsWith(' is active.'))).toEqual([
        `Secret "STRIPE_KEY_PROD" (${id}) is active.`,
      ]);
    });

    it('says nothing of "active" without wait-for-active', async () => {
      await activeFake();
      setInputs({ ...copyByIds(seeded), 'wait-for-active': 'false' });

      await run();

      expect(messages('info').filter((m) => String(m).endsWith(' is active.'))).toEqual([]);
      expect(outputs()).toMatchObject({ outcome: 'created', status: 'active' });
    });
  });

  it("ends each copy's comment with the provenance the runner's variables and event give", async () => {
    const dir = await mkdtemp(join(tmpdir(), 'event-'));
    try {
      const event = join(dir, 'event.json');
      await writeFile(event, JSON.stringify({ release: { tag_name: 'v1.2.3' } }));
      for (const [name, value] of Object.entries({
        GITHUB_EVENT_PATH: event,
        GITHUB_EVENT_NAME: 'release',
        GITHUB_REPOSITORY: 'acme/app',
        GITHUB_SERVER_URL: 'https://github.com',
        GITHUB_RUN_ID: '77',
        GITHUB_RUN_ATTEMPT: '3',
        GITHUB_REF_NAME: 'main',
      }))
        vi.stubEnv(name, value);
      setInputs({ ...seeded.inputs, secret: 'DB_URL', name: 'DB_URL_V1', comment: 'promoted' });

      await run();

      expect(seeded.fake.getSecret(idOf('DB_URL_V1')!)?.comment).toBe(
        'promoted\n[secrets-store-duplicate] source=DB_URL ' +
          `source-id=${seeded.ids.DB_URL} repo=acme/app event=release ref=v1.2.3 ` +
          'run=https://github.com/acme/app/actions/runs/77 attempt=3',
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('records the ref name when the event file cannot be read', async () => {
    vi.stubEnv('GITHUB_EVENT_PATH', join(tmpdir(), 'no-such-event-file.json'));
    vi.stubEnv('GITHUB_REF_NAME', 'main');
    setInputs({ ...seeded.inputs, secret: 'DB_URL', name: 'DB_URL_V1' });

    await run();

    expect(messages('setFailed')).toEqual([]);
    expect(seeded.fake.getSecret(idOf('DB_URL_V1')!)?.comment).toContain(' ref=main');
  });

  describe('prune', () => {
    /** Copies of DB_URL, APP_KEY_1 (oldest) to APP_KEY_4, an hour apart, all before the step. */
    function seedReleases(): string[] {
      const start = Date.now() - 10 * 3_600_000;
      const comment = formatProvenance({ sourceName: 'DB_URL', sourceId: seeded.ids.DB_URL! });
      return [1, 2, 3, 4].map(
        (n) =>
          seeded.fake.addSecret(seeded.storeId, {
            name: `APP_KEY_${n}`,
            comment,
            created: new Date(start + n * 3_600_000).toISOString(),
          }).id,
      );
    }
    const release = (extra: Record<string, string>) =>
      setInputs({
        ...seeded.inputs,
        secret: 'DB_URL',
        name: 'APP_KEY_5',
        prune: 'APP_KEY_*',
        ...extra,
      });

    it('logs each secret it deleted, newest first, keeping prune-keep in all', async () => {
      const ids = seedReleases();
      release({ 'prune-keep': '2' });

      await run();

      // APP_KEY_5 (the copy) and APP_KEY_4 are kept.
      expect(messages('info').slice(-3)).toEqual([
        `Pruned "APP_KEY_3" (${ids[2]}).`,
        `Pruned "APP_KEY_2" (${ids[1]}).`,
        `Pruned "APP_KEY_1" (${ids[0]}).`,
      ]);
      expect(idOf('APP_KEY_1')).toBeUndefined();
      expect(idOf('APP_KEY_4')).toBe(ids[3]);
      expect(messages('setFailed')).toEqual([]);
    });

    it('a dry run names what it would prune, and deletes nothing', async () => {
      const ids = seedReleases();
      release({ 'prune-keep': '4', 'dry-run': 'true' });

      await run();

      expect(messages('info').slice(-1)).toEqual([`Dry run: would prune "APP_KEY_1" (${ids[0]}).`]);
      expect(idOf('APP_KEY_1')).toBe(ids[0]);
    });

    it('says when there is nothing to prune', async () => {
      seedReleases();
      release({ 'prune-keep': '5' });

      await run();

      expect(messages('info').slice(-1)).toEqual([
        'Nothing to prune: no copy matching "APP_KEY_*" is older than the 5 newest of its source.',
      ]);
    });

    it('says which matching secrets it left alone for want of provenance', async () => {
      const ids = seedReleases();
      const byHand = seeded.fake.addSecret(seeded.storeId, {
        name: 'APP_KEY_0',
        created: new Date(Date.now() - 20 * 3_600_000).toISOString(),
      }).id;
      release({ 'prune-keep': '4' });

      await run();

      expect(messages('info').slice(-2)).toEqual([
        `Pruned "APP_KEY_1" (${ids[0]}).`,
        `Not pruned: "APP_KEY_0" (${byHand}) matches "APP_KEY_*" but has no provenance line in its comment, so this action did not make it.`,
      ]);
      expect(idOf('APP_KEY_0')).toBe(byHand);
    });

    it('says why it skipped pruning after a failed copy', async () => {
      seedReleases();
      seeded.fake.addFault({ method: 'POST', path: /\/duplicate$/, status: 422, body: '' });
      release({});

      await run();

      expect(messages('info').slice(-1)).toEqual([
        'Pruning skipped: a copy failed, so nothing was pruned.',
      ]);
      expect(messages('setFailed')).toHaveLength(1);
    });

    it('says nothing is left to prune when a delete failed', async () => {
      const ids = seedReleases();
      seeded.fake.addFault({
        method: 'DELETE',
        path: /\/secrets\/[0-9a-f]+$/,
        status: 500,
        body: '',
      });
      release({ 'prune-keep': '4', 'max-retries': '0' });

      await run();

      expect(messages('info').filter((m) => /prune/i.test(String(m)))).toEqual([]);
      expect(messages('setFailed')).toEqual([
        expect.stringContaining(`- "APP_KEY_1" (${ids[0]}): `),
      ]);
    });

    it('warns of a matching secret whose age it cannot read, and keeps it', async () => {
      const [oldest] = seedReleases();
      // The listing gives APP_KEY_1 with no created time.
      const listing = {
        success: true,
        errors: [],
        messages: [],
        result: [
          {
            id: oldest,
            name: 'APP_KEY_1',
            status: 'active',
            scopes: ['workers'],
            comment: formatProvenance({ sourceName: 'DB_URL', sourceId: seeded.ids.DB_URL! }),
          },
        ],
        result_info: { page: 1, per_page: 100, count: 1, total_count: 1, total_pages: 1 },
      };
      seeded.fake.addFault({ method: 'GET', path: /\/secrets$/, body: JSON.stringify(listing) });
      setInputs({ ...copyByIds(seeded), name: 'APP_KEY_5', prune: 'APP_KEY_*', 'prune-keep': '1' });

      await run();

      expect(messages('warning')).toEqual([
        `prune: kept "APP_KEY_1" (${oldest}): its created time "" cannot be read, so its age is unknown.`,
      ]);
      expect(idOf('APP_KEY_1')).toBe(oldest);
    });

    it('a listing that failed is reported once, by the step failure', async () => {
      seedReleases();
      seeded.fake.addFault({ method: 'GET', path: /\/secrets$/, status: 500, body: '' });
      setInputs({ ...copyByIds(seeded), prune: 'APP_KEY_*', 'max-retries': '0' });

      await run();

      expect(messages('info').filter((m) => String(m).startsWith('Pruning'))).toEqual([]);
      expect(messages('setFailed')).toEqual([
        expect.stringMatching(/^Pruning "APP_KEY_\*": listing the store failed: /),
      ]);
    });
  });

  describe('with step debug logging on', () => {
    it('logs each request: method, path, attempt, status and time', async () => {
      behaviour.debug = true;
      setInputs(copyByIds(seeded));

      await run();

      expect(messages('debug')).toEqual([
        expect.stringMatching(
          new RegExp(
            `^POST /accounts/${ACCOUNT_ID}/secrets_store/stores/${seeded.storeId}/secrets/${seeded.ids.DB_URL}/duplicate ` +
              '\\(attempt 1\\) → HTTP 200 in \\d+ ms$',
          ),
        ),
      ]);
    });

    it('logs a request that got no answer with its error', async () => {
      behaviour.debug = true;
      const url = seeded.fake.url;
      await seeded.fake.close();
      setInputs({ ...copyByIds(seeded), 'api-base-url': url, 'max-retries': '0' });

      await run();

      expect(messages('debug')[0]).toMatch(
        /^POST \S+\/duplicate \(attempt 1\) → POST \S+ failed: the connection failed \(ECONNREFUSED: .*\)\. in \d+ ms$/,
      );
      expect(messages('setFailed')).toHaveLength(1);
    });

    it('is off unless the runner says so: no request lines', async () => {
      setInputs(copyByIds(seeded));

      await run();

      expect(clients[0]!.onRequest).toBeUndefined();
      expect(messages('debug')).toEqual([]);
    });
  });

  describe('the client it makes', () => {
    it.each([
      // Each request may take a third of the step's budget, between 1 and 30 seconds.
      ['1', 1_000],
      ['6', 2_000],
      ['90', 30_000],
      ['3600', 30_000],
    ])('timeout-seconds %s: %i ms a request', async (timeout, requestTimeoutMs) => {
      setInputs({ ...copyByIds(seeded), 'timeout-seconds': timeout, 'max-retries': '5' });
      const before = Date.now();

      await run();

      const options = clients[0]!;
      expect(options).toMatchObject({
        accountId: ACCOUNT_ID,
        credentials: { kind: 'token', token: TOKEN },
        baseUrl: seeded.fake.url,
        maxRetries: 5,
        requestTimeoutMs,
      });
      // The whole step's budget, from when the client was made.
      expect(options.deadline).toBeGreaterThanOrEqual(before + Number(timeout) * 1000);
      expect(options.deadline).toBeLessThanOrEqual(Date.now() + Number(timeout) * 1000);
    });
  });

  describe('its connections', () => {
    it('closes the agent when the step is done', async () => {
      setInputs(copyByIds(seeded));

      await run();

      expect(calls.map(([name]) => name).slice(-1)).toEqual(['Agent.destroy']);
    });

    it('closes the agent after a failure too', async () => {
      setInputs({ ...copyByIds(seeded), store: 'a'.repeat(32) });

      await run();

      expect(calls.map(([name]) => name).slice(-2)).toEqual(['setFailed', 'Agent.destroy']);
    });

    it('goes through HTTPS_PROXY for an https:// API, says so in debug, and closes it', async () => {
      // A proxy that is not there (with a path, which a proxy ignores): the request fails at
      // the proxy, never reaching the API.
      const closed = seeded.fake.url;
      await seeded.fake.close();
      vi.stubEnv('HTTPS_PROXY', closed);
      setInputs({
        ...copyByIds(seeded),
        'api-base-url': 'https://api.example.invalid/client/v4',
        'max-retries': '0',
      });

      await run();

      expect(messages('debug')).toEqual(['Requests go through the proxy set in HTTPS_PROXY.']);
      expect(messages('setFailed')).toEqual([expect.stringMatching(/^POST \S+ failed: /)]);
      expect(calls.map(([name]) => name).slice(-1)).toEqual(['ProxyAgent.destroy']);
    });
  });

  describe('failures', () => {
    it('an expected failure: its message alone, no stack', async () => {
      setInputs({ ...copyByIds(seeded), store: 'a'.repeat(32) });

      await run();

      expect(messages('setFailed')).toEqual([
        expect.stringMatching(/^POST \S+ failed: HTTP 404: /),
      ]);
      expect(messages('debug')).toEqual([]);
    });

    it('an unexpected error: "Unexpected error" and its stack in debug', async () => {
      const error = new TypeError('boom');
      behaviour.outputError = error;
      setInputs(copyByIds(seeded));

      await run();

      expect(messages('setFailed')).toEqual(['Unexpected error: boom']);
      // One debug line per line of the stack, so each is escaped on its own.
      expect(messages('debug')).toEqual(error.stack!.split('\n'));
    });

    it('an unexpected error without a stack: an empty debug line', async () => {
      const error = new Error('boom');
      delete error.stack;
      behaviour.outputError = error;
      setInputs(copyByIds(seeded));

      await run();

      expect(messages('setFailed')).toEqual(['Unexpected error: boom']);
      expect(messages('debug')).toEqual(['']);
    });

    it('something thrown that is not an Error: no stack to show', async () => {
      behaviour.outputError = 'a string';
      setInputs(copyByIds(seeded));

      await run();

      expect(messages('setFailed')).toEqual(['Unexpected error: a string']);
      expect(messages('debug')).toEqual([]);
    });

    it.each([
      [new Error('disk full'), 'disk full'],
      ['no file', 'no file'],
    ])('a summary that cannot be written only warns (%s)', async (thrown, text) => {
      behaviour.summaryError = thrown;
      setInputs(copyByIds(seeded));

      await run();

      expect(messages('warning')).toEqual([`Could not write the job summary: ${text}`]);
      expect(messages('setFailed')).toEqual([]);
      expect(outputs()).toMatchObject({ outcome: 'created' });
    });
  });
});
