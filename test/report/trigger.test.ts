import { describe, expect, it } from 'vitest';
import { describeTrigger, stepOrigin, type TriggerContext } from '../../src/report/trigger.js';

function context(overrides: Partial<TriggerContext> = {}): TriggerContext {
  return {
    eventName: 'push',
    serverUrl: 'https://github.com',
    runId: 4242,
    ref: 'refs/heads/main',
    payload: { repository: { full_name: 'acme/app' } },
    ...overrides,
  };
}

describe('describeTrigger', () => {
  it('describes a release by its tag', () => {
    const trigger = describeTrigger(
      context({
        eventName: 'release',
        ref: 'refs/tags/v1.2.0',
        payload: { release: { tag_name: 'v1.2.0' }, repository: { full_name: 'acme/app' } },
      }),
      {},
    );
    expect(trigger).toEqual({
      repository: 'acme/app',
      event: 'release',
      source: 'release v1.2.0',
      runUrl: 'https://github.com/acme/app/actions/runs/4242',
    });
  });

  it('describes a deployment by its environment', () => {
    const trigger = describeTrigger(
      context({
        eventName: 'deployment',
        ref: 'refs/heads/main',
        payload: {
          deployment: { environment: 'production' },
          repository: { full_name: 'acme/app' },
        },
      }),
      {},
    );
    expect(trigger).toEqual({
      repository: 'acme/app',
      event: 'deployment',
      source: 'environment production',
      runUrl: 'https://github.com/acme/app/actions/runs/4242',
    });
  });

  it("reads a deployment_status event's environment", () => {
    const trigger = describeTrigger(
      context({
        eventName: 'deployment_status',
        payload: {
          deployment_status: { environment: 'staging' },
          repository: { full_name: 'acme/app' },
        },
      }),
      {},
    );
    expect(trigger.source).toBe('environment staging');
  });

  it('prefers the release tag over an environment', () => {
    const trigger = describeTrigger(
      context({
        payload: {
          release: { tag_name: 'v2.0.0' },
          deployment: { environment: 'production' },
        },
      }),
      {},
    );
    expect(trigger.source).toBe('release v2.0.0');
  });

  it('falls back to the ref for a push', () => {
    expect(describeTrigger(context(), {})).toEqual({
      repository: 'acme/app',
      event: 'push',
      source: 'refs/heads/main',
      runUrl: 'https://github.com/acme/app/actions/runs/4242',
    });
  });

  it('takes the repository from GITHUB_REPOSITORY when the payload has none', () => {
    const trigger = describeTrigger(context({ payload: {} }), {
      GITHUB_REPOSITORY: 'acme/from-env',
    });
    expect(trigger.repository).toBe('acme/from-env');
    expect(trigger.runUrl).toBe('https://github.com/acme/from-env/actions/runs/4242');
  });

  it("prefers the payload's repository over GITHUB_REPOSITORY", () => {
    const trigger = describeTrigger(context(), { GITHUB_REPOSITORY: 'acme/from-env' });
    expect(trigger.repository).toBe('acme/app');
  });

  it('has no repository and no run link when the repository is unknown', () => {
    const trigger = describeTrigger(context({ payload: {} }), {});
    expect(trigger).toEqual({
      repository: undefined,
      event: 'push',
      source: 'refs/heads/main',
      runUrl: undefined,
    });
  });

  it('has no run link without a run id', () => {
    expect(describeTrigger(context({ runId: 0 }), {}).runUrl).toBeUndefined();
  });

  it('uses the server URL for the run link (GitHub Enterprise)', () => {
    const trigger = describeTrigger(context({ serverUrl: 'https://ghe.example.com' }), {});
    expect(trigger.runUrl).toBe('https://ghe.example.com/acme/app/actions/runs/4242');
  });

  it('leaves out an empty event name and an empty ref', () => {
    const trigger = describeTrigger(context({ eventName: '', ref: '', payload: {} }), {});
    expect(trigger).toEqual({
      repository: undefined,
      event: undefined,
      source: undefined,
      runUrl: undefined,
    });
  });

  it('copes with a missing payload', () => {
    const trigger = describeTrigger(
      context({ payload: undefined as unknown as TriggerContext['payload'] }),
      { GITHUB_REPOSITORY: 'acme/app' },
    );
    expect(trigger).toEqual({
      repository: 'acme/app',
      event: 'push',
      source: 'refs/heads/main',
      runUrl: 'https://github.com/acme/app/actions/runs/4242',
    });
  });
});

describe('stepOrigin', () => {
  const ENV = {
    GITHUB_REPOSITORY: 'acme/app',
    GITHUB_EVENT_NAME: 'release',
    GITHUB_SERVER_URL: 'https://ghe.example.com',
    GITHUB_RUN_ID: '4242',
    GITHUB_RUN_ATTEMPT: '2',
    GITHUB_REF: 'refs/tags/v1.2.0',
    GITHUB_REF_NAME: 'v1.2.0-ref',
  };

  it('records the repository, event, release tag, run link and attempt', () => {
    expect(stepOrigin(ENV, { release: { tag_name: 'v1.2.0' } })).toEqual({
      repository: 'acme/app',
      event: 'release',
      ref: 'v1.2.0',
      runUrl: 'https://ghe.example.com/acme/app/actions/runs/4242',
      attempt: '2',
    });
  });

  it('records the environment of a deployment, else the ref name', () => {
    expect(stepOrigin(ENV, { deployment_status: { environment: 'staging' } }).ref).toBe('staging');
    expect(stepOrigin(ENV, {}).ref).toBe('v1.2.0-ref');
    expect(stepOrigin(ENV, { release: { tag_name: '' } }).ref).toBe('v1.2.0-ref');
    expect(stepOrigin({ ...ENV, GITHUB_RUN_ATTEMPT: '' }, {}).attempt).toBeUndefined();
  });

  it("keeps only strings from the payload, and ignores the payload's repository", () => {
    const payload = { release: { tag_name: 42 }, repository: { full_name: 'evil/repo' } };
    expect(stepOrigin(ENV, payload)).toMatchObject({ ref: 'v1.2.0-ref', repository: 'acme/app' });
    expect(stepOrigin(ENV, null).ref).toBe('v1.2.0-ref');
    expect(stepOrigin(ENV, 'not an object').ref).toBe('v1.2.0-ref');
  });

  it('leaves out what the environment does not say; github.com is the default server', () => {
    expect(stepOrigin({}, {})).toEqual({
      repository: undefined,
      event: undefined,
      ref: undefined,
      runUrl: undefined,
      attempt: undefined,
    });
    expect(stepOrigin({ GITHUB_REPOSITORY: 'a/b', GITHUB_RUN_ID: '7' }, {}).runUrl).toBe(
      'https://github.com/a/b/actions/runs/7',
    );
    expect(stepOrigin({ ...ENV, GITHUB_RUN_ID: 'x' }, {}).runUrl).toBeUndefined();
  });
});
