import { describe, expect, it } from "vitest";
import {
  ICMP_TIMXCEED,
  ICMP_UNREACH,
  ICMP_UNREACH_NEEDFRAG,
  ICMP_UNREACH_NET,
} from "../../../firmware/net/wire/icmp.ts";
import { echoRecorder, ip, makeNet, makeStack, pattern, sameBytes } from "./wire-harness.ts";

/** A (10.0.1.2) — R (10.0.1.1 | 10.0.2.1, mtu of the second link configurable) — B (10.0.2.2). */
function routed(mtu2 = 1500) {
  const net = makeNet(2);
  const a = makeStack(net);
  const r = makeStack(net);
  const b = makeStack(net);
  const ea = net.hubs[0].attach(a, 0x02000000000a);
  const r0 = net.hubs[0].attach(r, 0x020000000010);
  const r1 = net.hubs[1].attach(r, 0x020000000011, undefined, mtu2);
  const eb = net.hubs[1].attach(b, 0x02000000000b, undefined, mtu2);
  a.addAddress(ea, ip("10.0.1.2"), 24);
  r.addAddress(r0, ip("10.0.1.1"), 24);
  r.addAddress(r1, ip("10.0.2.1"), 24);
  b.addAddress(eb, ip("10.0.2.2"), 24);
  a.addRoute(0, 0, ip("10.0.1.1"));
  b.addRoute(0, 0, ip("10.0.2.1"));
  net.pump();
  return { net, a, r, b };
}

describe("forwarding through a middle stack", () => {
  it("does not forward while net.inet.ip.forwarding=0", () => {
    const { net, a, r } = routed();
    const rec = echoRecorder(a, 1);
    a.icmp.sendEcho(ip("10.0.2.2"), 1, 1, pattern(32));
    net.pump();
    expect(rec.replies).toHaveLength(0);
    expect(r.stats.ip.cantforward).toBe(1);
  });

  it("forwards with TTL decremented (and a valid checksum)", () => {
    const { net, a, r, b } = routed();
    r.sysctl.set("net.inet.ip.forwarding", 1);
    const rec = echoRecorder(a, 1);
    a.icmp.sendEcho(ip("10.0.2.2"), 1, 1, pattern(32));
    net.pump();
    expect(rec.replies).toHaveLength(1);
    expect(rec.replies[0].ttl).toBe(63); // b replied with 64, r decremented
    expect(r.stats.ip.forward).toBe(2);
    expect(b.stats.ip.badsum).toBe(0);
    expect(a.stats.ip.badsum).toBe(0);
    expect([a, r, b].map((s) => s.pool.inUse)).toEqual([0, 0, 0]);
  });

  it("answers TTL expiry with ICMP time exceeded", () => {
    const { net, a, r } = routed();
    r.sysctl.set("net.inet.ip.forwarding", 1);
    const rec = echoRecorder(a, 7);
    a.icmp.sendEcho(ip("10.0.2.2"), 7, 4, pattern(32), { ttl: 1 });
    net.pump();
    expect(rec.replies).toHaveLength(0);
    expect(rec.errors).toEqual([{ from: ip("10.0.1.1"), type: ICMP_TIMXCEED, code: 0, seq: 4, mtu: 0 }]);
    expect(r.stats.icmp.outhist[ICMP_TIMXCEED]).toBe(1);
  });

  it("answers DF + too big with fragmentation needed and the next-hop MTU", () => {
    const { net, a, r } = routed(1000);
    r.sysctl.set("net.inet.ip.forwarding", 1);
    const rec = echoRecorder(a, 8);
    a.icmp.sendEcho(ip("10.0.2.2"), 8, 1, pattern(1200), { df: true });
    net.pump();
    expect(rec.errors).toEqual([
      { from: ip("10.0.1.1"), type: ICMP_UNREACH, code: ICMP_UNREACH_NEEDFRAG, seq: 1, mtu: 1000 },
    ]);
    expect(r.stats.ip.cantfrag).toBe(1);
  });

  it("fragments forwarded datagrams that do not fit the next link", () => {
    const { net, a, r, b } = routed(600);
    r.sysctl.set("net.inet.ip.forwarding", 1);
    const rec = echoRecorder(a, 9);
    a.icmp.sendEcho(ip("10.0.2.2"), 9, 1, pattern(1400));
    net.pump();
    expect(rec.replies).toHaveLength(1);
    expect(sameBytes(rec.replies[0].data, pattern(1400))).toBe(true);
    expect(r.stats.ip.fragmented).toBe(1);
    expect(b.stats.ip.reassembled).toBe(1);
  });

  it("answers no route with net unreachable", () => {
    const { net, a, r } = routed();
    r.sysctl.set("net.inet.ip.forwarding", 1);
    const rec = echoRecorder(a, 2);
    a.icmp.sendEcho(ip("172.16.0.1"), 2, 1, pattern(8));
    net.pump();
    expect(rec.errors[0]).toMatchObject({ type: ICMP_UNREACH, code: ICMP_UNREACH_NET });
    expect(r.stats.ip.noroute).toBe(1);
  });

  it("rate-limits ICMP errors with a token bucket", () => {
    const { net, a, r } = routed();
    r.sysctl.set("net.inet.ip.forwarding", 1);
    r.sysctl.set("net.inet.icmp.errppslimit", 5);
    for (let i = 0; i < 20; i++) a.icmp.sendEcho(ip("10.0.2.2"), 3, i, pattern(8), { ttl: 1 });
    net.pump();
    expect(r.stats.icmp.outhist[ICMP_TIMXCEED]).toBe(5);
    expect(r.stats.icmp.ratelimited).toBe(15);
    net.clock.advance(1000);
    for (let i = 0; i < 20; i++) a.icmp.sendEcho(ip("10.0.2.2"), 3, i, pattern(8), { ttl: 1 });
    net.pump();
    expect(r.stats.icmp.outhist[ICMP_TIMXCEED]).toBe(10);
  });
});
