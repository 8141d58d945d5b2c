// RST and SYN in synchronized states, ACK range and the challenge-ACK throttle (RFC 5961) —
// tcp-and-sockets.md §3 rows 13–17.
import { describe, expect, it } from "vitest";
import { ERRNO } from "../../../../firmware/kernel/errno.ts";
import {
  TCPS_CLOSE_WAIT,
  TCPS_CLOSED,
  TCPS_ESTABLISHED,
  TCPS_FIN_WAIT_1,
  TCPS_LAST_ACK,
} from "../../../../firmware/net/tcp/state.ts";
import { tcpClose, tcpSend, tcpShutdown } from "../../../../firmware/net/tcp/usrreq.ts";
import { TH_ACK, TH_FIN, TH_RST, TH_SYN } from "../../../../firmware/net/wire/tcp.ts";
import { Harness, LOCAL, REMOTE } from "./harness.ts";

describe("RST, SYN and ACK checks (RFC 5961)", () => {
  it("13: RST at NXT → CLOSED, ECONNRESET, nothing sent; in window ≠ NXT → challenge ACK; outside → silent", () => {
    const h = new Harness();
    const t = h.connect();
    h.inject({ seq: 1500, flags: TH_RST });
    expect(h.take()).toMatchObject([{ flags: TH_ACK, seq: t.sndNxt, ack: 1001 }]);
    h.inject({ seq: 1001 + 100_000, flags: TH_RST });
    expect(h.take()).toEqual([]);
    expect(t.state).toBe(TCPS_ESTABLISHED);
    h.inject({ seq: 1001, flags: TH_RST });
    expect(h.take()).toEqual([]);
    expect([t.state, t.error]).toEqual([TCPS_CLOSED, ERRNO.ECONNRESET]);
  });

  it("14: RST in other states: SYN-RECEIVED frees the entry, listener intact; FIN-WAIT-1 and CLOSE-WAIT → ECONNRESET; LAST-ACK and TIME-WAIT quietly", () => {
    const h = new Harness({ syncookies: 0 });
    h.engine.listen(0, 80, 4);
    h.inject({ seq: 100, flags: TH_SYN });
    h.take();
    h.inject({ seq: 101, flags: TH_RST });
    expect(h.engine.syncache.count).toBe(0);
    h.inject({ seq: 100, flags: TH_SYN });
    expect(h.take()).toHaveLength(1);

    const a = new Harness();
    const ta = a.connect();
    tcpShutdown(ta);
    expect(ta.state).toBe(TCPS_FIN_WAIT_1);
    a.inject({ seq: 1001, flags: TH_RST });
    expect(ta.error).toBe(ERRNO.ECONNRESET);

    const b = new Harness();
    const tb = b.connect();
    b.inject({ seq: 1001, ack: tb.sndNxt, flags: TH_ACK | TH_FIN });
    expect(tb.state).toBe(TCPS_CLOSE_WAIT);
    b.inject({ seq: 1002, flags: TH_RST });
    expect(tb.error).toBe(ERRNO.ECONNRESET);

    const c = new Harness();
    const tc = c.connect();
    c.inject({ seq: 1001, ack: tc.sndNxt, flags: TH_ACK | TH_FIN });
    tcpClose(tc);
    expect(tc.state).toBe(TCPS_LAST_ACK);
    c.inject({ seq: 1002, flags: TH_RST });
    expect([tc.state, tc.error]).toEqual([TCPS_CLOSED, 0]);

    const d = new Harness();
    const td = d.connect();
    tcpShutdown(td);
    d.inject({ seq: 1001, ack: td.sndNxt, flags: TH_ACK | TH_FIN });
    expect(d.engine.tupleInUse(LOCAL, 50_000, REMOTE, 80)).toBe(true);
    d.inject({ seq: 1002, flags: TH_RST });
    expect(d.engine.tupleInUse(LOCAL, 50_000, REMOTE, 80)).toBe(false);
  });

  it("15: a SYN on a synchronized connection → challenge ACK, no reset", () => {
    const h = new Harness();
    const t = h.connect();
    h.inject({ seq: 1001, flags: TH_SYN });
    expect(h.take()).toMatchObject([{ flags: TH_ACK, seq: t.sndNxt, ack: 1001 }]);
    expect(t.state).toBe(TCPS_ESTABLISHED);
  });

  it("16: SEG.ACK > SND.NXT → ACK, dropped; SEG.ACK < SND.UNA − MAX.SND.WND → ACK, dropped", () => {
    const h = new Harness();
    const t = h.connect();
    h.inject({ seq: 1001, ack: t.sndNxt + 10, flags: TH_ACK, data: 10 });
    expect(h.take()).toMatchObject([{ flags: TH_ACK, ack: 1001 }]);
    expect(t.rcvBuf.length).toBe(0);
    tcpSend(t, new Uint8Array(100), 0, 100);
    h.inject({ seq: 1001, ack: t.sndNxt, flags: TH_ACK });
    h.take();
    h.inject({ seq: 1001, ack: t.sndUna - 70_000, flags: TH_ACK, data: 10 });
    expect(h.take()).toMatchObject([{ flags: TH_ACK, ack: 1001 }]);
    expect(t.rcvBuf.length).toBe(0);
  });

  it("17: challenge ACKs are throttled per connection (configured count per second)", () => {
    const h = new Harness({ challengeAckLimit: 3 });
    const t = h.connect();
    for (let i = 0; i < 10; i++) h.inject({ seq: 1001, flags: TH_SYN });
    expect(h.take()).toHaveLength(3);
    h.advance(1000);
    h.inject({ seq: 1001, flags: TH_SYN });
    expect(h.take()).toHaveLength(1);
    expect(t.state).toBe(TCPS_ESTABLISHED);
  });
});
