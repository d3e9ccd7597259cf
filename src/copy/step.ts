/**
 * What the copies of one step share: the ids they claimed and deleted, the journal of their
 * writes, the store's listing (read at most once) and the signal that cancels the step.
 */
import type { SecretsStoreClient } from '../cloudflare/client.js';
import type { Secret } from '../cloudflare/types.js';
import type { PlannedCopy } from '../plan/plan.js';
import { Journal } from './journal.js';
import { ActionError } from '../shared/errors.js';

/** Who is writing, for the comments of backups: plain values main.ts reads from the runner. */
export interface RunInfo {
  /** The workflow run's id (digits), or '' outside a workflow. */
  runId: string;
  /** Its attempt (1 for a first run). */
  attempt: string;
  /** owner/name, or ''. */
  repository: string;
}

/** Thrown instead of starting a write once the step is cancelled. */
class Cancelled extends ActionError {
  constructor(what: string) {
    super(`${what} was not started: the step was cancelled.`);
    this.name = 'Cancelled';
  }
}

export class StepState {
  /** Secret id → the copy whose POST created it, or that adopted it, in this step. */
  readonly claimed = new Map<string, PlannedCopy>();
  /** Ids of the secrets this step deleted: a listing that still shows one is out of date. */
  readonly deleted = new Set<string>();
  readonly journal = new Journal();
  private byName: Promise<Map<string, Secret>> | undefined;

  constructor(
    readonly client: SecretsStoreClient,
    readonly storeId: string,
    /** Aborted when the step is cancelled: no new write starts after that. */
    readonly signal?: AbortSignal,
    readonly run: RunInfo = { runId: '', attempt: '1', repository: '' },
    /** The plan's listing of the store, when it made one. */
    private readonly planned?: readonly Secret[],
  ) {}

  get cancelled(): boolean {
    return this.signal?.aborted === true;
  }

  /** Throws Cancelled, naming `what`, when the step was cancelled. */
  mayStart(what: string): void {
    if (this.cancelled) throw new Cancelled(what);
  }

  /**
   * The store's live secrets by name, listed once for the whole step: the first time a write is
   * refused with a 4xx (to tell a taken name from any other refusal for every line, where a
   * lookup per line would double a storm of refusals), or before the first replace.
   */
  async secretsByName(): Promise<Map<string, Secret>> {
    this.byName ??= this.client
      .listSecrets(this.storeId)
      .then((secrets) => new Map(secrets.map((secret) => [secret.name, secret])));
    return this.live(await this.byName);
  }

  /**
   * The secrets that were there before the step wrote, for replace (its backup's free name, an
   * old `_PREVIOUS`, earlier runs' backups): the plan's listing when it made one, so a replace
   * costs no second listing; else secretsByName().
   */
  async secretsBeforeByName(): Promise<Map<string, Secret>> {
    if (!this.planned) return this.secretsByName();
    return this.live(new Map(this.planned.map((secret) => [secret.name, secret])));
  }

  private live(byName: Map<string, Secret>): Map<string, Secret> {
    return new Map([...byName].filter(([, secret]) => !this.deleted.has(secret.id)));
  }
}
