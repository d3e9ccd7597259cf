/**
 * A small client for Cloudflare's Secrets Store API: its endpoints and paths. HTTP, retries and
 * errors are src/cloudflare/transport.ts.
 *
 * Plain TypeScript with no GitHub Actions code. Reads are retried; writes are sent once and left
 * to the caller, because a write that failed ambiguously must be reconciled before it is sent
 * again (src/copy/duplicate.ts).
 */
import { CloudflareError, isNotFound } from './errors.js';
import { Transport, type TransportOptions } from './transport.js';
import type { DuplicateSecretBody, Quota, ResultInfo, Secret, Store } from './types.js';
import { expectArrayOf, expectQuota, expectSecret, expectStore, isId } from './validate.js';

export { DEFAULT_BASE_URL, type RequestEvent } from './transport.js';
export { retryDecision } from './failures.js';

export interface ClientOptions extends TransportOptions {
  accountId: string;
}

const PAGE_SIZE = 100;
/**
 * A listing that has not ended after this many pages is an error: 100 pages of 100 is a hundred
 * times the open-beta quota, and each page is a request against the account's rate limit.
 */
export const MAX_PAGES = 100;

export class SecretsStoreClient {
  readonly accountId: string;
  private readonly transport: Transport;
  /** Every secret id this client has read, with the order it was first read in (1, 2, ...). */
  private readonly seen = new Map<string, number>();

  constructor(options: ClientOptions) {
    this.accountId = checkId(options.accountId, 'an account id');
    this.transport = new Transport(options);
  }

  // ---- Stores -------------------------------------------------------------------------------

  async listStores(): Promise<Store[]> {
    return this.listAll(this.storesPath(), {}, expectStore);
  }

  // ---- Secrets ------------------------------------------------------------------------------

  /** One secret as Cloudflare has it; its status may be `deleted`, which callers treat as absent. */
  async getSecret(storeId: string, secretId: string): Promise<Secret> {
    const secret = await this.transport.read(
      { method: 'GET', path: this.secretPath(storeId, secretId) },
      (r) => expectSecret(r, 'result'),
    );
    this.noteSeen([secret]);
    return secret;
  }

  /**
   * Every live secret of a store, following pagination. A secret whose status is `deleted` may
   * still be listed; it is gone, so it is left out (its id still counts as seen).
   */
  async listSecrets(storeId: string): Promise<Secret[]> {
    return this.live(await this.listAll(`${this.storePath(storeId)}/secrets`, {}, expectSecret));
  }

  /**
   * The live secret whose name is exactly `name`, or undefined. The API's `search` is a substring
   * match over names and comments, so its hits are filtered to the exact name here.
   */
  async findSecretByName(storeId: string, name: string): Promise<Secret | undefined> {
    const hits = await this.listAll(
      `${this.storePath(storeId)}/secrets`,
      { search: name },
      expectSecret,
    );
    return this.live(hits).find((secret) => secret.name === name);
  }

  /**
   * A mark of what this client has read so far, for `seenBefore`. Taken just before a write, it
   * tells the ids that existed before the write from the ones that may have come from it.
   */
  seenMark(): number {
    return this.seen.size;
  }

  /** True when a read answered before `mark` was taken listed or returned secret `id`. */
  seenBefore(id: string, mark: number): boolean {
    const at = this.seen.get(id);
    return at !== undefined && at <= mark;
  }

  /**
   * `POST .../secrets/{id}/duplicate`, sent exactly once. It is not idempotent, so retrying it is
   * the caller's decision (src/copy/duplicate.ts reconciles before it retries).
   */
  async duplicateSecret(
    storeId: string,
    secretId: string,
    body: DuplicateSecretBody,
  ): Promise<Secret> {
    return this.transport.call(
      { method: 'POST', path: `${this.secretPath(storeId, secretId)}/duplicate`, body },
      1,
      (r) => expectSecret(r, 'result'),
    );
  }

  /**
   * Deletes a secret. Retried, since deleting twice leaves the same state; a not-found on a
   * retry means an earlier attempt whose answer was lost did the job.
   */
  async deleteSecret(storeId: string, secretId: string): Promise<void> {
    const path = this.secretPath(storeId, secretId);
    await this.transport.retrying(async (attempt) => {
      try {
        await this.transport.call({ method: 'DELETE', path }, attempt, () => undefined);
      } catch (error) {
        if (attempt > 1 && isNotFound(error)) return;
        throw error;
      }
    });
  }

  async getQuota(): Promise<Quota> {
    const quota = await this.transport.read(
      { method: 'GET', path: `${this.accountPath()}/quota` },
      (r) => expectQuota(r, 'result'),
    );
    this.transport.noteQuota(quota.secrets);
    return quota;
  }

  // ---- Time and retries, shared by every call ------------------------------------------------

  /** Milliseconds left before the deadline (less what keepingBack() holds back). */
  remainingMs(): number {
    return this.transport.remainingMs();
  }

  /** Runs `fn` with the last `reserveMs` of the time budget kept for `purpose`, which follows it. */
  keepingBack<T>(reserveMs: number, purpose: string, fn: () => Promise<T>): Promise<T> {
    return this.transport.keepingBack(reserveMs, purpose, fn);
  }

  /** Ends this client's work within `ms`; see Transport.windDown. */
  windDown(ms: number): void {
    this.transport.windDown(ms);
  }

  /** The local time, from the injected clock. */
  now(): number {
    return this.transport.now();
  }

  /** Waits `ms` on the injected clock (between polls, say). */
  sleep(ms: number): Promise<void> {
    return this.transport.sleep(ms);
  }

  /** A local time on the server's clock; tells a secret created by this step from an older one. */
  serverTime(localMs: number): number {
    return this.transport.serverTime(localMs);
  }

  /** Runs `fn` under this client's retry budget; for callers that retry their own writes. */
  retrying<T>(fn: (attempt: number) => Promise<T>): Promise<T> {
    return this.transport.retrying(fn);
  }

  // ---- Paths and pages ----------------------------------------------------------------------

  private noteSeen(secrets: readonly Secret[]): void {
    for (const { id } of secrets) if (!this.seen.has(id)) this.seen.set(id, this.seen.size + 1);
  }

  /** Notes every id as seen, then drops the secrets whose status is `deleted`. */
  private live(secrets: Secret[]): Secret[] {
    this.noteSeen(secrets);
    return secrets.filter((secret) => secret.status !== 'deleted');
  }

  private accountPath(): string {
    return `/accounts/${this.accountId}/secrets_store`;
  }

  private storesPath(): string {
    return `${this.accountPath()}/stores`;
  }

  private storePath(storeId: string): string {
    return `${this.storesPath()}/${checkId(storeId, 'a store id')}`;
  }

  private secretPath(storeId: string, secretId: string): string {
    return `${this.storePath(storeId)}/secrets/${checkId(secretId, 'a secret id')}`;
  }

  /**
   * Every item of a paged listing. `total_pages` is followed when present, even past pages
   * shorter than asked (a server may cap `per_page`); without it (not every published schema has
   * it) paging goes on until a page is short or empty. A listing that never ends, or a full page
   * of items already seen (a server that ignores `page`), is an error: a partial list could make
   * a taken name look free.
   */
  private async listAll<T extends { id: string }>(
    path: string,
    query: Record<string, string>,
    expectItem: (value: unknown, where: string) => T,
  ): Promise<T[]> {
    const items = new Map<string, T>();
    for (let page = 1; page <= MAX_PAGES; page++) {
      const { pageItems, info } = await this.transport.read(
        { method: 'GET', path, query: { ...query, page, per_page: PAGE_SIZE } },
        (result, resultInfo) => ({
          pageItems: expectArrayOf(result, 'result', expectItem),
          info: resultInfo,
        }),
      );
      // Keyed by id: a secret created while we page shifts the others, so one may come twice.
      const fresh = pageItems.filter((item) => !items.has(item.id));
      for (const item of fresh) items.set(item.id, item);
      if (pageItems.length === 0) return [...items.values()];
      const size = pageSize(info);
      const full = pageItems.length >= size;
      if (fresh.length === 0 && full) {
        throw this.endlessListing(path, `page ${page} repeats items of earlier pages`);
      }
      const totalPages = info?.total_pages;
      if (typeof totalPages === 'number') {
        if (page >= totalPages) return [...items.values()];
      } else if (!full) {
        return [...items.values()];
      }
    }
    throw this.endlessListing(path, `it did not end after ${MAX_PAGES} pages`);
  }

  private endlessListing(path: string, why: string): CloudflareError {
    return new CloudflareError(
      `GET ${path} cannot be listed in full: ${why}. A partial list is not used.`,
      { kind: 'invalid-response', method: 'GET', path, status: 200 },
    );
  }
}

/**
 * How many items a full page holds: what we asked for, or less when the server says it serves
 * fewer per page.
 */
function pageSize(info: ResultInfo | undefined): number {
  const perPage = info?.per_page;
  return typeof perPage === 'number' && Number.isInteger(perPage) && perPage > 0
    ? Math.min(perPage, PAGE_SIZE)
    : PAGE_SIZE;
}

/** Ids are the only values that enter a URL path; anything else could change its target. */
function checkId(id: string, what: string): string {
  if (!isId(id)) {
    throw new TypeError(
      `Refusing to use ${JSON.stringify(id)} as ${what}: not 32 lowercase hex characters.`,
    );
  }
  return id;
}
