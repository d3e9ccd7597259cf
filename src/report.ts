/**
 * What the step reports: its outputs and the job summary. Pure functions; src/main.ts writes
 * them, and a summary that cannot be written never fails the step.
 */
import type { CopyResult } from './duplicate.js';
import type { PlannedStore } from './plan.js';
import type { Trigger } from './trigger.js';

export interface RunReport {
  store: PlannedStore;
  results: CopyResult[];
  dryRun: boolean;
}

/** Step outputs, named as in action.yml. */
export function outputsFor(report: RunReport): Record<string, string> {
  const [first] = report.results;
  if (!first) throw new Error('outputsFor needs at least one result');
  const secret = first.secret;
  return {
    'secret-id': first.outcome === 'dry-run' ? '' : (secret?.id ?? ''),
    'secret-name': secret?.name ?? first.copy.name,
    'store-id': report.store.id,
    'source-secret-id': first.copy.sourceId,
    status: first.outcome === 'dry-run' ? '' : (secret?.status ?? ''),
    scopes: (secret?.scopes ?? first.copy.scopes).join(','),
    created: first.outcome === 'dry-run' ? '' : (secret?.created ?? ''),
    outcome: first.outcome,
    result: first.outcome === 'dry-run' || !secret ? '' : JSON.stringify(secret),
  };
}

/** The job summary, as GitHub-flavoured Markdown. */
export function summaryMarkdown(report: RunReport, trigger: Trigger): string {
  const title = report.dryRun ? 'Secrets Store duplicate (dry run)' : 'Secrets Store duplicate';
  const store = report.store.name
    ? `${report.store.name} (\`${report.store.id}\`)`
    : `\`${report.store.id}\``;
  const rows = report.results.map((r) => {
    const source = r.copy.source
      ? `${r.copy.source.name} (\`${r.copy.sourceId}\`)`
      : `\`${r.copy.sourceId}\``;
    return [
      `${source} → ${r.copy.name}`,
      r.secret && r.outcome !== 'dry-run' ? `\`${r.secret.id}\`` : '—',
      (r.secret?.scopes ?? r.copy.scopes).join(', '),
      r.outcome === 'dry-run' ? '—' : (r.secret?.status ?? ''),
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
  const origin: string[] = [];
  if (trigger.repository) origin.push(`**Repository:** ${trigger.repository}`);
  if (trigger.event) origin.push(`**Event:** ${trigger.event}`);
  if (trigger.source) origin.push(`**From:** ${trigger.source}`);
  if (trigger.runUrl) origin.push(`**Run:** [${trigger.runUrl}](${trigger.runUrl})`);
  if (origin.length > 0) lines.push(origin.join(' · '), '');
  return lines.join('\n');
}

function outcomeLabel(result: CopyResult): string {
  switch (result.outcome) {
    case 'created':
      return result.adopted ? 'created (recovered after a lost answer)' : 'created';
    case 'existing':
      return 'existing (skipped)';
    case 'dry-run':
      return 'dry run: would create';
  }
}

/** Keeps a value inside its table cell. */
function escapeCell(value: string): string {
  return value.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}
