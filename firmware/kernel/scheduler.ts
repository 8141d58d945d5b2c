// The scheduler: ready work per priority, a bitmap of non-empty priorities, and a dispatcher
// that always runs the highest priority first (FIFO within a priority) for a bounded slice,
// then yields to the Node.js event loop so that I/O (pcap, UART, timers) is polled.
//
// Dispatch is one item per microtask: after an item runs, the next dispatch is queued
// behind the continuation that item resumed, so what that continuation makes ready competes
// by priority with what is already queued. When nothing else is ready no dispatch is queued
// at all: the next post() queues one. A message round trip therefore costs two microtasks
// beyond its two promise settlements, not an async loop turn per item.
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

/** How many dispatches run between two looks at the clock. */
const CLOCK_CHECK_EVERY = 32;

/**
 * Queues a microtask without Node's queueMicrotask wrapper (an AsyncResource and a bound
 * function per call, which cost more than the rest of a dispatch): a reaction on a settled
 * promise is a plain V8 microtask.
 */
const settled = Promise.resolve();

export class Scheduler {
  readonly sliceMs: number;
  readonly stats: SchedulerStats = { dispatched: 0, slices: 0, maxQueued: 0 };
  /** Priority of the work item running now (-1 when idle). */
  currentPriority = -1;
  /** Per priority, function and argument stored as consecutive entries (no object per item). */
  private readonly queues: RingQueue<unknown>[] = [];
  private readonly ready = new PriorityBitmap();
  private queued = 0;
  /** A dispatch is queued (microtask or setImmediate) or running. */
  private scheduled = false;
  private stopped = false;
  /** A slice is open: dispatches since the event loop last gave us a turn. */
  private inSlice = false;
  private sliceStart = 0;
  private sliceCount = 0;
  /** The slice ran out: nothing more is dispatched until the event loop has had its turn. */
  private sliceUsedUp = false;
  private readonly onError: (err: unknown) => void;
  private readonly dispatchBound = (): void => this.dispatch();
  /** Runs on the event loop's next check phase: whatever dispatches after it is a new slice. */
  private readonly endSlice = (): void => {
    this.inSlice = false;
    this.sliceUsedUp = false;
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
      void settled.then(this.dispatchBound);
    }
  }

  /**
   * Like post, for work that only settles a promise (a thread's wake-up). When nothing else
   * is ready and no dispatch is queued, the dispatch that post would queue would pick this
   * very item, so it runs now: settling the promise queues the thread's continuation after
   * the current job, exactly where that dispatch would have put it, one microtask sooner.
   * The slice budget still applies.
   */
  postSettle<A>(prio: number, fn: Work<A>, arg: A): void {
    if (this.scheduled || this.stopped || !this.openSlice()) {
      this.post(prio, fn, arg);
      return;
    }
    this.stats.dispatched++;
    fn(arg);
  }

  /** Stops dispatching for good (runtime shutdown); queued work is dropped. */
  stop(): void {
    this.stopped = true;
    for (const q of this.queues) q.clear();
    this.ready.clearAll();
    this.queued = 0;
  }

  /** Runs the most urgent item, then queues the next dispatch behind its continuation. */
  private dispatch(): void {
    const prio = this.ready.highest();
    if (prio < 0 || this.stopped) {
      this.scheduled = false;
      this.currentPriority = -1;
      return;
    }
    if (!this.openSlice()) {
      // The slice is used up: let the event loop poll I/O, then carry on (still scheduled).
      this.currentPriority = -1;
      setImmediate(this.dispatchBound);
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
    if (this.queued > 0) {
      void settled.then(this.dispatchBound);
    } else {
      this.scheduled = false;
      this.currentPriority = -1;
    }
  }

  /** Counts one dispatch in the current slice; false when the slice is used up. */
  private openSlice(): boolean {
    if (!this.inSlice) {
      this.inSlice = true;
      this.sliceStart = performance.now();
      this.sliceCount = 0;
      this.stats.slices++;
      setImmediate(this.endSlice);
      return true;
    }
    if (this.sliceUsedUp) return false;
    if (++this.sliceCount % CLOCK_CHECK_EVERY === 0 && performance.now() - this.sliceStart >= this.sliceMs)
      this.sliceUsedUp = true;
    return !this.sliceUsedUp;
  }
}
