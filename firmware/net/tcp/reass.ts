// The out-of-order queue (RFC 9293 §3.10.7.4, RFC 5681 §4.2): ranges of sequence space received
// beyond RCV.NXT whose bytes already sit in the receive ring at their offset. Bounded by a range
// count (each hole costs a slot) and, through the ring, by the receive window in bytes.
import { RANGE_REJECTED, SeqRanges } from "./ranges.ts";
import { seqGt, seqLeq } from "./seq.ts";

export class Reassembly extends SeqRanges {
  /** Bytes held out of order. */
  bytes(): number {
    let n = 0;
    for (let i = 0; i < this.count; i++) n += (this.ends[i] - this.starts[i]) >>> 0;
    return n;
  }

  /** Records [start, end). False when it would need more ranges than allowed (segment dropped). */
  add(start: number, end: number): boolean {
    return this.insert(start, end) !== RANGE_REJECTED;
  }

  /**
   * RCV.NXT moved to `nxt`: returns how far past `nxt` contiguous data now reaches (0 when the
   * first range still starts beyond it) and forgets ranges at or below that point.
   */
  advance(nxt: number): number {
    let reach = nxt;
    let drop = 0;
    while (drop < this.count && seqLeq(this.starts[drop], reach)) {
      if (seqGt(this.ends[drop], reach)) reach = this.ends[drop];
      drop++;
    }
    this.shift(drop);
    return (reach - nxt) >>> 0;
  }
}
