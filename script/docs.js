// @ts-check
/**
 * `npm run docs` (`node script/docs.js`): writes the README's Inputs and Outputs tables from
 * action.yml, each input's required flag, default and description, each output's description.
 * Each table follows its marker line (`<!-- inputs: npm run docs -->`, `<!-- outputs: npm run
 * docs -->`) and ends at the next `<!-- prettier-ignore-end -->`.
 * Edit a description in action.yml, then run it; test/readme.test.ts fails while the committed
 * README differs from what it writes.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import YAML from 'yaml';

/** @typedef {{ description?: unknown, required?: unknown, default?: unknown }} Declared */

/** @param {'inputs' | 'outputs'} kind */
export const marker = (kind) => `<!-- ${kind}: npm run docs -->`;
const END = '<!-- prettier-ignore-end -->';

/**
 * One table cell: a description on one line (YAML's folded lines joined), `|` escaped.
 * @param {string} where @param {unknown} text
 */
function cell(where, text) {
  if (typeof text !== 'string' || text.trim() === '') {
    throw new Error(`action.yml: ${where} has no description.`);
  }
  return text.trim().replace(/\s+/g, ' ').replace(/\|/g, '\\|');
}

/**
 * The Markdown table of action.yml's inputs or outputs, one line each, without a final newline.
 * @param {string} actionYml the text of action.yml
 * @param {'inputs' | 'outputs'} kind
 */
export function table(actionYml, kind) {
  const action = /** @type {Record<string, Record<string, Declared | null> | undefined>} */ (
    YAML.parse(actionYml)
  );
  const entries = Object.entries(action[kind] ?? {});
  if (entries.length === 0) throw new Error(`action.yml has no ${kind}.`);
  if (kind === 'outputs') {
    return [
      '| output | description |',
      '| --- | --- |',
      ...entries.map(([name, o]) => `| \`${name}\` | ${cell(`output ${name}`, o?.description)} |`),
    ].join('\n');
  }
  return [
    '| input | required | default | description |',
    '| --- | --- | --- | --- |',
    ...entries.map(([name, input]) => {
      const required = input?.required === true || input?.required === 'true' ? 'yes' : 'no';
      const value = input?.default;
      const shown = value === undefined || value === null ? '' : ` \`${String(value)}\` `;
      return `| \`${name}\` | ${required} |${shown || ' '}| ${cell(`input ${name}`, input?.description)} |`;
    }),
  ].join('\n');
}

/**
 * The README with both tables written from action.yml; everything else as it was.
 * @param {string} readme @param {string} actionYml
 */
export function withTables(readme, actionYml) {
  let text = readme;
  for (const kind of /** @type {const} */ (['inputs', 'outputs'])) {
    const start = text.indexOf(`${marker(kind)}\n`);
    if (start < 0 || text.indexOf(marker(kind), start + 1) >= 0) {
      throw new Error(`README.md needs the line ${marker(kind)} once, above the table.`);
    }
    const from = start + marker(kind).length + 1;
    const end = text.indexOf(`\n${END}`, from - 1);
    if (end < 0) throw new Error(`README.md: no ${END} after the ${kind} marker.`);
    text = `${text.slice(0, from)}${table(actionYml, kind)}${text.slice(end)}`;
  }
  return text;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const root = new URL('../', import.meta.url);
  const readmeUrl = new URL('README.md', root);
  const readme = readFileSync(readmeUrl, 'utf8');
  const written = withTables(readme, readFileSync(new URL('action.yml', root), 'utf8'));
  if (written !== readme) writeFileSync(readmeUrl, written);
  console.log(written === readme ? 'README.md is up to date.' : 'README.md: tables rewritten.');
}
