/**
 * Docs that cannot drift: the README's Inputs and Outputs tables must list exactly the inputs
 * and outputs of action.yml, with the same required flags and defaults; every step of the docs
 * and examples that uses the action gives only inputs it has; the README stays short, with a
 * step in its first lines, and keeps the set-up commands that CI and contributors run.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { marked } from 'marked';
import { describe, expect, it } from 'vitest';
import YAML from 'yaml';

const README = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
const ACTION = YAML.parse(readFileSync(new URL('../action.yml', import.meta.url), 'utf8')) as {
  inputs?: Record<string, { required?: unknown; default?: unknown } | null>;
  outputs?: Record<string, unknown>;
};

interface Row {
  /** The backticked name in the first cell, without the backticks. */
  name: string;
  /** Every cell, trimmed, the first included. */
  cells: string[];
}

/**
 * The lines of a `## heading` section, up to the next `## ` heading, with fenced code blocks
 * left out (a `## ` or `|` inside an example is not part of the section's text).
 */
function section(markdown: string, heading: string): string[] {
  const lines: string[] = [];
  let inside = false;
  let fenced = false;
  for (const line of markdown.split(/\r?\n/)) {
    if (/^\s*(```|~~~)/.test(line)) {
      fenced = !fenced;
      continue;
    }
    if (fenced) continue;
    if (/^## /.test(line)) {
      if (inside) break;
      inside = line.trim() === `## ${heading}`;
      continue;
    }
    if (inside) lines.push(line);
  }
  return lines;
}

/** Splits a table row on `|` that are not escaped as `\|`. */
function cellsOf(line: string): string[] {
  const cells = line
    .trim()
    .replace(/^\|/, '')
    .replace(/(?<!\\)\|$/, '')
    .split(/(?<!\\)\|/);
  return cells.map((cell) => cell.trim());
}

/** The section's table rows whose first cell is a backticked name (header and rule skipped). */
function tableRows(heading: string): Row[] {
  const rows: Row[] = [];
  for (const line of section(README, heading)) {
    if (!line.trim().startsWith('|')) continue;
    const cells = cellsOf(line);
    const name = /^`([^`]+)`$/.exec(cells[0] ?? '')?.[1];
    if (name !== undefined) rows.push({ name, cells });
  }
  return rows;
}

/** The text of a cell that is one backticked value, '' for an empty cell, else undefined. */
function codeCell(cell: string): string | undefined {
  if (cell === '') return '';
  return /^`([^`]+)`$/.exec(cell)?.[1];
}

const actionInputs = ACTION.inputs ?? {};
const actionOutputs = ACTION.outputs ?? {};
const inputNames = Object.keys(actionInputs);
const outputNames = Object.keys(actionOutputs);
const inputRows = tableRows('Inputs');
const outputRows = tableRows('Outputs');
const inputRow = new Map(inputRows.map((row) => [row.name, row]));
const outputRow = new Map(outputRows.map((row) => [row.name, row]));

describe.each([
  { kind: 'input', table: 'Inputs', names: inputNames, rows: inputRows },
  { kind: 'output', table: 'Outputs', names: outputNames, rows: outputRows },
])('README $table table', ({ kind, table, names, rows }) => {
  it(`is found, and names each ${kind} once`, () => {
    expect(names.length, `action.yml declares no ${kind}s`).toBeGreaterThan(0);
    expect(rows.length, `no ${table} table rows found under "## ${table}"`).toBeGreaterThan(0);
    const seen = new Set<string>();
    for (const { name } of rows) {
      expect(seen.has(name), `${kind} "${name}" has more than one row in the README`).toBe(false);
      seen.add(name);
    }
  });

  it(`lists no ${kind} that action.yml does not have`, () => {
    for (const { name } of rows) {
      expect(names, `README lists ${kind} "${name}", which action.yml does not declare`).toContain(
        name,
      );
    }
  });
});

describe('README Inputs table matches action.yml', () => {
  describe.each(inputNames)('input %s', (name) => {
    const declared = actionInputs[name] ?? {};

    it('has a row with required, default and description cells', () => {
      const row = inputRow.get(name);
      expect(
        row,
        `input "${name}" is in action.yml but not in the README Inputs table`,
      ).toBeDefined();
      expect(
        row!.cells,
        `input "${name}": the row needs 4 cells (input, required, default, description)`,
      ).toHaveLength(4);
      expect(row!.cells[3], `input "${name}" has an empty description in the README`).not.toBe('');
    });

    it('has the required flag of action.yml', () => {
      const row = inputRow.get(name);
      expect(row, `input "${name}" is missing from the README Inputs table`).toBeDefined();
      const expected = declared.required === true || declared.required === 'true' ? 'yes' : 'no';
      expect(
        row!.cells[1],
        `input "${name}": README says required "${row!.cells[1]}", action.yml says "${expected}"`,
      ).toBe(expected);
    });

    it('has the default of action.yml', () => {
      const row = inputRow.get(name);
      expect(row, `input "${name}" is missing from the README Inputs table`).toBeDefined();
      const cell = row!.cells[2] ?? '';
      const shown = codeCell(cell);
      expect(
        shown,
        `input "${name}": the default cell must be empty or one \`value\` (got "${cell}")`,
      ).toBeDefined();
      const expected =
        declared.default === undefined || declared.default === null ? '' : String(declared.default);
      expect(
        shown,
        expected === ''
          ? `input "${name}": README shows default "${shown}", action.yml has no default`
          : `input "${name}": README shows default "${shown}", action.yml's default is "${expected}"`,
      ).toBe(expected);
    });
  });
});

describe('README Outputs table matches action.yml', () => {
  it.each(outputNames)('output %s has a row with a description', (name) => {
    const row = outputRow.get(name);
    expect(
      row,
      `output "${name}" is in action.yml but not in the README Outputs table`,
    ).toBeDefined();
    expect(
      row!.cells,
      `output "${name}": the row needs 2 cells (output, description)`,
    ).toHaveLength(2);
    expect(row!.cells[1], `output "${name}" has an empty description in the README`).not.toBe('');
  });
});

describe('README set-up commands', () => {
  const lines = README.split(/\r?\n/).map((line) => line.trim());

  it.each(['npm ci && npm run demo', 'npm ci && npm test'])('shows "%s"', (command) => {
    expect(lines, `README must show the command "${command}" on a line of its own`).toContain(
      command,
    );
  });
});

describe('README length and first step', () => {
  it('is at most 14,000 bytes', () => {
    expect(Buffer.byteLength(README, 'utf8')).toBeLessThanOrEqual(14_000);
  });

  it('has its first uses: within its first 40 lines, in a step that can run', () => {
    const line = README.split(/\r?\n/).findIndex((text) => /^\s*(- )?uses:/.test(text)) + 1;
    expect(line, 'no uses: line in the README').toBeGreaterThan(0);
    expect(line, `the first uses: is on line ${line}`).toBeLessThanOrEqual(40);
    const [first] = actionSteps(README);
    expect(first, 'the first YAML block has no step that uses the action').toBeDefined();
    expect(Object.keys(first!.with ?? {})).toEqual(expect.arrayContaining(['secret', 'name']));
    expect(Object.keys(first!.env ?? {})).toEqual(
      expect.arrayContaining(['CLOUDFLARE_API_TOKEN', 'CLOUDFLARE_ACCOUNT_ID']),
    );
  });
});

interface ActionStep {
  uses: string;
  with?: Record<string, unknown>;
  env?: Record<string, unknown>;
}

/** Steps that use this action, in order, from a workflow or from a page's YAML blocks. */
function actionSteps(text: string, isYamlFile = false): ActionStep[] {
  const blocks = isYamlFile
    ? [text]
    : marked
        .lexer(text)
        .filter((token) => token.type === 'code' && /^ya?ml$/.test(token.lang ?? ''))
        .map((token) => (token as { text: string }).text);
  const steps: ActionStep[] = [];
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) node.forEach(visit);
    else if (typeof node === 'object' && node !== null) {
      const uses = (node as { uses?: unknown }).uses;
      if (typeof uses === 'string' && /secrets-store-duplicate-action@|^\.\/?$/.test(uses)) {
        steps.push(node as ActionStep);
      }
      Object.values(node).forEach(visit);
    }
  };
  for (const block of blocks) visit(YAML.parse(block));
  return steps;
}

/** The Markdown pages and example workflows whose steps must match action.yml. */
function usesOfAction(): { file: string; steps: ActionStep[] }[] {
  const root = new URL('../', import.meta.url);
  const read = (path: string) => readFileSync(new URL(path, root), 'utf8');
  const pages = [
    'README.md',
    ...readdirSync(new URL('docs/', root))
      .filter((name) => name.endsWith('.md'))
      .map((name) => `docs/${name}`),
  ];
  const examples = readdirSync(new URL('examples/', root))
    .filter((name) => /\.ya?ml$/.test(name))
    .map((name) => `examples/${name}`);
  return [
    ...pages.map((file) => ({ file, steps: actionSteps(read(file)) })),
    ...examples.map((file) => ({ file, steps: actionSteps(read(file), true) })),
  ];
}

describe('steps in the docs and examples', () => {
  const files = usesOfAction();

  it('are found in the README and in every example', () => {
    for (const { file, steps } of files) {
      if (file === 'README.md' || file.startsWith('examples/')) {
        expect(steps.length, `${file} has no step that uses the action`).toBeGreaterThan(0);
      }
    }
  });

  it.each(files.filter(({ steps }) => steps.length > 0))(
    '$file gives only inputs action.yml declares',
    ({ file, steps }) => {
      for (const step of steps) {
        for (const input of Object.keys(step.with ?? {})) {
          expect(inputNames, `${file}: with: ${input} is not an input of action.yml`).toContain(
            input,
          );
        }
      }
    },
  );
});
