/**
 * What the copies of one step share: the cancel that stops new writes, the run it names by
 * default, and the listing of the store before it wrote. Written for the mutants of
 * src/copy/step.ts no other test caught (CONTRIBUTING.md, "Mutation testing").
 */
import { describe, expect, it } from 'vitest';
import { StepState } from '../../src/copy/step.js';
import {
  OTHER_SECRET,
  SECRET,
  STORE,
  secret,
  useMockCloudflare,
} from '../helpers/mock-cloudflare.js';

const setup = useMockCloudflare({ maxRetries: 0 });

describe('StepState', () => {
  it('once cancelled, refuses to start a write, naming it', () => {
    const { client } = setup();
    const cancel = new AbortController();
    const step = new StepState(client, STORE, cancel.signal);
    expect(() => step.mayStart('The duplicate of X')).not.toThrow();

    cancel.abort('SIGINT');

    expect(step.cancelled).toBe(true);
    let thrown: unknown;
    try {
      step.mayStart('The duplicate of X');
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(Error);
    expect((thrown as Error).name).toBe('Cancelled');
    expect((thrown as Error).message).toBe(
      'The duplicate of X was not started: the step was cancelled.',
    );
  });

  it('outside a workflow, names no run: first attempt, no id, no repository', () => {
    const { client } = setup();
    expect(new StepState(client, STORE).run).toEqual({ runId: '', attempt: '1', repository: '' });
  });

  it('takes the store before it wrote from the plan’s listing, without a request', async () => {
    const { client, urls } = setup();
    const a = secret(SECRET, 'A');
    const b = secret(OTHER_SECRET, 'B');
    const step = new StepState(client, STORE, undefined, undefined, [a, b]);
    step.deleted.add(OTHER_SECRET);

    const byName = await step.secretsBeforeByName();

    expect([...byName.keys()]).toEqual(['A']);
    expect(urls()).toEqual([]);
  });
});
