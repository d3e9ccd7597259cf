/** script/docs.js (`npm run docs`): the README's tables, written from an action.yml. */
import { describe, expect, it } from 'vitest';
import { marker, table, withTables } from '../script/docs.js';

const ACTION = `
name: Sample
inputs:
  token:
    description: The token.
    required: true
  mode:
    description: >-
      How to copy: \`a\` | \`b\`, over
      two lines.
    default: a
  count:
    description: How many.
    required: 'true'
    default: 3
  flag:
    description: On or off.
    required: false
    default: 'false'
outputs:
  id:
    description: The new id ([docs](docs/x.md)).
runs:
  using: node24
  main: dist/index.js
`;

describe('table', () => {
  it('writes a row per input: required flag, default as code, description on one line', () => {
    expect(table(ACTION, 'inputs').split('\n')).toEqual([
      '| input | required | default | description |',
      '| --- | --- | --- | --- |',
      '| `token` | yes | | The token. |',
      '| `mode` | no | `a` | How to copy: `a` \\| `b`, over two lines. |',
      '| `count` | yes | `3` | How many. |',
      '| `flag` | no | `false` | On or off. |',
    ]);
  });

  it('writes a row per output', () => {
    expect(table(ACTION, 'outputs')).toBe(
      '| output | description |\n| --- | --- |\n| `id` | The new id ([docs](docs/x.md)). |',
    );
  });

  it('refuses an input without a description, and an action.yml without outputs', () => {
    expect(() => table('inputs:\n  bare:\n    required: false\n', 'inputs')).toThrow(
      'action.yml: input bare has no description.',
    );
    expect(() => table('inputs:\n  bare: {description: x}\n', 'outputs')).toThrow(
      'action.yml has no outputs.',
    );
  });
});

describe('withTables', () => {
  const END = '<!-- prettier-ignore-end -->';
  const readme = (inputs: string, outputs: string) =>
    [
      '# Sample',
      '',
      '## Inputs',
      '',
      '<!-- prettier-ignore-start -->',
      marker('inputs'),
      inputs,
      END,
      '',
      'Between the tables.',
      '',
      '<!-- prettier-ignore-start -->',
      marker('outputs'),
      outputs,
      END,
      '',
      'The end.',
      '',
    ].join('\n');

  it('replaces each table after its marker, up to the end of the ignored range, and nothing else', () => {
    const stale = readme('| input |\n| old row |', '| output |');
    const written = readme(table(ACTION, 'inputs'), table(ACTION, 'outputs'));
    expect(withTables(stale, ACTION)).toBe(written);
    expect(withTables(written, ACTION)).toBe(written);
  });

  it('fills an empty range', () => {
    const empty = readme('', '').replace(/\n\n(?=<!-- prettier-ignore-end)/g, '\n');
    expect(withTables(empty, ACTION)).toBe(
      readme(table(ACTION, 'inputs'), table(ACTION, 'outputs')),
    );
  });

  it('refuses a README without a marker, with one twice, or without the end', () => {
    const good = readme('', '');
    expect(() => withTables(good.replace(marker('outputs'), ''), ACTION)).toThrow(
      `README.md needs the line ${marker('outputs')} once, above the table.`,
    );
    expect(() => withTables(`${good}\n${marker('inputs')}\n`, ACTION)).toThrow(
      `README.md needs the line ${marker('inputs')} once`,
    );
    expect(() => withTables(good.split(END).join('<!-- end -->'), ACTION)).toThrow(
      `README.md: no ${END} after the inputs marker.`,
    );
  });
});
