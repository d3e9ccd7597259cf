import { describe, expect, it } from 'vitest';
import { inParallel } from '../../src/shared/pool.js';

/** A task that stays open until the test lets it end, counting how many are open at once. */
function gate() {
  let open = 0;
  let most = 0;
  const waiting: (() => void)[] = [];
  const task = async (item: number): Promise<number> => {
    open++;
    most = Math.max(most, open);
    await new Promise<void>((resolve) => waiting.push(resolve));
    open--;
    return item * 10;
  };
  const releaseAll = async (): Promise<void> => {
    while (waiting.length > 0 || open > 0) {
      waiting.shift()?.();
      await new Promise((resolve) => setImmediate(resolve));
    }
  };
  return { task, releaseAll, most: () => most };
}

describe('inParallel', () => {
  it('runs at most `workers` items at once and gives the results in the items’ order', async () => {
    const { task, releaseAll, most } = gate();
    const done = inParallel([1, 2, 3, 4, 5], 2, task);
    await releaseAll();
    expect(await done).toEqual([10, 20, 30, 40, 50]);
    expect(most()).toBe(2);
  });

  it('runs every item with one worker when told 0, and none for no item', async () => {
    const seen: number[] = [];
    expect(await inParallel([1, 2], 0, async (item, index) => seen.push(item + index))).toEqual([
      1, 2,
    ]);
    expect(seen).toEqual([1, 3]);
    expect(await inParallel([], 4, async () => 1)).toEqual([]);
  });

  it('rejects with the error an item throws', async () => {
    await expect(
      inParallel([1, 2], 2, async (item) => {
        if (item === 2) throw new Error('two');
        return item;
      }),
    ).rejects.toThrow('two');
  });
});
