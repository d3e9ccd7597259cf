/**
 * Reads every input once, validates it, and returns one typed configuration. Nothing else in
 * the action reads inputs, and nothing here touches the network: bad input fails the step
 * before the first request, with every problem listed at once.
 */
import type { Credentials } from '../cloudflare/types.js';
import { parseAccountId, parseBaseUrl, parseCredentials } from './connection.js';
import { parseDuplications, unusualNamesWarning, type Duplication } from './list.js';
import { unknownInputs, type Env, type ReadInput } from './names.js';
import { unknownScopesWarning } from './scopes.js';
import {
  collect,
  parseBoolean,
  parseIfExists,
  parseInteger,
  parsePrune,
  parseScopes,
  parseStore,
  type IfExists,
  type Ref,
} from './values.js';

export interface ActionConfig {
  accountId: string;
  credentials: Credentials;
  baseUrl: string;
  /** Undefined: the account's only store. */
  store: Ref | undefined;
  /** One item with `secret` + `name`; one per line with `secrets`. */
  duplications: Duplication[];
  /** True when the copies came from the `secrets` list. */
  fromList: boolean;
  /** Copies of a list made at once. */
  maxParallel: number;
  rollbackOnFailure: boolean;
  /** Poll every secret the step writes until Cloudflare reports it active. */
  waitForActive: boolean;
  /** With if-exists: replace, keep the value it removes as `<TARGET>_PREVIOUS`. */
  keepPrevious: boolean;
  /** A glob of names to prune after the copies; undefined: no pruning. */
  prune: string | undefined;
  /** How many of the newest matching secrets pruning keeps. */
  pruneKeep: number;
  /** Undefined: each copy takes its source's scopes. */
  scopes: string[] | undefined;
  comment: string | undefined;
  ifExists: IfExists;
  dryRun: boolean;
  maxRetries: number;
  timeoutSeconds: number;
  /** Things worth a warning annotation that do not stop the step. */
  warnings: string[];
}

/** The longest time budget a step may have: no step works on the API for longer. */
export const MAX_TIMEOUT_SECONDS = 3600;

/** What each input's parser gives, before the warnings and the plain values join them. */
type Parsed = Omit<ActionConfig, 'fromList' | 'comment' | 'warnings'> & { normalize: boolean };

export function parseInputs(read: ReadInput, env: Env): ActionConfig {
  const warnings: string[] = [];
  const comment = read('comment');
  const { normalize, ...parsed } = collect<Parsed>(unknownInputs(env), {
    accountId: () => parseAccountId(read('account-id'), env.CLOUDFLARE_ACCOUNT_ID),
    credentials: () => parseCredentials(read, env, warnings),
    baseUrl: () => parseBaseUrl(read('api-base-url')),
    store: () => parseStore(read('store')),
    normalize: () => parseBoolean(read('normalize-name'), 'normalize-name', false),
    duplications: (got) => parseDuplications(read, got.normalize ?? false),
    scopes: () => parseScopes(read('scopes')),
    ifExists: () => parseIfExists(read('if-exists')),
    dryRun: () => parseBoolean(read('dry-run'), 'dry-run', false),
    maxRetries: () => parseInteger(read('max-retries'), 'max-retries', 3, 0, 10),
    timeoutSeconds: () =>
      parseInteger(read('timeout-seconds'), 'timeout-seconds', 120, 1, MAX_TIMEOUT_SECONDS),
    maxParallel: () => parseInteger(read('max-parallel'), 'max-parallel', 4, 1, 16),
    rollbackOnFailure: () =>
      parseBoolean(read('rollback-on-failure'), 'rollback-on-failure', false),
    waitForActive: () => parseBoolean(read('wait-for-active'), 'wait-for-active', false),
    keepPrevious: () => parseBoolean(read('keep-previous'), 'keep-previous', false),
    prune: () => parsePrune(read('prune')),
    pruneKeep: () => parseInteger(read('prune-keep'), 'prune-keep', 5, 1, 100),
  });

  if (parsed.scopes) {
    const warning = unknownScopesWarning(parsed.scopes);
    if (warning) warnings.push(warning);
  }
  // A pattern's names are known only once it is expanded, and never warned about.
  const namesWarning = unusualNamesWarning(
    parsed.duplications.filter((d) => d.source.kind !== 'pattern').map((d) => d.name),
  );
  if (namesWarning) warnings.push(namesWarning);
  return {
    ...parsed,
    fromList: read('secrets') !== '',
    comment: comment === '' ? undefined : comment,
    warnings,
  };
}
