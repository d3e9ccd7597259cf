/**
 * The action, in one direction: inputs → plan → Cloudflare client → report. This is the only
 * file that reads inputs or writes outputs; everything it calls gets plain values.
 */
import * as core from '@actions/core';
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { readFileSync } from 'node:fs';
import { Agent, ProxyAgent, type Dispatcher } from 'undici';
import { SecretsStoreClient, type RequestEvent } from './cloudflare/client.js';
// The pipeline, in the order run() follows it: inputs → plan → copy → report.
import { parseInputs } from './inputs/config.js';
import { credentialValues } from './inputs/connection.js';
import { chooseProxy, proxyCredentials } from './inputs/proxy.js';
import { makePlan } from './plan/plan.js';
import { executePlan } from './copy/execute.js';
import { prune } from './copy/prune.js';
import { stepFailure } from './report/failure.js';
import { planLines, pruneLines, resultLines, type LogLine } from './report/log.js';
import { outputsFor, type RunReport } from './report/outputs.js';
import { summaryMarkdown } from './report/summary.js';
import { describeTrigger, stepOrigin } from './report/trigger.js';
import { failureLines, isExpectedFailure } from './shared/errors.js';
import { printable, printableLines } from './shared/sanitize.js';

const readInput = (name: string): string => core.getInput(name);
/** Where undici announces a request's headers, just before it writes them to the socket. */
const HEADERS_SENT = 'undici:client:sendHeaders';

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

/** Prints the lines src/report/log.ts words, each at its level. */
function printLines(lines: readonly LogLine[]): void {
  for (const { level, text } of lines) log[level](text);
}

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
    // 1. Inputs. Mask before anything else can be logged, including input and proxy errors.
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

    // 2. The plan, checked whole before the first write. The start is on the local clock:
    // prune turns it into the server's once answers have told the offset.
    const startedAt = client.now();
    const origin = stepOrigin(process.env, readEventPayload(process.env.GITHUB_EVENT_PATH));
    const github = loadGitHubOnFirstRequest();
    const plan = await makePlan(config, client, origin);
    printLines(planLines(plan, config));

    // 3. The copies, then pruning.
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
    for (const result of results) printLines(resultLines(result, config.waitForActive));
    const pruned =
      config.prune && !cancel.signal.aborted
        ? await prune(client, plan, results, {
            pattern: config.prune,
            keep: config.pruneKeep,
            dryRun: config.dryRun,
            startedAt,
            signal: cancel.signal,
          })
        : undefined;
    if (pruned) printLines(pruneLines(pruned));
    // 4. The report: outputs, the job summary, and the step's failure if any.
    const report: RunReport = {
      store: plan.store,
      results,
      dryRun: config.dryRun,
      fromList: config.fromList,
      prune: pruned,
      cancelled: cancel.signal.aborted ? String(cancel.signal.reason) : undefined,
    };
    for (const [name, value] of Object.entries(outputsFor(report))) core.setOutput(name, value);
    await writeSummary(report, github);
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

type GitHub = typeof import('@actions/github');

/**
 * Loads @actions/github, whose workflow context the job summary reports, once: when the first
 * request's headers leave for Cloudflare, so that loading overlaps the wait for the answer
 * instead of preceding or following it, or when the summary asks, if no request went out.
 * Not at start-up: it builds a proxy agent for GitHub's API from HTTPS_PROXY, and a bad setting
 * must only cost the summary (writeSummary warns).
 */
export function loadGitHubOnFirstRequest(): () => Promise<GitHub> {
  let loading: Promise<GitHub> | undefined;
  const load = (): Promise<GitHub> => {
    if (!loading) {
      unsubscribe(HEADERS_SENT, start);
      // "eager" keeps it inside dist/index.js; it still runs only when this line does.
      loading = import(/* webpackMode: "eager" */ '@actions/github');
      // Awaited by the summary; until then a rejection must not crash the step.
      loading.catch(() => undefined);
    }
    return loading;
  };
  const start = () => void load();
  subscribe(HEADERS_SENT, start);
  return load;
}

/** The job summary is a courtesy: failing to write it only warns. */
async function writeSummary(report: RunReport, github: () => Promise<GitHub>): Promise<void> {
  try {
    const { context } = await github();
    const markdown = summaryMarkdown(report, describeTrigger(context, process.env));
    await core.summary.addRaw(markdown, true).write();
  } catch (error) {
    log.warning(
      `Could not write the job summary: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
}
