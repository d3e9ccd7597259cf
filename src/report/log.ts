/**
 * The step's log, in words: what the plan will do, how each copy ended, what pruning did. Pure
 * functions; src/main.ts prints each line through src/shared/sanitize.ts. Failures are not
 * here: the step's error reports them once (failure.ts).
 */
import type { CopyResult } from '../copy/results.js';
import type { PruneReport } from '../copy/prune.js';
import type { IfExists } from '../inputs/values.js';
import { describeStore, type Plan } from '../plan/plan.js';
import { nameAndId } from '../shared/errors.js';

/** One line of the log, at its level. */
export interface LogLine {
  level: 'info' | 'notice' | 'warning';
  text: string;
}

/** Collects lines, written as calls at their level. */
type Log = Record<LogLine['level'], (text: string) => void>;

function collect(write: (log: Log) => void): LogLine[] {
  const lines: LogLine[] = [];
  write({
    info: (text) => lines.push({ level: 'info', text }),
    notice: (text) => lines.push({ level: 'notice', text }),
    warning: (text) => lines.push({ level: 'warning', text }),
  });
  return lines;
}

/** The store, then each copy the plan will make (or would, on a dry run). */
export function planLines(plan: Plan, options: { ifExists: IfExists; dryRun: boolean }): LogLine[] {
  return collect((log) => {
    log.info(`Store: ${describeStore(plan.store)}`);
    for (const copy of plan.copies) {
      const source = copy.source ? nameAndId(copy.source.name, copy.sourceId) : copy.sourceId;
      const replacing =
        options.ifExists === 'replace' && copy.existing
          ? `, replacing the secret that has that name (${copy.existing.id})`
          : '';
      log.info(
        `${options.dryRun ? 'Would duplicate' : 'Duplicating'} ${source} as "${copy.name}"${replacing} with scopes ${copy.scopes.join(', ')}`,
      );
    }
  });
}

/** How one copy ended: its warnings, what it wrote, and that it is active when waited for. */
export function resultLines(result: CopyResult, waitForActive: boolean): LogLine[] {
  return collect((log) => {
    for (const warning of result.warnings) log.warning(warning);
    outcomeLines(result, log);
    // A copy written without error has waited until active (src/copy/execute.ts, settle).
    const wrote = result.outcome === 'created' || result.outcome === 'replaced';
    if (waitForActive && wrote && !result.error) {
      log.info(`Secret ${nameAndId(result.copy.name, result.secret.id)} is active.`);
    }
  });
}

/** What pruning did, skipped or left alone. */
export function pruneLines(report: PruneReport): LogLine[] {
  return collect((log) => pruneInto(report, log));
}

function outcomeLines(result: CopyResult, log: Log): void {
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

function pruneInto(report: PruneReport, log: Log): void {
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
