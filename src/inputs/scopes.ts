/**
 * Scope names: which services may use a secret. Cloudflare adds scopes over time, so an unknown
 * one is passed through with a warning rather than refused.
 */
import { nearest } from './nearest.js';

export const KNOWN_SCOPES = [
  'workers',
  'ai_gateway',
  'dex',
  'access',
  'containers',
  'websearch',
] as const;

/** The known scope closest to `scope` by edit distance (ties: the first in KNOWN_SCOPES). */
export function nearestScope(scope: string): string {
  return nearest(scope.toLowerCase().replace(/-/g, '_'), KNOWN_SCOPES).candidate;
}

/** The warning for scopes Cloudflare may not know, or undefined when all are known. */
export function unknownScopesWarning(scopes: readonly string[]): string | undefined {
  const known: readonly string[] = KNOWN_SCOPES;
  const unknown = scopes.filter((scope) => !known.includes(scope));
  if (unknown.length === 0) return undefined;
  const guesses = unknown.map((scope) => `"${scope}" (did you mean "${nearestScope(scope)}"?)`);
  return (
    `scopes: ${guesses.join(', ')} ${unknown.length === 1 ? 'is not a known scope' : 'are not known scopes'}; ` +
    `passing ${unknown.length === 1 ? 'it' : 'them'} to Cloudflare as given. Known scopes: ${KNOWN_SCOPES.join(', ')}.`
  );
}

/** True when both lists name the same scopes, whatever their order; no list (`undefined`) names none. */
export function sameScopes(a: readonly string[] | undefined, b: readonly string[]): boolean {
  const left = [...new Set(a)].sort();
  const right = [...new Set(b)].sort();
  return left.length === right.length && left.every((scope, i) => scope === right[i]);
}
