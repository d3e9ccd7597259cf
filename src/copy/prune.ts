/**
 * `prune`: after every copy of the step succeeded, delete the older copies this action made
 * whose names match a glob, keeping the `prune-keep` newest of each source by `created`. Only a
 * secret with a provenance line (src/plan/provenance.ts) is ever deleted; what the step wrote counts
 * among the kept and is never deleted, nor is anything newer than it, anything created since the
 * step started, or a source, whatever the pattern.
 */
import type { SecretsStoreClient } from '../cloudflare/client.js';
import type { Secret } from '../cloudflare/types.js';
import { deleteUntilGone } from './deletion.js';
import type { CopyResult } from './results.js';
import { failureText, nameAndId } from '../shared/errors.js';
import type { PlannedCopy, PlannedStore } from '../plan/plan.js';
import { parseProvenance } from '../plan/provenance.js';

export interface PruneOptions {
  pattern: string;
  keep: number;
  dryRun: boolean;
  /** When the step started, on the local clock (`client.now()`). */
  startedAt: number;
  /** Aborted when the step is cancelled: no further delete starts. */
  signal?: AbortSignal;
}

export interface PruneReport {
  pattern: string;
  keep: number;
  dryRun: boolean;
  /** Deleted, or on a dry run, would be; oldest last. */
  pruned: Secret[];
  /** Matching secrets without provenance, left alone: this action did not make them. */
  untracked: Secret[];
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
 * `?` exactly one (a code point); everything else stands for itself. Matched by two pointers
 * that step back only to the last `*`, so a match costs at most pattern × name steps, never the
 * exponential backtracking a regular expression made of `*`s can take.
 */
export function globMatcher(pattern: string): (name: string) => boolean {
  const glob = [...pattern];
  return (name) => {
    const chars = [...name];
    let g = 0;
    let c = 0;
    /** The last `*` seen, and the name position it is currently taken to end at. */
    let star = -1;
    let starEnd = 0;
    while (c < chars.length) {
      if (g < glob.length && glob[g] !== '*' && (glob[g] === '?' || glob[g] === chars[c])) {
        g++;
        c++;
      } else if (g < glob.length && glob[g] === '*') {
        star = g++;
        starEnd = c;
      } else if (star >= 0) {
        // The last `*` takes one more character; the pattern after it starts again.
        g = star + 1;
        c = ++starEnd;
      } else {
        return false;
      }
    }
    while (g < glob.length && glob[g] === '*') g++;
    return g === glob.length;
  };
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

/**
 * How long before the step's start a secret still counts as recent, and is kept. The start is
 * estimated on the server's clock from `Date` headers (whole seconds) while `created` is stamped
 * by other machines, a second or two apart; and a run started moments earlier (two tags pushed
 * together, a re-run clicked twice) may still be using the copy it just made. Five minutes
 * covers both; the cost is only that a younger copy waits for the next run's prune.
 */
export const RECENT_MARGIN_MS = 5 * 60_000;

/** One of the step's own targets, as prune sees it. */
export interface Written {
  id?: string;
  name: string;
  /** Undefined on a dry run: then it counts as the newest. */
  created?: string;
  /** The source the plan copies to it; the name is unknown when the source was given by id. */
  sourceName?: string;
  sourceId: string;
}

export interface Selection {
  /** To delete, newest first. */
  doomed: Secret[];
  /** Matching secrets whose `created` cannot be read: never deleted, since their age is unknown. */
  unreadable: Secret[];
  /** Matching secrets without a provenance line: this action did not make them, so never deleted. */
  untracked: Secret[];
}

/**
 * Which secrets to delete: those that match, carry a provenance line, were created before
 * `recentFrom` (epoch microseconds on the server's clock), and are older than both the `keep`
 * newest copies of their source and every copy of it the step wrote. Copies are grouped by
 * source name (so a source deleted and created again keeps its history), by id when the name is
 * unknown. `written` are never deleted and each one that matches takes a place in its source's
 * `keep`; `sources` are never deleted and take no place. Secrets reported `deleted` are gone.
 */
export function selectPrune(
  secrets: readonly Secret[],
  options: {
    matches: (name: string) => boolean;
    keep: number;
    written: readonly Written[];
    sources: ReadonlySet<string>;
    recentFrom: number;
  },
): Selection {
  const { matches, keep, written, sources, recentFrom } = options;
  const live = secrets.filter((s) => s.status !== 'deleted');
  const nameById = new Map(live.map((s) => [s.id, s.name]));
  const group = (sourceName: string | undefined, sourceId: string): string => {
    const name = sourceName ?? nameById.get(sourceId);
    return name !== undefined ? `name:${name}` : `id:${sourceId}`;
  };
  const writtenIds = new Set(written.flatMap((w) => (w.id ? [w.id] : [])));
  const writtenNames = new Set(written.map((w) => w.name));
  const selection: Selection = { doomed: [], unreadable: [], untracked: [] };

  /** By source: the step's own copies and the candidates, each with its time (∞: the newest). */
  const groups = new Map<string, { secret?: Secret; at: number; tie: string }[]>();
  const add = (key: string, entry: { secret?: Secret; at: number; tie: string }) =>
    groups.set(key, [...(groups.get(key) ?? []), entry]);
  for (const w of written) {
    if (!matches(w.name)) continue;
    const at = createdKey(w.created ?? '') ?? Infinity;
    add(group(w.sourceName, w.sourceId), { at, tie: w.id ?? w.name });
  }
  for (const s of live) {
    if (!matches(s.name) || sources.has(s.id) || writtenIds.has(s.id) || writtenNames.has(s.name)) {
      continue;
    }
    const provenance = parseProvenance(s.comment);
    const at = createdKey(s.created);
    if (!provenance) selection.untracked.push(s);
    else if (at === undefined) selection.unreadable.push(s);
    else if (at < recentFrom)
      add(group(provenance.sourceName, provenance.sourceId), { secret: s, at, tie: s.id });
  }
  /** Past the cut: candidates only (the step's own copies are newer than it). */
  const doomed: { secret: Secret; at: number }[] = [];
  for (const entries of groups.values()) {
    entries.sort((a, b) => b.at - a.at || (a.tie < b.tie ? -1 : 1));
    // Kept: the `keep` newest, and everything down to the step's oldest own copy.
    const oldestOwn = entries.findLastIndex((e) => e.secret === undefined);
    const cut = Math.max(keep, oldestOwn + 1);
    for (const { secret, at } of entries.slice(cut)) if (secret) doomed.push({ secret, at });
  }
  doomed.sort((a, b) => b.at - a.at || (a.secret.id < b.secret.id ? -1 : 1));
  selection.doomed.push(...doomed.map((d) => d.secret));
  return selection;
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
  const { pattern, keep, dryRun } = options;
  const report: PruneReport = {
    pattern,
    keep,
    dryRun,
    pruned: [],
    untracked: [],
    failures: [],
    warnings: [],
  };
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
  const { doomed, unreadable, untracked } = selectPrune(secrets, {
    matches: globMatcher(options.pattern),
    keep: options.keep,
    written: results.map(written),
    sources: new Set(plan.copies.map((c) => c.sourceId)),
    recentFrom: (client.serverTime(options.startedAt) - RECENT_MARGIN_MS) * 1000,
  });
  report.untracked = untracked;
  for (const secret of unreadable) {
    report.warnings.push(
      `prune: kept ${nameAndId(secret.name, secret.id)}: its created time ${JSON.stringify(secret.created.slice(0, 40))} cannot be read, so its age is unknown.`,
    );
  }
  for (const [index, secret] of doomed.entries()) {
    if (options.signal?.aborted && !options.dryRun) {
      report.warnings.push(
        `prune: the step was cancelled, so ${doomed.length - index} older copy(ies) were not deleted; the next run prunes them.`,
      );
      break;
    }
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
      ...report.failures.map((f) => `- ${nameAndId(f.secret.name, f.secret.id)}: ${f.error}`),
    ];
  }
  return report;
}

/** A result as prune sees it: in the group of its planned source (a dry run has no secret). */
function written({ copy, secret }: CopyResult): Written {
  return {
    id: secret?.id,
    name: copy.name,
    created: secret?.created,
    sourceName: copy.source?.name,
    sourceId: copy.sourceId,
  };
}
