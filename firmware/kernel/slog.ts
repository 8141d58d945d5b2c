// The system log (slogger): a bounded ring of entries with a severity 0–7, readable by
// sloginfo/slog2info and /dev/slog, and the one logging API of the whole runtime.
import type { Clock } from "./clock.ts";

export const SLOG_SEVERITY = {
  SHUTDOWN: 0,
  CRITICAL: 1,
  ERROR: 2,
  WARNING: 3,
  NOTICE: 4,
  INFO: 5,
  DEBUG1: 6,
  DEBUG2: 7,
} as const;

/** Major codes (<sys/slogcodes.h>) used by the runtime's own components. */
export const SLOG_MAJOR = {
  KERNEL: 1,
  BOOT: 2,
  CONSOLE: 3,
  FS: 4,
  NET: 7,
  QNET: 9,
  PROGRAM: 8,
  GPIO: 10,
} as const;

export interface SlogEntry {
  seq: number;
  /** Wall-clock milliseconds. */
  time: number;
  major: number;
  minor: number;
  severity: number;
  pid: number;
  text: string;
}

export class SystemLog {
  readonly capacity: number;
  private readonly ring: (SlogEntry | undefined)[];
  private next = 0;
  private readonly clock: Clock;
  private readonly listeners = new Set<(e: SlogEntry) => void>();
  /** Entries overwritten because the ring was full. */
  lost = 0;

  constructor(clock: Clock, capacity = 4096) {
    this.clock = clock;
    this.capacity = capacity;
    this.ring = new Array<SlogEntry | undefined>(capacity);
  }

  log(major: number, minor: number, severity: number, text: string, pid = 0): SlogEntry {
    const sev = Math.min(7, Math.max(0, severity | 0));
    const e: SlogEntry = {
      seq: this.next,
      time: this.clock.wallTime(),
      major,
      minor,
      severity: sev,
      pid,
      text,
    };
    if (this.next >= this.capacity) this.lost++;
    this.ring[this.next % this.capacity] = e;
    this.next++;
    for (const l of this.listeners) l(e);
    return e;
  }

  /** Entries still in the ring, oldest first, optionally only those after `afterSeq`. */
  entries(afterSeq = -1): SlogEntry[] {
    const first = Math.max(0, this.next - this.capacity, afterSeq + 1);
    const out: SlogEntry[] = [];
    for (let s = first; s < this.next; s++) out.push(this.ring[s % this.capacity] as SlogEntry);
    return out;
  }

  /** Live view (sloginfo -w); returns the unsubscribe function. */
  subscribe(fn: (e: SlogEntry) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  clear(): void {
    this.ring.fill(undefined);
    this.lost = 0;
    this.next = 0;
  }
}
