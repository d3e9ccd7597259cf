/**
 * Every relative link and `#anchor` in the docs leads somewhere: README.md, CONTRIBUTING.md,
 * the other top-level pages and docs/ link to each other's sections, and a renamed heading or
 * a moved page must not leave a dead link behind.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { anchorsOf, brokenLink, isExternal, linksOf, slug } from './helpers/markdown.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const read = (path: string) => readFileSync(path, 'utf8');

/** The top-level Markdown pages and everything under docs/. */
function pages(): string[] {
  const top = readdirSync(ROOT)
    .filter((name) => name.endsWith('.md'))
    .map((name) => join(ROOT, name));
  const docs = readdirSync(join(ROOT, 'docs'), { recursive: true, encoding: 'utf8' })
    .filter((name) => name.endsWith('.md'))
    .map((name) => join(ROOT, 'docs', name));
  return [...top, ...docs].sort();
}

const PAGES = pages().map((path) => relative(ROOT, path));

describe('GitHub anchors', () => {
  it.each([
    ['Inputs', 'inputs'],
    ['if-exists, dry-run and the outcome', 'if-exists-dry-run-and-the-outcome'],
    ['`secrets line N: expected "SOURCE => TARGET"`', 'secrets-line-n-expected-source--target'],
    ['`A secret named "…" already exists in store …`', 'a-secret-named--already-exists-in-store-'],
    ['`max_parallel` is 1–16 (v1.2.0)', 'max_parallel-is-116-v120'],
    ['Café à la carte', 'café-à-la-carte'],
    ['😄 Emoji', '-emoji'],
  ])('%s → #%s', (heading, anchor) => {
    expect(slug(heading.replace(/`/g, ''))).toBe(anchor);
    expect(anchorsOf(`## ${heading}\n`)).toEqual(new Set([anchor]));
  });

  it('numbers a repeated heading as GitHub does', () => {
    expect(anchorsOf('# Notes\n\n## Notes\n\n### Notes\n')).toEqual(
      new Set(['notes', 'notes-1', 'notes-2']),
    );
  });

  it('takes no heading or link from a code block', () => {
    const page = '```md\n## Not a heading\n[not](a-link.md)\n```\n';
    expect(anchorsOf(page).size).toBe(0);
    expect(linksOf(page)).toEqual([]);
  });
});

describe('the link check', () => {
  const readme = join(ROOT, 'README.md');

  it('finds links in text, tables, lists, images and inline HTML', () => {
    const page = [
      'See [a](a.md), ![b](b.png).',
      '',
      '| x | y |',
      '|---|---|',
      '| [c](#c) | <a href="d.md">d</a> |',
      '',
      '- [e](docs/e.md#f)',
      '',
      '[g]: https://example.com/',
      'and [g].',
    ].join('\n');
    expect(linksOf(page)).toEqual([
      'a.md',
      'b.png',
      '#c',
      'd.md',
      'docs/e.md#f',
      'https://example.com/',
    ]);
    expect(isExternal('https://example.com/')).toBe(true);
    expect(isExternal('mailto:a@example.com')).toBe(true);
    expect(isExternal('docs/lists.md')).toBe(false);
  });

  it.each([
    ['docs/no-such-page.md', 'does not exist'],
    ['#no-such-heading', 'has no heading'],
    ['CONTRIBUTING.md#no-such-heading', 'has no heading'],
    ['action.yml#inputs', 'not a Markdown page'],
    ['../outside.md', 'outside the repository'],
  ])('reports %s', (link, why) => {
    expect(brokenLink(ROOT, readme, link, read)).toContain(why);
  });

  it.each(['action.yml', 'examples/', 'LICENSE', '/docs/lists.md', 'README.md#inputs', '#outputs'])(
    'accepts %s',
    (link) => {
      expect(brokenLink(ROOT, readme, link, read)).toBeUndefined();
    },
  );
});

describe('every relative link and anchor resolves', () => {
  it('checks README.md, CONTRIBUTING.md and the pages of docs/', () => {
    for (const page of [
      'README.md',
      'CONTRIBUTING.md',
      'docs/lists.md',
      'docs/naming.md',
      'docs/reliability.md',
      'docs/troubleshooting.md',
    ]) {
      expect(PAGES).toContain(page);
    }
  });

  it.each(PAGES)('in %s', (page) => {
    const path = join(ROOT, page);
    const broken = linksOf(read(path))
      .filter((link) => !isExternal(link))
      .map((link) => brokenLink(ROOT, path, link, read))
      .filter((why) => why !== undefined);
    expect(broken, `${page} has links that lead nowhere`).toEqual([]);
  });
});
