/** Cancelling the action as the runner does, at a moment a test picks by what the fake received. */
import type { ChildProcess } from 'node:child_process';
import type { FakeCloudflare, RecordedRequest } from '../fake-cloudflare/server.js';

/**
 * Sends SIGINT once `when` holds for the requests the fake has received. `asGitHub` plays the
 * rest of a cancelled job too: SIGTERM 7.5 s later, then SIGKILL 2.5 s after that.
 */
export function cancelWhen(
  fake: FakeCloudflare,
  when: (requests: readonly RecordedRequest[]) => boolean,
  { asGitHub = false } = {},
) {
  return (child: ChildProcess) => {
    const timers: NodeJS.Timeout[] = [];
    const poll = setInterval(() => {
      if (!when(fake.requests)) return;
      clearInterval(poll);
      child.kill('SIGINT');
      if (asGitHub) {
        timers.push(setTimeout(() => child.kill('SIGTERM'), 7_500));
        timers.push(setTimeout(() => child.kill('SIGKILL'), 10_000));
      }
    }, 10);
    child.on('exit', () => {
      clearInterval(poll);
      for (const timer of timers) clearTimeout(timer);
    });
  };
}
