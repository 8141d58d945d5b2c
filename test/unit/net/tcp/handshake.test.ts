// RFC 9293 opening handshakes, LISTEN and no-PCB answers, ISNs, SYN cache and cookies, accept
// queue — tcp-and-sockets.md §3 rows 1–7 and 39–43. One segment in, exactly these out.
import { describe, expect, it } from "vitest";
import { ERRNO } from "../../../../firmware/kernel/errno.ts";
import { IsnGenerator } from "../../../../firmware/net/tcp/isn.ts";
import {
  TCPS_CLOSED,
  TCPS_ESTABLISHED,
  TCPS_SYN_RECEIVED,
  TCPS_SYN_SENT,
} from "../../../../firmware/net/tcp/state.ts";
import { TH_ACK, TH_RST, TH_SYN } from "../../../../firmware/net/wire/tcp.ts";
import { Harness, KEY, LOCAL, REMOTE } from "./harness.ts";

const SYNACK = TH_SYN | TH_ACK;

function activeOpen(h: Harness) {
  h.lport = 50_000;
  h.rport = 80;
  const t = h.engine.connect(LOCAL, 50_000, REMOTE, 80, null);
  const [syn] = h.take();
  return { t, syn };
}

describe("opening (RFC 9293 §3.5)", () => {
  it("1: active open sends SYN with MSS, SACK-perm, TS, WS; SYN-ACK → ACK and ESTABLISHED", () => {
    const h = new Harness();
    const { t, syn } = activeOpen(h);
    expect(syn).toMatchObject({ flags: TH_SYN, seq: t.iss, mss: 1460, sackPerm: true, wscale: 0 });
    expect(syn.ts).not.toBeNull();
    h.inject({
      seq: 1000,
      ack: t.iss + 1,
      flags: SYNACK,
      mss: 1460,
      sackPerm: true,
      wscale: 3,
      ts: [77, syn.ts![0]],
    });
    const out = h.take();
    expect(out).toHaveLength(1);
    expect(out[0]).toMatchObject({ flags: TH_ACK, seq: t.iss + 1, ack: 1001, ts: [out[0].ts![0], 77] });
    expect(t.state).toBe(TCPS_ESTABLISHED);
    expect([t.sackOk, t.tsOk, t.wsOk, t.sndScale]).toEqual([true, true, true, 3]);
  });

  it("2: a SYN without options gets a SYN-ACK without them; with all, all, TSecr = their TSval", () => {
    const h = new Harness();
    h.engine.listen(0, 80, 4);
    h.inject({ seq: 500, flags: TH_SYN });
    const [bare] = h.take();
    expect(bare).toMatchObject({ flags: SYNACK, ack: 501, mss: 1460, wscale: -1, sackPerm: false, ts: null });
    h.rport = 40_001;
    h.inject({ seq: 900, flags: TH_SYN, mss: 1400, wscale: 7, sackPerm: true, ts: [4242, 0] });
    const [full] = h.take();
    expect(full).toMatchObject({ flags: SYNACK, ack: 901, mss: 1460, wscale: 0, sackPerm: true });
    expect(full.ts![1]).toBe(4242);
  });

  it("3: simultaneous open: bare SYN in SYN-SENT → SYN-ACK from ISS, SYN-RECEIVED; ACK → ESTABLISHED", () => {
    const h = new Harness();
    const { t } = activeOpen(h);
    h.inject({ seq: 1000, flags: TH_SYN, mss: 1460 });
    const [sa] = h.take();
    expect(sa).toMatchObject({ flags: SYNACK, seq: t.iss, ack: 1001 });
    expect(t.state).toBe(TCPS_SYN_RECEIVED);
    h.inject({ seq: 1001, ack: t.iss + 1, flags: TH_ACK });
    expect(t.state).toBe(TCPS_ESTABLISHED);
    expect(h.take()).toEqual([]);
  });

  it("4: SYN-SENT with an unacceptable ACK answers RST seq=SEG.ACK and keeps the state", () => {
    const h = new Harness();
    const { t } = activeOpen(h);
    h.inject({ seq: 1000, ack: t.iss, flags: SYNACK });
    expect(h.take()).toMatchObject([{ flags: TH_RST, seq: t.iss }]);
    h.inject({ seq: 1000, ack: t.iss + 5, flags: TH_ACK });
    expect(h.take()).toMatchObject([{ flags: TH_RST, seq: t.iss + 5 }]);
    expect(t.state).toBe(TCPS_SYN_SENT);
  });

  it("5: SYN-SENT: RST with an acceptable ACK → CLOSED, ECONNREFUSED; RST without ACK ignored", () => {
    const h = new Harness();
    const { t } = activeOpen(h);
    h.inject({ seq: 0, flags: TH_RST });
    expect(t.state).toBe(TCPS_SYN_SENT);
    h.inject({ seq: 0, ack: t.iss + 1, flags: TH_RST | TH_ACK });
    expect(t.state).toBe(TCPS_CLOSED);
    expect(t.error).toBe(ERRNO.ECONNREFUSED);
    expect(h.take()).toEqual([]);
    expect(h.engine.conns.size).toBe(0);
  });

  it("6: LISTEN: ACK → RST seq=SEG.ACK; RST → nothing; SYN → SYN cache entry and SYN-ACK", () => {
    const h = new Harness();
    h.engine.listen(0, 80, 4);
    h.inject({ seq: 10, ack: 777, flags: TH_ACK });
    expect(h.take()).toMatchObject([{ flags: TH_RST, seq: 777 }]);
    h.inject({ seq: 10, flags: TH_RST });
    expect(h.take()).toEqual([]);
    h.inject({ seq: 10, flags: TH_SYN });
    expect(h.take()).toMatchObject([{ flags: SYNACK, ack: 11 }]);
    expect(h.engine.syncache.count).toBe(1);
    expect(h.engine.conns.size).toBe(0);
  });

  it("7: no PCB: SYN → RST+ACK seq=0 ack=SEQ+1; ACK → RST seq=ACK; RST → nothing; RSTs rate-limited", () => {
    const h = new Harness({ rstRateLimit: 3 });
    h.inject({ seq: 100, flags: TH_SYN });
    expect(h.take()).toMatchObject([{ flags: TH_RST | TH_ACK, seq: 0, ack: 101 }]);
    h.inject({ seq: 100, ack: 55, flags: TH_ACK, data: 10 });
    expect(h.take()).toMatchObject([{ flags: TH_RST, seq: 55 }]);
    h.inject({ seq: 100, flags: TH_RST });
    expect(h.take()).toEqual([]);
    for (let i = 0; i < 5; i++) h.inject({ seq: 100, flags: TH_SYN });
    expect(h.take()).toHaveLength(1);
    expect(h.engine.stats.rstratelimited).toBe(4);
    h.advance(1000);
    h.inject({ seq: 100, flags: TH_SYN });
    expect(h.take()).toHaveLength(1);
  });
});

describe("MSS, ISN, SYN cache, cookies, accept queue", () => {
  it("39: no MSS option → 536; MSS 1460 with timestamps → 1448-byte payloads; MSS from the route MTU", () => {
    const h2 = new Harness();
    h2.lport = 50_000;
    h2.rport = 80;
    const t2 = h2.engine.connect(LOCAL, 50_000, REMOTE, 80, null);
    h2.take();
    h2.inject({ seq: 1000, ack: t2.iss + 1, flags: SYNACK });
    expect(t2.smss).toBe(536);
    const h3 = new Harness();
    const t3 = h3.connect({ mss: 1460, ts: true });
    expect(t3.smss).toBe(1448);
    const h4 = new Harness({}, 9000);
    const { syn } = activeOpen(h4);
    expect(syn.mss).toBe(8960);
  });

  it("40: RFC 6528 ISN: fixed key, clock +1 ms → +250 for one tuple; other tuples unrelated", () => {
    let now = 0;
    const g = new IsnGenerator(KEY, () => now);
    const a0 = g.isn(LOCAL, 1, REMOTE, 80);
    const b0 = g.isn(LOCAL, 2, REMOTE, 80);
    now = 1;
    expect((g.isn(LOCAL, 1, REMOTE, 80) - a0) >>> 0).toBe(250);
    expect(Math.abs(((b0 - a0) | 0) / 2 ** 31)).toBeGreaterThan(0.0001);
  });

  it("41: SYN cache: N SYNs → N SYN-ACKs, no socket; a full bucket evicts its oldest; resent with backoff", () => {
    const h = new Harness({ syncacheBuckets: 1, syncacheBucketLimit: 3, syncookies: 0 });
    h.engine.listen(0, 80, 16);
    for (let i = 0; i < 3; i++) {
      h.rport = 40_000 + i;
      h.inject({ seq: 1000 * i, flags: TH_SYN });
    }
    expect(h.take().map((s) => s.flags)).toEqual([SYNACK, SYNACK, SYNACK]);
    expect(h.engine.conns.size).toBe(0);
    h.rport = 40_010;
    h.inject({ seq: 5, flags: TH_SYN });
    h.take();
    expect(h.engine.syncache.count).toBe(3);
    expect(h.engine.syncache.find(LOCAL, 80, REMOTE, 40_000)).toBeUndefined();
    expect(h.engine.stats.sc_bucketoverflow).toBe(1);
    // Resends: at 1 s, then 2 s later, then 4 s later.
    const times: number[] = [];
    for (let ms = 0; ms < 8000; ms += 100) {
      h.advance(100);
      if (h.take().some((s) => s.dport === 40_010)) times.push(h.now);
    }
    expect(times).toEqual([1000, 3000, 7000]);
  });

  it("42: SYN cookies: nothing stored; ACK = cookie+1 → connection with the decoded MSS, WS off; forged → RST", () => {
    const h = new Harness({ syncookies: 2 });
    const l = h.engine.listen(0, 80, 4);
    h.inject({ seq: 7000, flags: TH_SYN, mss: 1440, wscale: 7, sackPerm: true });
    const [sa] = h.take();
    expect(sa).toMatchObject({ flags: SYNACK, ack: 7001, wscale: -1, sackPerm: false });
    expect(h.engine.syncache.count).toBe(0);
    h.inject({ seq: 7001, ack: sa.seq + 2, flags: TH_ACK });
    expect(h.take()).toMatchObject([{ flags: TH_RST, seq: sa.seq + 2 }]);
    h.inject({ seq: 7001, ack: sa.seq + 1, flags: TH_ACK });
    expect(l.queue).toHaveLength(1);
    const t = l.queue[0];
    expect([t.state, t.peerMss, t.wsOk, t.sackOk]).toEqual([TCPS_ESTABLISHED, 1440, false, false]);
    // A cookie is stale after two 64 s periods.
    h.rport = 40_100;
    h.inject({ seq: 100, flags: TH_SYN, mss: 1460 });
    const [sa2] = h.take();
    h.advance(200_000);
    h.inject({ seq: 101, ack: sa2.seq + 1, flags: TH_ACK });
    expect(h.take()).toMatchObject([{ flags: TH_RST }]);
    expect(h.engine.stats.sc_cookies_bad).toBe(2);
  });

  it("43: accept queue full: the final ACK is dropped silently (no RST), the client's retry succeeds later", () => {
    const h = new Harness({ syncookies: 0 });
    const l = h.engine.listen(0, 80, 1);
    h.rport = 40_000;
    h.inject({ seq: 100, flags: TH_SYN });
    h.rport = 40_001;
    h.inject({ seq: 200, flags: TH_SYN });
    const [a, b] = h.take();
    h.rport = 40_000;
    h.inject({ seq: 101, ack: a.seq + 1, flags: TH_ACK });
    h.rport = 40_001;
    h.inject({ seq: 201, ack: b.seq + 1, flags: TH_ACK });
    expect(h.take()).toEqual([]);
    expect(l.queue).toHaveLength(1);
    expect(h.engine.stats.listendrop).toBe(1);
    h.engine.accept(l, null);
    h.inject({ seq: 201, ack: b.seq + 1, flags: TH_ACK });
    expect(l.queue).toHaveLength(1);
  });
});
