/** The step's failure message: which copies failed, what was rolled back, what a cancel left. */
import type { CopyResult } from '../copy/results.js';
import type { RunReport } from './outputs.js';
import { nameAndId } from '../shared/errors.js';

/** The step's failure message, one line per item, when any copy (or pruning) failed; else undefined. */
export function stepFailure(report: RunReport): readonly string[] | undefined {
  const cancelled = report.cancelled ? cancelledLines(report) : [];
  const failed = report.results.filter(
    (r): r is CopyResult & { error: string } => r.error !== undefined,
  );
  const [first] = failed;
  if (first === undefined) {
    return cancelled.length > 0
      ? [...cancelled, ...(report.prune?.error ?? [])]
      : report.prune?.error;
  }
  if (!report.fromList) return [...cancelled, first.error];
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
              (r.backup ? `; its old value is in ${nameAndId(r.backup.name, r.backup.id)}` : ''),
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
  if (r.previous) out.push(`kept the old value as ${nameAndId(r.previous.name, r.previous.id)}`);
  if (r.backup) out.push(`left the backup ${nameAndId(r.backup.name, r.backup.id)}`);
  return out;
}

function lineLabel(r: CopyResult): string {
  const what = `${r.copy.sourceRef} => ${r.copy.name}`;
  return r.copy.line ? `line ${r.copy.line} (${what})` : what;
}
