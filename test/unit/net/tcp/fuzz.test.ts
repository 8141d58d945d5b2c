// Random and mutated segments at a listener and at established connections (a million in CI),
// checking after every one that sequence space and buffers stay consistent and that every
// segment we emit parses. Seeded: a failure replays from the seed and iteration printed.
import { describe, expect, it } from "vitest";
import { TcpOptions } from "../../../../firmware/net/tcp/options.ts";
import { fillTcpChecksum, writeTcpHeader } from "../../../../firmware/net/tcp/segment.ts";
import { seqGeq, seqGt, seqLeq, seqLt } from "../../../../firmware/net/tcp/seq.ts";
import type { Tcb } from "../../../../firmware/net/tcp/tcb.ts";
import { tcpRead, tcpSend } from "../../../../firmware/net/tcp/usrreq.ts";
import { fuzzIterations, xorshift32 } from "../../../helpers/fuzz.ts";
import { Harness, LOCAL, REMOTE } from "./harness.ts";

const ITER = fuzzIterations(100_000, 1_000_000);

function invariants(t: Tcb): string | null {
  if (!seqLeq(t.sndUna, t.sndNxt)) return "SND.UNA > SND.NXT";
  if (!seqLeq(t.sndNxt, t.sndMax)) return "SND.NXT > SND.MAX";
  if ((t.sndMax - t.sndUna) >>> 0 > t.sndBuf.length + 2) return "more in flight than queued";
  if (t.rcvBuf.length > t.rcvBuf.capacity || t.sndBuf.length > t.sndBuf.capacity) return "ring overflow";
  const r = t.reass;
  for (let i = 0; i < r.count; i++) {
    if (!seqGt(r.starts[i], t.rcvNxt) || !seqLt(r.starts[i], r.ends[i])) return "bad reassembly range";
    if ((r.ends[i] - t.rcvNxt) >>> 0 > t.rcvBuf.capacity - t.rcvBuf.length) return "reassembly past the ring";
    if (i > 0 && !seqGt(r.starts[i], r.ends[i - 1])) return "reassembly ranges unsorted or touching";
  }
  if (t.cc.cwnd < 1 || !Number.isFinite(t.cc.cwnd)) return `cwnd ${t.cc.cwnd}`;
  if (!seqGeq(t.rcvAdv, t.rcvNxt) && t.state >= 4) return "advertised edge behind RCV.NXT";
  return null;
}

describe("TCP fuzz", () => {
  it(`survives ${ITER} random and mutated segments with invariants intact`, () => {
    const r = xorshift32(0x7c9);
    const h = new Harness({
      recvspace: 16_384,
      sendspace: 16_384,
      syncacheBuckets: 7,
      syncacheBucketLimit: 5,
    });
    const l = h.engine.listen(0, 80, 8);
    const frame = new Uint8Array(2000);
    const o = new TcpOptions();
    const sink = new Uint8Array(20_000);
    const conns: Tcb[] = [];
    const fresh = () => {
      const k = conns.length;
      h.rport = 80;
      h.lport = 50_000 + (k % 1000);
      const t = h.engine.connect(LOCAL, h.lport, REMOTE, 80, null);
      h.take();
      h.inject({ seq: 1000, ack: t.iss + 1, flags: 0x12, mss: 536, sackPerm: true, wscale: 2, ts: [1, 0] });
      conns.push(t);
      return t;
    };
    let t = fresh();
    for (let i = 0; i < ITER; i++) {
      if (t.state === 0 || t.state === 10 || r() % 5000 === 0) t = fresh();
      const toListener = r() % 4 === 0;
      const base = toListener ? r() : t.rcvNxt + ((r() % 40_000) - 20_000);
      const ackBase = toListener ? r() : t.sndUna + ((r() % 40_000) - 20_000);
      o.reset();
      const ob = r();
      if (ob & 1) o.mss = r() & 0xffff;
      if (ob & 2) o.wscale = r() % 20;
      if (ob & 4) o.sackPerm = true;
      if (ob & 8) {
        o.hasTs = true;
        o.tsVal = ob & 16 ? r() : 1 + (i >>> 4);
        o.tsEcr = r();
      }
      if (ob & 32) {
        o.sackCount = 1 + (r() % 3);
        for (let k = 0; k < o.sackCount * 2; k++) o.sack[k] = t.sndUna + (r() % 20_000);
        if (o.hasTs) o.sackCount = Math.min(o.sackCount, 2);
      }
      const flags = r() & 0x3f;
      const dlen = r() % 3 === 0 ? 0 : r() % 1400;
      const sport = toListener ? 1024 + (r() % 200) : 80;
      const dport = toListener ? 80 : t.lport;
      const hlen = writeTcpHeader(frame, 0, sport, dport, base >>> 0, ackBase >>> 0, flags, r() & 0xffff, o);
      for (let k = 0; k < dlen; k++) frame[hlen + k] = k;
      let len = hlen + dlen;
      fillTcpChecksum(frame, 0, len, REMOTE, LOCAL);
      if (r() % 8 === 0) {
        // Mutate raw bytes (some keep a valid checksum, most do not).
        const n = 1 + (r() % 4);
        for (let k = 0; k < n; k++) frame[r() % len] ^= 1 << (r() % 8);
        if (r() % 2 === 0) fillTcpChecksum(frame, 0, len, REMOTE, LOCAL);
        if (r() % 4 === 0) len = r() % (len + 1);
      }
      h.engine.input(REMOTE, LOCAL, frame, 0, len);
      if (r() % 16 === 0) tcpSend(t, sink, 0, r() % 3000);
      if (r() % 8 === 0) tcpRead(t, sink, 0, r() % 9000);
      if (r() % 64 === 0) h.advance(r() % 3000);
      h.out.length = 0;
      const bad = invariants(t);
      if (bad !== null) throw new Error(`iteration ${i}: ${bad}`);
      if (h.engine.syncache.count > 35) throw new Error(`iteration ${i}: SYN cache unbounded`);
      if (l.queue.length > 8) throw new Error(`iteration ${i}: accept queue over backlog`);
    }
    const st = h.engine.stats;
    expect(st.rcvtotal).toBeGreaterThanOrEqual(ITER);
    // The corpus reaches the interesting paths, not only the checksum check.
    expect(
      Math.min(st.rcvpack, st.rcvoopack, st.rcvackpack, st.challengeack, st.sc_added, st.rcvbadsum),
    ).toBeGreaterThan(0);
  }, 600_000);
});
