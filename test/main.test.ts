/**
 * run() in-process, with @actions/core (inputs, masks, logs, outputs, summary) replaced by a recorder:
 * what src/main.ts says to the runner, and in which order.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { run } from '../src/main.js';
import { TOKEN } from './helpers/credentials.js';

/** Every call main.ts made to the runner, in order: [function name, ...arguments]. */
const calls = vi.hoisted(() => [] as [string, ...unknown[]][]);
const inputs = vi.hoisted(() => new Map<string, string>());

vi.mock('@actions/core', () => {
  const record =
    (name: string) =>
    (...args: unknown[]) => {
      calls.push([name, ...args]);
    };
  const summary = {
    addRaw: (text: string) => {
      calls.push(['summary.addRaw', text]);
      return summary;
    },
    write: async () => {
      calls.push(['summary.write']);
      return summary;
    },
  };
  return {
    getInput: (name: string) => inputs.get(name) ?? '',
    isDebug: () => false,
    summary,
    ...Object.fromEntries(
      ['setSecret', 'setFailed', 'setOutput', 'info', 'debug', 'warning', 'notice'].map((name) => [
        name,
        record(name),
      ]),
    ),
  };
});

afterEach(() => {
  calls.length = 0;
  inputs.clear();
});

describe('run', () => {
  // Mutant: parseInputs called before the credentials are masked, so an input error is
  // reported (and could echo a credential) before any `::add-mask::`.
  it('masks the credentials before it reports an invalid input', async () => {
    // The token pasted into account-id too: the input error quotes it.
    inputs.set('account-id', TOKEN);
    inputs.set('api-token', TOKEN);
    inputs.set('secret', 'DB_URL');
    inputs.set('name', 'DB_URL_COPY');

    await run();

    expect(calls.map(([name]) => name)).toEqual(['setSecret', 'setFailed']);
    expect(calls[0]).toEqual(['setSecret', TOKEN]);
    expect(calls[1]![1]).toMatch(/^Invalid input: account-id /);
    expect(calls[1]![1]).toContain(TOKEN);
  });
});
