import { describe, expect, it } from 'vitest';
import { planLines, resultLines } from '../../src/report/log.js';
import { copy, NEW_ID, result, secret, SOURCE_ID, STORE } from './results.js';

describe('planLines', () => {
  it('names the store, then each copy with its source, and says what a dry run would do', () => {
    const plan = { store: STORE, copies: [copy()], secrets: [] };
    expect(planLines(plan, { ifExists: 'fail', dryRun: true })).toEqual([
      { level: 'info', text: 'Store: "default_secrets_store" (023e105f4ecef8ad9ca31a8372d0c353)' },
      {
        level: 'info',
        text: `Would duplicate "API_KEY" (${SOURCE_ID}) as "API_KEY_COPY" with scopes workers, ai_gateway`,
      },
    ]);
  });
});

describe('resultLines', () => {
  it('gives the warnings as warnings, a recovered answer as a notice, and the rest as info', () => {
    const lines = resultLines(result({ warnings: ['careful'], adopted: true }), true);
    expect(lines).toEqual([
      { level: 'warning', text: 'careful' },
      { level: 'info', text: `Created secret "API_KEY_COPY" (${NEW_ID}).` },
      {
        level: 'notice',
        text: `Cloudflare's answer to the duplicate was lost, but the secret "API_KEY_COPY" (${NEW_ID}) it created was found and used; nothing was created twice.`,
      },
      { level: 'info', text: `Secret "API_KEY_COPY" (${NEW_ID}) is active.` },
    ]);
  });

  it('says a replace deleted the old id, and is silent about a failure', () => {
    const old = secret('0000aaaa1111bbbb2222cccc3333dddd', 'API_KEY_COPY');
    expect(resultLines(result({ outcome: 'replaced', replaced: old }), false)).toEqual([
      {
        level: 'info',
        text: `Replaced secret "API_KEY_COPY": deleted ${old.id}, created ${NEW_ID}.`,
      },
    ]);
    expect(resultLines(result({ outcome: 'failed', error: 'boom' }), true)).toEqual([]);
  });
});
