/**
 * Docs that cannot drift: the README's Inputs and Outputs tables are what `npm run docs`
 * (script/docs.js) writes from action.yml; every step of the docs and examples that uses the
 * action gives only inputs it has; the README stays short, with a step in its first lines, and
 * keeps the set-up commands that CI and contributors run.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { marked } from 'marked';
import { describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { withTables } from '../script/docs.js';

const README = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
const ACTION_YML = readFileSync(new URL('../action.yml', import.meta.url), 'utf8');
const inputNames = Object.keys((YAML.parse(ACTION_YML) as { inputs?: object }).inputs ?? {});

describe('README Inputs and Outputs tables', () => {
  it('are committed as npm run docs writes them from action.yml', () => {
    expect(withTables(README, ACTION_YML), 'run npm run docs and commit README.md').toBe(README);
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
