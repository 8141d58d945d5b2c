// The SYN cache (NetBSD tcp_syncache): embryonic connections with no socket and no buffers until
// the handshake's final ACK. Hashed buckets with a per-bucket limit (the oldest is evicted), so a
// SYN flood costs a bounded number of small records. SYN-ACKs are resent with backoff.
import { tupleHash } from "./tuple-map.ts";

export class SynEntry {
  laddr = 0;
  lport = 0;
  faddr = 0;
  fport = 0;
  irs = 0;
  iss = 0;
  tsOffset = 0;
  peerMss = 536;
  ourMss = 1460;
  /** Peer's window scale option, −1 when absent. */
  peerWscale = -1;
  sackOk = false;
  tsOk = false;
  tsRecent = 0;
  /** SYN-ACK retransmissions so far. */
  rexmits = 0;
  /** When the SYN-ACK is resent next. */
  due = 0;
  /** When a SYN-ACK was last sent (duplicate SYNs faster than the RTO get none). */
  lastSent = 0;
  listener: unknown = null;
}

export class SynCache {
  private readonly buckets: SynEntry[][];
  count = 0;

  constructor(nbuckets: number, bucketLimit: number) {
    this.buckets = Array.from({ length: nbuckets }, () => []);
    this.bucketLimit = bucketLimit;
  }
  private readonly bucketLimit: number;

  private bucket(laddr: number, lport: number, faddr: number, fport: number): SynEntry[] {
    return this.buckets[tupleHash(laddr, lport, faddr, fport) % this.buckets.length];
  }

  find(laddr: number, lport: number, faddr: number, fport: number): SynEntry | undefined {
    const b = this.bucket(laddr, lport, faddr, fport);
    for (let i = 0; i < b.length; i++) {
      const e = b[i];
      if (e.laddr === laddr && e.lport === lport && e.faddr === faddr && e.fport === fport) return e;
    }
    return undefined;
  }

  /** True when adding to this tuple's bucket would evict. */
  bucketFull(laddr: number, lport: number, faddr: number, fport: number): boolean {
    return this.bucket(laddr, lport, faddr, fport).length >= this.bucketLimit;
  }

  /** Adds `e`; returns the evicted oldest entry of a full bucket, or null. */
  add(e: SynEntry): SynEntry | null {
    const b = this.bucket(e.laddr, e.lport, e.faddr, e.fport);
    let evicted: SynEntry | null = null;
    if (b.length >= this.bucketLimit) {
      evicted = b.shift()!;
      this.count--;
    }
    b.push(e);
    this.count++;
    return evicted;
  }

  remove(e: SynEntry): void {
    const b = this.bucket(e.laddr, e.lport, e.faddr, e.fport);
    const i = b.indexOf(e);
    if (i >= 0) {
      b.splice(i, 1);
      this.count--;
    }
  }

  /** Every entry (for timer scans and for dropping a listener's entries). */
  *entries(): IterableIterator<SynEntry> {
    for (const b of this.buckets) yield* b;
  }

  /** Earliest `due`, or 0. */
  nextDue(): number {
    let min = 0;
    for (const b of this.buckets) for (const e of b) if (min === 0 || e.due < min) min = e.due;
    return min;
  }
}
