/**
 * `prune`: after every copy of the step succeeded, delete the secrets whose names match a glob,
 * keeping the `prune-keep` newest by `created`. What the step wrote counts among the kept and is
 * never deleted, and no source is ever deleted, whatever the pattern.
 */
import type { SecretsStoreClient } from './cloudflare/client.js';
import type { Secret } from './cloudflare/types.js';
import { deleteUntilGone } from './deletion.js';
import type { CopyResult } from './duplicate.js';
import { failureText } from './errors.js';
import type { PlannedCopy, PlannedStore } from './plan.js';

export interface PruneOptions {
  pattern: string;
  keep: number;
  dryRun: boolean;
}

export interface PruneReport {
  pattern: string;
  keep: number;
  dryRun: boolean;
  /** Deleted, or on a dry run, would be; oldest last. */
  pruned: Secret[];
  /** Deletes that failed: these secrets may remain. */
  failures: { secret: Secret; error: string }[];
  /** Why nothing was pruned, when pruning did not run or could not list the store. */
  skipped?: string;
  /** The step fails with this when pruning went wrong: a head line, and one line per item. */
  error?: readonly string[];
  warnings: string[];
}

/**
 * A glob as a whole-name, case-sensitive matcher: `*` any run of characters (none included),
 * `?` exactly one; everything else stands for itself.
 */
export function globMatcher(pattern: string): (name: string) => boolean {
  const source = [...pattern]
    .map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[\\^$.|+()[\]{}]/g, '\\$&')))
    .join('');
  const regex = new RegExp(`^${source}$`, 'su');
  return (name) => regex.test(name);
}

/**
 * An ISO time as epoch microseconds, so that "…32.5Z" and "…32.500001Z" compare as times (the
 * API prints microseconds, which Date drops); undefined when it cannot be read.
 */
export function createdKey(iso: string): number | undefined {
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) return undefined;
  const micros = /\.\d{3}(\d{1,3})/.exec(iso)?.[1] ?? '';
  return ms * 1000 + Number(micros.padEnd(3, '0'));
}

export interface Selection {
  /** To delete, newest first. */
  doomed: Secret[];
  /** Matching secrets whose `created` cannot be read: never deleted, since their age is unknown. */
  unreadable: Secret[];
}

/**
 * Which secrets to delete. `written` are the step's targets (by id when known, and by name):
 * they are never deleted and each one that matches takes one of the `keep` places; `sources`
 * are never deleted and take no place. Secrets reported `deleted` are already gone.
 */
export function selectPrune(
  secrets: readonly Secret[],
  options: {
    matches: (name: string) => boolean;
    keep: number;
    written: readonly { id?: string; name: string }[];
    sources: ReadonlySet<string>;
  },
): Selection {
  const { matches, keep, written, sources } = options;
  const writtenIds = new Set(written.flatMap((w) => (w.id ? [w.id] : [])));
  const writtenNames = new Set(written.map((w) => w.name));
  const keptByStep = [...writtenNames].filter(matches).length;
  const candidates = secrets.filter(
    (s) =>
      s.status !== 'deleted' &&
      matches(s.name) &&
      !sources.has(s.id) &&
      !writtenIds.has(s.id) &&
      !writtenNames.has(s.name),
  );
  const unreadable = candidates.filter((s) => createdKey(s.created) === undefined);
  const dated = candidates
    .filter((s) => createdKey(s.created) !== undefined)
    .sort((a, b) => createdKey(b.created)! - createdKey(a.created)! || (a.id < b.id ? -1 : 1));
  return { doomed: dated.slice(Math.max(0, keep - keptByStep)), unreadable };
}

/** True when every copy ended well: pruning never follows a failure or a rollback. */
export function copiesSucceeded(results: readonly CopyResult[]): boolean {
  return results.every(
    (r) => r.error === undefined && !['failed', 'not-attempted', 'rolled-back'].includes(r.outcome),
  );
}

/** Lists the store, then deletes (or on a dry run, only names) what `selectPrune` picks. */
export async function prune(
  client: SecretsStoreClient,
  plan: { store: PlannedStore; copies: readonly PlannedCopy[] },
  results: readonly CopyResult[],
  options: PruneOptions,
): Promise<PruneReport> {
  const report: PruneReport = { ...options, pruned: [], failures: [], warnings: [] };
  if (!copiesSucceeded(results)) {
    return { ...report, skipped: 'a copy failed, so nothing was pruned' };
  }
  let secrets: Secret[];
  try {
    secrets = await client.listSecrets(plan.store.id);
  } catch (error) {
    const why = `listing the store failed: ${failureText(error)}`;
    return {
      ...report,
      skipped: why,
      error: [`Pruning "${options.pattern}": ${why} Nothing was pruned.`],
    };
  }
  const { doomed, unreadable } = selectPrune(secrets, {
    matches: globMatcher(options.pattern),
    keep: options.keep,
    written: results.map((r) => ({ id: r.secret?.id, name: r.copy.name })),
    sources: new Set(plan.copies.map((c) => c.sourceId)),
  });
  for (const secret of unreadable) {
    report.warnings.push(
      `prune: kept "${secret.name}" (${secret.id}): its created time ${JSON.stringify(secret.created.slice(0, 40))} cannot be read, so its age is unknown.`,
    );
  }
  for (const secret of doomed) {
    if (options.dryRun) {
      report.pruned.push(secret);
      continue;
    }
    try {
      await deleteUntilGone(client, plan.store.id, secret.id);
      report.pruned.push(secret);
    } catch (error) {
      report.failures.push({ secret, error: failureText(error) });
    }
  }
  if (report.failures.length > 0) {
    report.error = [
      `Pruning "${options.pattern}" failed: ${report.failures.length} of ${doomed.length} secret(s) could not be deleted and remain:`,
      ...report.failures.map((f) => `- "${f.secret.name}" (${f.secret.id}): ${f.error}`),
    ];
  }
  return report;
}
