// The pure parts: sequence arithmetic at the wrap, option parsing and writing, CUBIC and NewReno
// arithmetic, congestion-control choice (sysctl and per socket), TCP_MAXSEG, TCP_INFO, the
// out-of-order memory bound, netstat rows and sysctl validation.
import { describe, expect, it } from "vitest";
import { ERRNO } from "../../../../firmware/kernel/errno.ts";
import { Cubic } from "../../../../firmware/net/tcp/cc/cubic.ts";
import { NewReno } from "../../../../firmware/net/tcp/cc/newreno.ts";
import {
  TcpOptions,
  parseTcpOptions,
  tcpOptionsLength,
  writeTcpOptions,
} from "../../../../firmware/net/tcp/options.ts";
import { seqAdd, seqGt, seqLt, seqMax } from "../../../../firmware/net/tcp/seq.ts";
import { TCPS_ESTABLISHED, TCPS_LISTEN } from "../../../../firmware/net/tcp/state.ts";
import {
  TCP_CONGESTION,
  TCP_MAXSEG,
  tcpInfo,
  tcpSend,
  tcpSetOption,
} from "../../../../firmware/net/tcp/usrreq.ts";
import { TH_ACK } from "../../../../firmware/net/wire/tcp.ts";
import { Harness } from "./harness.ts";

describe("sequence numbers", () => {
  it("compare and add across the 2^32 wrap", () => {
    expect(seqLt(0xffff_fff0, 5)).toBe(true);
    expect(seqGt(5, 0xffff_fff0)).toBe(true);
    expect(seqAdd(0xffff_ffff, 2)).toBe(1);
    expect(seqMax(0xffff_fff0, 3)).toBe(3);
  });
});

describe("options", () => {
  it("round-trips every option and stays within 40 bytes", () => {
    const o = new TcpOptions();
    o.mss = 1460;
    o.wscale = 7;
    o.sackPerm = true;
    o.hasTs = true;
    o.tsVal = 0xdead_beef;
    o.tsEcr = 42;
    const b = new Uint8Array(40);
    const n = writeTcpOptions(b, 0, o);
    expect(n).toBe(tcpOptionsLength(o));
    expect(n % 4).toBe(0);
    const p = new TcpOptions();
    expect(parseTcpOptions(b, 0, n, p)).toBeNull();
    expect([p.mss, p.wscale, p.sackPerm, p.tsVal, p.tsEcr]).toEqual([1460, 7, true, 0xdead_beef, 42]);
    const s = new TcpOptions();
    s.hasTs = true;
    s.sackCount = 3;
    s.sack.set([1, 2, 3, 4, 5, 6]);
    expect(writeTcpOptions(b, 0, s)).toBe(40);
    expect(parseTcpOptions(b, 0, 40, p)).toBeNull();
    expect(Array.from(p.sack.subarray(0, 6))).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it("names a malformed option and its offset", () => {
    const p = new TcpOptions();
    expect(parseTcpOptions(Uint8Array.of(1, 2, 3, 0, 0), 0, 4, p)).toBe(
      "MSS option at byte 1 has length 3, not 4",
    );
    expect(parseTcpOptions(Uint8Array.of(8, 12), 0, 2, p)).toBe("option 8 at byte 0 has bad length 12");
    expect(parseTcpOptions(Uint8Array.of(5, 11, 0, 0, 0, 0, 0, 0, 0, 0, 0), 0, 11, p)).toMatch(/SACK option/);
  });
});

describe("congestion control", () => {
  it("CUBIC: cut to β = 0.7 of the flight, then W(t) = C(t−K)³ + W_max returns to W_max at K", () => {
    const smss = 1000;
    const c = new Cubic(100 * smss, 50 * smss);
    c.onCongestion(100 * smss, smss);
    expect(c.cwnd).toBe(70 * smss);
    const k = Math.cbrt((100 - 70) / 0.4); // ≈ 4.22 s
    let now = 0;
    // ACK a window per 100 ms RTT until t ≈ K.
    while (now < k * 1000) {
      c.onAck(c.cwnd, smss, now, 100);
      now += 100;
    }
    expect(c.cwnd / smss).toBeGreaterThan(95);
    expect(c.cwnd / smss).toBeLessThan(106);
    // Fast convergence: a second loss below the previous W_max lowers W_max.
    c.onCongestion(c.cwnd, smss);
    c.onRto(c.cwnd, smss);
    expect(c.cwnd).toBe(smss);
  });

  it("NewReno: slow start with ABC (≤ 2 SMSS per ACK), one SMSS per window in avoidance, halve on loss", () => {
    const n = new NewReno(4000, 8000);
    n.onAck(10_000, 1000);
    expect(n.cwnd).toBe(6000);
    n.onAck(2000, 1000);
    expect(n.cwnd).toBe(8000);
    n.onAck(8000, 1000);
    expect(n.cwnd).toBe(9000);
    n.onCongestion(9000, 1000);
    expect([n.ssthresh, n.cwnd]).toEqual([4500, 4500]);
  });

  it("CUBIC is the default; net.inet.tcp.congctl.selected and TCP_CONGESTION choose per stack and per socket", () => {
    const h = new Harness();
    expect(h.connect().cc.name).toBe("cubic");
    expect(h.engine.setSysctl("net.inet.tcp.congctl.selected", "bbr")).toBe(-ERRNO.EINVAL);
    expect(h.engine.setSysctl("net.inet.tcp.congctl.selected", "newreno")).toBe(0);
    expect(h.engine.getSysctl("net.inet.tcp.congctl.selected")).toBe("newreno");
    const h2 = new Harness({ congctl: "newreno" });
    const t = h2.connect();
    expect(t.cc.name).toBe("newreno");
    expect(tcpSetOption(t, TCP_CONGESTION, "cubic")).toBe(0);
    expect(t.cc.name).toBe("cubic");
    expect(tcpSetOption(t, TCP_CONGESTION, "vegas")).toBe(-ERRNO.ENOENT);
  });
});

describe("socket-level details", () => {
  it("TCP_MAXSEG caps the segment size; TCP_INFO reports state, MSS, windows and options", () => {
    const h = new Harness();
    const t = h.connect({ sackPerm: true });
    expect(tcpSetOption(t, TCP_MAXSEG, 1000)).toBe(0);
    expect(tcpSetOption(t, TCP_MAXSEG, 10)).toBe(-ERRNO.EINVAL);
    expect(tcpSend(t, new Uint8Array(3000), 0, 3000)).toBe(3000);
    expect(h.take().map((s) => s.data.length)).toEqual([1000, 1000, 1000]);
    const info = tcpInfo(t);
    expect(info).toMatchObject({
      state: TCPS_ESTABLISHED,
      snd_mss: 1000,
      unacked: 3000,
      options: 2,
      congctl: "cubic",
    });
  });

  it("the out-of-order queue is bounded: a segment needing a range beyond the limit is dropped but ACKed", () => {
    const h = new Harness({ reassMaxRanges: 2 });
    const t = h.connect({ sackPerm: true });
    for (const k of [1, 3, 5]) h.inject({ seq: 1001 + k * 100, ack: t.sndNxt, flags: TH_ACK, data: 50 });
    expect(h.take()).toHaveLength(3);
    expect(t.reass.count).toBe(2);
    expect(h.engine.stats.reassdrop).toBe(1);
  });

  it("netstat rows list listeners, connections and TIME-WAIT records; sysctls convert units", () => {
    const h = new Harness();
    h.engine.listen(0, 80, 5);
    h.connect();
    const states = h.engine
      .pcbs()
      .map((r) => r.state)
      .sort();
    expect(states).toEqual([TCPS_LISTEN, TCPS_ESTABLISHED].sort());
    expect(h.engine.getSysctl("net.inet.tcp.msl")).toBe(30);
    expect(h.engine.setSysctl("net.inet.tcp.msl", "2")).toBe(0);
    expect(h.engine.config.mslMs).toBe(2000);
    expect(h.engine.setSysctl("net.inet.tcp.nope", "1")).toBe(-ERRNO.ENOENT);
    expect(h.engine.setSysctl("net.inet.tcp.sack.enable", "yes")).toBe(-ERRNO.EINVAL);
  });
});
