/**
 * The provenance line: its documented format, reading it back, values that try to break it, and
 * what it changes for a copy whose answer was lost.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { executeCopy } from '../../src/copy/duplicate.js';
import type { PlannedCopy } from '../../src/plan/plan.js';
import {
  MAX_PROVENANCE_LINE,
  MAX_PROVENANCE_VALUE,
  PROVENANCE_PREFIX,
  formatProvenance,
  parseProvenance,
  withProvenance,
  type Provenance,
} from '../../src/plan/provenance.js';
import {
  NEW_SECRET,
  SCOPES,
  SECRET,
  START,
  STORE,
  WIRE,
  ok,
  rejection,
  secret,
  useMockCloudflare,
} from '../helpers/mock-cloudflare.js';

const SOURCE_ID = '3fd85f74b32742f1bff64a85009dda07';
const FULL: Provenance = {
  sourceName: 'API_KEY',
  sourceId: SOURCE_ID,
  repository: 'acme/web-app',
  event: 'release',
  ref: 'v1.2.3',
  runUrl: 'https://github.com/acme/web-app/actions/runs/123',
  attempt: '2',
};

describe('formatProvenance', () => {
  it('writes the documented line, keys in order', () => {
    expect(formatProvenance(FULL)).toBe(
      `[secrets-store-duplicate] source=API_KEY source-id=${SOURCE_ID} repo=acme/web-app ` +
        'event=release ref=v1.2.3 run=https://github.com/acme/web-app/actions/runs/123 attempt=2',
    );
  });

  it('leaves out what is unknown or empty', () => {
    expect(formatProvenance({ sourceId: SOURCE_ID, ref: '' })).toBe(
      `${PROVENANCE_PREFIX} source-id=${SOURCE_ID}`,
    );
  });

  it('percent-encodes spaces, %, line breaks, control and non-ASCII characters', () => {
    const line = formatProvenance({
      sourceId: SOURCE_ID,
      ref: 'v1 run=x%\n\u0000\u007fé~',
      repository: 'a/b\u202e',
    });
    expect(line).toBe(
      `${PROVENANCE_PREFIX} source-id=${SOURCE_ID} repo=a/b%E2%80%AE ref=v1%20run=x%25%0A%00%7F%C3%A9~`,
    );
  });

  it('leaves out a value too long to record, or with a lone surrogate, rather than cut it', () => {
    const line = formatProvenance({
      sourceId: SOURCE_ID,
      sourceName: 'K'.repeat(MAX_PROVENANCE_VALUE + 1),
      ref: 'x\ud800',
      event: 'E'.repeat(MAX_PROVENANCE_VALUE),
    });
    expect(line).toBe(
      `${PROVENANCE_PREFIX} source-id=${SOURCE_ID} event=${'E'.repeat(MAX_PROVENANCE_VALUE)}`,
    );
    // Encoding counts: 100 "é" are 600 characters once encoded.
    expect(formatProvenance({ sourceId: SOURCE_ID, ref: 'é'.repeat(100) })).not.toContain('ref=');
  });

  it('stays within MAX_PROVENANCE_LINE whatever the values', () => {
    const long = '%'.repeat(10_000);
    const line = formatProvenance({
      sourceId: SOURCE_ID,
      sourceName: 'N'.repeat(MAX_PROVENANCE_VALUE),
      repository: 'R'.repeat(MAX_PROVENANCE_VALUE),
      event: 'E'.repeat(MAX_PROVENANCE_VALUE),
      ref: 'F'.repeat(MAX_PROVENANCE_VALUE),
      runUrl: 'U'.repeat(MAX_PROVENANCE_VALUE),
      attempt: long,
    });
    expect(line.length).toBeLessThanOrEqual(MAX_PROVENANCE_LINE);
    expect(parseProvenance(line)?.sourceName).toBe('N'.repeat(MAX_PROVENANCE_VALUE));
  });
});

describe('withProvenance', () => {
  it("puts the line after the user's comment, on its own line", () => {
    expect(withProvenance('promoted', FULL)).toBe(`promoted\n${formatProvenance(FULL)}`);
    expect(withProvenance(undefined, FULL)).toBe(formatProvenance(FULL));
    expect(withProvenance('', FULL)).toBe(formatProvenance(FULL));
  });
});

describe('parseProvenance', () => {
  it('reads back what formatProvenance wrote, after any comment', () => {
    expect(parseProvenance(formatProvenance(FULL))).toEqual(FULL);
    expect(parseProvenance(withProvenance('line one\nline two', FULL))).toEqual(FULL);
  });

  it('round-trips any values it records (property)', () => {
    // Any code point; 21 of them encode to at most 21 × 12 characters, within the bound.
    const value = fc.option(fc.string({ unit: 'binary', maxLength: 21 }), { nil: undefined });
    fc.assert(
      fc.property(value, value, value, value, value, value, (name, repo, event, ref, run, at) => {
        const provenance = {
          sourceId: SOURCE_ID,
          sourceName: name,
          repository: repo,
          event,
          ref,
          runUrl: run,
          attempt: at,
        };
        const expected = Object.fromEntries(
          Object.entries(provenance).filter(([, v]) => v !== undefined && v !== ''),
        );
        expect(parseProvenance(withProvenance('comment', provenance))).toEqual(expected);
      }),
    );
  });

  it('reads only the last line: a line in the comment above it cannot stand in for it', () => {
    const forged = formatProvenance({ ...FULL, sourceName: 'OTHER' });
    expect(parseProvenance(withProvenance(forged, FULL))?.sourceName).toBe('API_KEY');
    expect(parseProvenance(`${formatProvenance(FULL)}\nsigned, the team`)).toBeUndefined();
  });

  it.each([
    ['no comment', undefined],
    ['an empty comment', ''],
    ['a comment of another tool', 'Primary database'],
    ['the prefix alone', PROVENANCE_PREFIX],
    ['another prefix', `[secrets-store-duplicat] source-id=${SOURCE_ID}`],
    ['no source id', `${PROVENANCE_PREFIX} source=API_KEY`],
    ['a source id that is not an id', `${PROVENANCE_PREFIX} source-id=../../stores`],
    ['an upper-case source id', `${PROVENANCE_PREFIX} source-id=${SOURCE_ID.toUpperCase()}`],
    ['a key twice', `${PROVENANCE_PREFIX} source-id=${SOURCE_ID} source=A source=B`],
    ['a token without =', `${PROVENANCE_PREFIX} source-id=${SOURCE_ID} stray`],
    ['an empty value', `${PROVENANCE_PREFIX} source-id=${SOURCE_ID} ref=`],
    ['two spaces', `${PROVENANCE_PREFIX} source-id=${SOURCE_ID}  ref=v1`],
    ['a trailing space', `${PROVENANCE_PREFIX} source-id=${SOURCE_ID} `],
    ['a bad escape', `${PROVENANCE_PREFIX} source-id=${SOURCE_ID} ref=%G1`],
    ['a lower-case escape', `${PROVENANCE_PREFIX} source-id=${SOURCE_ID} ref=%c3%a9`],
    ['an escape that is not UTF-8', `${PROVENANCE_PREFIX} source-id=${SOURCE_ID} ref=%FF`],
    ['a raw control character', `${PROVENANCE_PREFIX} source-id=${SOURCE_ID} ref=a\rb`],
    ['a raw non-ASCII character', `${PROVENANCE_PREFIX} source-id=${SOURCE_ID} ref=é`],
    [
      'a line past the bound',
      `${PROVENANCE_PREFIX} source-id=${SOURCE_ID} ref=${'x'.repeat(MAX_PROVENANCE_LINE)}`,
    ],
  ])('is undefined for %s', (_, comment) => {
    expect(parseProvenance(comment)).toBeUndefined();
  });

  it('ignores keys it does not know, for lines a later version writes', () => {
    expect(
      parseProvenance(`${PROVENANCE_PREFIX} v=2 source-id=${SOURCE_ID} store=x source=K`),
    ).toEqual({ sourceId: SOURCE_ID, sourceName: 'K' });
  });

  it('reads a value with = in it, split at the first one', () => {
    expect(parseProvenance(`${PROVENANCE_PREFIX} source-id=${SOURCE_ID} ref=a=b`)?.ref).toBe('a=b');
  });
});

describe('provenance and a lost answer', () => {
  const setup = useMockCloudflare({ maxRetries: 0 });
  const NAME = 'API_KEY_V2';
  const DUPLICATE = `${WIRE}/stores/${STORE}/secrets/${SECRET}/duplicate`;
  const SEARCH = `${WIRE}/stores/${STORE}/secrets?search=${NAME}&page=1&per_page=100`;
  const run = (id: number) => ({
    sourceName: 'API_KEY',
    sourceId: SECRET,
    runUrl: `https://github.com/acme/app/actions/runs/${id}`,
  });
  const copy: PlannedCopy = {
    sourceRef: 'API_KEY',
    sourceId: SECRET,
    name: NAME,
    scopes: [...SCOPES],
    comment: withProvenance('release', run(1)),
  };
  /** The duplicate's answer is lost; the lookup finds a fresh secret with `comment`. */
  const lostAnswerFinds = (comment: string) => {
    const mock = setup();
    mock.pool.intercept({ path: DUPLICATE, method: 'POST' }).reply(502, '');
    mock.pool
      .intercept({ path: SEARCH, method: 'GET' })
      .reply(200, ok([secret(NEW_SECRET, NAME, { comment, created: START + 1_000 })]));
    return mock;
  };
  const FAIL = { ifExists: 'fail', dryRun: false } as const;

  it("does not adopt a same-named secret that another run's provenance names", async () => {
    const { client } = lostAnswerFinds(withProvenance('release', run(2)));

    const error = await rejection(executeCopy(client, { id: STORE }, copy, FAIL));

    expect(error.message).toMatch(/^A secret named "API_KEY_V2" already exists/);
  });

  it('adopts the one its own provenance names', async () => {
    const { client } = lostAnswerFinds(withProvenance('release', run(1)));

    const result = await executeCopy(client, { id: STORE }, copy, FAIL);

    expect(result).toMatchObject({ outcome: 'created', adopted: true });
  });
});
