// Fault injection for Ethernet frames, in the spirit of smoltcp's FaultInjector and Linux's
// netem: loss, duplication, corruption, delay with jitter and reordering, decided per frame
// from a seeded RNG so a test that sets the same seed sees the same frames harmed.
//
// One definition, used twice: ImpairedPath is one direction of an impaired link (frames in,
// survivors out to a sink); ImpairedEthPort (impaired-port.ts) wraps any driver's EthPort with
// one path on receive and one on transmit, and the in-process hub (vwire.ts) runs its frames
// through one. Delayed frames wait in one due-ordered queue served by a single timer of the
// injectable Clock (re-armed for the earliest frame), not a timer per frame, so a ManualClock
// decides exactly when they arrive.
import type { Clock, TimerHandle } from "../../firmware/kernel/clock.ts";
import { KernelError } from "../../firmware/kernel/errno.ts";
import { ETH_HEADER_LEN } from "./eth-port.ts";
import { FramePool } from "./frame-pool.ts";
import { seededRng, type Rng } from "./seeded-rng.ts";

export interface ImpairmentOptions {
  /** Probability in [0, 1] that a frame is lost. */
  loss?: number;
  /** Probability in [0, 1] that a delivered frame arrives twice. */
  duplicate?: number;
  /** Probability in [0, 1] that a frame is reordered: with a delay it skips the delay and
   * overtakes the frames waiting (netem's reorder); without one it is held REORDER_HOLD_MS
   * so the frames after it overtake it. */
  reorder?: number;
  /** Probability in [0, 1] that one byte of a frame is flipped (past the Ethernet header and,
   * for IPv4/IPv6, past the IP header, so the frame still reaches its protocol and fails the
   * protocol's checksum there). */
  corrupt?: number;
  /** Fixed one-way delay in milliseconds (0: deliver as soon as possible). */
  delayMs?: number;
  /** Extra uniformly random delay in [0, jitterMs) milliseconds; may reorder frames. */
  jitterMs?: number;
  /** Most frames waiting in the delay queue; more are dropped (counted as overflow). */
  limit?: number;
  /** RNG seed (default 1). */
  seed?: number;
}

/** What an impaired path did, for nicinfo and tests. */
export interface ImpairmentCounters {
  /** Frames offered to the path. */
  frames: number;
  dropped: number;
  duplicated: number;
  reordered: number;
  corrupted: number;
  /** Frames that waited in the delay queue. */
  delayed: number;
  /** Frames dropped because the delay queue was full. */
  overflow: number;
}

/** Receives a surviving frame with the tag it was pushed with; `buf` is only valid during the
 * call (the path reuses it). */
export type FrameSink<T> = (buf: Uint8Array, len: number, tag: T) => void;

/** How long a reordered frame is held on a path without delay. */
export const REORDER_HOLD_MS = 1;
/** Default delay-queue limit (netem's is 1000 packets; this holds 10 ms of a gigabit link). */
export const DEFAULT_IMPAIR_LIMIT = 10_000;

/** The validated parameters of one path. */
export class Impairment {
  readonly loss: number;
  readonly duplicate: number;
  readonly reorder: number;
  readonly corrupt: number;
  readonly delayMs: number;
  readonly jitterMs: number;
  readonly limit: number;
  readonly seed: number;

  constructor(opts: ImpairmentOptions = {}) {
    this.loss = probability("loss", opts.loss ?? 0);
    this.duplicate = probability("duplicate", opts.duplicate ?? 0);
    this.reorder = probability("reorder", opts.reorder ?? 0);
    this.corrupt = probability("corrupt", opts.corrupt ?? 0);
    this.delayMs = nonNegative("delay", opts.delayMs ?? 0);
    this.jitterMs = nonNegative("jitter", opts.jitterMs ?? 0);
    this.limit = opts.limit ?? DEFAULT_IMPAIR_LIMIT;
    if (!(Number.isInteger(this.limit) && this.limit >= 1)) {
      throw new KernelError("EINVAL", `limit must be a positive integer, not ${this.limit}`);
    }
    this.seed = opts.seed ?? 1;
  }

  /** True when nothing is impaired: a wire can take its fast path. */
  get isClean(): boolean {
    return (
      this.loss === 0 &&
      this.duplicate === 0 &&
      this.reorder === 0 &&
      this.corrupt === 0 &&
      this.delayMs === 0 &&
      this.jitterMs === 0
    );
  }

  /** "loss 3% dup 1% reorder 25% corrupt 0.1% delay 10 ms seed 7", the parts that are set. */
  describe(): string {
    const parts: string[] = [];
    const pct = (name: string, p: number): void => {
      if (p > 0) parts.push(`${name} ${+(p * 100).toPrecision(6)}%`);
    };
    pct("loss", this.loss);
    pct("dup", this.duplicate);
    pct("reorder", this.reorder);
    pct("corrupt", this.corrupt);
    if (this.delayMs > 0) parts.push(`delay ${this.delayMs} ms`);
    if (this.jitterMs > 0) parts.push(`jitter ${this.jitterMs} ms`);
    if (parts.length === 0) return "none";
    parts.push(`seed ${this.seed}`);
    return parts.join(" ");
  }
}

export function emptyImpairmentCounters(): ImpairmentCounters {
  return { frames: 0, dropped: 0, duplicated: 0, reordered: 0, corrupted: 0, delayed: 0, overflow: 0 };
}

/**
 * One direction of an impaired link. `push` decides a frame's fate at once (the RNG is drawn
 * in a fixed order per frame, so the fates depend only on the seed and the frame sequence)
 * and hands the survivors to the sink, now or when their delay has passed.
 */
export class ImpairedPath<T = null> {
  readonly impairment: Impairment;
  readonly counters: ImpairmentCounters = emptyImpairmentCounters();
  private readonly clock: Clock;
  private readonly sink: FrameSink<T>;
  private readonly pool: FramePool;
  private readonly rng: Rng;
  // The delay queue: a binary min-heap on (due, seq) kept as parallel arrays.
  private hDue: number[] = [];
  private hSeq: number[] = [];
  private hBuf: Uint8Array[] = [];
  private hLen: number[] = [];
  private hTag: T[] = [];
  private seq = 0;
  private timer: TimerHandle | null = null;
  private timerDue = Infinity;
  private idleWaiters: (() => void)[] = [];
  private readonly fireBound = (): void => this.fire();

  constructor(opts: ImpairmentOptions | Impairment, clock: Clock, sink: FrameSink<T>, frameSize = 1518) {
    this.impairment = opts instanceof Impairment ? opts : new Impairment(opts);
    this.clock = clock;
    this.sink = sink;
    this.pool = new FramePool(frameSize, 256);
    this.rng = seededRng(this.impairment.seed);
  }

  /** Frames waiting in the delay queue. */
  get pending(): number {
    return this.hDue.length;
  }

  /** Resolves once the delay queue is empty. */
  idle(): Promise<void> {
    if (this.hDue.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Offers `frame[0, len)`, handed to the sink with `tag`; the caller may reuse `frame` as
   * soon as this returns. */
  push(frame: Uint8Array, len: number, tag: T): void {
    const imp = this.impairment;
    const c = this.counters;
    const r = this.rng;
    c.frames++;
    if (imp.loss > 0 && r() < imp.loss) {
      c.dropped++;
      return;
    }
    const dup = imp.duplicate > 0 && r() < imp.duplicate;
    const reordered = imp.reorder > 0 && r() < imp.reorder;
    const corruptAt = imp.corrupt > 0 && r() < imp.corrupt ? corruptOffset(frame, len, r()) : -1;
    const flip = corruptAt >= 0 ? 1 + Math.floor(r() * 255) : 0;
    let delay = imp.jitterMs > 0 ? imp.delayMs + r() * imp.jitterMs : imp.delayMs;
    if (reordered) {
      c.reordered++;
      delay = imp.delayMs > 0 ? 0 : REORDER_HOLD_MS;
    }
    if (dup) c.duplicated++;
    if (corruptAt >= 0) c.corrupted++;
    const copies = dup ? 2 : 1;
    if (delay === 0) {
      if (corruptAt < 0) {
        for (let i = 0; i < copies; i++) this.sink(frame, len, tag);
        return;
      }
      const buf = this.copy(frame, len);
      buf[corruptAt] ^= flip;
      // The duplicate is a clean copy: the corruption happened to one frame on the wire.
      this.sink(buf, len, tag);
      if (dup) this.sink(frame, len, tag);
      this.pool.give(buf);
      return;
    }
    const due = this.clock.now() + delay;
    for (let i = 0; i < copies; i++) {
      if (this.hDue.length >= imp.limit) {
        c.overflow++;
        continue;
      }
      const buf = this.copy(frame, len);
      if (i === 0 && corruptAt >= 0) buf[corruptAt] ^= flip;
      c.delayed++;
      this.heapPush(due, buf, len, tag);
    }
    if (due < this.timerDue) this.arm(due);
  }

  /** Discards every waiting frame (at close). */
  clear(): void {
    if (this.timer !== null) this.clock.clearTimer(this.timer);
    this.timer = null;
    this.timerDue = Infinity;
    this.hDue = [];
    this.hSeq = [];
    this.hBuf = [];
    this.hLen = [];
    this.hTag = [];
    this.wakeIdle();
  }

  private copy(frame: Uint8Array, len: number): Uint8Array {
    return len <= this.pool.size ? this.pool.copyOf(frame, len) : frame.slice(0, len);
  }

  private arm(due: number): void {
    if (this.timer !== null) this.clock.clearTimer(this.timer);
    this.timerDue = due;
    this.timer = this.clock.setTimer(due - this.clock.now(), this.fireBound);
  }

  private fire(): void {
    this.timer = null;
    this.timerDue = Infinity;
    const now = this.clock.now();
    // A sink may push into this same path (a reply on a hub); those frames join the heap with a
    // later due time, or go straight out when undelayed, so this loop ends.
    while (this.hDue.length > 0 && this.hDue[0]! <= now) {
      const len = this.hLen[0]!;
      const tag = this.hTag[0] as T;
      const buf = this.heapPop();
      this.sink(buf, len, tag);
      this.pool.give(buf);
    }
    if (this.hDue.length > 0) {
      if (this.hDue[0]! < this.timerDue) this.arm(this.hDue[0]!);
    } else this.wakeIdle();
  }

  private wakeIdle(): void {
    const w = this.idleWaiters;
    if (w.length === 0) return;
    this.idleWaiters = [];
    for (const f of w) f();
  }

  private less(i: number, j: number): boolean {
    const a = this.hDue[i]!;
    const b = this.hDue[j]!;
    return a < b || (a === b && this.hSeq[i]! < this.hSeq[j]!);
  }

  private swap(i: number, j: number): void {
    const d = this.hDue[i]!;
    this.hDue[i] = this.hDue[j]!;
    this.hDue[j] = d;
    const s = this.hSeq[i]!;
    this.hSeq[i] = this.hSeq[j]!;
    this.hSeq[j] = s;
    const b = this.hBuf[i]!;
    this.hBuf[i] = this.hBuf[j]!;
    this.hBuf[j] = b;
    const l = this.hLen[i]!;
    this.hLen[i] = this.hLen[j]!;
    this.hLen[j] = l;
    const t = this.hTag[i] as T;
    this.hTag[i] = this.hTag[j] as T;
    this.hTag[j] = t;
  }

  private heapPush(due: number, buf: Uint8Array, len: number, tag: T): void {
    this.hDue.push(due);
    this.hSeq.push(this.seq++);
    this.hBuf.push(buf);
    this.hLen.push(len);
    this.hTag.push(tag);
    let i = this.hDue.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.less(i, p)) break;
      this.swap(i, p);
      i = p;
    }
  }

  private heapPop(): Uint8Array {
    const top = this.hBuf[0]!;
    const last = this.hDue.length - 1;
    this.swap(0, last);
    this.hDue.pop();
    this.hSeq.pop();
    this.hBuf.pop();
    this.hLen.pop();
    this.hTag.pop();
    const n = this.hDue.length;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      const rr = l + 1;
      let m = i;
      if (l < n && this.less(l, m)) m = l;
      if (rr < n && this.less(rr, m)) m = rr;
      if (m === i) break;
      this.swap(i, m);
      i = m;
    }
    return top;
  }
}

const ETHERTYPE_IPV4 = 0x0800;
const ETHERTYPE_IPV6 = 0x86dd;
const IPV6_HEADER_LEN = 40;

/**
 * Where to flip a byte: inside what the IP header says is the payload, so the IP layer passes
 * the frame up and the transport checksum (TCP, UDP, ICMP) fails; a non-IP frame or one too
 * short for that gets a byte past the Ethernet header. `u` in [0, 1) picks the byte. -1: the
 * frame has nothing past its Ethernet header.
 */
export function corruptOffset(frame: Uint8Array, len: number, u: number): number {
  let start = ETH_HEADER_LEN;
  let end = len;
  if (len >= ETH_HEADER_LEN + 20) {
    const type = (frame[12]! << 8) | frame[13]!;
    if (type === ETHERTYPE_IPV4 && frame[14]! >> 4 === 4) {
      const ihl = (frame[14]! & 0x0f) * 4;
      const total = (frame[16]! << 8) | frame[17]!;
      start = ETH_HEADER_LEN + ihl;
      end = Math.min(len, ETH_HEADER_LEN + total);
    } else if (type === ETHERTYPE_IPV6 && len > ETH_HEADER_LEN + IPV6_HEADER_LEN) {
      const payload = (frame[18]! << 8) | frame[19]!;
      start = ETH_HEADER_LEN + IPV6_HEADER_LEN;
      end = Math.min(len, start + payload);
    }
    if (end <= start) {
      start = ETH_HEADER_LEN;
      end = len;
    }
  }
  if (end <= start) return -1;
  return start + Math.floor(u * (end - start));
}

function probability(what: string, p: number): number {
  if (!(p >= 0 && p <= 1)) throw new KernelError("EINVAL", `${what} must be between 0 and 1, not ${p}`);
  return p;
}

function nonNegative(what: string, ms: number): number {
  if (!(ms >= 0 && Number.isFinite(ms))) throw new KernelError("EINVAL", `${what} must be ≥ 0 ms, not ${ms}`);
  return ms;
}
