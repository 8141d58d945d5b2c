// The scheduler: ready work per priority, a bitmap of non-empty priorities, and a dispatch
// loop that always runs the highest priority first (FIFO within a priority) for a bounded
// slice, then yields to the Node.js event loop so that I/O (pcap, UART, timers) is polled.
//
// Latency bound: work made ready by I/O waits at most one slice (sliceMs, default 2 ms)
// plus one event-loop turn before it is dispatched, and is then dispatched ahead of all
// lower-priority work already queued.
import { performance } from "node:perf_hooks";
import { PRIORITY_MAX, PriorityBitmap } from "./priority-bitmap.ts";
import { RingQueue } from "./ring-queue.ts";
import { KernelError } from "./errno.ts";

export type Work<A> = (arg: A) => void;

export interface SchedulerStats {
  dispatched: number;
  slices: number;
  maxQueued: number;
}

export class Scheduler {
  readonly sliceMs: number;
  readonly stats: SchedulerStats = { dispatched: 0, slices: 0, maxQueued: 0 };
  /** Priority of the work item running now (-1 when idle). */
  currentPriority = -1;
  /** Per priority, function and argument stored as consecutive entries (no object per item). */
  private readonly queues: RingQueue<unknown>[] = [];
  private readonly ready = new PriorityBitmap();
  private queued = 0;
  private scheduled = false;
  private stopped = false;
  private readonly onError: (err: unknown) => void;
  private readonly runSlice = (): void => {
    void this.slice();
  };

  constructor(opts: { sliceMs?: number; onError?: (err: unknown) => void } = {}) {
    this.sliceMs = opts.sliceMs ?? 2;
    this.onError = opts.onError ?? ((err) => queueMicrotask(() => Promise.reject(err)));
    for (let p = 0; p <= PRIORITY_MAX; p++) this.queues.push(new RingQueue<unknown>(8));
  }

  get pending(): number {
    return this.queued;
  }

  /** Queues `fn(arg)` at `prio`. Passing the argument separately avoids a closure per item. */
  post<A>(prio: number, fn: Work<A>, arg: A): void {
    if (this.stopped) return;
    if (!(prio >= 0 && prio <= PRIORITY_MAX))
      throw new KernelError("EINVAL", `priority ${prio} out of range`);
    const q = this.queues[prio | 0];
    q.push(fn);
    q.push(arg);
    this.ready.set(prio | 0);
    if (++this.queued > this.stats.maxQueued) this.stats.maxQueued = this.queued;
    if (!this.scheduled) {
      this.scheduled = true;
      queueMicrotask(this.runSlice);
    }
  }

  /** Stops dispatching for good (runtime shutdown); queued work is dropped. */
  stop(): void {
    this.stopped = true;
    for (const q of this.queues) q.clear();
    this.queued = 0;
  }

  private async slice(): Promise<void> {
    this.stats.slices++;
    const start = performance.now();
    let n = 0;
    for (;;) {
      const prio = this.ready.highest();
      if (prio < 0 || this.stopped) {
        this.scheduled = false;
        this.currentPriority = -1;
        return;
      }
      const q = this.queues[prio];
      const fn = q.shift() as Work<unknown>;
      const arg = q.shift();
      if (q.length === 0) this.ready.clear(prio);
      this.queued--;
      this.stats.dispatched++;
      this.currentPriority = prio;
      try {
        fn(arg);
      } catch (err) {
        this.onError(err);
      }
      // Let the continuation this item resumed run before choosing the next item, so that
      // what it makes ready competes by priority with what is already queued.
      await null;
      if ((++n & 31) === 0 && performance.now() - start >= this.sliceMs) {
        this.currentPriority = -1;
        setImmediate(this.runSlice);
        return;
      }
    }
  }
}
