// Reassembly of IPv4 fragments. Datagrams are keyed by (src, dst, id, protocol). Fragments are
// kept as received buffers in offset order; when the pieces cover 0…end with the last fragment
// seen, one buffer is built and the fragments are freed.
//
// Overlaps: an exact duplicate of a piece already held is dropped alone; any other overlap
// discards the whole datagram (as Linux does since CVE-2018-5391; RFC 5722 for IPv6), so
// overlapping-fragment tricks can never change what gets delivered.
// Limits: `maxfragpackets` datagrams and `maxfragbytes` of buffers in total (oldest datagram
// dropped first), 65535 bytes per datagram, `fragttl` seconds to complete.
import {
  IP_MAXPACKET,
  IP_MF,
  IP_OFFMASK,
  ipFillCksum,
  ipHlen,
  ipId,
  ipOffWord,
  ipProto,
  setIpOffWord,
  setIpTotalLen,
} from "../wire/ipv4.ts";
import { ICMP_TIMXCEED, ICMP_TIMXCEED_REASS } from "../wire/icmp.ts";
import { pbufFree, type Pbuf } from "./pbuf.ts";
import type { Stack } from "./stack.ts";
import type { NetTimer } from "./timers.ts";

interface Frag {
  start: number;
  end: number;
  hlen: number;
  pb: Pbuf;
}

interface ReassQueue {
  readonly key: string;
  readonly frags: Frag[];
  /** Datagram payload length, known once the last fragment (MF clear) arrived; -1 before. */
  total: number;
  /** Buffer bytes held (what the memory limit counts). */
  bytes: number;
  readonly expires: number;
}

export class Reassembly {
  private readonly stack: Stack;
  /** Insertion order = age order (Map iteration), so the oldest datagram is the first key. */
  private readonly queues = new Map<string, ReassQueue>();
  private bytesHeld = 0;

  /** Fires at the earliest `expires` of the datagrams held. */
  private readonly timer: NetTimer;

  constructor(stack: Stack) {
    this.stack = stack;
    this.timer = stack.timers.create("ip-reass", () => this.tick(stack.clock.now()));
  }

  get datagrams(): number {
    return this.queues.size;
  }

  get bytes(): number {
    return this.bytesHeld;
  }

  /**
   * Takes a fragment (`pb.off` at its IP header, `pb.len` = its total length). Returns the whole
   * datagram when this fragment completes it, else null. Always owns `pb`.
   */
  input(pb: Pbuf): Pbuf | null {
    const st = this.stack.stats.ip;
    const cfg = this.stack.config;
    const b = pb.bytes;
    const off = pb.off;
    const hlen = ipHlen(b, off);
    const offWord = ipOffWord(b, off);
    const start = (offWord & IP_OFFMASK) << 3;
    const end = start + pb.len - hlen;
    const more = (offWord & IP_MF) !== 0;
    if (end === start || (more && (end - start) % 8 !== 0)) {
      st.fragdropped++;
      pbufFree(pb);
      return null;
    }
    const v = pb.view;
    const key = `${v.getUint32(off + 12)}>${v.getUint32(off + 16)}#${ipId(b, off)}/${ipProto(b, off)}`;
    if (end + hlen > IP_MAXPACKET) {
      st.toolong++;
      st.fragdropped++;
      pbufFree(pb);
      const q = this.queues.get(key);
      if (q !== undefined) this.discard(q);
      return null;
    }
    let q = this.queues.get(key);
    if (q === undefined) {
      if (cfg.maxfragpackets <= 0) {
        st.fragdropped++;
        pbufFree(pb);
        return null;
      }
      while (this.queues.size >= cfg.maxfragpackets) this.discard(this.oldest());
      q = { key, frags: [], total: -1, bytes: 0, expires: this.stack.clock.now() + cfg.fragttl * 1000 };
      this.queues.set(key, q);
      if (!this.timer.armed || q.expires < this.timer.deadline) this.timer.armAt(q.expires);
    }
    // Consistency of the end: the last fragment fixes the length; nothing may lie beyond it.
    if (!more) {
      if ((q.total >= 0 && q.total !== end) || (q.frags.length && q.frags[q.frags.length - 1].end > end)) {
        st.fragdropped++;
        pbufFree(pb);
        this.discard(q);
        return null;
      }
      q.total = end;
    } else if (q.total >= 0 && end > q.total) {
      st.fragdropped++;
      pbufFree(pb);
      this.discard(q);
      return null;
    }
    // Find the insertion point and check both neighbours for overlap.
    const frags = q.frags;
    let i = 0;
    while (i < frags.length && frags[i].start < start) i++;
    const dup = i < frags.length && frags[i].start === start && frags[i].end === end;
    if (dup) {
      st.fragdropped++;
      pbufFree(pb);
      return null;
    }
    if ((i > 0 && frags[i - 1].end > start) || (i < frags.length && frags[i].start < end)) {
      st.fragdropped++;
      pbufFree(pb);
      this.discard(q);
      return null;
    }
    frags.splice(i, 0, { start, end, hlen, pb });
    const cost = pb.bytes.length;
    q.bytes += cost;
    this.bytesHeld += cost;
    while (this.bytesHeld > cfg.maxfragbytes && this.queues.size > 0) {
      const victim = this.oldest();
      this.discard(victim);
      if (victim === q) return null;
    }
    if (q.total < 0 || frags[0].start !== 0) return null;
    let reach = 0;
    for (const f of frags) {
      if (f.start !== reach) return null;
      reach = f.end;
    }
    if (reach !== q.total) return null;
    return this.build(q);
  }

  private build(q: ReassQueue): Pbuf | null {
    const first = q.frags[0];
    const size = first.hlen + q.total;
    const out = this.stack.pool.allocSize(size);
    this.remove(q);
    if (out === null) {
      this.stack.stats.ip.fragdropped += q.frags.length;
      for (const f of q.frags) pbufFree(f.pb);
      return null;
    }
    const ob = out.bytes;
    ob.set(first.pb.bytes.subarray(first.pb.off, first.pb.off + first.hlen), out.off);
    for (const f of q.frags) {
      const src = f.pb.off + f.hlen;
      ob.set(f.pb.bytes.subarray(src, src + f.end - f.start), out.off + first.hlen + f.start);
    }
    out.len = size;
    out.rcvif = first.pb.rcvif;
    out.flags = first.pb.flags;
    setIpTotalLen(ob, out.off, size);
    setIpOffWord(ob, out.off, 0);
    ipFillCksum(ob, out.off, first.hlen);
    for (const f of q.frags) pbufFree(f.pb);
    this.stack.stats.ip.reassembled++;
    return out;
  }

  private oldest(): ReassQueue {
    return this.queues.values().next().value as ReassQueue;
  }

  private remove(q: ReassQueue): void {
    this.queues.delete(q.key);
    this.bytesHeld -= q.bytes;
  }

  /** Drops a whole datagram (limits, overlap), counting each held fragment. */
  private discard(q: ReassQueue): void {
    this.remove(q);
    this.stack.stats.ip.fragdropped += q.frags.length;
    for (const f of q.frags) pbufFree(f.pb);
  }

  /** Expires datagrams past `fragttl`, then re-arms for the next one; true while any is pending. */
  tick(now: number): boolean {
    let next = Infinity;
    for (const q of [...this.queues.values()]) {
      if (now < q.expires) {
        next = Math.min(next, q.expires);
        continue;
      }
      this.remove(q);
      this.stack.stats.ip.fragtimeout += q.frags.length;
      // RFC 792: tell the sender, when we hold the first fragment (it carries the header to quote).
      const first = q.frags[0];
      if (first !== undefined && first.start === 0)
        this.stack.icmp.error(first.pb, ICMP_TIMXCEED, ICMP_TIMXCEED_REASS, 0);
      for (const f of q.frags) pbufFree(f.pb);
    }
    if (next !== Infinity) this.timer.armAt(next);
    else this.timer.cancel();
    return this.queues.size > 0;
  }

  /** Frees everything (stack shutdown). */
  clear(): void {
    this.timer.cancel();
    for (const q of [...this.queues.values()]) {
      this.remove(q);
      for (const f of q.frags) pbufFree(f.pb);
    }
  }
}
