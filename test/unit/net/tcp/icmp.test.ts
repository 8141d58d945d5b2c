// ICMP errors to TCP (tcp_ctlinput; RFC 1122 §4.2.3.9, RFC 1191, RFC 5927): one error in,
// exactly this state and these segments out.
import { describe, expect, it } from "vitest";
import { ERRNO } from "../../../../firmware/kernel/errno.ts";
import { ICMP_TIMXCEED, ICMP_UNREACH, UNREACH_NEEDFRAG } from "../../../../firmware/net/tcp/ctlinput.ts";
import { TCPS_CLOSED, TCPS_ESTABLISHED } from "../../../../firmware/net/tcp/state.ts";
import type { Tcb } from "../../../../firmware/net/tcp/tcb.ts";
import { tcpSend } from "../../../../firmware/net/tcp/usrreq.ts";
import { Harness, LOCAL, REMOTE } from "./harness.ts";

function icmp(h: Harness, t: Tcb, type: number, code: number, seq: number, mtu = 0): void {
  h.engine.ctlinput(type, code, LOCAL, t.lport, REMOTE, t.fport, seq, mtu);
}

function synSent(h: Harness): Tcb {
  const t = h.engine.connect(LOCAL, 50_000, REMOTE, 80, null);
  h.take();
  return t;
}

describe("ICMP errors to TCP", () => {
  it("port unreachable for our SYN: ECONNREFUSED, nothing sent; a forged sequence is ignored", () => {
    const h = new Harness();
    const t = synSent(h);
    icmp(h, t, ICMP_UNREACH, 3, t.iss + 7);
    expect(t.state).not.toBe(TCPS_CLOSED);
    expect(h.engine.stats.icmpbadseq).toBe(1);
    icmp(h, t, ICMP_UNREACH, 3, t.iss);
    expect([t.state, t.error, h.engine.stats.icmpdrops]).toEqual([TCPS_CLOSED, ERRNO.ECONNREFUSED, 1]);
    expect(h.take()).toEqual([]);
  });

  it("host and net unreachable for our SYN: EHOSTUNREACH, ENETUNREACH", () => {
    const h = new Harness();
    const t = synSent(h);
    icmp(h, t, ICMP_UNREACH, 1, t.iss);
    expect(t.error).toBe(ERRNO.EHOSTUNREACH);
    h.lport = 50_001;
    const u = h.engine.connect(LOCAL, 50_001, REMOTE, 80, null);
    icmp(h, u, ICMP_UNREACH, 0, u.iss);
    expect(u.error).toBe(ERRNO.ENETUNREACH);
  });

  it("once synchronized, unreachables are soft: the connection stays and times out with that error", () => {
    const h = new Harness();
    const t = h.connect();
    tcpSend(t, new Uint8Array(100), 0, 100);
    h.take();
    icmp(h, t, ICMP_UNREACH, 1, t.sndUna);
    icmp(h, t, ICMP_TIMXCEED, 0, t.sndUna);
    expect(t.state).toBe(TCPS_ESTABLISHED);
    for (let i = 0; i < 100 && t.state !== TCPS_CLOSED; i++) h.advance(60_000);
    expect([t.state, t.error]).toEqual([TCPS_CLOSED, ERRNO.EHOSTUNREACH]);
  });

  it("fragmentation needed: the MSS drops to the reported MTU and what was in flight is resent in that size", () => {
    const h = new Harness();
    const t = h.connect();
    expect(t.smss).toBe(1460);
    tcpSend(t, new Uint8Array(4000), 0, 4000);
    const first = h.take();
    expect(first.map((s) => s.data.length)).toEqual([1460, 1460]); // Nagle holds the last 1080
    icmp(h, t, ICMP_UNREACH, UNREACH_NEEDFRAG, t.sndUna, 1500); // not smaller: ignored
    expect(h.take()).toEqual([]);
    icmp(h, t, ICMP_UNREACH, UNREACH_NEEDFRAG, t.sndUna + 1460, 1000);
    expect(t.smss).toBe(960);
    expect(h.engine.stats.pmtuupdates).toBe(1);
    const again = h.take();
    expect(again[0]).toMatchObject({ seq: first[0].seq });
    expect(again.map((s) => s.data.length)).toEqual([960, 960, 960, 960]);
    icmp(h, t, ICMP_UNREACH, UNREACH_NEEDFRAG, t.sndUna, 40); // below 68: not believed
    expect(t.smss).toBe(960);
  });
});
