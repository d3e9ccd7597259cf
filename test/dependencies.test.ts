/**
 * What dist/ is built from: the runtime dependency tree in package-lock.json holds one undici,
 * shared by the action, @actions/core and @actions/github, so the bundle carries it once; and no
 * npm `overrides` force a dependency onto a version it did not declare.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const read = (file: string): unknown =>
  JSON.parse(readFileSync(new URL(`../${file}`, import.meta.url), 'utf8'));
const MANIFEST = read('package.json') as Record<string, unknown>;
const LOCK = read('package-lock.json') as {
  packages: Record<string, { version?: string; dev?: boolean }>;
};

/** Every copy of `name` installed outside the dev-only tree, as `path@version`. */
function runtimeCopies(name: string): string[] {
  return Object.entries(LOCK.packages)
    .filter(([path, entry]) => path.endsWith(`node_modules/${name}`) && !entry.dev)
    .map(([path, entry]) => `${path}@${entry.version}`);
}

describe('runtime dependencies', () => {
  it('install one undici, which the toolkit packages share with the action', () => {
    expect(runtimeCopies('undici')).toEqual([expect.stringMatching(/^node_modules\/undici@/)]);
  });

  it('take every dependency as it declares itself: no npm overrides', () => {
    expect(MANIFEST).not.toHaveProperty('overrides');
  });
});
