/**
 * What GitHub makes of a Markdown file's headings and links, enough to check that every
 * relative link and `#anchor` in the docs leads somewhere. Parsing is marked's (a code block's
 * `[x](y)` is not a link); the anchor rules are github-slugger's, which GitHub uses.
 */
import { existsSync, statSync } from 'node:fs';
import { dirname, relative, resolve, sep } from 'node:path';
import { marked, type Token, type Tokens } from 'marked';

/**
 * GitHub's anchor for a heading's text: lower case; punctuation, symbols, control and format
 * characters dropped (but `-`, `_` and letters kept); each space a `-`.
 */
export function slug(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^\p{L}\p{M}\p{Nd}\p{Nl}\p{Pc} -]/gu, (c) => (/\p{Alphabetic}/u.test(c) ? c : ''))
    .replace(/ /g, '-');
}

/** The text a heading renders to: code spans' text kept, inline HTML tags dropped. */
function plainText(tokens: readonly Token[]): string {
  return tokens
    .map((token) => {
      if (token.type === 'html') return '';
      if ('tokens' in token && Array.isArray(token.tokens)) return plainText(token.tokens);
      return 'text' in token && typeof token.text === 'string' ? token.text : '';
    })
    .join('');
}

/**
 * Every anchor a page has: one per heading, a repeated slug numbered `-1`, `-2` as GitHub
 * does, plus `id`/`name` attributes of inline HTML.
 */
export function anchorsOf(markdown: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  marked.walkTokens(marked.lexer(markdown), (token) => {
    if (token.type === 'heading') {
      const base = slug(plainText((token as Tokens.Heading).tokens));
      let anchor = base;
      while (anchors.has(anchor)) {
        const n = (seen.get(base) ?? 0) + 1;
        seen.set(base, n);
        anchor = `${base}-${n}`;
      }
      anchors.add(anchor);
    } else if (token.type === 'html') {
      for (const m of token.raw.matchAll(/\s(?:id|name)\s*=\s*["']([^"']+)["']/gi)) {
        anchors.add(m[1]!);
      }
    }
  });
  return anchors;
}

/** Every link and image target of a page, Markdown and inline HTML (`href`, `src`). */
export function linksOf(markdown: string): string[] {
  const links: string[] = [];
  marked.walkTokens(marked.lexer(markdown), (token) => {
    if (token.type === 'link' || token.type === 'image') {
      links.push((token as Tokens.Link | Tokens.Image).href);
    } else if (token.type === 'html') {
      for (const m of token.raw.matchAll(/\s(?:href|src)\s*=\s*["']([^"']+)["']/gi)) {
        links.push(m[1]!);
      }
    }
  });
  return links;
}

/** Has a scheme (`https:`, `mailto:`) or is protocol-relative: not checked here. */
export function isExternal(link: string): boolean {
  return /^[a-z][a-z0-9+.-]*:/i.test(link) || link.startsWith('//');
}

/**
 * Why a relative link (or `#anchor`) of the page at `file` leads nowhere, or undefined when it
 * resolves: to a path inside `root` that exists and, for an anchor, to a heading of that page.
 * `read` gives a Markdown file's text.
 */
export function brokenLink(
  root: string,
  file: string,
  link: string,
  read: (path: string) => string,
): string | undefined {
  const hash = link.indexOf('#');
  const pathPart = decodeURIComponent(hash >= 0 ? link.slice(0, hash) : link);
  const anchor = hash >= 0 ? decodeURIComponent(link.slice(hash + 1)) : undefined;
  // A leading `/` is the repository's root on GitHub, not the file system's.
  const target =
    pathPart === ''
      ? file
      : pathPart.startsWith('/')
        ? resolve(root, `.${pathPart}`)
        : resolve(dirname(file), pathPart);
  const inside = relative(root, target);
  if (inside === '..' || inside.startsWith(`..${sep}`)) {
    return `${link}: leads outside the repository`;
  }
  if (!existsSync(target)) return `${link}: ${inside || '.'} does not exist`;
  if (anchor === undefined) return undefined;
  if (!statSync(target).isFile() || !target.endsWith('.md')) {
    return `${link}: #${anchor} points into ${inside}, which is not a Markdown page`;
  }
  if (!anchorsOf(read(target)).has(anchor)) {
    return `${link}: ${inside} has no heading whose anchor is #${anchor}`;
  }
  return undefined;
}
