/**
 * What the step reports: its outputs and the job summary. Pure functions; src/main.ts writes
 * them, and a summary that cannot be written never fails the step.
 */
import type { CopyResult } from './duplicate.js';
import type { PlannedStore } from './plan.js';
import type { PruneReport } from './prune.js';
import type { Trigger } from './trigger.js';

export interface RunReport {
  store: PlannedStore;
  results: CopyResult[];
  dryRun: boolean;
  /** True when the copies came from the `secrets` list. */
  fromList: boolean;
  /** Set when the step was given `prune`. */
  prune?: PruneReport;
}

/** One entry of the `results` output. */
export interface ResultEntry {
  source: string;
  name: string;
  id: string | null;
  outcome: CopyResult['outcome'];
  /** The id of the secret if-exists: replace deleted (on a dry run, would delete). */
  replaced: string | null;
  error: string | null;
}

/**
 * Step outputs, named as in action.yml. Once the copies ran (the plan passed),
 * `secret-ids` and `results` are always set; the
 * single-secret outputs describe the one copy of a single run that did not fail.
 */
export function outputsFor(report: RunReport): Record<string, string> {
  const outputs: Record<string, string> = {
    'store-id': report.store.id,
    'secret-ids': JSON.stringify(secretIds(report.results)),
    results: JSON.stringify(report.results.map(resultEntry)),
    pruned: JSON.stringify((report.prune?.pruned ?? []).map(({ id, name }) => ({ id, name }))),
  };
  const [only] = report.results;
  if (report.fromList || !only || only.outcome === 'failed') return outputs;
  const secret = only.outcome === 'dry-run' ? undefined : only.secret;
  return {
    'secret-id': secret?.id ?? '',
    'secret-name': secret?.name ?? only.copy.name,
    ...outputs,
    'source-secret-id': only.copy.sourceId,
    'replaced-secret-id': only.replaced?.id ?? '',
    status: secret?.status ?? '',
    scopes: (secret?.scopes ?? only.copy.scopes).join(','),
    created: secret?.created ?? '',
    outcome: only.outcome,
    result: secret ? JSON.stringify(secret) : '',
  };
}

/** New name → id, for every copy that has an id (created, replaced or existing). */
function secretIds(results: readonly CopyResult[]): Record<string, string> {
  const ids: Record<string, string> = {};
  for (const r of results) {
    if (r.secret && ['created', 'replaced', 'existing'].includes(r.outcome))
      ids[r.copy.name] = r.secret.id;
  }
  return ids;
}

function resultEntry(r: CopyResult): ResultEntry {
  return {
    source: r.copy.sourceRef,
    name: r.copy.name,
    id: r.outcome === 'dry-run' ? null : (r.secret?.id ?? null),
    outcome: r.outcome,
    replaced: r.replaced?.id ?? null,
    error: r.error ?? null,
  };
}

/** The step's failure message, one line per item, when any copy (or pruning) failed; else undefined. */
export function stepFailure(report: RunReport): readonly string[] | undefined {
  const failed = report.results.filter((r) => r.error !== undefined);
  if (failed.length === 0) return report.prune?.error;
  if (!report.fromList) return [failed[0]!.error!];
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
          ...rolledBack.map((r) => `- ${r.copy.name} (${r.secret?.id})`),
        ]
      : [];
  return [head, ...lines, ...tail];
}

function lineLabel(r: CopyResult): string {
  const what = `${r.copy.sourceRef} => ${r.copy.name}`;
  return r.copy.line ? `line ${r.copy.line} (${what})` : what;
}

/** The job summary, as GitHub-flavoured Markdown. */
export function summaryMarkdown(report: RunReport, trigger: Trigger): string {
  const title = report.dryRun ? 'Secrets Store duplicate (dry run)' : 'Secrets Store duplicate';
  // The table names the store; the line under it gives its id once.
  const store = report.store.name ?? `\`${report.store.id}\``;
  const rows = report.results.map((r) => {
    const source = r.copy.source
      ? `${r.copy.source.name} (\`${r.copy.sourceId}\`)`
      : `\`${r.copy.sourceId}\``;
    const hasId = r.secret && r.outcome !== 'dry-run';
    return [
      `${source} → ${r.copy.name}`,
      hasId ? `\`${r.secret!.id}\`` : '—',
      (r.secret?.scopes ?? r.copy.scopes).join(', '),
      hasId && r.outcome !== 'rolled-back' ? (r.secret!.status ?? '') : '—',
      store,
      outcomeLabel(r),
    ];
  });
  const lines = [
    `## ${title}`,
    '',
    '| Source → new name | Secret id | Scopes | Status | Store | Outcome |',
    '| --- | --- | --- | --- | --- | --- |',
    ...rows.map((cells) => `| ${cells.map(escapeCell).join(' | ')} |`),
    '',
  ];
  const storeLine = report.store.name
    ? `${report.store.name.replace(/\r?\n/g, ' ')} (\`${report.store.id}\`)`
    : `\`${report.store.id}\``;
  const origin: string[] = [`**Store:** ${storeLine}`];
  if (trigger.repository) origin.push(`**Repository:** ${trigger.repository}`);
  if (trigger.event) origin.push(`**Event:** ${trigger.event}`);
  if (trigger.source) origin.push(`**From:** ${trigger.source}`);
  if (trigger.runUrl) origin.push(`**Run:** [${trigger.runUrl}](${trigger.runUrl})`);
  if (report.prune) lines.push(...pruneSection(report.prune), '');
  lines.push(origin.join(' · '), '');
  return lines.join('\n');
}

/** What pruning deleted (or would), what it could not, or why it did not run. */
function pruneSection(prune: PruneReport): string[] {
  const title = `### Prune \`${prune.pattern}\`, keeping the ${prune.keep} newest`;
  if (prune.skipped) return [title, '', `Skipped: ${escapeCell(prune.skipped)}.`];
  const rows = [
    ...prune.pruned.map((s) => [s, prune.dryRun ? 'would be deleted' : 'deleted'] as const),
    ...prune.failures.map((f) => [f.secret, `not deleted: ${f.error}`] as const),
  ];
  if (rows.length === 0) return [title, '', 'Nothing to delete.'];
  return [
    title,
    '',
    '| Secret | Id | Created | Result |',
    '| --- | --- | --- | --- |',
    ...rows.map(
      ([s, result]) =>
        `| ${[s.name, `\`${s.id}\``, s.created, result].map(escapeCell).join(' | ')} |`,
    ),
  ];
}

function outcomeLabel(result: CopyResult): string {
  switch (result.outcome) {
    case 'created':
      if (result.error) return `created; ${result.error}`;
      return result.adopted ? 'created (recovered after a lost answer)' : 'created';
    case 'replaced': {
      const replaced = `replaced \`${result.replaced?.id}\``;
      if (result.error) return `${replaced}; ${result.error}`;
      return result.adopted ? `${replaced} (recovered after a lost answer)` : replaced;
    }
    case 'existing':
      return 'existing (skipped)';
    case 'dry-run':
      return result.replaced
        ? `dry run: would replace \`${result.replaced.id}\``
        : 'dry run: would create';
    case 'failed':
      return `failed: ${result.error ?? 'unknown error'}`;
    case 'not-attempted':
      return 'not attempted';
    case 'rolled-back':
      return 'rolled back (deleted)';
  }
}

/** Keeps a value inside its table cell. */
function escapeCell(value: string): string {
  return value.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}
