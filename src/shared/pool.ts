/**
 * The worker pool: runs `fn` on every item, at most `workers` at a time (at least one), each
 * worker taking the next item as it finishes one. Resolves with the results in the items' order; rejects with the
 * first error `fn` throws.
 */
export async function inParallel<T, R>(
  items: readonly T[],
  workers: number,
  fn: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const results: R[] = [];
  // One iterator shared by every worker: each item is taken once.
  const queue = items.entries();
  const worker = async (): Promise<void> => {
    for (const [index, item] of queue) results[index] = await fn(item, index);
  };
  const count = Math.max(1, Math.min(workers, items.length));
  await Promise.all(Array.from({ length: count }, worker));
  return results;
}
