// The sending side — tcp-and-sockets.md §3 rows 27–34, 36, 38: RTT and RTO backoff, SYN
// timeouts, dupacks, limited transmit, NewReno and SACK recovery, persist, Nagle, keepalive.
import { describe, expect, it } from "vitest";
import { ERRNO } from "../../../../firmware/kernel/errno.ts";
import { TCPS_CLOSED, TCPS_ESTABLISHED } from "../../../../firmware/net/tcp/state.ts";
import { TCP_NODELAY, tcpSend, tcpSetKeepalive, tcpSetOption } from "../../../../firmware/net/tcp/usrreq.ts";
import { TT_REXMT } from "../../../../firmware/net/tcp/timers.ts";
import { TH_ACK, TH_PUSH, TH_RST, TH_SYN } from "../../../../firmware/net/wire/tcp.ts";
import { Harness, LOCAL, REMOTE } from "./harness.ts";

const MSS = 1460;

function send(t: Parameters<typeof tcpSend>[0], n: number): void {
  expect(tcpSend(t, new Uint8Array(n).fill(0x42), 0, n)).toBe(n);
}

describe("sending", () => {
  it("27: RTT: the first sample R gives SRTT=R, RTTVAR=R/2, RTO=SRTT+4·RTTVAR; no sample from a retransmission", () => {
    const h = new Harness({ rtoMinMs: 200 });
    h.lport = 50_000;
    h.rport = 80;
    const t = h.engine.connect(LOCAL, 50_000, REMOTE, 80, null);
    h.take();
    h.advance(100);
    h.inject({ seq: 1000, ack: t.iss + 1, flags: TH_SYN | TH_ACK, mss: MSS });
    expect([t.rtt.srtt, t.rtt.rttvar, t.rtt.rto]).toEqual([100, 50, 300]);
    h.take();
    send(t, 100);
    h.advance(300);
    expect(h.take().map((s) => s.seq)).toEqual([t.iss + 1, t.iss + 1]);
    h.advance(50);
    h.inject({ seq: 1001, ack: t.iss + 101, flags: TH_ACK });
    expect(t.rtt.srtt).toBe(100);
  });

  it("28: RTO backoff: resends at 1, 3, 7, 15 s; after the retry limit ETIMEDOUT and a RST", () => {
    const h = new Harness({ rtoMinMs: 1000, rexmtLimit: 4 });
    const t = h.connect();
    send(t, 100);
    h.take();
    const at: number[] = [];
    for (let i = 0; i < 400; i++) {
      h.advance(100);
      for (const s of h.take()) at.push(s.flags & TH_RST ? -h.now : h.now);
    }
    expect(at).toEqual([1000, 3000, 7000, 15_000, -31_000]);
    expect([t.state, t.error]).toEqual([TCPS_CLOSED, ERRNO.ETIMEDOUT]);
  });

  it("29: an unanswered SYN is resent with backoff; after a SYN timeout data starts with RTO 3 s", () => {
    const h = new Harness();
    h.lport = 50_000;
    h.rport = 80;
    const t = h.engine.connect(LOCAL, 50_000, REMOTE, 80, null);
    h.take();
    const at: number[] = [];
    for (let i = 0; i < 75; i++) {
      h.advance(100);
      for (const s of h.take()) if (s.flags === TH_SYN) at.push(h.now);
    }
    expect(at).toEqual([1000, 3000, 7000]);
    h.inject({ seq: 1000, ack: t.iss + 1, flags: TH_SYN | TH_ACK, mss: MSS });
    expect(t.state).toBe(TCPS_ESTABLISHED);
    expect(t.rtt.current()).toBe(3000);
    const h2 = new Harness({ synRetries: 2 });
    h2.lport = 50_000;
    h2.rport = 80;
    const t2 = h2.engine.connect(LOCAL, 50_000, REMOTE, 80, null);
    h2.advance(10_000);
    expect([t2.state, t2.error]).toEqual([TCPS_CLOSED, ERRNO.ETIMEDOUT]);
  });

  it("30: three duplicate ACKs → fast retransmit; an ACK that changes the window is not a dupack", () => {
    const h = new Harness({ congctl: "newreno" });
    const t = h.connect();
    send(t, 5 * MSS);
    expect(h.take()).toHaveLength(5);
    h.inject({ seq: 1001, ack: t.iss + 1, flags: TH_ACK, win: 60_000 });
    expect(t.dupAcks).toBe(0);
    h.inject({ seq: 1001, ack: t.iss + 1, flags: TH_ACK, win: 60_000 });
    h.inject({ seq: 1001, ack: t.iss + 1, flags: TH_ACK, win: 60_000 });
    expect(h.take()).toEqual([]);
    h.inject({ seq: 1001, ack: t.iss + 1, flags: TH_ACK, win: 60_000 });
    expect(h.take()).toMatchObject([{ seq: t.iss + 1, data: { length: MSS } }]);
    expect(t.inRecovery).toBe(true);
  });

  it("31: limited transmit: the 1st and 2nd dupack each release one new segment", () => {
    const h = new Harness({ congctl: "newreno" });
    const t = h.connect();
    send(t, 12 * MSS);
    expect(h.take()).toHaveLength(10);
    h.inject({ seq: 1001, ack: t.iss + 1, flags: TH_ACK });
    expect(h.take()).toMatchObject([{ seq: t.iss + 1 + 10 * MSS }]);
    h.inject({ seq: 1001, ack: t.iss + 1, flags: TH_ACK });
    expect(h.take()).toMatchObject([{ seq: t.iss + 1 + 11 * MSS }]);
  });

  it("31b: a segment the interface refuses (ENOBUFS) is not sent: SND.NXT backs out, the next ACK sends it as new data, no retransmission or recovery", () => {
    const h = new Harness();
    const t = h.connect();
    // The window allows 10 segments; the 4th is refused and ends the round.
    h.refuseSeqs.push(t.iss + 1 + 3 * MSS);
    send(t, 12 * MSS);
    const first = h.take();
    expect(first.map((s) => s.seq)).toEqual([0, 1, 2].map((i) => t.iss + 1 + i * MSS));
    expect(t.sndNxt).toBe(t.iss + 1 + 3 * MSS);
    expect(t.sndMax).toBe(t.iss + 1 + 3 * MSS);
    expect(h.engine.stats.selfquench).toBe(1);
    expect(t.deadlines[TT_REXMT]).toBeGreaterThan(0);
    h.inject({ seq: 1001, ack: t.iss + 1 + 2 * MSS, flags: TH_ACK });
    const next = h.take();
    expect(next[0]).toMatchObject({ seq: t.iss + 1 + 3 * MSS });
    expect(next[0].data.length).toBe(MSS);
    expect(next.length).toBeGreaterThan(2);
    expect(h.engine.stats.sndrexmitpack).toBe(0);
    expect(h.engine.stats.sndpack).toBe(3 + next.length);
    expect(t.inRecovery).toBe(false);
  });

  it("32: NewReno partial ACK → the next hole at once, still in recovery; ACK ≥ recover → exit", () => {
    const h = new Harness({ congctl: "newreno" });
    const t = h.connect();
    send(t, 10 * MSS);
    h.take();
    for (let i = 0; i < 3; i++) h.inject({ seq: 1001, ack: t.iss + 1, flags: TH_ACK });
    h.take();
    const recover = t.recover;
    h.inject({ seq: 1001, ack: t.iss + 1 + 3 * MSS, flags: TH_ACK });
    expect(h.take()[0]).toMatchObject({ seq: t.iss + 1 + 3 * MSS });
    expect(t.inRecovery).toBe(true);
    h.inject({ seq: 1001, ack: recover, flags: TH_ACK });
    expect(t.inRecovery).toBe(false);
    expect(t.cc.cwnd).toBeLessThanOrEqual(t.cc.ssthresh);
  });

  it("33: SACK recovery before 3 dupacks when > 2·SMSS is SACKed; only holes resent; pipe as computed by hand", () => {
    const h = new Harness({ congctl: "newreno" });
    const t = h.connect({ sackPerm: true });
    send(t, 10 * MSS);
    h.take();
    const una = t.iss + 1;
    h.inject({ seq: 1001, ack: una, flags: TH_ACK, sack: [[una + MSS, una + 4 * MSS]] });
    expect(t.inRecovery).toBe(true);
    expect(h.take()).toMatchObject([{ seq: una, data: { length: MSS } }]);
    // ssthresh = cwnd = 7300; pipe = seg 1 resent (1460) + segs 5–10 not lost (8760).
    expect(t.cc.cwnd).toBe(7300);
    expect(t.scoreboard.pipe(t.sndUna, t.sndMax, t.highRxt, t.smss)).toBe(10_220);
    h.inject({ seq: 1001, ack: una, flags: TH_ACK, sack: [[una + MSS, una + 9 * MSS]] });
    // Holes: none lost above HighRxt; no new data; rule 4 rescues the highest un-SACKed segment.
    expect(h.take().map((s) => (s.seq - una) / MSS)).toEqual([9]);
    h.inject({ seq: 1001, ack: una + 10 * MSS, flags: TH_ACK });
    expect(t.inRecovery).toBe(false);
    expect(h.engine.stats.sackrecovery).toBe(1);
  });

  it("33b: Eifel (RFC 3522/4015): an ACK echoing the original's timestamp undoes the window reduction; one echoing the retransmission's does not", () => {
    for (const spurious of [true, false]) {
      const h = new Harness();
      const t = h.connect({ sackPerm: true, ts: true });
      send(t, 10 * MSS);
      const origTs = h.take()[0].ts![0];
      h.advance(50);
      const cwnd = t.cc.cwnd;
      const una = t.iss + 1;
      h.inject({
        seq: 1001,
        ack: una,
        flags: TH_ACK,
        sack: [[una + MSS, una + 4 * MSS]],
        ts: [5001, origTs],
      });
      const rxt = h.take()[0];
      expect(rxt).toMatchObject({ seq: una });
      expect(rxt.ts![0]).toBeGreaterThan(origTs);
      expect(t.cc.cwnd).toBeLessThan(cwnd);
      h.advance(20);
      const echo = spurious ? origTs : rxt.ts![0];
      h.inject({ seq: 1001, ack: una + 4 * MSS, flags: TH_ACK, ts: [5002, echo] });
      expect(h.engine.stats.sndrexmitbad).toBe(spurious ? 1 : 0);
      if (spurious) expect(t.cc.cwnd).toBeGreaterThanOrEqual(cwnd);
      else expect(t.cc.cwnd).toBeLessThan(cwnd);
      h.inject({ seq: 1001, ack: t.sndMax, flags: TH_ACK, ts: [5003, echo] });
      expect(t.inRecovery).toBe(false);
      if (spurious) expect(t.cc.cwnd).toBeGreaterThanOrEqual(cwnd);
    }
  });

  it("33c: a lost retransmission (data sent after it SACKed, the hole not) is sent again before the RTO", () => {
    const h = new Harness({ congctl: "newreno" });
    const t = h.connect({ sackPerm: true });
    send(t, 20 * MSS);
    expect(h.take()).toHaveLength(10);
    const una = t.iss + 1;
    h.inject({ seq: 1001, ack: una, flags: TH_ACK, sack: [[una + MSS, una + 4 * MSS]] });
    expect(h.take().map((s) => (s.seq - una) / MSS)).toEqual([0]);
    // Everything but the hole arrived: recovery sends new data (segments 10 …).
    h.inject({ seq: 1001, ack: una, flags: TH_ACK, sack: [[una + MSS, una + 10 * MSS]] });
    const fresh = h.take().map((s) => (s.seq - una) / MSS);
    expect(fresh.length).toBeGreaterThanOrEqual(3);
    expect(fresh.slice(0, 3)).toEqual([10, 11, 12]);
    expect(h.engine.stats.lostrexmt).toBe(0);
    // Three of those are SACKed, the hole still is not: its retransmission was lost.
    h.inject({ seq: 1001, ack: una, flags: TH_ACK, sack: [[una + MSS, una + 13 * MSS]] });
    expect(h.take().map((s) => (s.seq - una) / MSS)).toContain(0);
    expect(h.engine.stats.lostrexmt).toBe(1);
    expect(h.engine.stats.rexmttimeo).toBe(0);
    // Judged once per retransmission: the next SACK alone does not resend it again.
    h.inject({ seq: 1001, ack: una, flags: TH_ACK, sack: [[una + MSS, una + 13 * MSS]] });
    expect(h.take().map((s) => (s.seq - una) / MSS)).not.toContain(0);
    h.inject({ seq: 1001, ack: t.sndMax, flags: TH_ACK });
    expect(t.inRecovery).toBe(false);
  });

  it("34: zero window: nothing sent; persist probes 1 byte with backoff; answered probes never time out; window opens → data", () => {
    const h = new Harness({ rexmtLimit: 3 });
    const t = h.connect({ win: 0 });
    send(t, 100);
    expect(h.take()).toEqual([]);
    const probes: number[] = [];
    for (let i = 0; i < 600; i++) {
      h.advance(1000);
      for (const s of h.take()) {
        probes.push(h.now);
        expect(s).toMatchObject({ seq: t.iss + 1, data: { length: 1 } });
        h.inject({ seq: 1001, ack: t.iss + 1, flags: TH_ACK, win: 0 });
      }
    }
    expect(probes.length).toBeGreaterThan(10);
    expect(probes[1] - probes[0]).toBeLessThanOrEqual(probes.at(-1)! - probes.at(-2)!);
    expect(t.state).toBe(TCPS_ESTABLISHED);
    h.inject({ seq: 1001, ack: t.iss + 1, flags: TH_ACK, win: 65_535 });
    expect(h.take()).toMatchObject([{ seq: t.iss + 1, data: { length: 100 } }]);
  });

  it("36: Nagle holds a small segment while one is unacknowledged; TCP_NODELAY sends it", () => {
    const h = new Harness();
    const t = h.connect();
    send(t, 10);
    expect(h.take()).toHaveLength(1);
    send(t, 10);
    expect(h.take()).toEqual([]);
    h.inject({ seq: 1001, ack: t.iss + 11, flags: TH_ACK });
    expect(h.take()).toMatchObject([{ seq: t.iss + 11, flags: TH_ACK | TH_PUSH, data: { length: 10 } }]);
    tcpSetOption(t, TCP_NODELAY, 1);
    send(t, 10);
    expect(h.take()).toHaveLength(1);
  });

  it("38: keepalive: idle past keep-idle → ACK seq=SND.UNA−1; a reply resets; N silent probes → ETIMEDOUT", () => {
    const h = new Harness({ keepIdleMs: 10_000, keepIntvlMs: 1000, keepCnt: 3 });
    const t = h.connect();
    tcpSetKeepalive(t, true);
    h.advance(10_000);
    expect(h.take()).toMatchObject([{ flags: TH_ACK, seq: t.sndUna - 1, ack: 1001 }]);
    h.inject({ seq: 1001, ack: t.sndUna, flags: TH_ACK });
    h.advance(9_999);
    expect(h.take()).toEqual([]);
    h.advance(1);
    expect(h.take()).toHaveLength(1);
    h.advance(2000);
    expect(h.take()).toHaveLength(2);
    h.advance(1000);
    expect(h.take()).toMatchObject([{ flags: TH_RST | TH_ACK }]);
    expect([t.state, t.error]).toEqual([TCPS_CLOSED, ERRNO.ETIMEDOUT]);
  });
});
