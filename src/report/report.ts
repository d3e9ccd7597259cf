/**
 * What the step reports: its outputs and the job summary. Pure functions; src/main.ts writes
 * them, and a summary that cannot be written never fails the step.
 */
import type { Secret } from '../cloudflare/types.js';
import type { CopyResult } from '../copy/results.js';
import type { PlannedStore } from '../plan/plan.js';
import type { PruneReport } from '../copy/prune.js';
import { clip, codeId, markdownText } from '../shared/sanitize.js';
import type { Trigger } from './trigger.js';

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

/** The step's failure message, one line per item, when any copy (or pruning) failed; else undefined. */
export function stepFailure(report: RunReport): readonly string[] | undefined {
  const cancelled = report.cancelled ? cancelledLines(report) : [];
  const failed = report.results.filter((r) => r.error !== undefined);
  if (failed.length === 0) {
    return cancelled.length > 0
      ? [...cancelled, ...(report.prune?.error ?? [])]
      : report.prune?.error;
  }
  if (!report.fromList) return [...cancelled, failed[0]!.error!];
  const lines = failed.map((r) => `- ${lineLabel(r)}: ${r.error}`);
  const notAttempted = failed.filter((r) => r.outcome === 'not-attempted');
  const head =
    `${failed.length - notAttempted.length} of ${report.results.length} copies failed` +
    (notAttempted.length > 0 ? `, ${notAttempted.length} not attempted` : '') +
    ':';
  const rolledBack = report.results.filter((r) => r.outcome === 'rolled-back');
  const tail =
    rolledBack.length > 0
      ? [
          `Rolled back (deleted) ${rolledBack.length} secret(s) this step had created:`,
          ...rolledBack.map(
            (r) =>
              `- ${r.copy.name} (${r.secret.id})` +
              (r.restored ? `; restored its target from the backup as ${r.restored.id}` : '') +
              (r.backup ? `; its old value is in "${r.backup.name}" (${r.backup.id})` : ''),
          ),
        ]
      : [];
  return [...cancelled, head, ...lines, ...tail];
}

/** A cancelled step names every secret it wrote or deleted, so nothing is left unaccounted. */
function cancelledLines(report: RunReport): string[] {
  const touched = report.results
    .map((r) => ({ r, what: changes(r) }))
    .filter(({ what }) => what.length > 0)
    .map(({ r, what }) => `- ${r.copy.name}: ${what.join('; ')}`);
  return [
    `The step was cancelled (${report.cancelled}): no write started after that.`,
    ...(touched.length > 0
      ? ['Secrets it wrote or deleted:', ...touched]
      : ['It changed no secret.']),
  ];
}

/** The ids one copy changed, in words: what is in the store now because of this step. */
function changes(r: CopyResult): string[] {
  const out: string[] = [];
  const id = r.secret?.id;
  if (r.outcome === 'created' || r.outcome === 'replaced') out.push(`created ${id}`);
  if (r.outcome === 'rolled-back') out.push(`created ${id}, then deleted it`);
  if (r.replaced && r.outcome !== 'dry-run') out.push(`deleted ${r.replaced.id}`);
  if (r.restored) out.push(`restored it from its backup as ${r.restored.id}`);
  if (r.previous) out.push(`kept the old value as "${r.previous.name}" (${r.previous.id})`);
  if (r.backup) out.push(`left the backup "${r.backup.name}" (${r.backup.id})`);
  return out;
}

function lineLabel(r: CopyResult): string {
  const what = `${r.copy.sourceRef} => ${r.copy.name}`;
  return r.copy.line ? `line ${r.copy.line} (${what})` : what;
}

/** GitHub refuses a job summary over 1 MiB; this leaves room for the note that rows were cut. */
export const MAX_SUMMARY_BYTES = 1_000_000;
/** Longest error text shown in a summary cell. */
const MAX_SUMMARY_ERROR = 1_000;

/**
 * The job summary, as GitHub-flavoured Markdown. Every value that is not the action's own text
 * (names, scopes, statuses, errors, the trigger) is escaped so that it renders as text, and only
 * checked ids go in code spans (src/shared/sanitize.ts). Rows that would take the summary past
 * MAX_SUMMARY_BYTES are left out, saying how many.
 */
export function summaryMarkdown(report: RunReport, trigger: Trigger): string {
  const title = report.dryRun ? 'Secrets Store duplicate (dry run)' : 'Secrets Store duplicate';
  // The table names the store; the line under it gives its id once.
  const store =
    report.store.name !== undefined ? markdownText(report.store.name) : codeId(report.store.id);
  const rows = report.results.map((r) => {
    const source = r.copy.source
      ? `${markdownText(r.copy.source.name)} (${codeId(r.copy.sourceId)})`
      : codeId(r.copy.sourceId);
    const hasId = r.secret && r.outcome !== 'dry-run';
    const cells = [
      `${source} → ${markdownText(r.copy.name)}`,
      hasId ? codeId(r.secret!.id) : '—',
      (r.secret?.scopes ?? r.copy.scopes).map((scope) => markdownText(scope)).join(', '),
      hasId && r.outcome !== 'rolled-back' ? markdownText(r.secret!.status ?? '') : '—',
      store,
      outcomeLabel(r),
    ];
    return `| ${cells.join(' | ')} |`;
  });
  const storeLine =
    report.store.name !== undefined
      ? `${markdownText(report.store.name)} (${codeId(report.store.id)})`
      : codeId(report.store.id);
  const origin: string[] = [`**Store:** ${storeLine}`];
  if (trigger.repository) origin.push(`**Repository:** ${markdownText(trigger.repository)}`);
  if (trigger.event) origin.push(`**Event:** ${markdownText(trigger.event)}`);
  if (trigger.source) origin.push(`**From:** ${markdownText(trigger.source)}`);
  if (trigger.runUrl) origin.push(`**Run:** ${runLink(trigger.runUrl)}`);

  const head = [
    `## ${title}`,
    '',
    '| Source → new name | Secret id | Scopes | Status | Store | Outcome |',
    '| --- | --- | --- | --- | --- | --- |',
  ];
  const pruned = report.prune ? [...pruneSection(report.prune), ''] : [];
  const tail = ['', ...pruned, origin.join(' · '), ''];
  const cutNote = (left: number) =>
    `\n_${left} more ${left === 1 ? 'copy is' : 'copies are'} not shown, to keep the summary under GitHub's 1 MiB limit; the \`results\` output lists every copy._`;
  let bytes = byteLength([...head, ...tail].join('\n')) + byteLength(cutNote(rows.length)) + 1;
  let shown = 0;
  for (const row of rows) {
    bytes += byteLength(row) + 1;
    if (bytes > MAX_SUMMARY_BYTES) break;
    shown++;
  }
  const cut = shown < rows.length ? [cutNote(rows.length - shown)] : [];
  return [...head, ...rows.slice(0, shown), ...cut, ...tail].join('\n');
}

function byteLength(text: string): number {
  return Buffer.byteLength(text);
}

/** A run's address as GitHub makes it: https://host/owner/repo/actions/runs/123. */
const RUN_URL =
  /^https:\/\/[A-Za-z0-9.-]+(:\d+)?\/[A-Za-z0-9._-]+\/[A-Za-z0-9._-]+\/actions\/runs\/\d+$/;

/** The run's address as a link when it has the shape GitHub gives it; otherwise as text. */
function runLink(url: string): string {
  return RUN_URL.test(url) ? `[${url}](${url})` : markdownText(url);
}

/** Most rows of the prune table; the `pruned` output lists them all. */
const MAX_PRUNE_ROWS = 200;

/** What pruning deleted (or would), what it could not, or why it did not run. */
function pruneSection(prune: PruneReport): string[] {
  const title = `### Prune ${markdownText(prune.pattern)}, keeping the ${prune.keep} newest of each source`;
  if (prune.skipped) {
    return [title, '', `Skipped: ${markdownText(prune.skipped, MAX_SUMMARY_ERROR)}.`];
  }
  const rows = [
    ...prune.pruned.map((s) => [s, prune.dryRun ? 'would be deleted' : 'deleted'] as const),
    ...prune.failures.map(
      (f) => [f.secret, `not deleted: ${markdownText(f.error, MAX_SUMMARY_ERROR)}`] as const,
    ),
  ];
  if (rows.length === 0) return [title, '', 'Nothing to delete.'];
  const more = rows.length - MAX_PRUNE_ROWS;
  return [
    title,
    '',
    '| Secret | Id | Created | Result |',
    '| --- | --- | --- | --- |',
    ...rows
      .slice(0, MAX_PRUNE_ROWS)
      .map(
        ([s, result]) =>
          `| ${[markdownText(s.name), codeId(s.id), markdownText(s.created), result].join(' | ')} |`,
      ),
    ...(more > 0 ? ['', `_${more} more not shown; the \`pruned\` output lists every one._`] : []),
  ];
}

function outcomeLabel(result: CopyResult): string {
  switch (result.outcome) {
    case 'created':
      if (result.error) return `created; ${markdownText(result.error, MAX_SUMMARY_ERROR)}`;
      return result.adopted ? 'created (recovered after a lost answer)' : 'created';
    case 'replaced': {
      const replaced = `replaced ${codeId(result.replaced?.id ?? '')}`;
      if (result.error) return `${replaced}; ${markdownText(result.error, MAX_SUMMARY_ERROR)}`;
      return result.adopted ? `${replaced} (recovered after a lost answer)` : replaced;
    }
    case 'existing':
      return 'existing (skipped)';
    case 'dry-run':
      return result.replaced
        ? `dry run: would replace ${codeId(result.replaced.id)}`
        : 'dry run: would create';
    case 'failed':
      return `failed: ${result.error !== undefined ? markdownText(result.error, MAX_SUMMARY_ERROR) : 'unknown error'}`;
    case 'not-attempted':
      return 'not attempted';
    case 'rolled-back':
      return 'rolled back (deleted)';
  }
}
