/**
 * The transport's time budget: one deadline for all of the work, the end of it kept back while
 * keepingBack() runs, and the requests in flight, which windDown() cuts short.
 */
import { seconds } from './failures.js';
import type { Clock } from './retry.js';

/** One request's timer: its abort signal, and a timeout that windDown() may bring nearer. */
export interface RequestTimer {
  readonly signal: AbortSignal;
  /** The timeout in force, from the request's start. */
  timeoutMs(): number;
  /** Stops the timer once the request is done. */
  done(): void;
}

export class Deadline {
  /** The ends of the budget kept back, each with what for, while keepingBack() calls run. */
  private readonly reserves = new Set<{ ms: number; purpose: string }>();
  /** Requests on the wire, each with the way to cut it short. */
  private readonly inFlight = new Set<(afterMs: number) => void>();

  constructor(
    private readonly clock: Clock,
    /** Epoch ms by which all of the work must be done. */
    private at: number,
  ) {}

  /** The deadline less what keepingBack() holds back. */
  current(): number {
    return this.at - this.reservedMs();
  }

  private reservedMs(): number {
    let total = 0;
    for (const { ms } of this.reserves) total += ms;
    return total;
  }

  /** Milliseconds left before the deadline (less what keepingBack() holds back). */
  remainingMs(): number {
    return this.current() - this.clock.now();
  }

  /**
   * Ends the work within `ms` from now: the deadline moves there (never later), and each
   * request in flight is cut at half of it, so that the work that follows those requests
   * (undoing what they left half done) still has the other half.
   */
  windDown(ms: number): void {
    this.at = Math.min(this.at, this.clock.now() + ms);
    for (const cut of this.inFlight) cut(ms / 2);
  }

  /**
   * Runs `fn` as if the deadline came `reserveMs` earlier, so that the time kept back is still
   * there when `fn` is done (say, to undo what `fn` did). `purpose` names that later work in
   * the errors of a deadline reached early. Calls may nest and run side by side: what they keep
   * back adds up. Nothing started by `fn` may outlive it.
   */
  async keepingBack<T>(reserveMs: number, purpose: string, fn: () => Promise<T>): Promise<T> {
    const reserve = { ms: Math.max(0, reserveMs), purpose };
    this.reserves.add(reserve);
    try {
      return await fn();
    } finally {
      this.reserves.delete(reserve);
    }
  }

  /** What a deadline error adds while time is kept back, so the user knows why it came early. */
  keptBackNote(): string {
    const kept = [...this.reserves].filter((r) => r.ms > 0);
    if (kept.length === 0) return '';
    const purposes = [...new Set(kept.map((r) => r.purpose))].join(' and ');
    return ` (the last ${seconds(this.reservedMs())} s of it are kept for ${purposes})`;
  }

  /** Starts one request's timer of `timeoutMs`, which windDown() may cut short. */
  startRequest(timeoutMs: number): RequestTimer {
    const controller = new AbortController();
    let timer = setTimeout(() => controller.abort(), timeoutMs);
    const started = this.clock.now();
    const cut = (afterMs: number) => {
      const elapsed = this.clock.now() - started;
      if (elapsed + afterMs >= timeoutMs) return;
      clearTimeout(timer);
      timeoutMs = elapsed + afterMs;
      timer = setTimeout(() => controller.abort(), afterMs);
    };
    this.inFlight.add(cut);
    return {
      signal: controller.signal,
      timeoutMs: () => timeoutMs,
      done: () => {
        clearTimeout(timer);
        this.inFlight.delete(cut);
      },
    };
  }
}
