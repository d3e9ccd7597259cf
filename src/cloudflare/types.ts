/**
 * Shapes of the Cloudflare Secrets Store API, as documented in Cloudflare's API reference and
 * its official SDK. Only the fields this client relies on are required; the rest are optional
 * because the API is in beta and may add or drop them.
 */

/** One entry of an envelope's `errors` or `messages` array. */
export interface CloudflareMessage {
  code: number;
  message: string;
  documentation_url?: string;
  source?: { pointer?: string };
}

export interface ResultInfo {
  page?: number;
  per_page?: number;
  count?: number;
  total_count?: number;
  total_pages?: number;
}

/** Every Cloudflare v4 response is wrapped in this envelope. */
export interface Envelope<T> {
  success: boolean;
  errors: CloudflareMessage[];
  messages: CloudflareMessage[];
  result: T;
  result_info?: ResultInfo;
}

export interface Store {
  id: string;
  name: string;
  created?: string;
  modified?: string;
  account_id?: string;
}

type SecretStatus = 'pending' | 'active' | 'deleted' | (string & {});

export interface Secret {
  id: string;
  name: string;
  status: SecretStatus;
  store_id: string;
  created: string;
  modified?: string;
  comment?: string;
  scopes?: string[];
}

export interface Quota {
  secrets: { quota: number; usage: number };
}

/** Body of `POST .../secrets/{secret_id}/duplicate`. */
export interface DuplicateSecretBody {
  name: string;
  scopes: string[];
  comment?: string;
}

/** API token (preferred) or the legacy Global API key pair. */
export type Credentials =
  { kind: 'token'; token: string } | { kind: 'global-key'; email: string; key: string };
