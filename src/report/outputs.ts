/**
 * The step's outputs, as action.yml names them. Pure functions; src/main.ts writes them.
 */
import type { Secret } from '../cloudflare/types.js';
import type { CopyResult } from '../copy/results.js';
import type { PlannedStore } from '../plan/plan.js';
import type { PruneReport } from '../copy/prune.js';
import { clip } from '../shared/sanitize.js';

export interface RunReport {
  store: PlannedStore;
  results: CopyResult[];
  dryRun: boolean;
  /** True when the copies came from the `secrets` list. */
  fromList: boolean;
  /** Set when the step was given `prune`. */
  prune?: PruneReport;
  /** The signal that cancelled the step, if one did. */
  cancelled?: string;
}

/** One entry of the `results` output. */
interface ResultEntry {
  source: string;
  name: string;
  id: string | null;
  outcome: CopyResult['outcome'];
  /** The id of the secret if-exists: replace deleted (on a dry run, would delete). */
  replaced: string | null;
  /** With keep-previous, the id of `<TARGET>_PREVIOUS`, which holds the replaced value. */
  previous: string | null;
  error: string | null;
}

/** Longest free text (a comment, a name from an answer, an error) put in an output. */
export const MAX_OUTPUT_TEXT = 4_096;

/**
 * Step outputs, named as in action.yml. Once the copies ran (the plan passed),
 * `secret-ids` and `results` are always set; the
 * single-secret outputs describe the one copy of a single run that did not fail.
 * Ids, times, the status and scopes were checked by the client; free text is cut to
 * MAX_OUTPUT_TEXT, saying how much was cut.
 */
export function outputsFor(report: RunReport): Record<string, string> {
  const outputs: Record<string, string> = {
    'store-id': report.store.id,
    'secret-ids': JSON.stringify(secretIds(report.results)),
    results: JSON.stringify(report.results.map(resultEntry)),
    pruned: JSON.stringify(
      (report.prune?.pruned ?? []).map(({ id, name }) => ({
        id,
        name: clip(name, MAX_OUTPUT_TEXT),
      })),
    ),
  };
  const [only] = report.results;
  if (report.fromList || !only || only.outcome === 'failed') return outputs;
  const secret = only.outcome === 'dry-run' ? undefined : only.secret;
  return {
    'secret-id': secret?.id ?? '',
    // The name asked for, checked as input; Cloudflare's copy of it is in `result`.
    'secret-name': only.copy.name,
    ...outputs,
    'source-secret-id': only.copy.sourceId,
    'replaced-secret-id': only.replaced?.id ?? '',
    'previous-secret-id': only.previous?.id ?? '',
    status: secret?.status ?? '',
    scopes: clip((secret?.scopes ?? only.copy.scopes).join(','), MAX_OUTPUT_TEXT),
    created: secret?.created ?? '',
    outcome: only.outcome,
    result: secret ? JSON.stringify(boundedSecret(secret)) : '',
  };
}

/** The secret with its free text (name, comment) cut to MAX_OUTPUT_TEXT. */
function boundedSecret(secret: Secret): Secret {
  const bounded = { ...secret, name: clip(secret.name, MAX_OUTPUT_TEXT) };
  if (secret.comment !== undefined) bounded.comment = clip(secret.comment, MAX_OUTPUT_TEXT);
  return bounded;
}

/**
 * New name → id, for every copy that has an id (created, replaced or existing). Built as a Map,
 * then turned into own properties: assigning `ids['__proto__']` on a plain object would set its
 * prototype instead, and the name would vanish from the output.
 */
function secretIds(results: readonly CopyResult[]): Record<string, string> {
  const ids = new Map<string, string>();
  for (const r of results) {
    if (r.secret && ['created', 'replaced', 'existing'].includes(r.outcome))
      ids.set(r.copy.name, r.secret.id);
  }
  return Object.fromEntries(ids);
}

function resultEntry(r: CopyResult): ResultEntry {
  return {
    source: r.copy.sourceRef,
    name: r.copy.name,
    id: r.outcome === 'dry-run' ? null : (r.secret?.id ?? null),
    outcome: r.outcome,
    replaced: r.replaced?.id ?? null,
    previous: r.previous?.id ?? null,
    error: r.error !== undefined ? clip(r.error, MAX_OUTPUT_TEXT) : null,
  };
}
