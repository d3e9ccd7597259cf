/**
 * Each message added for a newcomer's first hour has its heading in docs/troubleshooting.md: the
 * messages are made by the code itself, and a heading matches when its text, with `…` standing
 * for any text and `N` or `M` for a number, is found in the message.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { refusalHint } from '../src/cloudflare/errors.js';
import { parseDuplications, parseSecretsList } from '../src/inputs/list.js';
import { unknownInputs } from '../src/inputs/names.js';
import { InputError } from '../src/inputs/values.js';
import { expandPatterns } from '../src/inputs/patterns.js';
import type { Secret } from '../src/cloudflare/types.js';

const PAGE = readFileSync(new URL('../docs/troubleshooting.md', import.meta.url), 'utf8');
const HEADINGS = [...PAGE.matchAll(/^### `(.+)`$/gm)].map((m) => m[1]!);

/** The heading whose text, `…` matching anything, is found in `message`, or undefined. */
function headingFor(message: string): string | undefined {
  return HEADINGS.find((heading) => {
    // `N` and `M` stand for numbers, as in `secrets line N`.
    const pattern = heading
      .split(/\s*…\s*/)
      .map((part) => part.replace(/[\\^$.*+?()[\]{}|]/g, '\\$&').replace(/\b[NM]\b/g, '\\d+'))
      .join('[^]*?');
    return new RegExp(pattern).test(message);
  });
}

function problemsOf(fn: () => unknown): string[] {
  try {
    fn();
  } catch (error) {
    if (error instanceof InputError) return error.problems;
    throw error;
  }
  throw new Error('no InputError');
}

const read = (values: Record<string, string>) => (name: string) => values[name] ?? '';
const live = (name: string): Secret => ({
  id: '0'.repeat(32),
  name,
  status: 'active',
  store_id: '1'.repeat(32),
  created: '2026-01-01T00:00:00Z',
  modified: '2026-01-01T00:00:00Z',
});
const AUTH = [{ code: 10000, message: 'Authentication error' }];
const failed = (status: number, hint: string | undefined) =>
  `POST /accounts/x/duplicate failed: HTTP ${status}: [10000] Authentication error. ${hint}`;

const MESSAGES: [string, string][] = [
  ['an unknown input', unknownInputs({ INPUT_SCOPE: 'workers' })[0]!],
  ['a list in secret', problemsOf(() => parseDuplications(read({ secret: 'A => B' })))[0]!],
  ['several lines in secret', problemsOf(() => parseDuplications(read({ secret: 'A\nB' })))[0]!],
  [
    'a white-space name with its normalized form',
    problemsOf(() => parseDuplications(read({ secret: 'A', name: 'B C' })))[0]!,
  ],
  [
    'a TARGET normalize-name made twice',
    problemsOf(() => parseSecretsList('A => k.1\nB => K_1', true))[0]!,
  ],
  ['a pattern of the wrong form', problemsOf(() => parseSecretsList('*_A => B'))[0]!],
  ['a pattern onto itself', problemsOf(() => parseSecretsList('* => *'))[0]!],
  [
    'a pattern that matches nothing',
    expandPatterns(parseSecretsList('*_QA => *_P'), [], 'store').problems[0]!,
  ],
  [
    'a pattern normalized onto its source',
    expandPatterns(parseSecretsList('*_X => *.x', true), [live('A_X')], 'store').problems[0]!,
  ],
  [
    'a 403 before any success',
    failed(403, refusalHint(403, AUTH, { reached: false, globalKey: false })),
  ],
  [
    'a 403 after a success',
    failed(403, refusalHint(403, AUTH, { reached: true, globalKey: false })),
  ],
  ['a 401', failed(401, refusalHint(401, AUTH, { reached: false, globalKey: false }))],
  [
    'a 403 with the Global API key',
    failed(403, refusalHint(403, AUTH, { reached: false, globalKey: true })),
  ],
  [
    'a quota refusal',
    failed(
      403,
      refusalHint(403, [{ code: 1, message: 'quota exceeded' }], {
        reached: true,
        globalKey: false,
      }),
    ),
  ],
];

describe('docs/troubleshooting.md', () => {
  it.each(MESSAGES)('has a heading for %s', (_, message) => {
    expect(headingFor(message), message).toBeDefined();
  });

  it('tells the 401/403 messages apart, one heading each', () => {
    const refusals = MESSAGES.slice(-5).map(([, message]) => headingFor(message));
    expect(new Set(refusals).size).toBe(5);
  });
});
