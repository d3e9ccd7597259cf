/**
 * Where the step was triggered from, for the job summary and each copy's provenance:
 * repository, event, the release tag or environment being promoted, and a link to the run.
 */
import type { StepOrigin } from '../plan/provenance.js';

/** The parts of `@actions/github`'s context this reads. */
export interface TriggerContext {
  eventName: string;
  serverUrl: string;
  runId: number;
  ref: string;
  payload: {
    release?: { tag_name?: string };
    deployment?: { environment?: string };
    deployment_status?: { environment?: string };
    repository?: { full_name?: string };
    [key: string]: unknown;
  };
}

export interface Trigger {
  repository?: string;
  event?: string;
  /** e.g. `release v1.2.0`, `environment production`, `refs/heads/main`. */
  source?: string;
  runUrl?: string;
}

export function describeTrigger(
  context: TriggerContext,
  env: Record<string, string | undefined>,
): Trigger {
  const payload = context.payload ?? {};
  const repository = payload.repository?.full_name ?? env.GITHUB_REPOSITORY;
  const { tag, environment } = releaseOrEnvironment(payload);
  const source = tag
    ? `release ${tag}`
    : environment
      ? `environment ${environment}`
      : context.ref || undefined;
  const runUrl =
    repository && context.runId
      ? `${context.serverUrl}/${repository}/actions/runs/${context.runId}`
      : undefined;
  return { repository, event: context.eventName || undefined, source, runUrl };
}

function releaseOrEnvironment(payload: TriggerContext['payload']): {
  tag?: string;
  environment?: string;
} {
  return {
    tag: payload.release?.tag_name,
    environment: payload.deployment?.environment ?? payload.deployment_status?.environment,
  };
}

/**
 * What a copy's provenance records of the run, from the runner's variables and the event's
 * payload (parsed, possibly `{}`). Only string values are kept: the payload is the workflow's.
 */
export function stepOrigin(env: Record<string, string | undefined>, payload: unknown): StepOrigin {
  const event = (
    typeof payload === 'object' && payload !== null ? payload : {}
  ) as TriggerContext['payload'];
  const trigger = describeTrigger(
    {
      eventName: env.GITHUB_EVENT_NAME ?? '',
      serverUrl: env.GITHUB_SERVER_URL || 'https://github.com',
      runId: Number(env.GITHUB_RUN_ID) || 0,
      ref: env.GITHUB_REF ?? '',
      // The repository comes from GITHUB_REPOSITORY, as the run link's does.
      payload: {},
    },
    env,
  );
  const { tag, environment } = releaseOrEnvironment(event);
  const text = (value: unknown) => (typeof value === 'string' && value !== '' ? value : undefined);
  return {
    repository: text(trigger.repository),
    event: text(trigger.event),
    ref: text(tag) ?? text(environment) ?? text(env.GITHUB_REF_NAME),
    runUrl: text(trigger.runUrl),
    attempt: text(env.GITHUB_RUN_ATTEMPT),
  };
}
