// The stack's one timer service: every protocol timer (ARP aging and retries, reassembly
// timeouts, redirect routes, and TCP's per-connection rexmt/persist/keep/delack/2MSL) is a
// NetTimer in one binary min-heap, driven by a single timer on the stack's injectable clock.
// A NetTimer is allocated once by its owner and then armed, re-armed and cancelled without
// allocating: each is O(log n) on the heap, and only a change of the earliest deadline touches
// the clock.
import type { Clock, TimerHandle } from "../../kernel/clock.ts";

/** Period of the protocols' sweeps (ARP aging and retries, redirect routes), as BSD's pr_slowtimo. */
export const SLOW_TIMER_MS = 500;

/** One protocol timer. Create with `TimerService.create`; keep it for the owner's lifetime. */
export class NetTimer {
  /** Deadline on the stack clock (ms); meaningful while `armed`. */
  deadline = 0;
  /** Position in the heap, -1 when not armed. */
  index = -1;
  /** Arming order, so equal deadlines fire first-armed-first. */
  seq = 0;
  readonly name: string;
  readonly fn: () => void;
  private readonly service: TimerService;

  constructor(service: TimerService, name: string, fn: () => void) {
    this.service = service;
    this.name = name;
    this.fn = fn;
  }

  get armed(): boolean {
    return this.index >= 0;
  }

  /** Fires `ms` from now (re-arms when already armed). */
  arm(ms: number): void {
    this.service.schedule(this, this.service.clock.now() + Math.max(0, ms));
  }

  /** Fires at `deadline` on the stack clock (re-arms when already armed). */
  armAt(deadline: number): void {
    this.service.schedule(this, deadline);
  }

  /** Arms for `ms` from now unless it is armed already (a periodic sweep that runs while busy). */
  ensure(ms: number): void {
    if (this.index < 0) this.arm(ms);
  }

  cancel(): void {
    this.service.unschedule(this);
  }
}

export class TimerService {
  readonly clock: Clock;
  private readonly heap: NetTimer[] = [];
  private seq = 0;
  private handle: TimerHandle | null = null;
  /** Deadline the clock timer is set for (Infinity when none). */
  private handleAt = Infinity;
  private stopped = false;
  private firing = false;
  /** Timers fired, for `netstat -s`-style curiosity and tests. */
  fired = 0;

  constructor(clock: Clock) {
    this.clock = clock;
  }

  /** A new, unarmed timer calling `fn` when it fires (it is unarmed again by then). */
  create(name: string, fn: () => void): NetTimer {
    return new NetTimer(this, name, fn);
  }

  get size(): number {
    return this.heap.length;
  }

  /** Armed timers, earliest first (diagnostics). */
  pending(): Array<{ name: string; deadline: number }> {
    return [...this.heap]
      .sort((a, b) => a.deadline - b.deadline || a.seq - b.seq)
      .map((t) => ({ name: t.name, deadline: t.deadline }));
  }

  schedule(t: NetTimer, deadline: number): void {
    if (this.stopped) return;
    t.seq = this.seq++;
    if (t.index < 0) {
      t.deadline = deadline;
      t.index = this.heap.length;
      this.heap.push(t);
      this.up(t.index);
    } else {
      const earlier = deadline < t.deadline;
      t.deadline = deadline;
      if (earlier) this.up(t.index);
      else this.down(t.index);
    }
    this.rearm();
  }

  unschedule(t: NetTimer): void {
    const i = t.index;
    if (i < 0) return;
    const last = this.heap.pop() as NetTimer;
    t.index = -1;
    if (last !== t) {
      this.heap[i] = last;
      last.index = i;
      this.down(i);
      this.up(last.index);
    }
    // The clock timer may now be early; that is harmless (it fires, finds nothing due, re-arms).
  }

  /** Stops everything: no timer fires again (stack shutdown). */
  stop(): void {
    this.stopped = true;
    for (const t of this.heap) t.index = -1;
    this.heap.length = 0;
    if (this.handle !== null) this.clock.clearTimer(this.handle);
    this.handle = null;
    this.handleAt = Infinity;
  }

  /** Runs every timer due at the clock's now, in deadline order; then re-arms the clock timer. */
  run(): void {
    this.handle = null;
    this.handleAt = Infinity;
    if (this.stopped) return;
    this.firing = true;
    try {
      const now = this.clock.now();
      while (this.heap.length !== 0 && this.heap[0].deadline <= now) {
        const t = this.heap[0];
        this.unschedule(t);
        this.fired++;
        t.fn();
      }
    } finally {
      this.firing = false;
    }
    this.rearm();
  }

  private rearm(): void {
    if (this.firing || this.stopped || this.heap.length === 0) return;
    const at = this.heap[0].deadline;
    if (this.handle !== null) {
      if (this.handleAt <= at) return; // an earlier wake-up is set already; it re-arms after
      this.clock.clearTimer(this.handle);
    }
    this.handleAt = at;
    this.handle = this.clock.setTimer(Math.max(0, at - this.clock.now()), () => this.run());
  }

  private less(a: NetTimer, b: NetTimer): boolean {
    return a.deadline < b.deadline || (a.deadline === b.deadline && a.seq < b.seq);
  }

  private up(i: number): void {
    const h = this.heap;
    const t = h[i];
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.less(t, h[p])) break;
      h[i] = h[p];
      h[i].index = i;
      i = p;
    }
    h[i] = t;
    t.index = i;
  }

  private down(i: number): void {
    const h = this.heap;
    const n = h.length;
    const t = h[i];
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      const c = r < n && this.less(h[r], h[l]) ? r : l;
      if (!this.less(h[c], t)) break;
      h[i] = h[c];
      h[i].index = i;
      i = c;
    }
    h[i] = t;
    t.index = i;
  }
}
