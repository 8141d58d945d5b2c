// A bounded, sorted set of disjoint sequence ranges [start, end), merged on insert. The receiver's
// out-of-order queue and the sender's SACK scoreboard are both this.
import { seqGeq, seqLeq, seqLt, seqMax, seqMin } from "./seq.ts";

export const RANGE_REJECTED = 0;
export const RANGE_CHANGED = 1;
export const RANGE_UNCHANGED = 2;

export class SeqRanges {
  readonly starts: Uint32Array;
  readonly ends: Uint32Array;
  readonly maxRanges: number;
  count = 0;

  constructor(maxRanges: number) {
    this.maxRanges = maxRanges;
    this.starts = new Uint32Array(maxRanges);
    this.ends = new Uint32Array(maxRanges);
  }

  /** Adds [start, end): RANGE_REJECTED when it needs a slot and none is left. */
  insert(start: number, end: number): number {
    let i = 0;
    while (i < this.count && seqLt(this.ends[i], start)) i++;
    // Ranges i..j-1 touch or overlap the new one.
    let j = i;
    let s = start;
    let e = end;
    while (j < this.count && seqLeq(this.starts[j], e)) {
      s = seqMin(s, this.starts[j]);
      e = seqMax(e, this.ends[j]);
      j++;
    }
    const merged = j - i;
    if (merged === 1 && this.starts[i] === s && this.ends[i] === e) return RANGE_UNCHANGED;
    if (merged === 0) {
      if (this.count === this.maxRanges) return RANGE_REJECTED;
      this.starts.copyWithin(i + 1, i, this.count);
      this.ends.copyWithin(i + 1, i, this.count);
      this.count++;
    } else if (merged > 1) {
      this.starts.copyWithin(i + 1, j, this.count);
      this.ends.copyWithin(i + 1, j, this.count);
      this.count -= merged - 1;
    }
    this.starts[i] = s;
    this.ends[i] = e;
    return RANGE_CHANGED;
  }

  /** The index of the range containing `seq`, or −1. */
  find(seq: number): number {
    for (let i = 0; i < this.count; i++)
      if (seqGeq(seq, this.starts[i]) && seqLt(seq, this.ends[i])) return i;
    return -1;
  }

  /** Drops the first `n` ranges. */
  protected shift(n: number): void {
    if (n === 0) return;
    this.starts.copyWithin(0, n, this.count);
    this.ends.copyWithin(0, n, this.count);
    this.count -= n;
  }

  clear(): void {
    this.count = 0;
  }
}
