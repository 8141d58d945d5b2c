// Time for the whole runtime comes from one injectable clock: SystemClock on a board,
// ManualClock in tests so that timers, timeouts and protocol logic are deterministic.
import { performance } from "node:perf_hooks";

export type TimerHandle = { readonly id: number };

export interface Clock {
  /** Monotonic milliseconds (fractional allowed). */
  now(): number;
  /** Milliseconds since the epoch. */
  wallTime(): number;
  setTimer(ms: number, fn: () => void): TimerHandle;
  clearTimer(h: TimerHandle): void;
}

export class SystemClock implements Clock {
  private nextId = 1;
  private readonly live = new Map<number, NodeJS.Timeout>();

  now(): number {
    return performance.now();
  }

  wallTime(): number {
    return Date.now();
  }

  setTimer(ms: number, fn: () => void): TimerHandle {
    const id = this.nextId++;
    const t = setTimeout(
      () => {
        this.live.delete(id);
        fn();
      },
      Math.max(0, ms),
    );
    this.live.set(id, t);
    return { id };
  }

  clearTimer(h: TimerHandle): void {
    const t = this.live.get(h.id);
    if (t !== undefined) {
      clearTimeout(t);
      this.live.delete(h.id);
    }
  }

  /** Pending timers keep Node alive; unref lets a runtime exit once only timers remain. */
  get pending(): number {
    return this.live.size;
  }
}

interface ManualTimer {
  id: number;
  due: number;
  seq: number;
  fn: () => void;
}

/** A clock that only moves when told to; `advance` runs due timers in time order. */
export class ManualClock implements Clock {
  private t: number;
  private readonly epoch: number;
  private seq = 0;
  private nextId = 1;
  private readonly timers = new Map<number, ManualTimer>();

  constructor(start = 0, epochMs = 1_700_000_000_000) {
    this.t = start;
    this.epoch = epochMs;
  }

  now(): number {
    return this.t;
  }

  wallTime(): number {
    return this.epoch + this.t;
  }

  setTimer(ms: number, fn: () => void): TimerHandle {
    const id = this.nextId++;
    this.timers.set(id, { id, due: this.t + Math.max(0, ms), seq: this.seq++, fn });
    return { id };
  }

  clearTimer(h: TimerHandle): void {
    this.timers.delete(h.id);
  }

  get pending(): number {
    return this.timers.size;
  }

  /** Moves time forward by `ms`, firing every timer that falls due, earliest first. */
  advance(ms: number): void {
    const end = this.t + ms;
    for (;;) {
      let next: ManualTimer | undefined;
      for (const tm of this.timers.values()) {
        if (tm.due <= end && (!next || tm.due < next.due || (tm.due === next.due && tm.seq < next.seq)))
          next = tm;
      }
      if (!next) break;
      this.timers.delete(next.id);
      this.t = Math.max(this.t, next.due);
      next.fn();
    }
    this.t = end;
  }
}
