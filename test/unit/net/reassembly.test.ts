import { beforeEach, describe, expect, it } from "vitest";
import { ManualClock } from "../../../firmware/kernel/clock.ts";
import type { Ifnet } from "../../../firmware/net/stack/ifnet.ts";
import type { Pbuf } from "../../../firmware/net/stack/pbuf.ts";
import { Stack } from "../../../firmware/net/stack/stack.ts";
import { ICMP_TIMXCEED } from "../../../firmware/net/wire/icmp.ts";
import { ipHlen } from "../../../firmware/net/wire/ipv4.ts";
import { MAC_A, MAC_B, fragmentFrames, ipFrame } from "./frames.ts";
import { ip, pattern, sameBytes } from "./wire-harness.ts";

const PROTO_TEST = 253; // RFC 3692 experimentation

describe("IPv4 reassembly", () => {
  let clock: ManualClock;
  let s: Stack;
  let en0: Ifnet;
  let delivered: Uint8Array[];
  let sent: Uint8Array[];

  beforeEach(() => {
    clock = new ManualClock();
    s = new Stack({ clock });
    sent = [];
    en0 = s.attach({ mac: MAC_B, output: (f, len) => void sent.push(f.slice(0, len)) });
    s.addAddress(en0, ip("10.0.0.2"), 24);
    s.arp.addStatic(en0, ip("10.0.0.1"), MAC_A);
    sent.length = 0;
    delivered = [];
    s.ip.register(PROTO_TEST, {
      input(pb: Pbuf, hlen: number) {
        delivered.push(pb.bytes.slice(pb.off + hlen, pb.off + pb.len));
        pb.pool?.release(pb);
      },
    });
  });

  const A = ip("10.0.0.1");
  const B = ip("10.0.0.2");

  it("reassembles in any order", () => {
    const data = pattern(5000);
    const frags = fragmentFrames(A, B, PROTO_TEST, data, 1480);
    for (const f of [frags[3], frags[0], frags[2], frags[1]]) s.input(en0, f);
    expect(delivered).toHaveLength(1);
    expect(sameBytes(delivered[0], data)).toBe(true);
    expect(s.stats.ip.fragments).toBe(4);
    expect(s.stats.ip.reassembled).toBe(1);
    expect(s.ip.reass.datagrams).toBe(0);
    expect(s.pool.inUse).toBe(0);
  });

  it("ignores exact duplicates", () => {
    const frags = fragmentFrames(A, B, PROTO_TEST, pattern(3000), 1480);
    s.input(en0, frags[0]);
    s.input(en0, frags[0]);
    s.input(en0, frags[1]);
    s.input(en0, frags[2]);
    expect(delivered).toHaveLength(1);
    expect(s.stats.ip.fragdropped).toBe(1);
  });

  it("drops the whole datagram on a partial overlap (no overlap trick can alter the data)", () => {
    const data = pattern(3000);
    const frags = fragmentFrames(A, B, PROTO_TEST, data, 1480);
    s.input(en0, frags[0]);
    // A fragment covering 1000..2480: overlaps the first one's tail.
    s.input(
      en0,
      ipFrame({
        src: A,
        dst: B,
        proto: PROTO_TEST,
        payload: new Uint8Array(1480),
        id: 77,
        offWord: 0x2000 | 125,
      }),
    );
    s.input(en0, frags[1]);
    s.input(en0, frags[2]);
    expect(delivered).toHaveLength(0);
    expect(s.stats.ip.fragdropped).toBeGreaterThanOrEqual(2);
    s.stop();
    expect(s.pool.inUse).toBe(0);
  });

  it("times out after net.inet.ip.fragttl and sends time exceeded (reassembly) when it had the first piece", () => {
    const frags = fragmentFrames(A, B, PROTO_TEST, pattern(3000), 1480);
    s.input(en0, frags[0]);
    s.input(en0, frags[2]);
    clock.advance(29_000);
    expect(s.stats.ip.fragtimeout).toBe(0);
    clock.advance(1_500);
    expect(s.stats.ip.fragtimeout).toBe(2);
    expect(s.stats.icmp.outhist[ICMP_TIMXCEED]).toBe(1);
    const icmp = sent.find((f) => f[23] === 1 && f[34] === ICMP_TIMXCEED);
    expect(icmp?.[35]).toBe(1); // code 1: reassembly time exceeded
    expect(s.pool.inUse).toBe(0);
    expect(clock.pending).toBe(0); // the slow timer stops when idle
  });

  it("enforces the memory limit (oldest datagrams go first)", () => {
    s.sysctl.set("net.inet.ip.maxfragbytes", 3 * s.pool.bufSize);
    for (let id = 1; id <= 5; id++)
      s.input(en0, fragmentFrames(A, B, PROTO_TEST, pattern(3000), 1480, id)[0]);
    expect(s.ip.reass.datagrams).toBe(3);
    expect(s.ip.reass.bytes).toBeLessThanOrEqual(3 * s.pool.bufSize);
    expect(s.stats.ip.fragdropped).toBe(2);
    // Completing datagram 5 still works.
    const f5 = fragmentFrames(A, B, PROTO_TEST, pattern(3000), 1480, 5);
    s.input(en0, f5[1]);
    s.input(en0, f5[2]);
    expect(delivered).toHaveLength(1);
  });

  it("enforces maxfragpackets", () => {
    s.sysctl.set("net.inet.ip.maxfragpackets", 2);
    for (let id = 1; id <= 4; id++)
      s.input(en0, fragmentFrames(A, B, PROTO_TEST, pattern(3000), 1480, id)[0]);
    expect(s.ip.reass.datagrams).toBe(2);
  });

  it("rejects datagrams that would exceed 65535 bytes", () => {
    s.input(
      en0,
      ipFrame({ src: A, dst: B, proto: PROTO_TEST, payload: new Uint8Array(16), id: 9, offWord: 8190 }),
    );
    expect(s.stats.ip.toolong).toBe(1);
    expect(s.ip.reass.datagrams).toBe(0);
  });

  it("rejects inconsistent last fragments and non-multiple-of-8 middles", () => {
    s.input(
      en0,
      ipFrame({ src: A, dst: B, proto: PROTO_TEST, payload: new Uint8Array(13), id: 3, offWord: 0x2000 }),
    );
    expect(s.stats.ip.fragdropped).toBe(1);
    s.input(
      en0,
      ipFrame({ src: A, dst: B, proto: PROTO_TEST, payload: new Uint8Array(16), id: 4, offWord: 10 }),
    );
    s.input(
      en0,
      ipFrame({ src: A, dst: B, proto: PROTO_TEST, payload: new Uint8Array(16), id: 4, offWord: 20 }),
    );
    expect(s.ip.reass.datagrams).toBe(0); // two different ends: the datagram is discarded
  });

  it("keeps the first fragment's header (ihl) in the datagram it delivers", () => {
    const frags = fragmentFrames(A, B, PROTO_TEST, pattern(100), 48);
    let hlen = 0;
    s.ip.unregister(PROTO_TEST);
    s.ip.register(PROTO_TEST, {
      input(pb) {
        hlen = ipHlen(pb.bytes, pb.off);
        expect(pb.len).toBe(120);
        pb.pool?.release(pb);
      },
    });
    for (const f of frags) s.input(en0, f);
    expect(hlen).toBe(20);
  });
});
