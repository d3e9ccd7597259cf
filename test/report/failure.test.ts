import { describe, expect, it } from 'vitest';
import { stepFailure } from '../../src/report/failure.js';
import { copy, NEW_ID, report, result, secret, STORE } from './results.js';

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
