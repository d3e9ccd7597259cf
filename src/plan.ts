/**
 * Turns the configuration into a plan: which store, which source secret(s), which scopes, and
 * whether each new name is free. Every lookup costs one listing at most, and none is made
 * when ids (and scopes) were given: then the plan is built without a request.
 */
import type { SecretsStoreClient } from './cloudflare/client.js';
import type { Secret, Store } from './cloudflare/types.js';
import { explainingNotFound } from './diagnose.js';
import { ActionError } from './errors.js';
import type { ActionConfig, Ref } from './inputs.js';

export interface PlannedStore {
  id: string;
  /** Known when the store was looked up. */
  name?: string;
}

export interface PlannedCopy {
  sourceId: string;
  /** Known when the source was looked up. */
  source?: Secret;
  name: string;
  scopes: string[];
  comment?: string;
  /** The secret that already has `name`, when the plan found one. */
  existing?: Secret;
  /**
   * True when a listing showed `name` free while planning. A secret with that name found later
   * (after a write whose answer was lost) can then only have come from this step.
   */
  nameWasFree: boolean;
}

export interface Plan {
  store: PlannedStore;
  copies: PlannedCopy[];
}

export async function makePlan(config: ActionConfig, client: SecretsStoreClient): Promise<Plan> {
  const store = await resolveStore(config.store, client);
  const needsListing = config.dryRun || config.duplications.some((d) => d.source.kind === 'name');
  const secrets = needsListing
    ? await explainingNotFound(client, store.id, undefined, () => client.listSecrets(store.id))
    : undefined;
  const byName = new Map(secrets?.map((secret) => [secret.name, secret]));
  const byId = new Map(secrets?.map((secret) => [secret.id, secret]));

  const copies: PlannedCopy[] = [];
  for (const duplication of config.duplications) {
    let source = secrets ? findSource(duplication.source, byId, byName, store) : undefined;
    // Without a listing, the source is fetched only when its scopes are needed.
    if (!source && !config.scopes && duplication.source.kind === 'id') {
      const id = duplication.source.id;
      source = await explainingNotFound(client, store.id, id, () => client.getSecret(store.id, id));
    }
    // Without a listing the source is an id: a name always comes with a listing.
    const sourceId = source?.id ?? (duplication.source.kind === 'id' ? duplication.source.id : '');
    const scopes = config.scopes ?? source?.scopes ?? [];
    if (scopes.length === 0) {
      throw new ActionError(
        `The source secret ${describeSecret(source, sourceId)} has no scopes to copy; set the scopes input.`,
      );
    }
    const existing = byName.get(duplication.name);
    if (existing && config.ifExists === 'fail') {
      throw nameTaken(existing, store);
    }
    copies.push({
      sourceId,
      source,
      name: duplication.name,
      scopes,
      comment: config.comment,
      existing,
      nameWasFree: secrets !== undefined && existing === undefined,
    });
  }
  return { store, copies };
}

/** The error for a name that is already used, with the way out. */
export function nameTaken(existing: Secret, store: PlannedStore): ActionError {
  return new ActionError(
    `A secret named "${existing.name}" already exists in store ${describeStore(store)}, with id ${existing.id}. ` +
      'Set if-exists: skip to use the existing secret, or choose another name.',
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
  if (stores.length === 1) return { id: stores[0]!.id, name: stores[0]!.name };
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
  store: PlannedStore,
): Secret {
  const found = ref.kind === 'id' ? byId.get(ref.id) : byName.get(ref.name);
  if (!found) {
    const what = ref.kind === 'id' ? `with id ${ref.id}` : `named "${ref.name}"`;
    throw new ActionError(
      `No secret ${what} in store ${describeStore(store)}. Check the secret input (an id is 32 hex characters; a name must match exactly, case included).`,
    );
  }
  return found;
}

function listStores(stores: readonly Store[]): string {
  if (stores.length === 0) return 'The account has no stores.';
  return `Stores in this account: ${stores.map((s) => `"${s.name}" (${s.id})`).join(', ')}.`;
}

export function describeStore(store: PlannedStore): string {
  return store.name ? `"${store.name}" (${store.id})` : store.id;
}

function describeSecret(secret: Secret | undefined, id: string): string {
  return secret ? `"${secret.name}" (${id})` : id;
}
