/**
 * The job summary. Pure functions; src/main.ts writes it, and a summary that cannot be written
 * never fails the step.
 */
import type { CopyResult } from '../copy/results.js';
import type { PruneReport } from '../copy/prune.js';
import { codeId, markdownText } from '../shared/sanitize.js';
import type { RunReport } from './outputs.js';
import type { Trigger } from './trigger.js';

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
    // A dry run's row shows no id, whatever the result carries.
    const secret = r.outcome === 'dry-run' ? undefined : r.secret;
    const cells = [
      `${source} → ${markdownText(r.copy.name)}`,
      secret ? codeId(secret.id) : '—',
      (secret?.scopes ?? r.copy.scopes).map((scope) => markdownText(scope)).join(', '),
      secret && r.outcome !== 'rolled-back' ? markdownText(secret.status ?? '') : '—',
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
      const replaced = `replaced ${codeId(result.replaced.id)}`;
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
