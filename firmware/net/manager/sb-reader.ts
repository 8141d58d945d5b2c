// The one blocked reader of a session's socket buffer (echo and BPF sessions of a control
// open): answers at once when the buffer has something, otherwise defers the reply and lets the
// buffer's wake-up path answer it, or the timeout. A newer read supersedes a waiting one.
import type { Errno } from "../../kernel/errno.ts";
import type { Clock, TimerHandle } from "../../kernel/clock.ts";
import type { Deferred } from "../../resmgr/handlers.ts";
import type { SbRecord, SbWaiter, SockBuf } from "../socket/sockbuf.ts";

export interface SbRead<T> {
  timeoutMs: number;
  /** What a read returns now, or null when it would block. */
  take: () => T | null;
  /** The answer at the timeout (also at once with timeoutMs 0). */
  timedOut: () => T;
  defer: () => Deferred;
  send: (v: T) => void;
}

export class SbReader<R extends SbRecord> {
  readonly sb: SockBuf<R>;
  private readonly clock: Clock;
  private current: { d: Deferred; waiter: SbWaiter; timer: TimerHandle } | null = null;

  constructor(sb: SockBuf<R>, clock: Clock) {
    this.sb = sb;
    this.clock = clock;
  }

  /** The answer now, or null after arranging for `r.send` to get it later. */
  read<T>(r: SbRead<T>, supersede: Errno): T | null {
    const now = r.take();
    if (now !== null) return now;
    if (r.timeoutMs === 0) return r.timedOut();
    this.cancel(supersede);
    const d = r.defer();
    const waiter: SbWaiter = () => {
      if (d.done) return true;
      const v = r.take();
      if (v === null) return false;
      this.clock.clearTimer(timer);
      if (this.current?.d === d) this.current = null;
      r.send(v);
      return true;
    };
    const timer = this.clock.setTimer(r.timeoutMs, () => {
      this.sb.unwait(waiter);
      if (this.current?.d === d) this.current = null;
      if (!d.done) r.send(r.timedOut());
    });
    d.onCancel = () => {
      this.sb.unwait(waiter);
      this.clock.clearTimer(timer);
      if (this.current?.d === d) this.current = null;
    };
    this.current = { d, waiter, timer };
    this.sb.wait(waiter);
    return null;
  }

  /** Ends a waiting read with `errno` (superseded, or the session closed). */
  cancel(errno: Errno): void {
    const c = this.current;
    if (c === null) return;
    this.current = null;
    this.sb.unwait(c.waiter);
    this.clock.clearTimer(c.timer);
    c.d.error(errno);
  }
}
