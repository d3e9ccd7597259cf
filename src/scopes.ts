/**
 * Scope names: which services may use a secret. Cloudflare adds scopes over time, so an unknown
 * one is passed through with a warning rather than refused.
 */

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
  const lowered = scope.toLowerCase().replace(/-/g, '_');
  let best: string = KNOWN_SCOPES[0];
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const known of KNOWN_SCOPES) {
    const distance = editDistance(lowered, known);
    if (distance < bestDistance) {
      best = known;
      bestDistance = distance;
    }
  }
  return best;
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

/** True when both lists name the same scopes, whatever their order. */
export function sameScopes(a: readonly string[], b: readonly string[]): boolean {
  const left = [...new Set(a)].sort();
  const right = [...new Set(b)].sort();
  return left.length === right.length && left.every((scope, i) => scope === right[i]);
}

/** Levenshtein distance, two rows at a time. */
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1);
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, substitution);
    }
    previous = current;
  }
  return previous[b.length]!;
}
