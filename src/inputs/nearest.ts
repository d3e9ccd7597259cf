/** "Did you mean …?": the candidate nearest to a word, for scopes and input names. */

/** The candidate closest to `word` by edit distance (ties: the first), with that distance. */
export function nearest(
  word: string,
  candidates: readonly [string, ...string[]],
): { candidate: string; distance: number } {
  const [first, ...rest] = candidates;
  let best = { candidate: first, distance: editDistance(word, first) };
  for (const candidate of rest) {
    const distance = editDistance(word, candidate);
    if (distance < best.distance) best = { candidate, distance };
  }
  return best;
}

/**
 * Levenshtein distance (over UTF-16 units), one row at a time: `diagonal`, `above` and `left`
 * are the three cells the next one is made from.
 */
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  let distance = b.length;
  a.split('').forEach((charA, i) => {
    let diagonal = i;
    let left = i + 1;
    const current = [left];
    previous.slice(1).forEach((above, j) => {
      left = Math.min(above + 1, left + 1, diagonal + (charA === b[j] ? 0 : 1));
      diagonal = above;
      current.push(left);
    });
    previous = current;
    distance = left;
  });
  return distance;
}
