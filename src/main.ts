/**
 * The action, in one direction: inputs → plan → Cloudflare client → report. This is the only
 * file that reads inputs or writes outputs; everything it calls gets plain values.
 */
import * as core from '@actions/core';
import { readFileSync } from 'node:fs';
import { Agent, ProxyAgent, type Dispatcher } from 'undici';
import { SecretsStoreClient, type RequestEvent } from './cloudflare/client.js';
// The pipeline, in the order run() follows it: inputs → plan → copy → report.
import { parseInputs } from './inputs/config.js';
import { credentialValues } from './inputs/connection.js';
import { chooseProxy, proxyCredentials } from './inputs/proxy.js';
import { describeStore, makePlan } from './plan/plan.js';
import { executePlan } from './copy/execute.js';
import { prune, type PruneReport } from './copy/prune.js';
import type { CopyResult } from './copy/results.js';
import { stepFailure } from './report/failure.js';
import { outputsFor, type RunReport } from './report/outputs.js';
import { summaryMarkdown } from './report/summary.js';
import { describeTrigger, stepOrigin } from './report/trigger.js';
import { failureLines, isExpectedFailure, nameAndId } from './shared/errors.js';
import { printable, printableLines } from './shared/sanitize.js';

const readInput = (name: string): string => core.getInput(name);

/**
 * Every line the step prints goes through here, so no value from Cloudflare or the workflow can
 * start a workflow command or hide in one (src/shared/sanitize.ts). A lint rule keeps it that way.
 */
const log = {
  info: (text: string) => core.info(printable(text)),
  notice: (text: string) => core.notice(printable(text)),
  warning: (text: string) => core.warning(printable(text)),
  debug: (text: string) => core.debug(printable(text)),
  /** Fails the step; a message of several lines keeps them, each printed on its own. */
  fail: (lines: readonly string[]) => core.setFailed(printableLines(lines)),
};

/** How long a cancelled step may still work: GitHub kills it 10 s after its SIGINT. */
const CANCEL_BUDGET_MS = 7_000;

/**
 * Cancellation: GitHub sends SIGINT, then SIGTERM 7.5 s later, then kills the process. Either
 * signal stops new writes; what is in flight ends, compensations run and the step still reports.
 */
function listenForCancel(): { signal: AbortSignal; stop: () => void } {
  const controller = new AbortController();
  const onSignal = (name: NodeJS.Signals) => {
    if (!controller.signal.aborted) {
      log.warning(
        `Received ${name}: the step is cancelled. No new write starts; writes in flight finish, ` +
          'and what they leave half done is restored or completed before the step reports.',
      );
    }
    controller.abort(name);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return {
    signal: controller.signal,
    stop: () => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    },
  };
}

export async function run(): Promise<void> {
  let dispatcher: Dispatcher | undefined;
  const cancel = listenForCancel();
  try {
    // Mask before anything else can be logged, including input and proxy errors.
    const secrets = [...credentialValues(readInput, process.env), ...proxyCredentials(process.env)];
    for (const value of secrets) core.setSecret(value);
    const config = parseInputs(readInput, process.env);
    for (const warning of config.warnings) log.warning(warning);
    // HTTPS_PROXY and NO_PROXY (either case), as self-hosted runners need; see src/inputs/proxy.ts.
    const proxy = chooseProxy(config.baseUrl, process.env);
    dispatcher = proxy ? new ProxyAgent(proxy.url.href) : new Agent();
    if (proxy) log.debug(`Requests go through the proxy set in ${proxy.variable}.`);

    const client = new SecretsStoreClient({
      accountId: config.accountId,
      credentials: config.credentials,
      baseUrl: config.baseUrl,
      dispatcher,
      maxRetries: config.maxRetries,
      deadline: Date.now() + config.timeoutSeconds * 1000,
      requestTimeoutMs: requestTimeoutMs(config.timeoutSeconds),
      onRequest: core.isDebug() ? logRequest : undefined,
      onRetry: ({ method, path, waitMs, reason }) =>
        log.info(`Retrying ${method} ${path} in ${(waitMs / 1000).toFixed(1)} s: ${reason}`),
    });
    // Once cancelled, the step must be done before GitHub's kill, 10 s after its SIGINT: a
    // request in flight gets half of CANCEL_BUDGET_MS, what undoes its leftovers the other half.
    const windDown = () => client.windDown(CANCEL_BUDGET_MS);
    if (cancel.signal.aborted) windDown();
    else cancel.signal.addEventListener('abort', windDown, { once: true });

    // On the local clock: prune turns it into the server's once answers have told the offset.
    const startedAt = client.now();
    const origin = stepOrigin(process.env, readEventPayload(process.env.GITHUB_EVENT_PATH));
    const plan = await makePlan(config, client, origin);
    log.info(`Store: ${describeStore(plan.store)}`);
    for (const copy of plan.copies) {
      const source = copy.source ? `${nameAndId(copy.source.name, copy.sourceId)}` : copy.sourceId;
      const replacing =
        config.ifExists === 'replace' && copy.existing
          ? `, replacing the secret that has that name (${copy.existing.id})`
          : '';
      log.info(
        `${config.dryRun ? 'Would duplicate' : 'Duplicating'} ${source} as "${copy.name}"${replacing} with scopes ${copy.scopes.join(', ')}`,
      );
    }

    const results = await executePlan(client, plan, {
      ...config,
      signal: cancel.signal,
      // Plain values from the runner, for the comments of replace's backups.
      run: {
        runId: process.env.GITHUB_RUN_ID ?? '',
        attempt: process.env.GITHUB_RUN_ATTEMPT ?? '1',
        repository: process.env.GITHUB_REPOSITORY ?? '',
      },
      writeMs: Math.min(5_000, requestTimeoutMs(config.timeoutSeconds)),
    });
    for (const result of results) {
      for (const warning of result.warnings) log.warning(warning);
      logResult(result);
      // A copy written without error has waited until active (src/copy/duplicate.ts, settle).
      const wrote = result.outcome === 'created' || result.outcome === 'replaced';
      if (config.waitForActive && wrote && !result.error) {
        log.info(`Secret ${nameAndId(result.copy.name, result.secret.id)} is active.`);
      }
    }
    const pruned =
      config.prune && !cancel.signal.aborted
        ? await prune(client, plan, results, {
            pattern: config.prune,
            keep: config.pruneKeep,
            dryRun: config.dryRun,
            startedAt,
          })
        : undefined;
    if (pruned) logPrune(pruned);
    const report: RunReport = {
      store: plan.store,
      results,
      dryRun: config.dryRun,
      fromList: config.fromList,
      prune: pruned,
      cancelled: cancel.signal.aborted ? String(cancel.signal.reason) : undefined,
    };
    for (const [name, value] of Object.entries(outputsFor(report))) core.setOutput(name, value);
    await writeSummary(report);
    const failure = stepFailure(report);
    if (failure) log.fail(failure);
  } catch (error) {
    // Expected failures print their message only; anything else is a bug, its stack in debug.
    if (!isExpectedFailure(error) && error instanceof Error) {
      for (const line of (error.stack ?? '').split('\n')) log.debug(line);
    }
    log.fail(failureLines(error));
  } finally {
    cancel.stop();
    await dispatcher?.destroy().catch(() => undefined);
  }
}

/** The event's webhook payload, for the provenance's tag or environment; {} when unreadable. */
function readEventPayload(path: string | undefined): unknown {
  try {
    return JSON.parse(readFileSync(path ?? '', 'utf8'));
  } catch {
    return {};
  }
}

/** Each request may take a third of the step's budget, between 1 and 30 seconds. */
function requestTimeoutMs(timeoutSeconds: number): number {
  return Math.min(30_000, Math.max(1_000, Math.floor((timeoutSeconds * 1000) / 3)));
}

function logRequest(event: RequestEvent): void {
  // The transport gives every request without a status an error.
  const result = event.status !== undefined ? `HTTP ${event.status}` : event.error;
  log.debug(
    `${event.method} ${event.path} (attempt ${event.attempt}) → ${result} in ${event.durationMs} ms`,
  );
}

function logResult(result: CopyResult): void {
  const { name } = result.copy;
  switch (result.outcome) {
    case 'created':
    case 'replaced': {
      const { id } = result.secret;
      log.info(
        result.outcome === 'created'
          ? `Created secret ${nameAndId(name, id)}.`
          : `Replaced secret "${name}": deleted ${result.replaced.id}, created ${id}.`,
      );
      const { previous } = result;
      if (previous) {
        log.info(`Kept the value it replaced as ${nameAndId(previous.name, previous.id)}.`);
      }
      if (result.adopted) {
        log.notice(
          `Cloudflare's answer to the duplicate was lost, but the secret ${nameAndId(name, id)} it created was found and used; nothing was created twice.`,
        );
      }
      break;
    }
    case 'existing':
      log.info(
        `Secret "${name}" already exists (${result.secret.id}); nothing written (if-exists: skip).`,
      );
      break;
    case 'dry-run':
      log.info(
        result.replaced
          ? `Dry run: ${nameAndId(name, result.replaced.id)} would be deleted and created again as a copy; nothing written.`
          : `Dry run: "${name}" can be created; nothing written.`,
      );
      break;
    case 'rolled-back':
      log.info(
        `Rolled back: deleted ${nameAndId(name, result.secret.id)}, which this step had created.`,
      );
      break;
  }
  if (result.restored) {
    log.info(`Restored "${name}" from its backup as ${result.restored.id}, with its old value.`);
  }
  // Failures are reported once, together, by the step's error.
}

function logPrune(report: PruneReport): void {
  for (const warning of report.warnings) log.warning(warning);
  if (report.skipped && !report.error) log.info(`Pruning skipped: ${report.skipped}.`);
  for (const { name, id } of report.pruned) {
    log.info(`${report.dryRun ? 'Dry run: would prune' : 'Pruned'} ${nameAndId(name, id)}.`);
  }
  for (const { name, id } of report.untracked) {
    log.info(
      `Not pruned: ${nameAndId(name, id)} matches "${report.pattern}" but has no provenance line in its comment, so this action did not make it.`,
    );
  }
  if (!report.skipped && report.pruned.length === 0 && report.failures.length === 0) {
    log.info(
      `Nothing to prune: no copy matching "${report.pattern}" is older than the ${report.keep} newest of its source.`,
    );
  }
  // Failures are reported once, by the step's error.
}

/** The job summary is a courtesy: failing to write it only warns. */
async function writeSummary(report: RunReport): Promise<void> {
  try {
    // Loaded here, not at start-up: loading @actions/github builds a proxy agent for GitHub's
    // API from HTTPS_PROXY, and a bad setting would crash the step before it could say why.
    // "eager" keeps it inside dist/index.js; it still runs only when this line does.
    const { context } = await import(/* webpackMode: "eager" */ '@actions/github');
    const markdown = summaryMarkdown(report, describeTrigger(context, process.env));
    await core.summary.addRaw(markdown, true).write();
  } catch (error) {
    log.warning(
      `Could not write the job summary: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
}
