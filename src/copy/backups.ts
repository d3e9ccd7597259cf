/**
 * What a replace's backups are called and say, so that a later run can tell them from any other
 * secret, and when one left behind by an earlier step may go.
 */
import type { Secret } from '../cloudflare/types.js';
import { MAX_TIMEOUT_SECONDS } from '../inputs/config.js';
import { nameAndId } from '../shared/errors.js';
import type { RunInfo, StepState } from './step.js';

const BACKUP_MARK = 'secrets-store-duplicate-action backup';

/** `<TARGET>_BACKUP_<run id in base 36>_<attempt>`: unique per run attempt, readable, valid. */
export function backupName(target: string, run: RunInfo): string {
  const id = /^\d+$/.test(run.runId) ? BigInt(run.runId).toString(36).toUpperCase() : 'LOCAL';
  const attempt = /^\d+$/.test(run.attempt) ? run.attempt : '1';
  return `${target}_BACKUP_${id}_${attempt}`;
}

/** `name`, or `name_2`, `name_3`… when a step of the same run attempt left it taken. */
export function freeName(name: string, listing: Map<string, Secret>): string {
  let free = name;
  for (let n = 2; listing.has(free); n++) free = `${name}_${n}`;
  return free;
}

/** True for a backup an earlier run made of `target`: by its name AND its comment. */
export function isBackupOf(secret: Secret, target: string): boolean {
  const rest = secret.name.startsWith(`${target}_BACKUP_`)
    ? secret.name.slice(target.length + 8)
    : '';
  return (
    /^[0-9A-Z]+_\d+(_\d+)?$/.test(rest) &&
    (secret.comment ?? '').startsWith(`Backup of "${target}" (`) &&
    (secret.comment ?? '').includes(BACKUP_MARK)
  );
}

function runText(run: RunInfo): string {
  const where = run.repository ? ` of ${run.repository}` : '';
  return run.runId ? `run ${run.runId}${where}` : `a run${where}`;
}

export function backupComment(target: Secret, run: RunInfo): string {
  return (
    `Backup of ${nameAndId(target.name, target.id)} made by ${runText(run)} while replacing it ` +
    `(${BACKUP_MARK}); the step deletes it once the new copy is in place.`
  );
}

export function previousComment(target: Secret, run: RunInfo): string {
  return `Previous value of ${nameAndId(target.name, target.id)}, kept by keep-previous when ${runText(run)} replaced it.`;
}

/**
 * True when the step that made `backup` of `target` is surely over, so that no restore of its
 * can still need it: an earlier attempt of this run (attempts run one after another), or a
 * backup older than any step can work, with a minute for the clocks. Another run's newer backup
 * is left alone: its replace may be under way.
 */
export function leftBehind(backup: Secret, target: string, step: StepState): boolean {
  const [id, attempt] = backup.name.slice(target.length + 8).split('_');
  const [ourId, ourAttempt] = backupName('', step.run).slice(8).split('_');
  if (id === ourId && ourId !== 'LOCAL' && Number(attempt) < Number(ourAttempt)) return true;
  const longest = (MAX_TIMEOUT_SECONDS + 60) * 1000;
  return Date.parse(backup.created) < step.client.serverTime(step.client.now()) - longest;
}
