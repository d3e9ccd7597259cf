import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { EOL, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { appendSummary, outputEntry, setOutput } from '../src/runner.js';
import { parseOutputFile } from './helpers/run-action.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'runner-test-'));
});
afterEach(() => {
  vi.unstubAllEnvs();
  vi.restoreAllMocks();
  rmSync(dir, { recursive: true, force: true });
});

/** A `random` that returns the given values in turn, then repeats the last. */
function draws(...values: number[]): () => number {
  let i = 0;
  return () => values[Math.min(i++, values.length - 1)] ?? 0;
}

describe('outputEntry', () => {
  it('writes name<<delimiter, the value, and the delimiter on its own line', () => {
    const entry = outputEntry('secret-id', 'abc', draws(0.5));
    const [first, value, last] = entry.split(EOL);
    expect(first).toMatch(/^secret-id<<ghadelimiter_\w+$/);
    expect(value).toBe('abc');
    expect(first).toBe(`secret-id<<${last}`);
  });

  it('keeps a multi-line value whole', () => {
    const value = '{\n  "a": 1\n}';
    expect(parseOutputFile(outputEntry('results', value))).toEqual({ results: value });
  });

  it('draws another delimiter when the value contains the first one', () => {
    const first = outputEntry('x', '', draws(0.25));
    const delimiter = first.split(EOL)[2] ?? '';
    // A value that tries to end itself early and set another output.
    const hostile = `ok\n${delimiter}\nsecret-id<<EOF\nforged\nEOF`;
    const entry = outputEntry('x', hostile, draws(0.25));
    expect(entry).not.toContain(`x<<${delimiter}`);
    expect(parseOutputFile(entry)).toEqual({ x: hostile });
  });

  it('draws another delimiter when the name contains the first one', () => {
    const delimiter = outputEntry('x', '', draws(0.75)).split(EOL)[2] ?? '';
    const entry = outputEntry(`n${delimiter}`, 'v', draws(0.75));
    expect(entry.split(EOL)[2]).not.toBe(delimiter);
  });
});

describe('setOutput', () => {
  it('appends each output to the GITHUB_OUTPUT file', () => {
    const file = join(dir, 'output');
    writeFileSync(file, '');
    vi.stubEnv('GITHUB_OUTPUT', file);
    setOutput('secret-id', 'abc');
    setOutput('result', 'line 1\nline 2');
    expect(parseOutputFile(readFileSync(file, 'utf8'))).toEqual({
      'secret-id': 'abc',
      result: 'line 1\nline 2',
    });
  });

  it('refuses a GITHUB_OUTPUT file that does not exist instead of creating it', () => {
    const file = join(dir, 'missing');
    vi.stubEnv('GITHUB_OUTPUT', file);
    expect(() => setOutput('secret-id', 'abc')).toThrow(`Missing file at path: ${file}`);
  });

  it('falls back to the set-output command without GITHUB_OUTPUT', () => {
    vi.stubEnv('GITHUB_OUTPUT', '');
    const write = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    setOutput('secret-id', 'abc');
    expect(write.mock.calls.map(([text]) => String(text)).join('')).toBe(
      `${EOL}::set-output name=secret-id::abc${EOL}`,
    );
  });
});

describe('appendSummary', () => {
  it('appends markdown and a line end to the GITHUB_STEP_SUMMARY file', () => {
    const file = join(dir, 'summary');
    writeFileSync(file, '# earlier step\n');
    vi.stubEnv('GITHUB_STEP_SUMMARY', file);
    appendSummary('## Secrets Store');
    expect(readFileSync(file, 'utf8')).toBe(`# earlier step\n## Secrets Store${EOL}`);
  });

  it('says so when the runner has no job summary', () => {
    vi.stubEnv('GITHUB_STEP_SUMMARY', '');
    expect(() => appendSummary('x')).toThrow(/GITHUB_STEP_SUMMARY is not set/);
  });
});
