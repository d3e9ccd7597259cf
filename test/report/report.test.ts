import { marked } from 'marked';
import { describe, expect, it } from 'vitest';
import type { Secret } from '../../src/cloudflare/types.js';
import type { CopyResult } from '../../src/copy/duplicate.js';
import type { PlannedCopy, PlannedStore } from '../../src/plan/plan.js';
import type { PruneReport } from '../../src/copy/prune.js';
import { stepFailure } from '../../src/report/failure.js';
import { MAX_OUTPUT_TEXT, outputsFor, type RunReport } from '../../src/report/outputs.js';
import { MAX_SUMMARY_BYTES, summaryMarkdown } from '../../src/report/summary.js';
import type { Trigger } from '../../src/report/trigger.js';

const STORE_ID = '023e105f4ecef8ad9ca31a8372d0c353';
const SOURCE_ID = '3fd85f74b32742f1bff64a85009dda07';
const NEW_ID = 'aaaabbbbccccddddeeeeffff00001111';
const STORE: PlannedStore = { id: STORE_ID, name: 'default_secrets_store' };

const SOURCE: Secret = {
  id: SOURCE_ID,
  name: 'API_KEY',
  status: 'active',
  store_id: STORE_ID,
  created: '2024-01-01T00:00:00.000000Z',
  scopes: ['workers'],
};

const NEW_SECRET: Secret = {
  id: NEW_ID,
  name: 'API_KEY_COPY',
  status: 'pending',
  store_id: STORE_ID,
  created: '2025-06-01T12:00:00.123456Z',
  modified: '2025-06-01T12:00:00.123456Z',
  comment: 'copied',
  scopes: ['workers', 'ai_gateway'],
};

/** Another secret of the store, by id and name. */
const secret = (id: string, name: string): Secret => ({ ...NEW_SECRET, id, name });

function copy(overrides: Partial<PlannedCopy> = {}): PlannedCopy {
  return {
    sourceRef: 'API_KEY',
    sourceId: SOURCE_ID,
    source: SOURCE,
    name: 'API_KEY_COPY',
    scopes: ['workers', 'ai_gateway'],
    ...overrides,
  };
}

function result(overrides: Partial<CopyResult> = {}): CopyResult {
  return {
    copy: copy(),
    outcome: 'created',
    secret: NEW_SECRET,
    adopted: false,
    warnings: [],
    ...overrides,
  } as CopyResult;
}

function report(results: CopyResult[], dryRun = false, store = STORE, fromList = false): RunReport {
  return { store, results, dryRun, fromList };
}

const HEADER = [
  '| Source → new name | Secret id | Scopes | Status | Store | Outcome |',
  '| --- | --- | --- | --- | --- | --- |',
];

describe('outputsFor', () => {
  const entry = (overrides: Record<string, unknown> = {}) => ({
    source: 'API_KEY',
    name: 'API_KEY_COPY',
    id: NEW_ID,
    outcome: 'created',
    replaced: null,
    previous: null,
    error: null,
    ...overrides,
  });

  it('outputs the new secret when one was created', () => {
    expect(outputsFor(report([result()]))).toEqual({
      'secret-id': NEW_ID,
      'secret-name': 'API_KEY_COPY',
      'store-id': STORE_ID,
      pruned: '[]',
      'secret-ids': JSON.stringify({ API_KEY_COPY: NEW_ID }),
      results: JSON.stringify([entry()]),
      'source-secret-id': SOURCE_ID,
      'replaced-secret-id': '',
      'previous-secret-id': '',
      status: 'pending',
      scopes: 'workers,ai_gateway',
      created: '2025-06-01T12:00:00.123456Z',
      outcome: 'created',
      result: JSON.stringify(NEW_SECRET),
    });
  });

  it('outputs the existing secret when if-exists skip found one', () => {
    const existing: Secret = {
      id: 'ffffeeeeddddccccbbbbaaaa99998888',
      name: 'API_KEY_COPY',
      status: 'active',
      store_id: STORE_ID,
      created: '2023-09-21T18:56:32.624632Z',
      scopes: ['dex'],
    };
    expect(outputsFor(report([result({ outcome: 'existing', secret: existing })]))).toEqual({
      'secret-id': 'ffffeeeeddddccccbbbbaaaa99998888',
      'secret-name': 'API_KEY_COPY',
      'store-id': STORE_ID,
      pruned: '[]',
      'secret-ids': JSON.stringify({ API_KEY_COPY: 'ffffeeeeddddccccbbbbaaaa99998888' }),
      results: JSON.stringify([
        entry({ id: 'ffffeeeeddddccccbbbbaaaa99998888', outcome: 'existing' }),
      ]),
      'source-secret-id': SOURCE_ID,
      'replaced-secret-id': '',
      'previous-secret-id': '',
      status: 'active',
      scopes: 'dex',
      created: '2023-09-21T18:56:32.624632Z',
      outcome: 'existing',
      result: JSON.stringify(existing),
    });
  });

  it('leaves secret-id, status, created and result empty on a dry run', () => {
    const dry = result({
      outcome: 'dry-run',
      secret: undefined,
      copy: copy({ name: 'PLANNED', scopes: ['access', 'dex'] }),
    });
    expect(outputsFor(report([dry], true))).toEqual({
      'secret-id': '',
      'secret-name': 'PLANNED',
      'store-id': STORE_ID,
      pruned: '[]',
      'secret-ids': '{}',
      results: JSON.stringify([entry({ name: 'PLANNED', id: null, outcome: 'dry-run' })]),
      'source-secret-id': SOURCE_ID,
      'replaced-secret-id': '',
      'previous-secret-id': '',
      status: '',
      scopes: 'access,dex',
      created: '',
      outcome: 'dry-run',
      result: '',
    });
  });

  it('ignores a secret attached to a dry-run result', () => {
    const outputs = outputsFor(report([result({ outcome: 'dry-run' })], true));
    expect(outputs['secret-id']).toBe('');
    expect(outputs.status).toBe('');
    expect(outputs.created).toBe('');
    expect(outputs.result).toBe('');
    expect(outputs['secret-ids']).toBe('{}');
    expect(JSON.parse(outputs.results!)).toEqual([entry({ id: null, outcome: 'dry-run' })]);
  });

  it('uses the planned scopes when the secret carries none, comma-joined without spaces', () => {
    const secret: Secret = { ...NEW_SECRET, scopes: undefined };
    const outputs = outputsFor(
      report([result({ secret, copy: copy({ scopes: ['workers', 'dex', 'access'] }) })]),
    );
    expect(outputs.scopes).toBe('workers,dex,access');
  });

  it('gives a list run only store-id, secret-ids and results', () => {
    const other: Secret = { ...NEW_SECRET, id: 'b'.repeat(32), name: 'OTHER' };
    const results = [
      result({ copy: copy({ line: 1 }) }),
      result({ copy: copy({ name: 'OTHER', line: 2 }), outcome: 'existing', secret: other }),
      result({
        copy: copy({ name: 'BROKEN', sourceRef: 'MISSING', line: 3 }),
        outcome: 'failed',
        secret: undefined,
        error: 'HTTP 500',
      }),
      result({ copy: copy({ name: 'UNDONE', line: 4 }), outcome: 'rolled-back' }),
    ];
    expect(outputsFor(report(results, false, STORE, true))).toEqual({
      'store-id': STORE_ID,
      pruned: '[]',
      'secret-ids': JSON.stringify({ API_KEY_COPY: NEW_ID, OTHER: 'b'.repeat(32) }),
      results: JSON.stringify([
        entry(),
        entry({ name: 'OTHER', id: 'b'.repeat(32), outcome: 'existing' }),
        entry({
          source: 'MISSING',
          name: 'BROKEN',
          id: null,
          outcome: 'failed',
          error: 'HTTP 500',
        }),
        entry({ name: 'UNDONE', outcome: 'rolled-back' }),
      ]),
    });
  });

  it('keeps names such as __proto__ and constructor in secret-ids', () => {
    const names = ['__proto__', 'constructor', 'toString', 'hasOwnProperty'];
    const results = names.map((name, i) =>
      result({
        copy: copy({ name, line: i + 1 }),
        secret: { ...NEW_SECRET, id: String(i).repeat(32), name },
      }),
    );
    const outputs = outputsFor(report(results, false, STORE, true));
    expect(outputs['secret-ids']).toBe(
      '{"__proto__":"' +
        '0'.repeat(32) +
        '","constructor":"' +
        '1'.repeat(32) +
        '","toString":"' +
        '2'.repeat(32) +
        '","hasOwnProperty":"' +
        '3'.repeat(32) +
        '"}',
    );
    expect(JSON.parse(outputs.results!)).toHaveLength(4);
  });

  it('outputs the name asked for as secret-name, never a name from the answer', () => {
    const forged = { ...NEW_SECRET, name: 'API_KEY_COPY\nforged=1' };
    const outputs = outputsFor(report([result({ secret: forged })]));
    expect(outputs['secret-name']).toBe('API_KEY_COPY');
    expect(JSON.parse(outputs.result!).name).toBe('API_KEY_COPY\nforged=1');
  });

  it('cuts free text in outputs, saying how much was cut', () => {
    const long = 'c'.repeat(MAX_OUTPUT_TEXT + 10);
    const single = outputsFor(
      report([result({ secret: { ...NEW_SECRET, name: long, comment: long } })]),
    );
    const cut = `${'c'.repeat(MAX_OUTPUT_TEXT)}… [10 more characters cut]`;
    expect(single['secret-name']).toBe('API_KEY_COPY');
    expect(JSON.parse(single.result!)).toEqual({ ...NEW_SECRET, name: cut, comment: cut });

    const failed = outputsFor(
      report([result({ outcome: 'failed', secret: undefined, error: long })], false, STORE, true),
    );
    expect(JSON.parse(failed.results!)[0].error).toBe(cut);

    const pruned = outputsFor({
      ...report([result()]),
      prune: {
        pattern: '*',
        keep: 0,
        dryRun: false,
        pruned: [{ ...NEW_SECRET, name: long }],
        untracked: [],
        failures: [],
        warnings: [],
      },
    });
    expect(JSON.parse(pruned.pruned!)).toEqual([{ id: NEW_ID, name: cut }]);
  });

  it('gives a failed single copy only store-id, secret-ids and results', () => {
    const failed = result({ outcome: 'failed', secret: undefined, error: 'boom' });
    expect(outputsFor(report([failed]))).toEqual({
      'store-id': STORE_ID,
      pruned: '[]',
      'secret-ids': '{}',
      results: JSON.stringify([entry({ id: null, outcome: 'failed', error: 'boom' })]),
    });
  });

  it('gives a report without results empty lists', () => {
    expect(outputsFor(report([]))).toEqual({
      'store-id': STORE_ID,
      pruned: '[]',
      'secret-ids': '{}',
      results: '[]',
    });
  });
});

describe('stepFailure', () => {
  it('is undefined when nothing failed', () => {
    expect(stepFailure(report([result(), result({ outcome: 'existing' })]))).toBeUndefined();
  });

  it("is the copy's own error for a single run", () => {
    const failed = result({ outcome: 'failed', secret: undefined, error: 'No secret named X.' });
    expect(stepFailure(report([failed]))).toEqual(['No secret named X.']);
  });

  it('lists each failed line of a list run and what was rolled back', () => {
    const results = [
      result({ copy: copy({ line: 1, name: 'A_COPY', sourceRef: 'A' }), outcome: 'rolled-back' }),
      result({
        copy: copy({ line: 2, name: 'B_COPY', sourceRef: 'B' }),
        outcome: 'failed',
        secret: undefined,
        error: 'HTTP 500',
      }),
    ];
    expect(stepFailure(report(results, false, STORE, true))).toEqual([
      '1 of 2 copies failed:',
      '- line 2 (B => B_COPY): HTTP 500',
      'Rolled back (deleted) 1 secret(s) this step had created:',
      `- A_COPY (${NEW_ID})`,
    ]);
  });

  it('a rolled-back replace gives the new id of its restored target, and a backup it left', () => {
    const restored = secret('e'.repeat(32), 'A_COPY');
    const backup = secret('b'.repeat(32), 'A_COPY_BACKUP_1_1');
    const results = [
      result({ copy: copy({ line: 1, name: 'A_COPY' }), outcome: 'rolled-back', restored }),
      result({ copy: copy({ line: 2, name: 'B_COPY' }), outcome: 'rolled-back', backup }),
      result({ copy: copy({ line: 3, sourceRef: 'C' }), outcome: 'failed', error: 'HTTP 500' }),
    ];
    expect(stepFailure(report(results, false, STORE, true))!.slice(-2)).toEqual([
      `- A_COPY (${NEW_ID}); restored its target from the backup as ${'e'.repeat(32)}`,
      `- B_COPY (${NEW_ID}); its old value is in "A_COPY_BACKUP_1_1" (${'b'.repeat(32)})`,
    ]);
  });

  it('a cancelled step names every secret it wrote or deleted, then its failures', () => {
    const old = secret('c'.repeat(32), 'A_COPY');
    const previous = secret('d'.repeat(32), 'A_COPY_PREVIOUS');
    const results = [
      result({
        copy: copy({ line: 1, name: 'A_COPY' }),
        outcome: 'replaced',
        replaced: old,
        previous,
      }),
      result({
        copy: copy({ line: 2, name: 'B_COPY' }),
        outcome: 'not-attempted',
        secret: undefined,
        error: 'not attempted: the step was cancelled',
      }),
    ];
    expect(stepFailure({ ...report(results, false, STORE, true), cancelled: 'SIGTERM' })).toEqual([
      'The step was cancelled (SIGTERM): no write started after that.',
      'Secrets it wrote or deleted:',
      `- A_COPY: created ${NEW_ID}; deleted ${'c'.repeat(32)}; kept the old value as "A_COPY_PREVIOUS" (${'d'.repeat(32)})`,
      '0 of 2 copies failed, 1 not attempted:',
      '- line 2 (API_KEY => B_COPY): not attempted: the step was cancelled',
    ]);
  });

  it('a cancelled step that wrote nothing says so, and fails even when no copy did', () => {
    expect(
      stepFailure({ ...report([result({ outcome: 'existing' })]), cancelled: 'SIGINT' }),
    ).toEqual([
      'The step was cancelled (SIGINT): no write started after that.',
      'It changed no secret.',
    ]);
  });

  it('counts not-attempted lines apart from the failed ones', () => {
    const results = [
      result({ copy: copy({ line: 1, name: 'A_COPY', sourceRef: 'A' }) }),
      result({
        copy: copy({ line: 2, name: 'B_COPY', sourceRef: 'B' }),
        outcome: 'failed',
        secret: undefined,
        error: 'HTTP 500',
      }),
      result({
        copy: copy({ line: 3, name: 'C_COPY', sourceRef: 'C' }),
        outcome: 'not-attempted',
        secret: undefined,
        error: 'not attempted: 3 copies failed',
      }),
    ];
    // Nothing rolled back: no rollback lines.
    expect(stepFailure(report(results, false, STORE, true))).toEqual([
      '1 of 3 copies failed, 1 not attempted:',
      '- line 2 (B => B_COPY): HTTP 500',
      '- line 3 (C => C_COPY): not attempted: 3 copies failed',
    ]);
  });
});

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
