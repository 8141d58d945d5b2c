// A BPF tap of one control open (tcpdump): frames its filter accepts are copied (up to
// snaplen) into a bounded queue; BPF_READ takes them, or waits for the first one.
import type { Clock, TimerHandle } from "../../kernel/clock.ts";
import type { Deferred } from "../../resmgr/handlers.ts";
import type { BpfFrame } from "../control/protocol.ts";
import type { BpfPredicate, BpfTap } from "../stack/bpf.ts";
import type { Ifnet } from "../stack/ifnet.ts";
import type { Stack } from "../stack/stack.ts";

export type BpfReplySink = (frames: BpfFrame[]) => void;

interface Waiter {
  deferred: Deferred;
  timer: TimerHandle;
  max: number;
  send: BpfReplySink;
}

export class BpfSession {
  readonly tap: BpfTap;
  dropped = 0;
  private readonly stack: Stack;
  private readonly clock: Clock;
  private readonly snaplen: number;
  private readonly limit: number;
  private queue: BpfFrame[] = [];
  private waiter: Waiter | null = null;

  constructor(
    stack: Stack,
    clock: Clock,
    o: { ifp: Ifnet | null; dir: number; filter: BpfPredicate | null; snaplen: number; bufferFrames: number },
  ) {
    this.stack = stack;
    this.clock = clock;
    this.snaplen = Math.max(1, o.snaplen);
    this.limit = Math.max(1, o.bufferFrames);
    this.tap = {
      ifp: o.ifp,
      dir: o.dir,
      filter: o.filter,
      seen: 0,
      matched: 0,
      deliver: (bytes, off, len, tsMs, dir, ifp) => this.capture(bytes, off, len, tsMs, dir, ifp),
    };
    stack.addTap(this.tap);
  }

  private capture(bytes: Uint8Array, off: number, len: number, tsMs: number, dir: number, ifp: Ifnet): void {
    if (this.queue.length >= this.limit) {
      this.dropped++;
      return;
    }
    const cap = Math.min(len, this.snaplen);
    this.queue.push({
      tsUs: Math.round(tsMs * 1000),
      ifname: ifp.name,
      dir,
      origLen: len,
      data: bytes.slice(off, off + cap),
    });
    const w = this.waiter;
    if (w !== null) {
      this.waiter = null;
      this.clock.clearTimer(w.timer);
      w.send(this.take(w.max));
    }
  }

  private take(max: number): BpfFrame[] {
    if (this.queue.length <= max) {
      const all = this.queue;
      this.queue = [];
      return all;
    }
    return this.queue.splice(0, max);
  }

  /** Frames now, or null after arranging for `send` to get the first ones (or none at the timeout). */
  read(max: number, timeoutMs: number, deferred: () => Deferred, send: BpfReplySink): BpfFrame[] | null {
    const n = Math.max(1, max);
    if (this.queue.length !== 0 || timeoutMs === 0) return this.take(n);
    this.cancelWaiter();
    const d = deferred();
    const timer = this.clock.setTimer(timeoutMs, () => {
      if (this.waiter?.deferred !== d) return;
      this.waiter = null;
      send([]);
    });
    this.waiter = { deferred: d, timer, max: n, send };
    d.onCancel = () => {
      if (this.waiter?.deferred === d) {
        this.clock.clearTimer(timer);
        this.waiter = null;
      }
    };
    return null;
  }

  private cancelWaiter(): void {
    const w = this.waiter;
    if (w === null) return;
    this.waiter = null;
    this.clock.clearTimer(w.timer);
    w.deferred.error("EBADF");
  }

  close(): void {
    this.cancelWaiter();
    this.stack.removeTap(this.tap);
  }
}
