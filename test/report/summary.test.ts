import { marked } from 'marked';
import { describe, expect, it } from 'vitest';
import type { Secret } from '../../src/cloudflare/types.js';
import type { PruneReport } from '../../src/copy/prune.js';
import { stepFailure } from '../../src/report/failure.js';
import { outputsFor, type RunReport } from '../../src/report/outputs.js';
import { MAX_SUMMARY_BYTES, summaryMarkdown } from '../../src/report/summary.js';
import type { Trigger } from '../../src/report/trigger.js';
import {
  copy,
  HEADER,
  NEW_ID,
  NEW_SECRET,
  report,
  result,
  SOURCE,
  SOURCE_ID,
  STORE,
  STORE_ID,
} from './results.js';

describe('summaryMarkdown', () => {
  const fullTrigger: Trigger = {
    repository: 'acme/app',
    event: 'release',
    source: 'release v1.2.0',
    runUrl: 'https://github.com/acme/app/actions/runs/4242',
  };

  it('renders a table row for a created secret and the trigger line', () => {
    expect(summaryMarkdown(report([result()]), fullTrigger)).toBe(
      [
        '## Secrets Store duplicate',
        '',
        ...HEADER,
        `| API\\_KEY (\`${SOURCE_ID}\`) → API\\_KEY\\_COPY | \`${NEW_ID}\` | workers, ai\\_gateway | pending | default\\_secrets\\_store | created |`,
        '',
        `**Store:** default\\_secrets\\_store (\`${STORE_ID}\`) · ` +
          '**Repository:** acme/app · **Event:** release · **From:** release v1\\.2\\.0 · ' +
          '**Run:** [https://github.com/acme/app/actions/runs/4242](https://github.com/acme/app/actions/runs/4242)',
        '',
      ].join('\n'),
    );
  });

  it('names a dry run in the title and leaves the id and status as dashes', () => {
    const dry = result({ outcome: 'dry-run', secret: undefined });
    expect(summaryMarkdown(report([dry], true), {})).toBe(
      [
        '## Secrets Store duplicate (dry run)',
        '',
        ...HEADER,
        `| API\\_KEY (\`${SOURCE_ID}\`) → API\\_KEY\\_COPY | — | workers, ai\\_gateway | — | default\\_secrets\\_store | dry run: would create |`,
        '',
        `**Store:** default\\_secrets\\_store (\`${STORE_ID}\`)`,
        '',
      ].join('\n'),
    );
  });

  it('labels an existing secret and a recovered one', () => {
    const existing = result({ outcome: 'existing' });
    const adopted = result({ adopted: true });
    const lines = summaryMarkdown(report([existing, adopted]), {}).split('\n');
    expect(lines[4]).toMatch(/ \| existing \(skipped\) \|$/);
    expect(lines[5]).toMatch(/ \| created \(recovered after a lost answer\) \|$/);
  });

  it('labels failed, rolled-back and half-failed copies', () => {
    const lines = summaryMarkdown(
      report([
        result({ outcome: 'failed', secret: undefined, error: 'HTTP 403' }),
        result({ outcome: 'failed', secret: undefined }),
        result({ outcome: 'rolled-back' }),
        result({ error: 'the rollback failed: HTTP 500' }),
      ]),
      {},
    ).split('\n');
    expect(lines[4]).toBe(
      `| API\\_KEY (\`${SOURCE_ID}\`) → API\\_KEY\\_COPY | — | workers, ai\\_gateway | — | default\\_secrets\\_store | failed: HTTP 403 |`,
    );
    expect(lines[5]).toMatch(/ \| — \| default\\_secrets\\_store \| failed: unknown error \|$/);
    expect(lines[6]).toBe(
      `| API\\_KEY (\`${SOURCE_ID}\`) → API\\_KEY\\_COPY | \`${NEW_ID}\` | workers, ai\\_gateway | — | default\\_secrets\\_store | rolled back (deleted) |`,
    );
    expect(lines[7]).toMatch(/ \| pending \| .* \| created; the rollback failed\\: HTTP 500 \|$/);
  });

  it('shows bare ids when the store and source were not looked up', () => {
    const row = summaryMarkdown(
      report([result({ copy: copy({ source: undefined }) })], false, { id: STORE_ID }),
      {},
    ).split('\n')[4];
    expect(row).toBe(
      `| \`${SOURCE_ID}\` → API\\_KEY\\_COPY | \`${NEW_ID}\` | workers, ai\\_gateway | pending | \`${STORE_ID}\` | created |`,
    );
  });

  it('escapes | and shows newlines as \\n inside cells', () => {
    const row = summaryMarkdown(
      report(
        [
          result({
            copy: copy({ source: { ...SOURCE, name: 'A|B' } }),
            secret: { ...NEW_SECRET, name: 'IGNORED', scopes: ['x|y'], status: 'pen\nding' },
          }),
        ],
        false,
        { id: STORE_ID, name: 'my|store\r\nline2' },
      ),
      {},
    ).split('\n');
    expect(row[4]).toBe(
      `| A\\|B (\`${SOURCE_ID}\`) → API\\_KEY\\_COPY | \`${NEW_ID}\` | x\\|y | pen\\\\nding | my\\|store\\\\r\\\\nline2 | created |`,
    );
    expect(row[6]).toBe(`**Store:** my\\|store\\\\r\\\\nline2 (\`${STORE_ID}\`)`);
  });

  it('escapes every | and shows every newline as \\n in a cell (mutant: the escape without its g flag)', () => {
    const row = summaryMarkdown(
      report([result({ outcome: 'failed', secret: undefined, error: 'a|b|c\nd\r\ne' })]),
      {},
    ).split('\n')[4];

    expect(row).toMatch(/ \| failed: a\\\|b\\\|c\\\\nd\\\\r\\\\ne \|$/);
    // Seven unescaped pipes: exactly six cells, so no text spilled into a column of its own.
    expect(row!.replace(/\\\|/g, '').split('|')).toHaveLength(8);
  });

  it('has one row per result', () => {
    const markdown = summaryMarkdown(report([result(), result(), result()]), {});
    expect(markdown.split('\n').filter((line) => line.startsWith('| API\\_KEY'))).toHaveLength(3);
  });

  it('writes only the parts of the trigger it knows', () => {
    const markdown = summaryMarkdown(report([result()]), { repository: 'acme/app', event: 'push' });
    const lines = markdown.split('\n');
    expect(lines.slice(-2)).toEqual([
      `**Store:** default\\_secrets\\_store (\`${STORE_ID}\`) · **Repository:** acme/app · **Event:** push`,
      '',
    ]);
  });

  it('writes the source and run link without a repository', () => {
    const markdown = summaryMarkdown(report([result()]), {
      source: 'environment production',
      runUrl: 'https://github.example.test/acme/app/actions/runs/1',
    });
    expect(markdown.split('\n').slice(-2)).toEqual([
      `**Store:** default\\_secrets\\_store (\`${STORE_ID}\`) · ` +
        '**From:** environment production · **Run:** [https://github.example.test/acme/app/actions/runs/1](https://github.example.test/acme/app/actions/runs/1)',
      '',
    ]);
  });

  it('names only the store when nothing is known about the trigger', () => {
    const markdown = summaryMarkdown(report([result()]), {});
    expect(markdown.split('\n').slice(-2)).toEqual([
      `**Store:** default\\_secrets\\_store (\`${STORE_ID}\`)`,
      '',
    ]);
    expect(markdown.match(/\*\*/g)).toHaveLength(2);
  });
  it('leaves the id and status of a dry run as dashes even when a secret is attached', () => {
    const row = summaryMarkdown(report([result({ outcome: 'dry-run' })], true), {}).split('\n')[4];
    expect(row).toBe(
      `| API\\_KEY (\`${SOURCE_ID}\`) → API\\_KEY\\_COPY | — | workers, ai\\_gateway | — | default\\_secrets\\_store | dry run: would create |`,
    );
  });

  it('labels a copy that was not attempted', () => {
    const row = summaryMarkdown(
      report([result({ outcome: 'not-attempted', secret: undefined, error: 'not attempted: …' })]),
      {},
    ).split('\n')[4];
    expect(row).toMatch(/ \| — \| default\\_secrets\\_store \| not attempted \|$/);
  });

  it.each([
    ['with a port', 'https://ghe.example.test:8443/acme/app/actions/runs/7', true],
    ['with more after the run number', 'https://github.com/acme/app/actions/runs/7/evil', false],
    ['after other text', 'javascript:x//https://github.com/acme/app/actions/runs/7', false],
    ['with a port that is not a number', 'https://github.com:x/acme/app/actions/runs/7', false],
  ])('links a run address only in the shape GitHub gives it: %s', (_label, runUrl, linked) => {
    const markdown = summaryMarkdown(report([result()]), { runUrl });
    expect(markdown.includes(`**Run:** [${runUrl}](${runUrl})`)).toBe(linked);
  });
});

describe('if-exists: replace in the report', () => {
  const OLD_ID = 'ffffeeeeddddccccbbbbaaaa99998888';
  const OLD: Secret = { ...NEW_SECRET, id: OLD_ID, status: 'active' };

  it('outputs replaced-secret-id and the new secret for one copy', () => {
    const outputs = outputsFor(report([result({ outcome: 'replaced', replaced: OLD })]));
    expect(outputs['replaced-secret-id']).toBe(OLD_ID);
    expect(outputs['secret-id']).toBe(NEW_ID);
    expect(outputs.outcome).toBe('replaced');
    expect(outputs['secret-ids']).toBe(JSON.stringify({ API_KEY_COPY: NEW_ID }));
    expect(JSON.parse(outputs.results!)).toEqual([
      {
        source: 'API_KEY',
        name: 'API_KEY_COPY',
        id: NEW_ID,
        outcome: 'replaced',
        replaced: OLD_ID,
        previous: null,
        error: null,
      },
    ]);
  });

  it('a dry run names the secret it would replace', () => {
    const dry = result({ outcome: 'dry-run', secret: undefined, replaced: OLD });
    const outputs = outputsFor(report([dry], true));
    expect(outputs['replaced-secret-id']).toBe(OLD_ID);
    expect(outputs['secret-id']).toBe('');
    const row = summaryMarkdown(report([dry], true), {}).split('\n')[4];
    expect(row).toMatch(new RegExp(`\\| dry run: would replace \`${OLD_ID}\` \\|$`));
  });

  it('a list entry carries replaced; a failed line that deleted its target too', () => {
    const results = [
      result({ copy: copy({ line: 1 }), outcome: 'replaced', replaced: OLD }),
      result({
        copy: copy({ line: 2, name: 'B' }),
        outcome: 'failed',
        secret: undefined,
        replaced: { ...OLD, id: 'a'.repeat(32) },
        error: 'Deleted "B"',
      }),
      result({ copy: copy({ line: 3, name: 'C' }) }),
    ];
    const outputs = outputsFor(report(results, false, STORE, true));
    expect(outputs['replaced-secret-id']).toBeUndefined();
    const entries = JSON.parse(outputs.results!) as { replaced: string | null }[];
    expect(entries.map((e) => e.replaced)).toEqual([OLD_ID, 'a'.repeat(32), null]);
    expect(JSON.parse(outputs['secret-ids']!)).toEqual({ API_KEY_COPY: NEW_ID, C: NEW_ID });
  });

  it('labels replaced rows, recovered or with an error after the write', () => {
    const lines = summaryMarkdown(
      report([
        result({ outcome: 'replaced', replaced: OLD }),
        result({ outcome: 'replaced', replaced: OLD, adopted: true }),
        result({ outcome: 'replaced', replaced: OLD, error: 'still pending' }),
      ]),
      {},
    ).split('\n');
    expect(lines[4]).toBe(
      `| API\\_KEY (\`${SOURCE_ID}\`) → API\\_KEY\\_COPY | \`${NEW_ID}\` | workers, ai\\_gateway | pending | default\\_secrets\\_store | replaced \`${OLD_ID}\` |`,
    );
    expect(lines[5]).toMatch(
      new RegExp(`\\| replaced \`${OLD_ID}\` \\(recovered after a lost answer\\) \\|$`),
    );
    expect(lines[6]).toMatch(new RegExp(`\\| replaced \`${OLD_ID}\`; still pending \\|$`));
  });
});

describe('prune in the report', () => {
  const OLD: Secret = {
    ...NEW_SECRET,
    id: 'ffffeeeeddddccccbbbbaaaa99998888',
    name: 'API_KEY_V1',
    created: '2024-01-01T00:00:00.000000Z',
  };
  const prune = (overrides: Partial<PruneReport> = {}): PruneReport => ({
    pattern: 'API_KEY_*',
    keep: 5,
    dryRun: false,
    pruned: [],
    untracked: [],
    failures: [],
    warnings: [],
    ...overrides,
  });
  const withPrune = (p: PruneReport, results = [result()]) => ({ ...report(results), prune: p });
  const section = (p: PruneReport) => {
    const lines = summaryMarkdown(withPrune(p), {}).split('\n');
    return lines.slice(
      lines.findIndex((l) => l.startsWith('### ')),
      -3,
    );
  };

  it('outputs pruned as id and name of each secret', () => {
    expect(outputsFor(withPrune(prune({ pruned: [OLD] }))).pruned).toBe(
      JSON.stringify([{ id: OLD.id, name: 'API_KEY_V1' }]),
    );
  });

  it('fails the step with the prune error when every copy succeeded', () => {
    expect(stepFailure(withPrune(prune({ error: ['Pruning "API_KEY_*" failed: …'] })))).toEqual([
      'Pruning "API_KEY_*" failed: …',
    ]);
    expect(stepFailure(withPrune(prune()))).toBeUndefined();
  });

  it('lists what was deleted, and what could not be', () => {
    expect(
      section(
        prune({
          pruned: [OLD],
          failures: [{ secret: { ...OLD, name: 'B|C' }, error: 'HTTP 403' }],
        }),
      ),
    ).toEqual([
      '### Prune API\\_KEY\\_\\*, keeping the 5 newest of each source',
      '',
      '| Secret | Id | Created | Result |',
      '| --- | --- | --- | --- |',
      `| API\\_KEY\\_V1 | \`${OLD.id}\` | 2024-01-01T00\\:00\\:00\\.000000Z | deleted |`,
      `| B\\|C | \`${OLD.id}\` | 2024-01-01T00\\:00\\:00\\.000000Z | not deleted: HTTP 403 |`,
    ]);
  });

  it('says what a dry run would delete', () => {
    expect(section(prune({ dryRun: true, pruned: [OLD] }))[4]).toMatch(/ \| would be deleted \|$/);
  });

  it('says when there was nothing to delete, or why pruning was skipped', () => {
    expect(section(prune())).toEqual([
      '### Prune API\\_KEY\\_\\*, keeping the 5 newest of each source',
      '',
      'Nothing to delete.',
    ]);
    expect(section(prune({ skipped: 'a copy failed, so nothing was pruned' }))).toEqual([
      '### Prune API\\_KEY\\_\\*, keeping the 5 newest of each source',
      '',
      'Skipped: a copy failed, so nothing was pruned.',
    ]);
  });

  it('shows at most 200 rows, saying how many more the pruned output lists', () => {
    const many = Array.from({ length: 205 }, (_, i) => ({ ...OLD, name: `API_KEY_V${i}` }));
    const lines = section(prune({ pruned: many }));
    expect(lines.filter((line) => line.startsWith('| API'))).toHaveLength(200);
    expect(lines.slice(-2)).toEqual([
      '',
      '_5 more not shown; the `pruned` output lists every one._',
    ]);
  });

  it('shows exactly 200 rows without a note', () => {
    const many = Array.from({ length: 200 }, (_, i) => ({ ...OLD, name: `API_KEY_V${i}` }));
    const lines = section(prune({ pruned: many }));
    expect(lines.filter((line) => line.startsWith('| API'))).toHaveLength(200);
    expect(lines.at(-1)).toMatch(/^\| API\\_KEY\\_V199 \|/);
  });

  it('has no section without prune', () => {
    expect(summaryMarkdown(report([result()]), {})).not.toContain('### ');
  });
});

describe('summaryMarkdown with hostile values', () => {
  /** Everything Markdown or HTML could make of a value, and a cell break. */
  const HOSTILE =
    '<img src=x onerror=alert(1)> <b>bold</b> [click](https://evil.example) ' +
    '![pixel](https://evil.example/p.png) `code` **strong** _em_ ~~del~~ https://evil.example ' +
    'www.evil.example a@evil.example :warning: $x^2$ | cell\n## heading &amp; \\';

  /** The summary as GitHub would show it, through a GFM renderer. */
  const render = (markdown: string) => marked.parse(markdown, { async: false, gfm: true });
  const decode = (html: string) =>
    html
      .replace(/<[^>]+>/g, '')
      .replace(/&lt;/g, '<')
      .replace(/&gt;/g, '>')
      .replace(/&quot;/g, '"')
      .replace(/&#39;/g, "'")
      .replace(/&amp;/g, '&');

  const hostileReport = (): RunReport => ({
    ...report(
      [
        result({
          copy: copy({ name: HOSTILE, source: { ...SOURCE, name: HOSTILE } }),
          secret: { ...NEW_SECRET, scopes: [HOSTILE], status: HOSTILE },
          error: HOSTILE,
        }),
        result({ outcome: 'failed', secret: undefined, error: HOSTILE }),
        result({ outcome: 'replaced', replaced: { ...NEW_SECRET, id: HOSTILE }, error: HOSTILE }),
      ],
      false,
      { id: STORE_ID, name: HOSTILE },
    ),
    prune: {
      pattern: HOSTILE,
      keep: 1,
      dryRun: false,
      pruned: [{ ...NEW_SECRET, name: HOSTILE, created: HOSTILE }],
      untracked: [],
      failures: [{ secret: { ...NEW_SECRET, name: HOSTILE }, error: HOSTILE }],
      warnings: [],
    },
  });
  const hostileTrigger: Trigger = {
    repository: HOSTILE,
    event: HOSTILE,
    source: HOSTILE,
    runUrl: 'javascript:alert(1)//actions/runs/1',
  };

  it('renders every value as text: no HTML, link, image, emphasis or heading', () => {
    const html = render(summaryMarkdown(hostileReport(), hostileTrigger));

    expect(html).not.toMatch(/<(img|a|b|em|del|script)\b/);
    // The one heading is the title.
    expect(html.match(/<h[1-6]\b/g)).toEqual(['<h2', '<h3']);
    // The only bold text is the action's own labels.
    expect([...html.matchAll(/<strong>(.*?)<\/strong>/g)].map((m) => m[1])).toEqual([
      'Store:',
      'Repository:',
      'Event:',
      'From:',
      'Run:',
    ]);
    // And the words shown are the values, as they were (a newline shown as \n).
    const text = decode(html);
    expect(text).toContain(HOSTILE.replace('\n', '\\n'));
  });

  it('puts only checked ids in code spans', () => {
    const html = render(summaryMarkdown(hostileReport(), hostileTrigger));
    const code = [...html.matchAll(/<code>([^<]*)<\/code>/g)].map((m) => m[1]);
    expect(code.length).toBeGreaterThan(0);
    for (const span of code) expect(span).toMatch(/^[0-9a-f]{32}$/);
  });

  it('keeps each row to its cells: six for the copies, four for pruning', () => {
    const html = render(summaryMarkdown(hostileReport(), hostileTrigger));
    const tables = [...html.matchAll(/<table>([\s\S]*?)<\/table>/g)].map((m) => m[1]!);
    const cells = tables.map((table) =>
      [...table.matchAll(/<tr>([\s\S]*?)<\/tr>/g)].map((m) => m[1]!.match(/<t[hd]\b/g)?.length),
    );
    expect(cells).toEqual([
      [6, 6, 6, 6],
      [4, 4, 4],
    ]);
  });

  it('shows a long value cut, saying how much', () => {
    const markdown = summaryMarkdown(
      report([result()], false, { id: STORE_ID, name: 'x'.repeat(5_000_000) }),
      {},
    );
    expect(markdown.length).toBeLessThan(2_000);
    expect(markdown).toContain('… \\[4,999,744 more characters cut\\]');
  });

  it("stays under GitHub's 1 MiB limit, saying how many rows were left out", () => {
    const many = Array.from({ length: 3_000 }, (_, i) =>
      result({ copy: copy({ name: `${'N'.repeat(300)}_${i}` }), error: 'e'.repeat(5_000) }),
    );
    const markdown = summaryMarkdown(report(many, false, STORE, true), {});

    expect(Buffer.byteLength(markdown)).toBeLessThanOrEqual(MAX_SUMMARY_BYTES);
    const shown = markdown.split('\n').filter((line) => line.startsWith('| API')).length;
    expect(shown).toBeGreaterThan(100);
    expect(shown).toBeLessThan(3_000);
    expect(markdown).toContain(
      `_${3_000 - shown} more copies are not shown, to keep the summary under GitHub's 1 MiB limit; the \`results\` output lists every copy._`,
    );
    expect(markdown.endsWith(`**Store:** default\\_secrets\\_store (\`${STORE_ID}\`)\n`)).toBe(
      true,
    );
  });

  describe('cuts rows at the byte that would pass the limit', () => {
    const bytes = (text: string) => Buffer.byteLength(text);
    const row = (error: string) => result({ copy: copy({ name: 'N'.repeat(200) }), error });
    /** The note that would count every row, which the summary keeps room for. */
    const note = (left: number) =>
      `\n_${left} more ${left === 1 ? 'copy is' : 'copies are'} not shown, to keep the summary under GitHub's 1 MiB limit; the \`results\` output lists every copy._`;
    /**
     * `count` rows (the first `extra` bytes longer than the others) of which all but the last
     * fill the summary, with the note for every row, to MAX_SUMMARY_BYTES exactly, plus `over`.
     */
    const rowsFilling = (over: number) => {
      const fixed = bytes(summaryMarkdown(report([]), {}));
      const size = bytes(summaryMarkdown(report([row('e'.repeat(100))]), {})) - fixed - 1;
      let count = 1_000;
      let budget = 0;
      for (let guess = 0; guess < 3; guess++) {
        budget = MAX_SUMMARY_BYTES - fixed - bytes(note(count)) - 1;
        count = Math.floor(budget / (size + 1)) + 1;
      }
      const extra = budget - (count - 1) * (size + 1) + over;
      return [
        row('e'.repeat(100 + extra)),
        ...Array.from({ length: count - 1 }, () => row('e'.repeat(100))),
      ];
    };
    const shown = (markdown: string) =>
      markdown.split('\n').filter((line) => line.startsWith('| API')).length;

    // Mutants: `bytes > MAX` as `>=`, and the cut note's "copy is" for one row.
    it('keeps a row that reaches the limit exactly, and says one copy is not shown', () => {
      const rows = rowsFilling(0);
      const markdown = summaryMarkdown(report(rows, false, STORE, true), {});
      expect(shown(markdown)).toBe(rows.length - 1);
      expect(markdown).toContain('\n_1 more copy is not shown, to keep the summary');
      expect(bytes(markdown)).toBeLessThanOrEqual(MAX_SUMMARY_BYTES);
    });

    // Mutants: the head and tail, their newlines or the note left out of the count, or `+ 1` as `- 1`.
    it('leaves out a row that would pass the limit by one byte', () => {
      const rows = rowsFilling(1);
      const markdown = summaryMarkdown(report(rows, false, STORE, true), {});
      expect(shown(markdown)).toBe(rows.length - 2);
      expect(markdown).toContain('\n_2 more copies are not shown, to keep the summary');
    });
  });
});
