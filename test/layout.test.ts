/**
 * CONTRIBUTING.md's "Project layout" table is the map of src/: one row per folder and per file
 * at its top, with what each may import. A folder or file added, renamed or removed without
 * its row, or an import the table does not allow, fails here.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const root = new URL('../', import.meta.url);
const contributing = readFileSync(new URL('CONTRIBUTING.md', root), 'utf8');
const section = contributing.split(/^## /m).find((part) => part.startsWith('Project layout\n'));

/** The table's rows: the first cell's `name`, and the names in backticks of the last cell. */
function tableRows(text: string): { name: string; imports: string[] }[] {
  const lines = text.split('\n');
  // The rows under the header's | --- | line.
  return lines
    .slice(lines.findIndex((line) => line.startsWith('| ---')) + 1)
    .filter((line) => /^\| `[^`]+` +\|/.test(line))
    .map((line) => {
      const cells = line.split('|').map((cell) => cell.trim());
      const name = /^`([^`]+)`$/.exec(cells[1] ?? '')?.[1] ?? '';
      const imports = [...(cells.at(-2) ?? '').matchAll(/`([^`]+)`/g)].map((m) => m[1] ?? '');
      return { name, imports };
    });
}

const rows = tableRows(section ?? '');
const entries = readdirSync(new URL('src/', root), { withFileTypes: true })
  .filter((entry) => entry.isDirectory() || entry.name.endsWith('.ts'))
  .filter((entry) => entry.name !== 'tsconfig.json')
  .map((entry) => (entry.isDirectory() ? `${entry.name}/` : entry.name));

/** The folders of src/ (`copy/`) that a file of `folder` imports, from its `../x/` specifiers. */
function importedFolders(folder: string): Set<string> {
  const files = readdirSync(new URL(`src/${folder}`, root)).filter((f) => f.endsWith('.ts'));
  const found = new Set<string>();
  for (const file of files) {
    const text = readFileSync(new URL(`src/${folder}${file}`, root), 'utf8');
    for (const m of text.matchAll(/from '\.\.\/([^/']+)\//g)) found.add(`${m[1]}/`);
  }
  return found;
}

describe('the layout table of CONTRIBUTING.md', () => {
  it('has a row for each folder and file of src/, and no other', () => {
    expect(section, 'CONTRIBUTING.md has no "## Project layout"').toBeDefined();
    expect(rows.map((row) => row.name).sort()).toEqual([...entries].sort());
  });

  it.each(rows.filter((row) => row.name.endsWith('/')))(
    'src/$name imports only the folders its row allows',
    ({ name, imports }) => {
      const allowed = new Set(imports.filter((i) => i.endsWith('/')));
      const outside = [...importedFolders(name)].filter((folder) => !allowed.has(folder));
      expect(outside, `src/${name} imports from ${outside.join(', ')}`).toEqual([]);
    },
  );

  it('lets no folder import one below it in the table', () => {
    const folders = rows.filter((row) => row.name.endsWith('/'));
    for (const [index, { name, imports }] of folders.entries()) {
      const later = folders.slice(index + 1).map((row) => row.name);
      expect(
        imports.filter((i) => later.includes(i)),
        `the row of ${name}`,
      ).toEqual([]);
    }
  });
});
