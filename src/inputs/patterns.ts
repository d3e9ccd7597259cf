/**
 * Pattern lines of `secrets`, such as `*_STAGING => *_PRODUCTION`: each becomes one copy per
 * secret of the store whose name matches SOURCE, named by TARGET with `*` replaced by the text
 * the `*` of SOURCE matched. Expanded from the listing the plan reads anyway: no request of its
 * own.
 */
import type { Secret } from '../cloudflare/types.js';
import {
  duplicateTargets,
  parseTargetName,
  refText,
  type Duplication,
  type PatternRef,
  type PlainDuplication,
} from './list.js';
import { InputError } from './values.js';

export interface Expansion {
  /** Every copy, plain lines and expanded patterns, in the order of the lines. */
  duplications: PlainDuplication[];
  /** Pattern lines that match nothing, expanded names that cannot be used, names made twice. */
  problems: string[];
  /** How many pattern lines matched no secret. */
  unmatched: number;
}

/**
 * Expands every pattern line against `secrets` (the store's live secrets: a `deleted` one is
 * never a source). Names are matched whole and case-sensitive; `*` is any run of characters,
 * none included. A secret whose name also fits the line's TARGET is left out of that line: it
 * is one of the line's copies (or named like one), so a second run does not copy the copies.
 */
export function expandPatterns(
  duplications: readonly Duplication[],
  secrets: readonly Secret[],
  storeText: string,
): Expansion {
  const problems: string[] = [];
  const expanded: PlainDuplication[] = [];
  let unmatched = 0;
  for (const duplication of duplications) {
    const { source } = duplication;
    if (source.kind !== 'pattern') {
      expanded.push({ ...duplication, source });
      continue;
    }
    const line = expandLine(duplication, source, secrets);
    problems.push(...line.problems);
    if (line.matched === 0) {
      unmatched++;
      const left =
        line.leftOut > 0 ? `; ${line.leftOut} that fit the TARGET side were left out` : '';
      problems.push(
        `${where(duplication)}: ${JSON.stringify(source.pattern)} matches no secret in store ${storeText} ` +
          `(names are matched whole and case-sensitive${left}).`,
      );
    }
    expanded.push(...line.copies);
  }
  // Plain lines were compared when the input was read; only a pattern can add a name twice.
  if (duplications.some((d) => d.source.kind === 'pattern')) {
    problems.push(
      ...duplicateTargets(
        expanded.map(({ name, line, text, source, given }) =>
          text === undefined
            ? { name, line, text: JSON.stringify(`${refText(source)} => ${name}`), renamed: false }
            : {
                name,
                line,
                text: `${JSON.stringify(text)} for ${JSON.stringify(refText(source))}`,
                renamed: given !== undefined,
                pattern: true,
              },
        ),
      ),
    );
  }
  return { duplications: expanded, problems, unmatched };
}

function expandLine(
  duplication: Duplication,
  source: PatternRef,
  secrets: readonly Secret[],
): { copies: PlainDuplication[]; problems: string[]; matched: number; leftOut: number } {
  const matchSource = globOne(source.pattern);
  const matchTarget = globOne(duplication.name);
  const copies: PlainDuplication[] = [];
  const problems: string[] = [];
  let matched = 0;
  let leftOut = 0;
  for (const name of secrets.map((s) => s.name).sort()) {
    const star = matchSource.exec(name)?.[1];
    if (star === undefined) continue;
    if (matchTarget.test(name)) {
      leftOut++;
      continue;
    }
    matched++;
    const given = duplication.name.replace('*', () => star);
    try {
      const target = parseTargetName(
        given,
        `${where(duplication)} TARGET for ${JSON.stringify(name)}`,
        source.normalize,
      );
      if (target === name) {
        throw new InputError(
          `${where(duplication)}: ${JSON.stringify(name)} would be copied onto itself` +
            ` (normalize-name made ${JSON.stringify(given)} of it); give the copies another name.`,
        );
      }
      copies.push({
        source: { kind: 'name', name },
        name: target,
        line: duplication.line,
        text: duplication.text,
        ...(given === target ? {} : { given }),
      });
    } catch (error) {
      if (!(error instanceof InputError)) throw error;
      problems.push(...error.problems);
    }
  }
  return { copies, problems, matched, leftOut };
}

/** `secrets line N`, as messages name a line. */
function where(duplication: Duplication): string {
  return `secrets line ${duplication.line}`;
}

/** A whole-name, case-sensitive matcher for a pattern with one `*`, which it captures. */
function globOne(pattern: string): RegExp {
  const [before, after] = pattern.split('*').map(escape) as [string, string];
  return new RegExp(`^${before}(.*)${after}$`, 'su');
}

function escape(text: string): string {
  return text.replace(/[\\^$.*+?()[\]{}|/]/g, '\\$&');
}
