// The stack's clock inside io-pkt: time comes from the kernel's clock, but an expired timer
// does not run its callback there (outside any thread); it sends a timer pulse at
// timer_pulse_prio, and an L2 worker runs the callback in the stack context.
import type { Clock, TimerHandle } from "../../kernel/clock.ts";

interface Pending {
  fn: () => void;
  base: TimerHandle;
}

export class PulseClock implements Clock {
  private readonly base: Clock;
  private readonly post: (id: number) => void;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;

  constructor(base: Clock, post: (id: number) => void) {
    this.base = base;
    this.post = post;
  }

  now(): number {
    return this.base.now();
  }

  wallTime(): number {
    return this.base.wallTime();
  }

  setTimer(ms: number, fn: () => void): TimerHandle {
    const id = this.nextId++;
    const base = this.base.setTimer(ms, () => {
      if (this.pending.has(id)) this.post(id);
    });
    this.pending.set(id, { fn, base });
    return { id };
  }

  clearTimer(h: TimerHandle): void {
    const p = this.pending.get(h.id);
    if (p === undefined) return;
    this.pending.delete(h.id);
    this.base.clearTimer(p.base);
  }

  /** Runs timer `id`'s callback (from the worker that took its pulse); false if it was cleared. */
  fire(id: number): boolean {
    const p = this.pending.get(id);
    if (p === undefined) return false;
    this.pending.delete(id);
    p.fn();
    return true;
  }

  /** Timers armed and not yet fired. */
  get armed(): number {
    return this.pending.size;
  }

  /** Cancels everything (shutdown). */
  clearAll(): void {
    for (const p of this.pending.values()) this.base.clearTimer(p.base);
    this.pending.clear();
  }
}
