// The one socket buffer (BSD's struct sockbuf): a bounded queue of records, counted in bytes,
// read either as records (datagrams: UDP, raw, AF_LOCAL dgram, echo/BPF sessions) or as a byte
// stream (TCP, AF_LOCAL stream). `hiwat` bounds what it holds, `lowat` is the readiness mark,
// and waiters (blocked reads, armed polls) are woken from `append` — the one wake-up path.

/** One queued record: its byte size and whatever the owner keeps with it. */
export interface SbRecord {
  readonly size: number;
}

/** A blocked reader or an armed poll: returns true when it is satisfied and leaves the list. */
export type SbWaiter = () => boolean;

export class SockBuf<R extends SbRecord = SbRecord> {
  /** Bytes it may hold (SO_RCVBUF / SO_SNDBUF). */
  hiwat: number;
  /** Bytes that make it "readable" / "writable" for poll (SO_RCVLOWAT / SO_SNDLOWAT). */
  lowat: number;
  /** Records it may hold besides bytes (0: no limit); the echo/BPF queues bound by count. */
  maxRecords: number;
  /** Bytes held. */
  cc = 0;
  /** Records (or bytes, for a stream) refused because the buffer was full. */
  drops = 0;
  /** No more data will come (peer shut down, socket closed): readers see end of file. */
  eof = false;
  private recs: R[] = [];
  private head = 0;
  /** Byte offset already consumed in the head record (stream reads). */
  private headOff = 0;
  private readonly waiters: SbWaiter[] = [];
  /** Inside wake(): a nested wake-up only sets `wakeAgain`. */
  private waking = false;
  private wakeAgain = false;
  /** Called after every wake-up (notify arming: the resource manager's notifyReady). */
  onWake: (() => void) | null = null;

  constructor(hiwat: number, lowat = 1, maxRecords = 0) {
    this.hiwat = hiwat;
    this.lowat = lowat;
    this.maxRecords = maxRecords;
  }

  get records(): number {
    return this.recs.length - this.head;
  }

  /** Free bytes (sbspace). */
  space(): number {
    return Math.max(0, this.hiwat - this.cc);
  }

  /** True when a reader would not block (sbreadable-style: lowat bytes, a record, EOF). */
  readable(): boolean {
    return this.eof || this.cc >= this.lowat || (this.records > 0 && this.cc === 0);
  }

  /** Queues `rec` unless it does not fit (counted in `drops`); wakes waiters. */
  append(rec: R): boolean {
    if (!this.fits(rec.size)) {
      this.drops++;
      return false;
    }
    this.recs.push(rec);
    this.cc += rec.size;
    this.wake();
    return true;
  }

  /** Queues `rec`, dropping the oldest records until it fits (event queues: newest wins). */
  appendDropOldest(rec: R): void {
    while (
      this.records > 0 &&
      (rec.size > this.space() || (this.maxRecords > 0 && this.records >= this.maxRecords))
    ) {
      this.shift();
      this.drops++;
    }
    this.recs.push(rec);
    this.cc += rec.size;
    this.wake();
  }

  /** The next record without taking it. */
  peek(): R | undefined {
    return this.recs[this.head];
  }

  /** The `i`th queued record without taking it (batched reads measure before they take). */
  peekAt(i: number): R | undefined {
    return this.recs[this.head + i];
  }

  /** Whether a record of `size` bytes would be queued now (checked before building it). */
  fits(size: number): boolean {
    return size <= this.space() && (this.maxRecords === 0 || this.records < this.maxRecords);
  }

  /** Takes the next whole record (datagram semantics). */
  shift(): R | undefined {
    if (this.head >= this.recs.length) return undefined;
    const r = this.recs[this.head] as R;
    this.recs[this.head] = undefined as unknown as R;
    this.head++;
    this.cc -= r.size - this.headOff;
    this.headOff = 0;
    if (this.head > 64 && this.head * 2 > this.recs.length) {
      this.recs = this.recs.slice(this.head);
      this.head = 0;
    }
    return r;
  }

  /** Takes up to `max` records at once (BPF reads). */
  take(max: number): R[] {
    const out: R[] = [];
    while (out.length < max && this.records > 0) out.push(this.shift() as R);
    return out;
  }

  /**
   * Stream reads: consumes up to `max` bytes across records whose bytes `bytesOf` gives
   * (TCP, AF_LOCAL stream). Returns the bytes taken.
   */
  readBytes(max: number, bytesOf: (r: R) => Uint8Array): Uint8Array {
    const n = Math.min(max, this.cc);
    const out = new Uint8Array(n);
    let at = 0;
    while (at < n) {
      const r = this.recs[this.head] as R;
      const b = bytesOf(r);
      const k = Math.min(n - at, b.byteLength - this.headOff);
      out.set(b.subarray(this.headOff, this.headOff + k), at);
      at += k;
      this.headOff += k;
      this.cc -= k;
      if (this.headOff >= b.byteLength) {
        this.headOff = 0;
        this.recs[this.head] = undefined as unknown as R;
        this.head++;
      }
    }
    if (this.head >= this.recs.length) {
      this.recs = [];
      this.head = 0;
    }
    return out;
  }

  /** Throws everything away (shutdown(SHUT_RD), close). */
  flush(): void {
    this.recs = [];
    this.head = 0;
    this.headOff = 0;
    this.cc = 0;
  }

  /** Registers a waiter; it is asked again on every wake-up until it returns true. */
  wait(w: SbWaiter): void {
    this.waiters.push(w);
  }

  /** Removes a waiter that gave up (timeout, signal, close). */
  unwait(w: SbWaiter): void {
    const i = this.waiters.indexOf(w);
    if (i >= 0) this.waiters.splice(i, 1);
  }

  get waiting(): number {
    return this.waiters.length;
  }

  /**
   * sowakeup: lets waiters take what arrived (in arrival order), then tells pollers. Wake-ups do
   * not nest: a waiter's own take can refill the buffer (a stream read moves the protocol's next
   * bytes in) and so wake it again before it has replied; that wake-up is only noted, and the
   * waiters are asked once more after the current pass, so each of them runs to its end first.
   */
  wake(): void {
    if (this.waking) {
      this.wakeAgain = true;
      return;
    }
    this.waking = true;
    try {
      do {
        this.wakeAgain = false;
        for (let i = 0; i < this.waiters.length;) {
          if ((this.waiters[i] as SbWaiter)()) this.waiters.splice(i, 1);
          else i++;
        }
      } while (this.wakeAgain);
    } finally {
      this.waking = false;
    }
    this.onWake?.();
  }
}
