/**
 * Turns the configuration into a plan: which store, which source secret(s), which scopes, and
 * whether each new name is free. Every lookup costs one listing at most, and none is made
 * when ids (and scopes) were given: then the plan is built without a request.
 */
import type { SecretsStoreClient } from '../cloudflare/client.js';
import type { Quota, Secret, Store } from '../cloudflare/types.js';
import { explainingNotFound } from './diagnose.js';
import { ActionError, nameAndId } from '../shared/errors.js';
import type { ActionConfig } from '../inputs/config.js';
import type { Ref } from '../inputs/values.js';
import { expandPatterns } from '../inputs/patterns.js';
import { withProvenance, type StepOrigin } from './provenance.js';

export interface PlannedStore {
  id: string;
  /** Known when the store was looked up. */
  name?: string;
}

export interface PlannedCopy {
  /** The `secrets` line it came from (1-based); absent in single mode. */
  line?: number;
  /** The source as the user wrote it (id or name). */
  sourceRef: string;
  sourceId: string;
  /** Known when the source was looked up. */
  source?: Secret;
  name: string;
  scopes: string[];
  /** The user's comment, if any, then the copy's provenance line (src/plan/provenance.ts). */
  comment?: string;
  /** The secret that already has `name`, when the plan found one. */
  existing?: Secret;
}

export interface Plan {
  store: PlannedStore;
  copies: PlannedCopy[];
  /** The store's secrets as the plan listed them, when it did (always with if-exists: replace). */
  secrets?: readonly Secret[];
}

/**
 * Resolves everything before the first write. One copy with ids (and scopes) needs no request.
 * A list is always checked as a whole first, so that a bad line cannot leave it half done: one
 * listing of the store finds every source and taken name, and the quota is read once. `origin`
 * is the run each copy's provenance names.
 */
export async function makePlan(
  config: ActionConfig,
  client: SecretsStoreClient,
  origin: StepOrigin = {},
): Promise<Plan> {
  const store = await resolveStore(config.store, client);
  // A `secrets` list, even of one line, is checked as a whole before its first write.
  const list = config.fromList;
  // Replace must know the target's id before it deletes anything, and verify the source.
  const needsListing =
    list ||
    config.dryRun ||
    config.ifExists === 'replace' ||
    config.duplications.some((d) => d.source.kind === 'name');
  // A list's quota read does not depend on the listing: both go out at once.
  const quota = list ? client.getQuota() : undefined;
  quota?.catch(() => undefined); // awaited below; an unused rejection must not crash the step
  const secrets = needsListing
    ? await explainingNotFound(client, store.id, undefined, () => client.listSecrets(store.id))
    : undefined;
  const byName = new Map(secrets?.map((secret) => [secret.name, secret]));
  const byId = new Map(secrets?.map((secret) => [secret.id, secret]));

  // Pattern lines come with a list, so always with the listing they are expanded from.
  const expansion = expandPatterns(config.duplications, secrets ?? [], describeStore(store));
  const problems: string[] = [...expansion.problems];
  const copies: PlannedCopy[] = [];
  for (const duplication of expansion.duplications) {
    const where = duplication.line ? `secrets line ${duplication.line}: ` : '';
    let source: Secret | undefined;
    if (secrets) {
      source = findSource(duplication.source, byId, byName);
      if (!source) {
        problems.push(
          where + missingSource(duplication.source, store, where ? 'SOURCE' : 'secret input'),
        );
        continue;
      }
    } else if (!config.scopes && duplication.source.kind === 'id') {
      // Without a listing, the source is fetched only when its scopes are needed.
      const id = duplication.source.id;
      source = await explainingNotFound(client, store.id, id, () => client.getSecret(store.id, id));
      // A deleted secret is gone, though Cloudflare may still return it.
      if (source.status === 'deleted') {
        problems.push(where + missingSource(duplication.source, store, 'secret input'));
        continue;
      }
    }
    // Without a listing the source is an id: a name always comes with a listing.
    const sourceId = source?.id ?? refText(duplication.source);
    const scopes = config.scopes ?? source?.scopes ?? [];
    if (scopes.length === 0) {
      problems.push(
        `${where}the source secret ${describeSecret(source, sourceId)} has no scopes to copy; set the scopes input.`,
      );
      continue;
    }
    const existing = byName.get(duplication.name);
    if (existing && existing.id === sourceId) {
      problems.push(
        `${where}the new name "${duplication.name}" is the source secret's own name (${sourceId}): ` +
          'a secret cannot be copied onto itself; give the copy another name.',
      );
      continue;
    }
    if (existing && config.ifExists === 'fail') {
      problems.push(where + nameTaken(existing, store).message);
      continue;
    }
    copies.push({
      line: duplication.line,
      sourceRef: refText(duplication.source),
      sourceId,
      source,
      name: duplication.name,
      scopes,
      comment: withProvenance(config.comment, { ...origin, sourceName: source?.name, sourceId }),
      existing,
    });
  }
  if (config.ifExists === 'replace') problems.push(...replacedSources(copies));
  const [only, ...others] = problems;
  if (only !== undefined && others.length === 0 && !list) throw new ActionError(capitalize(only));
  if (problems.length > 0) {
    throw new ActionError(
      `Nothing was written: ${problems.length} of ${expansion.duplications.length + expansion.unmatched} lines cannot be copied.`,
      problems,
    );
  }
  if (quota)
    checkQuota(client.accountId, (await quota).secrets, copies.filter((c) => !c.existing).length);
  return { store, copies, secrets };
}

/** Replacing a target that is another line's source would delete that source: refused. */
function replacedSources(copies: readonly PlannedCopy[]): string[] {
  const lineBySource = new Map(copies.map((c) => [c.sourceId, c.line]));
  const problems: string[] = [];
  for (const copy of copies) {
    if (!copy.existing || !lineBySource.has(copy.existing.id)) continue;
    problems.push(
      `secrets line ${copy.line}: replacing "${copy.name}" would delete the SOURCE of line ` +
        `${lineBySource.get(copy.existing.id)}; a source is never deleted.`,
    );
  }
  return problems;
}

/** A list fails before its first write when the account has no room for all of it. */
function checkQuota(accountId: string, { quota, usage }: Quota['secrets'], toCreate: number): void {
  if (usage + toCreate > quota) {
    throw new ActionError(
      `Nothing was written: this list creates ${toCreate} secrets, but account ${accountId} ` +
        `already uses ${usage} of its ${quota} (Secrets Store quota), so only ${Math.max(0, quota - usage)} more fit. ` +
        'Delete unused secrets or shorten the list.',
    );
  }
}

/** The error for a name that is already used, with the way out. */
export function nameTaken(existing: Secret, store: PlannedStore): ActionError {
  return new ActionError(
    `A secret named "${existing.name}" already exists in store ${describeStore(store)}, with id ${existing.id}. ` +
      'Set if-exists: skip to use the existing secret, if-exists: replace to replace it, or choose another name.',
  );
}

async function resolveStore(
  ref: Ref | undefined,
  client: SecretsStoreClient,
): Promise<PlannedStore> {
  if (ref?.kind === 'id') return { id: ref.id };
  const stores = await client.listStores();
  if (ref?.kind === 'name') {
    const match = stores.find((store) => store.name === ref.name);
    if (!match) {
      throw new ActionError(
        `No store named "${ref.name}" in account ${client.accountId}. ${listStores(stores)}`,
      );
    }
    return { id: match.id, name: match.name };
  }
  const [first, ...more] = stores;
  if (first && more.length === 0) return { id: first.id, name: first.name };
  if (stores.length === 0) {
    throw new ActionError(
      `Account ${client.accountId} has no Secrets Store yet. Create one in the Cloudflare dashboard ` +
        '(or with `wrangler secrets-store store create`), then run the step again.',
    );
  }
  throw new ActionError(
    `Account ${client.accountId} has ${stores.length} stores; set the store input to one of them. ${listStores(stores)}`,
  );
}

function findSource(
  ref: Ref,
  byId: Map<string, Secret>,
  byName: Map<string, Secret>,
): Secret | undefined {
  return ref.kind === 'id' ? byId.get(ref.id) : byName.get(ref.name);
}

function missingSource(ref: Ref, store: PlannedStore, field: string): string {
  const what = ref.kind === 'id' ? `with id ${ref.id}` : `named "${ref.name}"`;
  return (
    `No secret ${what} in store ${describeStore(store)}. ` +
    `Check the ${field} (an id is 32 hex characters; a name must match exactly, case included).`
  );
}

function refText(ref: Ref): string {
  return ref.kind === 'id' ? ref.id : ref.name;
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

function listStores(stores: readonly Store[]): string {
  if (stores.length === 0) return 'The account has no stores.';
  return `Stores in this account: ${stores.map((s) => nameAndId(s.name, s.id)).join(', ')}.`;
}

export function describeStore(store: PlannedStore): string {
  return store.name ? nameAndId(store.name, store.id) : store.id;
}

function describeSecret(secret: Secret | undefined, id: string): string {
  return secret ? nameAndId(secret.name, id) : id;
}
