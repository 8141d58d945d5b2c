// Closing — tcp-and-sockets.md §3 rows 18–20, 22, 23: half-close both ways, simultaneous close,
// TIME-WAIT (2·MSL from the sysctl, FIN retransmissions, reuse by a newer SYN), close with
// unread data and SO_LINGER 0.
import { describe, expect, it } from "vitest";
import {
  TCPS_CLOSE_WAIT,
  TCPS_CLOSED,
  TCPS_CLOSING,
  TCPS_FIN_WAIT_1,
  TCPS_FIN_WAIT_2,
  TCPS_LAST_ACK,
  TCPS_TIME_WAIT,
} from "../../../../firmware/net/tcp/state.ts";
import { TE_EOF } from "../../../../firmware/net/tcp/tcb.ts";
import { tcpClose, tcpSend, tcpSetLinger, tcpShutdown } from "../../../../firmware/net/tcp/usrreq.ts";
import { TH_ACK, TH_FIN, TH_RST, TH_SYN } from "../../../../firmware/net/wire/tcp.ts";
import { Harness, LOCAL, REMOTE } from "./harness.ts";

const FINACK = TH_FIN | TH_ACK;

describe("closing", () => {
  it("18: our half-close: FIN, FIN-WAIT-1; ACK → FIN-WAIT-2; peer data still delivered; peer FIN → ACK, TIME-WAIT", () => {
    const h = new Harness();
    const t = h.connect();
    tcpShutdown(t);
    const fin = h.take();
    expect(fin).toMatchObject([{ flags: FINACK, seq: t.iss + 1, ack: 1001 }]);
    expect(t.state).toBe(TCPS_FIN_WAIT_1);
    h.inject({ seq: 1001, ack: t.iss + 2, flags: TH_ACK });
    expect(t.state).toBe(TCPS_FIN_WAIT_2);
    h.inject({ seq: 1001, ack: t.iss + 2, flags: TH_ACK, data: 300 });
    expect(t.rcvBuf.length).toBe(300);
    h.inject({ seq: 1301, ack: t.iss + 2, flags: FINACK });
    expect(h.take().at(-1)).toMatchObject({ flags: TH_ACK, ack: 1302 });
    expect(t.state).toBe(TCPS_TIME_WAIT);
    expect(h.engine.timewait.map.size).toBe(1);
  });

  it("19: peer half-close: FIN → ACK, EOF, writes still allowed; close → FIN, LAST-ACK; ACK → CLOSED", () => {
    const h = new Harness();
    const t = h.connect();
    const events: number[] = [];
    t.onEvent = (_t, e) => events.push(e);
    h.inject({ seq: 1001, ack: t.sndNxt, flags: FINACK });
    expect(h.take()).toMatchObject([{ flags: TH_ACK, ack: 1002 }]);
    expect(events).toContain(TE_EOF);
    expect(t.state).toBe(TCPS_CLOSE_WAIT);
    expect(tcpSend(t, new Uint8Array(5), 0, 5)).toBe(5);
    expect(h.take()).toMatchObject([{ data: Buffer.alloc(5) }]);
    tcpClose(t);
    expect(h.take()).toMatchObject([{ flags: FINACK, seq: t.iss + 6 }]);
    expect(t.state).toBe(TCPS_LAST_ACK);
    h.inject({ seq: 1002, ack: t.iss + 7, flags: TH_ACK });
    expect(t.state).toBe(TCPS_CLOSED);
    expect(h.engine.conns.size + h.engine.timewait.map.size).toBe(0);
  });

  it("20: simultaneous close: a FIN not acking ours → ACK, CLOSING; the ACK → TIME-WAIT", () => {
    const h = new Harness();
    const t = h.connect();
    tcpShutdown(t);
    h.take();
    h.inject({ seq: 1001, ack: t.iss + 1, flags: FINACK });
    expect(h.take()).toMatchObject([{ flags: TH_ACK, ack: 1002 }]);
    expect(t.state).toBe(TCPS_CLOSING);
    h.inject({ seq: 1002, ack: t.iss + 2, flags: TH_ACK });
    expect(t.state).toBe(TCPS_TIME_WAIT);
  });

  it("22: TIME-WAIT: a repeated FIN → ACK and 2·MSL restarted; after 2·MSL the tuple is free; a newer SYN reopens", () => {
    const h = new Harness({ mslMs: 1000 });
    const l = h.engine.listen(0, 80, 4);
    h.inject({ seq: 100, flags: TH_SYN });
    const [sa] = h.take();
    h.inject({ seq: 101, ack: sa.seq + 1, flags: TH_ACK });
    const t = h.engine.accept(l, null)!;
    tcpClose(t);
    h.take();
    h.inject({ seq: 101, ack: sa.seq + 2, flags: FINACK });
    h.take();
    expect(t.state).toBe(TCPS_TIME_WAIT);
    h.advance(1500);
    h.inject({ seq: 101, ack: sa.seq + 2, flags: FINACK });
    expect(h.take()).toMatchObject([{ flags: TH_ACK, seq: sa.seq + 2, ack: 102 }]);
    h.advance(1999);
    expect(h.engine.tupleInUse(LOCAL, 80, REMOTE, 40_000)).toBe(true);
    h.advance(1);
    expect(h.engine.tupleInUse(LOCAL, 80, REMOTE, 40_000)).toBe(false);
    // Reuse before expiry by a SYN above RCV.NXT.
    h.inject({ seq: 500, flags: TH_SYN });
    const [sa2] = h.take();
    h.inject({ seq: 501, ack: sa2.seq + 1, flags: TH_ACK });
    const t2 = h.engine.accept(l, null)!;
    tcpClose(t2);
    h.take();
    h.inject({ seq: 501, ack: sa2.seq + 2, flags: FINACK });
    h.take();
    h.inject({ seq: 400, flags: TH_SYN });
    expect(h.take()).toMatchObject([{ flags: TH_ACK, ack: 502 }]);
    h.inject({ seq: 9000, flags: TH_SYN });
    expect(h.take()).toMatchObject([{ flags: TH_SYN | TH_ACK, ack: 9001 }]);
  });

  it("23: close() with unread data → RST, not FIN; SO_LINGER 0 → RST", () => {
    const h = new Harness();
    const t = h.connect();
    h.inject({ seq: 1001, ack: t.sndNxt, flags: TH_ACK, data: 10 });
    h.take();
    tcpClose(t);
    expect(h.take()).toMatchObject([{ flags: TH_RST | TH_ACK, seq: t.sndNxt }]);
    expect(t.state).toBe(TCPS_CLOSED);
    const h2 = new Harness();
    const t2 = h2.connect();
    tcpSetLinger(t2, true, 0);
    tcpClose(t2);
    expect(h2.take()).toMatchObject([{ flags: TH_RST | TH_ACK }]);
    expect(h2.engine.timewait.map.size).toBe(0);
  });

  it("a closed socket in FIN-WAIT-2 gives up after 2·MSL plus keepintvl", () => {
    const h = new Harness({ mslMs: 1000, keepIntvlMs: 1000 });
    const t = h.connect();
    tcpClose(t);
    h.inject({ seq: 1001, ack: t.iss + 2, flags: TH_ACK });
    expect(t.state).toBe(TCPS_FIN_WAIT_2);
    h.advance(3000);
    expect(t.state).toBe(TCPS_CLOSED);
    expect(h.engine.conns.size).toBe(0);
  });
});
