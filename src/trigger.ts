/**
 * Where the step was triggered from, for the job summary: repository, event, the release tag
 * or environment being promoted, and a link to the run.
 */

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
  const tag = payload.release?.tag_name;
  const environment = payload.deployment?.environment ?? payload.deployment_status?.environment;
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
