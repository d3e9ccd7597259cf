/**
 * How values that are not the action's own text are shown: names, ids, scopes and errors from
 * Cloudflare or the workflow. In the log each becomes part of one line that no workflow command
 * can start or hide in; in the job summary each renders as plain text, never as Markdown or HTML.
 * src/main.ts prints every line through `printable`; src/report/summary.ts builds the summary with
 * `markdownText` and `codeId`. It imports only the id check of src/cloudflare/validate.ts: this
 * is the one place the rule lives.
 */
import { isId } from '../cloudflare/validate.js';

/** Longest line printed to the log; a longer one is cut, saying how much. */
export const MAX_LOG_LINE = 4_000;
/** Most lines of one multi-line message (a list's failure); the rest are counted, not printed. */
export const MAX_LOG_LINES = 200;

/**
 * Characters that end a line for the runner or a terminal (C0, DEL, C1 with NEL, the Unicode
 * line and paragraph separators), reorder or hide text (bidirectional controls, zero-width and
 * other invisible characters, Unicode tags): shown as escapes, so what is printed is what is there.
 */
const UNPRINTABLE =
  /[\p{Cc}\u00ad\u061c\u180e\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff\u{e0000}-\u{e007f}]/gu;

const NAMED_ESCAPES: Readonly<Record<string, string>> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/** The code point of one character (as `for…of` or a `u` regex gives it). */
export function codePoint(char: string): number {
  // Non-null: a character is never empty, so it has a first code point.
  return char.codePointAt(0)!;
}

function escapeChar(char: string): string {
  const named = NAMED_ESCAPES[char];
  if (named !== undefined) return named;
  const code = codePoint(char);
  // Stryker disable next-line EqualityOperator: `<` is the same, UNPRINTABLE never matches U+FFFF
  return code <= 0xffff ? `\\u${code.toString(16).padStart(4, '0')}` : `\\u{${code.toString(16)}}`;
}

/** True when `text` holds a character that `printable` would escape. */
export function hasUnprintable(text: string): boolean {
  UNPRINTABLE.lastIndex = 0;
  return UNPRINTABLE.test(text);
}

/** `text` cut to `max` characters, saying how many were cut. */
export function clip(text: string, max: number): string {
  if (text.length <= max) return text;
  // Never leave half of a surrogate pair behind.
  const end = /[\ud800-\udbff]/.test(text.charAt(max - 1)) ? max - 1 : max;
  return `${text.slice(0, end)}… [${(text.length - end).toLocaleString('en-US')} more characters cut]`;
}

/**
 * One line for the log, safe to print whatever it contains: control and invisible characters
 * escaped (so nothing can start a new line, and no `::command::` with it), the runner's legacy
 * `##[command]` form (recognised anywhere in a line) broken up, and the length capped.
 */
export function printable(text: string, max = MAX_LOG_LINE): string {
  let line = text.replace(UNPRINTABLE, escapeChar).replaceAll('##[', '##\\[');
  // The runner reads `::command::` at the start of a line, after white space.
  if (/^\s*::/.test(line)) line = `\\${line}`;
  return clip(line, max);
}

/** The lines of a multi-line message, each `printable`, at most MAX_LOG_LINES of them. */
export function printableLines(lines: readonly string[]): string {
  const shown = lines.slice(0, MAX_LOG_LINES).map((line) => printable(line));
  if (lines.length > MAX_LOG_LINES) {
    shown.push(
      `… and ${lines.length - MAX_LOG_LINES} more lines (the results output has them all).`,
    );
  }
  return shown.join('\n');
}

/**
 * Markdown punctuation that could make a link, an image, code, emphasis, a table cell, math,
 * an emoji, a mention or an autolink: each is backslash-escaped, which CommonMark allows for
 * any ASCII punctuation.
 */
const MARKDOWN_SYNTAX = /[\\`*_[\](){}!|~:$@#.^]/g;

/** Longest value shown in the job summary. */
const MAX_SUMMARY_VALUE = 256;

/**
 * A value as plain text in GitHub-flavoured Markdown, inside a table cell or a line: cut to
 * `max`, control characters shown as escapes (a cell is one line), Markdown syntax and HTML
 * (`<`, `>`, `&`) escaped.
 */
export function markdownText(text: string, max = MAX_SUMMARY_VALUE): string {
  return clip(text, max)
    .replace(UNPRINTABLE, escapeChar)
    .replace(MARKDOWN_SYNTAX, '\\$&')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;');
}

/** An id as a code span; anything that is not a checked id is shown as plain text instead. */
export function codeId(id: string): string {
  return isId(id) ? `\`${id}\`` : markdownText(id);
}

/**
 * Splits a URL given as text (parsed or not, with or without a scheme) around its userinfo:
 * everything between `scheme://` and the last `@`. Generous on purpose: what it takes for a user
 * name or password is masked and never quoted, even when the text is not a valid URL.
 */
function splitUserinfo(
  url: string,
): { before: string; userinfo: string; after: string } | undefined {
  const at = url.lastIndexOf('@');
  if (at < 0) return undefined;
  // The scheme holds no `@`, so the last one always lies after it.
  const scheme = /^[A-Za-z][A-Za-z0-9+.-]*:\/\//.exec(url)?.[0] ?? '';
  return { before: scheme, userinfo: url.slice(scheme.length, at), after: url.slice(at + 1) };
}

/** A URL as text without its `user:password@` part, for messages that quote it. */
export function withoutUserinfo(url: string): string {
  const parts = splitUserinfo(url);
  return parts ? `${parts.before}***@${parts.after}` : url;
}

/**
 * The user name and password of a URL given as text, raw and percent-decoded, so the caller can
 * mask them before anything can print them.
 */
export function userinfoParts(url: string): string[] {
  const userinfo = splitUserinfo(url)?.userinfo;
  if (!userinfo) return [];
  const colon = userinfo.indexOf(':');
  const parts = colon < 0 ? [userinfo] : [userinfo.slice(0, colon), userinfo.slice(colon + 1)];
  const values = [userinfo, ...parts, ...parts.map(decodeOrSelf)];
  return [...new Set(values.filter((value) => value !== ''))];
}

function decodeOrSelf(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
