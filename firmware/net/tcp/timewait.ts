// TIME-WAIT as small records (NetBSD vtw): the 4-tuple, the sequence numbers to answer with,
// the timestamp state and the expiry. No buffers, no TCB. All records live 2·MSL, so a FIFO
// ordered by expiry suffices; a restarted 2·MSL re-queues the record (the old slot goes stale).
import { TupleMap } from "./tuple-map.ts";

export class TimeWaitRecord {
  laddr = 0;
  lport = 0;
  faddr = 0;
  fport = 0;
  sndNxt = 0;
  rcvNxt = 0;
  rcvWnd = 0;
  rcvScale = 0;
  tsOk = false;
  tsRecent = 0;
  tsOffset = 0;
  expiry = 0;
}

export class TimeWaitTable {
  readonly map = new TupleMap<TimeWaitRecord>();
  private fifo: TimeWaitRecord[] = [];
  private fifoAt: number[] = [];
  private head = 0;

  add(r: TimeWaitRecord): void {
    this.map.set(r);
    this.queue(r);
  }

  /** Restarts the 2·MSL wait (a retransmitted FIN arrived). */
  restart(r: TimeWaitRecord, expiry: number): void {
    r.expiry = expiry;
    this.queue(r);
  }

  private queue(r: TimeWaitRecord): void {
    this.fifo.push(r);
    this.fifoAt.push(r.expiry);
  }

  remove(r: TimeWaitRecord): void {
    this.map.delete(r);
  }

  /** Earliest live expiry or 0. */
  nextExpiry(): number {
    this.skipStale();
    return this.head < this.fifo.length ? this.fifoAt[this.head] : 0;
  }

  private skipStale(): void {
    while (this.head < this.fifo.length) {
      const r = this.fifo[this.head];
      if (r.expiry === this.fifoAt[this.head] && this.map.get(r.laddr, r.lport, r.faddr, r.fport) === r)
        break;
      this.head++;
    }
    if (this.head > 1024 && this.head * 2 > this.fifo.length) {
      this.fifo = this.fifo.slice(this.head);
      this.fifoAt = this.fifoAt.slice(this.head);
      this.head = 0;
    }
  }

  /** Frees every record whose 2·MSL is over; returns how many. */
  expire(now: number): number {
    let n = 0;
    for (;;) {
      const at = this.nextExpiry();
      if (at === 0 || at > now) return n;
      this.map.delete(this.fifo[this.head]);
      this.head++;
      n++;
    }
  }
}
