/**
 * `npm run lint` runs knip (knip.jsonc), which fails on an export, a file or a dependency that
 * nothing uses. Its entries must name files that exist: a renamed entry would quietly make
 * everything it alone reaches look unused, or hide it from the check.
 */
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const root = new URL('../', import.meta.url);
const read = (path: string) => readFileSync(new URL(path, root), 'utf8');
// knip.jsonc is JSON with whole-line // comments and trailing commas.
const jsonc = read('knip.jsonc').replace(/^\s*\/\/.*$/gm, '');
const config = JSON.parse(jsonc.replace(/,(\s*[\]}])/g, '$1')) as {
  entry: string[];
  ignoreIssues?: Record<string, string[]>;
};

describe('knip', () => {
  it('runs in npm run lint', () => {
    const { scripts } = JSON.parse(read('package.json')) as { scripts: Record<string, string> };
    expect(scripts.lint!.split(' && ')).toContain('knip');
  });

  it.each(config.entry.filter((entry) => !/[*?]/.test(entry)))('has its entry %s', (entry) => {
    expect(existsSync(new URL(entry, root)), `knip.jsonc names ${entry}, which is gone`).toBe(true);
  });

  it('ignores issues only in files that exist', () => {
    for (const file of Object.keys(config.ignoreIssues ?? {})) {
      expect(existsSync(new URL(file, root)), `knip.jsonc ignores issues in ${file}`).toBe(true);
    }
  });
});
