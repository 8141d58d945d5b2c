import { describe, expect, it } from "vitest";
import {
  ICMP_HDR_LEN,
  ICMP_TIMXCEED,
  ICMP_UNREACH,
  ICMP_UNREACH_NEEDFRAG,
  ICMP_UNREACH_NET,
  icmpFillCksum,
  writeIcmpHeader,
} from "../../../firmware/net/wire/icmp.ts";
import { BPF_D_IN } from "../../../firmware/net/stack/bpf.ts";
import { compileFilter } from "../../../firmware/net/stack/tcpdump-expr.ts";
import { formatFrame } from "../../../firmware/net/stack/tcpdump-format.ts";
import { routeFlagLetters } from "../../../firmware/net/stack/route.ts";
import { formatIpv4 } from "../../../firmware/net/wire/ipv4-addr.ts";
import { ipFrame } from "./frames.ts";
import { echoRecorder, ip, pattern, routed, sameBytes } from "./wire-harness.ts";

/** An ICMP message: type, code, the header's second word, the body; checksum filled in. */
function icmpMessage(type: number, code: number, word: number, body: Uint8Array): Uint8Array {
  const m = new Uint8Array(ICMP_HDR_LEN + body.length);
  writeIcmpHeader(m, 0, type, code, word);
  m.set(body, ICMP_HDR_LEN);
  icmpFillCksum(m, 0, m.length);
  return m;
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

  it("sends a host redirect when it forwards back out the link the sender is on, and still forwards", () => {
    const { net, a, r } = routed();
    // What A's routing sockets would be told (RouteEvents): the redirect with the route it made
    // and who sent it (not also an add, as BSD), then the route's expiry.
    const told: string[] = [];
    a.rtEvents.subscribe({
      route: (change, rt, origin) =>
        told.push(`${change} ${formatIpv4(rt.dst)}/${rt.prefixLen} pid ${origin.pid}`),
      ifinfo: () => {},
      addr: () => {},
      miss: (dst) => told.push(`miss ${formatIpv4(dst)}`),
      redirect: (rt, author) =>
        told.push(
          `redirect ${formatIpv4(rt.dst)}/${rt.prefixLen} via ${formatIpv4(rt.gateway)} ${routeFlagLetters(rt.flags)} from ${formatIpv4(author)}`,
        ),
    });
    r.sysctl.set("net.inet.ip.forwarding", 1);
    // A better first hop for 10.0.9.0/24 sits on A's own link.
    r.addRoute(ip("10.0.9.0"), 24, ip("10.0.1.3"));
    const seen: string[] = [];
    a.addTap({
      ifp: null,
      dir: BPF_D_IN,
      filter: compileFilter("icmp[icmptype] = icmp-redirect"),
      deliver: (b, off, len) => void seen.push(formatFrame(b.subarray(off, off + len))),
      seen: 0,
      matched: 0,
    });
    a.icmp.sendEcho(ip("10.0.9.5"), 1, 1, pattern(32));
    net.pump();
    expect(r.stats.ip.redirectsent).toBe(1);
    expect(r.stats.ip.forward).toBe(1); // forwarded all the same (ARP for 10.0.1.3 pending)
    expect(a.stats.icmp.inhist[5]).toBe(1);
    expect(seen).toEqual(["IP 10.0.1.1 > 10.0.1.2: ICMP redirect 10.0.9.5 to host 10.0.1.3, length 36"]);
    // A, a host, follows it: a dynamic host route, and the next packet skips R.
    const learned = a.routes.get(ip("10.0.9.5"), 32);
    expect(learned && [formatIpv4(learned.gateway), routeFlagLetters(learned.flags)]).toEqual([
      "10.0.1.3",
      "UGHD",
    ]);
    expect(a.stats.icmp.rtdynamic).toBe(1);
    a.icmp.sendEcho(ip("10.0.9.5"), 1, 9, pattern(32));
    net.pump();
    expect(r.stats.ip.forward).toBe(1);
    // It lasts net.inet.icmp.redirtimeout (600 s).
    net.advance(599_000, 10_000);
    expect(a.routes.get(ip("10.0.9.5"), 32)).toBeDefined();
    net.advance(2_000, 500);
    expect(a.routes.get(ip("10.0.9.5"), 32)).toBeUndefined();
    expect(told).toEqual([
      "redirect 10.0.9.5/32 via 10.0.1.3 UGHD from 10.0.1.1",
      "delete 10.0.9.5/32 pid 0",
    ]);
    // Not for the default route, not with net.inet.ip.redirect=0.
    r.addRoute(0, 0, ip("10.0.1.4"));
    a.icmp.sendEcho(ip("10.8.0.1"), 1, 2, pattern(32));
    r.sysctl.set("net.inet.ip.redirect", 0);
    a.icmp.sendEcho(ip("10.0.9.6"), 1, 3, pattern(32));
    net.pump();
    expect(r.stats.ip.redirectsent).toBe(1);
    expect(r.stats.ip.forward).toBe(3);
  });

  it("refuses redirects that do not come from the first hop, or name a gateway off the link", () => {
    const { net, a, r } = routed();
    r.sysctl.set("net.inet.ip.forwarding", 1);
    const redirect = (from: string, dst: string, gw: string) => {
      // A redirect as R's stack would send it, but from whoever we say.
      const q = new Uint8Array(28);
      q[0] = 0x45;
      new DataView(q.buffer).setUint32(12, ip("10.0.1.2"));
      new DataView(q.buffer).setUint32(16, ip(dst));
      const f = ipFrame({
        src: ip(from),
        dst: ip("10.0.1.2"),
        proto: 1,
        payload: icmpMessage(5, 1, ip(gw), q),
      });
      f.set([0x02, 0, 0, 0, 0, 0x0a], 0); // to A's MAC
      a.input(a.interfaces()[1], f);
    };
    redirect("10.0.1.7", "10.0.9.5", "10.0.1.3"); // not A's gateway for 10.0.9.5
    redirect("10.0.1.1", "10.0.9.5", "10.7.0.1"); // new gateway not on a link of A
    redirect("10.0.1.1", "10.0.1.2", "10.0.1.3"); // about A itself
    expect(a.stats.icmp.badredirect).toBe(3);
    redirect("10.0.1.1", "10.0.9.5", "10.0.1.3");
    expect(a.stats.icmp.rtdynamic).toBe(1);
    redirect("10.0.1.3", "10.0.9.5", "10.0.1.4"); // from the new first hop: a new gateway
    expect(routeFlagLetters(a.routes.get(ip("10.0.9.5"), 32)!.flags)).toBe("UGHDM");
    expect(a.stats.icmp.rtnewgateway).toBe(1);
    // A router ignores redirects (it is the one who sends them).
    a.sysctl.set("net.inet.ip.forwarding", 1);
    redirect("10.0.1.1", "10.0.9.6", "10.0.1.3");
    expect(a.routes.get(ip("10.0.9.6"), 32)).toBeUndefined();
    net.pump();
  });
});
