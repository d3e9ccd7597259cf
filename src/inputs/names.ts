/**
 * The inputs this action declares, how one is read, and the refusal of a name it does not have.
 */
import { nearest } from './nearest.js';
import { quote } from './values.js';

/**
 * Every input action.yml declares (in its order, for the list messages show): what the workflow
 * may write under `with:`. test/inputs/names.test.ts keeps it equal to action.yml, and ReadInput takes
 * only these names, so an input read but not listed does not compile.
 */
export const INPUT_NAMES = [
  'secret',
  'name',
  'secrets',
  'normalize-name',
  'scopes',
  'comment',
  'store',
  'account-id',
  'api-token',
  'api-email',
  'api-key',
  'if-exists',
  'dry-run',
  'max-parallel',
  'rollback-on-failure',
  'keep-previous',
  'wait-for-active',
  'prune',
  'prune-keep',
  'max-retries',
  'timeout-seconds',
  'api-base-url',
] as const;
type InputName = (typeof INPUT_NAMES)[number];

/** Reads one input, trimmed, '' when unset (the contract of `core.getInput`). */
export type ReadInput = (name: InputName) => string;
export type Env = Record<string, string | undefined>;

/**
 * The inputs the workflow wrote that this action does not have, one problem each, then the list
 * of its inputs. The runner passes every `with:` key (and each declared default) as `INPUT_` +
 * the key upper-cased, hyphens kept (`if_exists` arrives as `INPUT_IF_EXISTS`, `if-exists` as
 * `INPUT_IF-EXISTS`), so a variable that names no declared input is a key the step would
 * otherwise ignore without a word. An `INPUT_` variable set by hand in `env:` is refused alike:
 * no key under that prefix means anything else to this action.
 */
export function unknownInputs(env: Env): string[] {
  const declared = new Set<string>(INPUT_NAMES.map((name) => name.toUpperCase()));
  const unknown = Object.keys(env)
    .filter((key) => key.startsWith('INPUT_') && !declared.has(key.slice(6).toUpperCase()))
    .map((key) => key.slice(6).toLowerCase())
    .sort();
  if (unknown.length === 0) return [];
  return [
    ...unknown.map((name) => {
      const guess = closestInput(name);
      const hyphens =
        guess === name.replace(/_/g, '-') ? ' Input names are written with "-", not "_".' : '';
      return (
        `unknown input ${quote(name)}${guess ? ` (did you mean ${quote(guess)}?)` : ''}: ` +
        `this action has no input of that name, so the step would ignore it.${hyphens}`
      );
    }),
    `The inputs of this action are: ${INPUT_NAMES.join(', ')}.`,
  ];
}

/**
 * The declared input a mistyped name most likely meant: the same name with "-" for "_" or " ",
 * one that has it as a whole part (`token` → `api-token`), or one a few edits away.
 */
function closestInput(name: string): string | undefined {
  const hyphened = name.replace(/[_ ]/g, '-');
  const { candidate, distance } = nearest(hyphened, INPUT_NAMES);
  if (distance <= (hyphened.length >= 6 ? 2 : 1)) return candidate;
  const words = (text: string): string => ` ${text.split('-').join(' ')} `;
  return INPUT_NAMES.find((input) => words(input).includes(words(hyphened)));
}
