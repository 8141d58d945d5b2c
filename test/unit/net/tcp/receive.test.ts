// The receiving side — tcp-and-sockets.md §3 rows 8–12, 21, 24–26, 35, 37: duplicates and
// D-SACK, the window edges, zero windows, out-of-order data and SACK blocks, window scaling,
// timestamps and PAWS, receiver SWS avoidance and delayed ACKs.
import { describe, expect, it } from "vitest";
import { ERRNO } from "../../../../firmware/kernel/errno.ts";
import { parseTcpOptions, TcpOptions } from "../../../../firmware/net/tcp/options.ts";
import { TCPS_CLOSE_WAIT, TCPS_CLOSED, TCPS_ESTABLISHED } from "../../../../firmware/net/tcp/state.ts";
import { tcpRead, tcpSend } from "../../../../firmware/net/tcp/usrreq.ts";
import { TH_ACK, TH_FIN, TH_PUSH, TH_RST } from "../../../../firmware/net/wire/tcp.ts";
import { Harness } from "./harness.ts";

const DAY = 24 * 3600 * 1000;

describe("receiving", () => {
  it("8: an old duplicate → immediate ACK of NXT with a D-SACK block, not delivered again", () => {
    const h = new Harness();
    const t = h.connect({ sackPerm: true });
    h.inject({ seq: 1001, ack: t.sndNxt, flags: TH_ACK, data: 100 });
    h.advance(500);
    h.take();
    h.inject({ seq: 1001, ack: t.sndNxt, flags: TH_ACK, data: 100 });
    expect(h.take()).toMatchObject([{ flags: TH_ACK, ack: 1101, sack: [[1001, 1101]] }]);
    expect(t.rcvBuf.length).toBe(100);
  });

  it("9: data beyond the window → ACK, dropped", () => {
    const h = new Harness();
    const t = h.connect();
    h.inject({ seq: 1001 + 70_000, ack: t.sndNxt, flags: TH_ACK, data: 100 });
    expect(h.take()).toMatchObject([{ flags: TH_ACK, ack: 1001 }]);
    expect(t.reass.count + t.rcvBuf.length).toBe(0);
  });

  it("10: zero window: a 1-byte probe → ACK win=0, byte not queued; a bare ACK at NXT is still processed", () => {
    const h = new Harness({ recvspace: 4096 });
    const t = h.connect();
    for (const [off, n] of [
      [0, 1460],
      [1460, 1460],
      [2920, 1176],
    ])
      h.inject({ seq: 1001 + off, ack: t.sndNxt, flags: TH_ACK, data: n });
    h.take();
    expect(t.rcvBuf.free).toBe(0);
    tcpSend(t, new Uint8Array(100), 0, 100);
    const [data] = h.take();
    expect(data).toMatchObject({ ack: 5097, win: 0 });
    h.inject({ seq: 5097, ack: t.sndUna, flags: TH_ACK, data: 1 });
    expect(h.take()).toMatchObject([{ flags: TH_ACK, ack: 5097, win: 0 }]);
    expect(t.rcvBuf.length).toBe(4096);
    h.inject({ seq: 5097, ack: t.sndUna + 100, flags: TH_ACK });
    expect(t.sndUna).toBe(t.sndMax);
  });

  it("11: out of order → immediate dup ACK with SACK; the gap filler → immediate cumulative ACK", () => {
    const h = new Harness();
    const t = h.connect({ sackPerm: true });
    h.inject({ seq: 1001 + 1460, ack: t.sndNxt, flags: TH_ACK, data: 1460 });
    expect(h.take()).toMatchObject([{ ack: 1001, sack: [[2461, 3921]] }]);
    h.inject({ seq: 1001, ack: t.sndNxt, flags: TH_ACK, data: 1460 });
    expect(h.take()).toMatchObject([{ ack: 3921, sack: [] }]);
    expect(t.rcvBuf.length).toBe(2920);
  });

  it("12: SACK blocks: the newest first, older after; ≤ 3 with timestamps, ≤ 4 without", () => {
    const h = new Harness();
    const t = h.connect({ sackPerm: true });
    for (const k of [1, 3, 5]) h.inject({ seq: 1001 + k * 100, ack: t.sndNxt, flags: TH_ACK, data: 50 });
    const out = h.take();
    expect(out[2].sack).toEqual([
      [1501, 1551],
      [1301, 1351],
      [1101, 1151],
    ]);
    for (const k of [7, 9]) h.inject({ seq: 1001 + k * 100, ack: t.sndNxt, flags: TH_ACK, data: 50 });
    expect(h.take()[1].sack).toHaveLength(4);
    const h2 = new Harness();
    const t2 = h2.connect({ sackPerm: true, ts: true });
    for (const k of [1, 3, 5, 7])
      h2.inject({ seq: 1001 + k * 100, ack: t2.sndNxt, flags: TH_ACK, data: 50, ts: [5001, 0] });
    const last = h2.take()[3];
    expect(last.sack).toEqual([
      [1701, 1751],
      [1501, 1551],
      [1301, 1351],
    ]);
  });

  it("21: a FIN after a hole is ignored until the gap fills", () => {
    const h = new Harness();
    const t = h.connect();
    h.inject({ seq: 1101, ack: t.sndNxt, flags: TH_ACK | TH_FIN, data: 50 });
    expect(h.take()).toMatchObject([{ ack: 1001 }]);
    expect(t.rcvFin).toBe(false);
    h.inject({ seq: 1001, ack: t.sndNxt, flags: TH_ACK, data: 100 });
    expect(h.take()).toMatchObject([{ ack: 1151 }]);
    expect(t.state).toBe(TCPS_ESTABLISHED);
    h.inject({ seq: 1151, ack: t.sndNxt, flags: TH_ACK | TH_FIN });
    expect(h.take()).toMatchObject([{ ack: 1152 }]);
    expect(t.state).toBe(TCPS_CLOSE_WAIT);
  });

  it("24: window scale: SYN windows unscaled, later fields shifted; no WS from the peer → shift 0; > 14 → 14", () => {
    const h = new Harness({ recvspace: 1 << 20 });
    h.lport = 50_000;
    h.rport = 80;
    const t = h.engine.connect(0x0a000001, 50_000, 0x0a000002, 80, null);
    const [syn] = h.take();
    expect(syn.wscale).toBe(5);
    expect(syn.win).toBe(65_535);
    h.inject({ seq: 1000, ack: t.iss + 1, flags: TH_ACK | 0x02, wscale: 7, win: 100 });
    const [ack] = h.take();
    expect(t.sndWnd).toBe(100); // the SYN-ACK's window is not scaled
    expect(ack.win).toBe((1 << 20) >>> 5);
    h.inject({ seq: 1001, ack: t.iss + 1, flags: TH_ACK, win: 100 });
    expect(t.sndWnd).toBe(12_800);
    const h2 = new Harness({ recvspace: 1 << 20 });
    const t2 = h2.connect();
    expect(t2.rcvScale).toBe(0);
    h2.inject({ seq: 1001, ack: t2.sndNxt, flags: TH_ACK, data: 10 });
    h2.advance(500);
    expect(h2.take()[0].win).toBe(65_535);
    const o = new TcpOptions();
    parseTcpOptions(Uint8Array.of(3, 3, 20, 0), 0, 4, o);
    expect(o.wscale).toBe(14);
  });

  it("25: timestamps on every non-RST segment once agreed; TS.Recent only from a segment covering Last.ACK.sent; no TS → dropped", () => {
    const h = new Harness();
    const t = h.connect({ ts: true });
    h.inject({ seq: 1001, ack: t.sndNxt, flags: TH_ACK, data: 10, ts: [6000, 0] });
    expect(t.tsRecent).toBe(6000);
    // Out of order: SEG.SEQ > Last.ACK.sent, TS.Recent unchanged.
    h.inject({ seq: 1501, ack: t.sndNxt, flags: TH_ACK, data: 10, ts: [7000, 0] });
    expect(t.tsRecent).toBe(6000);
    const out = h.take();
    expect(out.every((s) => s.ts !== null && s.ts[1] === 6000)).toBe(true);
    h.inject({ seq: 1011, ack: t.sndNxt, flags: TH_ACK, data: 10 });
    expect(h.take()).toEqual([]);
    expect(t.rcvNxt).toBe(1011);
  });

  it("26: PAWS: an older TSval → ACK, dropped; a RST is not PAWS-checked; after 24 days idle → accepted", () => {
    const h = new Harness();
    const t = h.connect({ ts: true });
    h.inject({ seq: 1001, ack: t.sndNxt, flags: TH_ACK, data: 10, ts: [6000, 0] });
    h.advance(500);
    h.take();
    expect(t.tsRecent).toBe(6000);
    h.inject({ seq: 1011, ack: t.sndNxt, flags: TH_ACK, data: 10, ts: [5999, 0] });
    expect(h.take()).toMatchObject([{ flags: TH_ACK, ack: 1011 }]);
    expect(h.engine.stats.pawsdrop).toBe(1);
    h.advance(25 * DAY);
    h.inject({ seq: 1011, ack: t.sndNxt, flags: TH_ACK, data: 10, ts: [5999, 0] });
    expect(t.rcvNxt).toBe(1021);
    h.inject({ seq: 1021, flags: TH_RST, ts: [1, 0] });
    expect(t.state).toBe(TCPS_CLOSED);
    expect(t.error).toBe(ERRNO.ECONNRESET);
  });

  it("35: receiver SWS: reading 100 B of a full buffer sends no update; reading ≥ min(buffer/2, MSS) does", () => {
    const h = new Harness({ recvspace: 4096 });
    const t = h.connect();
    for (const [off, n] of [
      [0, 1460],
      [1460, 1460],
      [2920, 1176],
    ])
      h.inject({ seq: 1001 + off, ack: t.sndNxt, flags: TH_ACK, data: n });
    h.take();
    const buf = new Uint8Array(4096);
    tcpRead(t, buf, 0, 100);
    expect(h.take()).toEqual([]);
    tcpRead(t, buf, 0, 1500);
    expect(h.take()).toMatchObject([{ flags: TH_ACK, ack: 5097, win: 1600 }]);
  });

  it("37: delayed ACK: one full segment → ACK at the deadline; a second → at once; reply data carries the ACK", () => {
    const h = new Harness();
    const t = h.connect();
    h.inject({ seq: 1001, ack: t.sndNxt, flags: TH_ACK, data: 1460 });
    expect(h.take()).toEqual([]);
    h.advance(39);
    expect(h.take()).toEqual([]);
    h.advance(1);
    expect(h.take()).toMatchObject([{ flags: TH_ACK, ack: 2461 }]);
    h.inject({ seq: 2461, ack: t.sndNxt, flags: TH_ACK, data: 1460 });
    expect(h.take()).toEqual([]);
    h.inject({ seq: 3921, ack: t.sndNxt, flags: TH_ACK, data: 1460 });
    expect(h.take()).toMatchObject([{ flags: TH_ACK, ack: 5381 }]);
    h.inject({ seq: 5381, ack: t.sndNxt, flags: TH_ACK, data: 100 });
    tcpSend(t, new Uint8Array(10), 0, 10);
    expect(h.take()).toMatchObject([{ flags: TH_ACK | TH_PUSH, ack: 5481, data: Buffer.alloc(10) }]);
    h.advance(100); // no delayed ACK left behind
    expect(h.take()).toEqual([]);
  });

  it("37b: segments of one input batch get one ACK at the batch's end, at most ack_batch segments each", () => {
    const ends: (() => void)[] = [];
    const h = new Harness({ ackBatchSegs: 4 }, 1500, (fn) => ends.push(fn));
    const t = h.connect();
    let seq = 1001;
    const segment = () => {
      h.inject({ seq, ack: t.sndNxt, flags: TH_ACK, data: 1460 });
      seq += 1460;
    };
    // Three in one batch: no ACK until the batch ends, then one for all three.
    for (let i = 0; i < 3; i++) segment();
    expect(h.take()).toEqual([]);
    expect(ends.length).toBe(1);
    ends.shift()?.();
    expect(h.take()).toMatchObject([{ flags: TH_ACK, ack: seq }]);
    // Six in one batch: the fourth is ACKed at once (ack_batch), the last two at the end.
    for (let i = 0; i < 4; i++) segment();
    expect(h.take()).toMatchObject([{ flags: TH_ACK, ack: seq }]);
    for (let i = 0; i < 2; i++) segment();
    expect(h.take()).toEqual([]);
    ends.shift()?.();
    expect(h.take()).toMatchObject([{ flags: TH_ACK, ack: seq }]);
    // An owed ACK that reply data carried first is not sent again at the batch's end.
    for (let i = 0; i < 2; i++) segment();
    tcpSend(t, new Uint8Array(10), 0, 10);
    expect(h.take()).toMatchObject([{ flags: TH_ACK | TH_PUSH, ack: seq }]);
    while (ends.length > 0) ends.shift()?.();
    expect(h.take()).toEqual([]);
    h.advance(100); // no delayed ACK left behind
    expect(h.take()).toEqual([]);
  });
});
