/**
 * The time budget on its own: what keepingBack() adds to a deadline error, and how windDown()
 * brings the timeouts of the requests in flight nearer, and only theirs. Written for the
 * mutants of src/cloudflare/deadline.ts no other test caught (CONTRIBUTING.md, "Mutation testing").
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Deadline } from '../../src/cloudflare/deadline.js';
import { START, fakeClock } from '../helpers/mock-cloudflare.js';

afterEach(() => {
  vi.useRealTimers();
});

function setup() {
  const clock = fakeClock();
  return { clock, deadline: new Deadline(clock, START + 60_000) };
}

describe('keptBackNote', () => {
  it('is empty when nothing, or nothing but 0 ms, is kept back', async () => {
    const { deadline } = setup();
    expect(deadline.keptBackNote()).toBe('');
    const note = await deadline.keepingBack(0, 'restoring "A"', async () =>
      deadline.keptBackNote(),
    );
    expect(note).toBe('');
  });

  it('names each purpose once, with the seconds kept in all', async () => {
    const { deadline } = setup();
    const note = await deadline.keepingBack(2_000, 'restoring "A"', () =>
      deadline.keepingBack(1_000, 'restoring "A"', () =>
        deadline.keepingBack(500, 'restoring "B"', async () => deadline.keptBackNote()),
      ),
    );
    expect(note).toBe(' (the last 3.5 s of it are kept for restoring "A" and restoring "B")');
    expect(deadline.keptBackNote()).toBe('');
    expect(deadline.remainingMs()).toBe(60_000);
  });
});

describe('windDown and the requests in flight', () => {
  it('cuts a request in flight to half of what is left, counted from its start', () => {
    const { clock, deadline } = setup();
    const request = deadline.startRequest(10_000);
    clock.advance(2_000);

    deadline.windDown(4_000);

    expect(request.timeoutMs()).toBe(4_000);
    expect(deadline.remainingMs()).toBe(4_000);
    request.done();
  });

  it('never makes a request’s timeout later', () => {
    const { clock, deadline } = setup();
    const request = deadline.startRequest(10_000);
    clock.advance(2_000);

    deadline.windDown(20_000);

    expect(request.timeoutMs()).toBe(10_000);
    request.done();
  });

  it('leaves a request that is done alone', () => {
    const { deadline } = setup();
    const request = deadline.startRequest(10_000);
    request.done();

    deadline.windDown(4_000);

    expect(request.timeoutMs()).toBe(10_000);
  });

  it('a cut request, once done, is not aborted later by its first timer', () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const { deadline } = setup();
    const request = deadline.startRequest(10_000);
    deadline.windDown(4_000);
    vi.advanceTimersByTime(1_000);
    request.done();

    vi.advanceTimersByTime(20_000);

    expect(request.signal.aborted).toBe(false);
  });

  it('a cut request is aborted at its new timeout', () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const { deadline } = setup();
    const request = deadline.startRequest(10_000);
    deadline.windDown(4_000);

    vi.advanceTimersByTime(1_999);
    expect(request.signal.aborted).toBe(false);
    vi.advanceTimersByTime(1);
    expect(request.signal.aborted).toBe(true);
    request.done();
  });
});
