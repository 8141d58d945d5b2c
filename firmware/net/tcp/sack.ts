// SACK (RFC 2018, RFC 2883, RFC 6675). Receiver: which blocks to report, newest first, with a
// one-shot D-SACK. Sender: the scoreboard of SACKed ranges above SND.UNA with IsLost, SetPipe and
// the hole search NextSeg needs. Ranges are sorted, merged and bounded in number.
import type { TcpOptions } from "./options.ts";
import { RANGE_CHANGED, SeqRanges } from "./ranges.ts";
import type { Reassembly } from "./reass.ts";
import { seqGeq, seqGt, seqLeq, seqLt, seqMax, seqMin } from "./seq.ts";

/** The receiver's report: recently touched out-of-order ranges, most recent first. */
export class SackReporter {
  private readonly recent = new Uint32Array(4);
  private recentCount = 0;
  dsack = false;
  dsackStart = 0;
  dsackEnd = 0;

  /** An out-of-order segment starting at `seq` arrived: its range becomes the first block. */
  noteArrival(seq: number): void {
    let i = 0;
    while (i < this.recentCount && this.recent[i] !== seq) i++;
    if (i === this.recentCount && this.recentCount < 4) this.recentCount++;
    if (i === 4) i = 3;
    this.recent.copyWithin(1, 0, i);
    this.recent[0] = seq;
  }

  /** A duplicate [start, end) arrived: report it once as D-SACK (RFC 2883). */
  noteDuplicate(start: number, end: number): void {
    this.dsack = true;
    this.dsackStart = start;
    this.dsackEnd = end;
  }

  /** Writes up to `max` blocks into `o` from the out-of-order queue; consumes the D-SACK. */
  fill(o: TcpOptions, reass: Reassembly, max: number): void {
    let n = 0;
    if (this.dsack && max > 0) {
      o.sack[0] = this.dsackStart;
      o.sack[1] = this.dsackEnd;
      n = 1;
      this.dsack = false;
    }
    let keep = 0;
    for (let i = 0; i < this.recentCount; i++) {
      const r = reass.find(this.recent[i]);
      if (r < 0) continue;
      this.recent[keep++] = this.recent[i];
      if (n >= max) continue;
      let dup = false;
      for (let k = 0; k < n; k++)
        if (o.sack[2 * k] === reass.starts[r] && o.sack[2 * k + 1] === reass.ends[r]) dup = true;
      if (dup) continue;
      o.sack[2 * n] = reass.starts[r];
      o.sack[2 * n + 1] = reass.ends[r];
      n++;
    }
    this.recentCount = keep;
    // Older ranges not recently touched still deserve a report when room is left.
    for (let r = 0; r < reass.count && n < max; r++) {
      let dup = false;
      for (let k = 0; k < n; k++) if (o.sack[2 * k] === reass.starts[r]) dup = true;
      if (dup) continue;
      o.sack[2 * n] = reass.starts[r];
      o.sack[2 * n + 1] = reass.ends[r];
      n++;
    }
    o.sackCount = n;
  }

  clear(): void {
    this.recentCount = 0;
    this.dsack = false;
  }
}

/** The sender's scoreboard (RFC 6675 §3–4). */
export class Scoreboard extends SeqRanges {
  constructor(maxRanges = 32) {
    super(maxRanges);
  }

  /** Highest SACKed sequence (exclusive end), or `una` when nothing is SACKed. */
  highest(una: number): number {
    return this.count === 0 ? una : this.ends[this.count - 1];
  }

  /** Adds the blocks of an ACK that lie in (una, max]; returns true when something new was SACKed. */
  update(o: TcpOptions, una: number, max: number): boolean {
    let grew = false;
    for (let k = 0; k < o.sackCount; k++) {
      const s = seqMax(o.sack[2 * k], una);
      const e = seqMin(o.sack[2 * k + 1], max);
      if (!seqLt(s, e)) continue; // D-SACK below una, or nonsense
      if (this.insert(s, e) === RANGE_CHANGED) grew = true;
    }
    return grew;
  }

  /** SND.UNA moved: forget what it covers. */
  ack(una: number): void {
    let drop = 0;
    while (drop < this.count && seqLeq(this.ends[drop], una)) drop++;
    this.shift(drop);
    if (this.count > 0 && seqLt(this.starts[0], una)) this.starts[0] = una;
  }

  isSacked(seq: number): boolean {
    for (let i = 0; i < this.count; i++)
      if (seqGeq(seq, this.starts[i]) && seqLt(seq, this.ends[i])) return true;
    return false;
  }

  /** RFC 6675 IsLost: ≥ DupThresh (3) SACKed ranges above seq, or more than 2·SMSS SACKed bytes. */
  isLost(seq: number, smss: number): boolean {
    let blocks = 0;
    let bytes = 0;
    for (let i = this.count - 1; i >= 0 && seqGt(this.ends[i], seq); i--) {
      blocks++;
      bytes += (this.ends[i] - seqMax(this.starts[i], seq + 1)) >>> 0;
    }
    return blocks >= 3 || bytes > 2 * smss;
  }

  /** RFC 6675 SetPipe over [una, highData), counted in MSS-sized pieces of each hole. */
  pipe(una: number, highData: number, highRxt: number, smss: number): number {
    let pipe = 0;
    let s = una;
    let r = 0;
    while (seqLt(s, highData)) {
      while (r < this.count && seqLeq(this.ends[r], s)) r++;
      if (r < this.count && seqGeq(s, this.starts[r])) {
        s = this.ends[r];
        continue;
      }
      const holeEnd = r < this.count ? seqMin(this.starts[r], highData) : highData;
      const len = Math.min(smss, (holeEnd - s) >>> 0);
      if (!this.isLost(s, smss)) pipe += len;
      if (seqLt(s, highRxt)) pipe += Math.min(len, (highRxt - s) >>> 0);
      s = (s + len) >>> 0;
    }
    return pipe;
  }

  /**
   * NextSeg rules (1) and (3): the lowest un-SACKed sequence at or above `from` and below the
   * highest SACKed octet, requiring IsLost when `lostOnly`. −1 when none. `len` gets its length.
   */
  nextHole(from: number, lostOnly: boolean, smss: number, out: { len: number }): number {
    let s = from;
    for (let r = 0; r < this.count; r++) {
      if (seqGeq(s, this.ends[r])) continue;
      if (seqGeq(s, this.starts[r])) {
        s = this.ends[r];
        continue;
      }
      // s lies in the hole before range r.
      if (!lostOnly || this.isLost(s, smss)) {
        out.len = Math.min(smss, (this.starts[r] - s) >>> 0);
        return s;
      }
      return -1; // IsLost only weakens further up
    }
    return -1;
  }
}
