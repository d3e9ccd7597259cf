/** "Did you mean …?": the candidate nearest to a word, for scopes and input names. */

/** The candidate closest to `word` by edit distance (ties: the first), with that distance. */
export function nearest(
  word: string,
  candidates: readonly string[],
): { candidate: string; distance: number } {
  let best = { candidate: candidates[0]!, distance: Number.POSITIVE_INFINITY };
  for (const candidate of candidates) {
    const distance = editDistance(word, candidate);
    if (distance < best.distance) best = { candidate, distance };
  }
  return best;
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
