import { describe, expect, it } from "vitest";
import { ERRNO } from "../../../firmware/kernel/errno.ts";
import { ARP_PERMANENT, ARP_REACHABLE, ARP_STALE } from "../../../firmware/net/stack/arp.ts";
import { echoRecorder, ip, makeNet, makeStack, pattern, sameBytes } from "./wire-harness.ts";

function twoNodes() {
  const net = makeNet();
  const logsA: string[] = [];
  const logsB: string[] = [];
  const a = makeStack(net, logsA);
  const b = makeStack(net, logsB);
  const ea = net.hubs[0].attach(a, 0x020000000001);
  const eb = net.hubs[0].attach(b, 0x020000000002);
  a.addAddress(ea, ip("10.0.0.1"), 24);
  b.addAddress(eb, ip("10.0.0.2"), 24);
  net.pump(); // gratuitous ARPs
  return { net, a, b, ea, eb, logsA, logsB };
}

describe("ARP between two stacks", () => {
  it("resolves, answers, and both sides learn each other", () => {
    const { net, a, b } = twoNodes();
    const rec = echoRecorder(a, 1);
    expect(a.icmp.sendEcho(ip("10.0.0.2"), 1, 1, pattern(56))).toBe(0);
    expect(a.stats.arp.held).toBe(1);
    net.pump();
    expect(rec.replies).toHaveLength(1);
    expect(rec.replies[0]).toMatchObject({ from: ip("10.0.0.2"), seq: 1, ttl: 64, len: 64 });
    expect(rec.replies[0].data).toEqual(pattern(56));
    expect(a.arp.lookup(ip("10.0.0.2"))?.state).toBe(ARP_REACHABLE);
    expect(b.arp.lookup(ip("10.0.0.1"))?.state).toBe(ARP_REACHABLE);
    expect(a.stats.arp.txrequests).toBeGreaterThanOrEqual(2); // gratuitous + resolution
    expect(b.stats.arp.txreplies).toBe(1);
    expect(a.arp.formatEntry(a.arp.lookup(ip("10.0.0.2"))!)).toBe(
      "? (10.0.0.2) at 02:00:00:00:00:02 on en0 expires in 1200 seconds [ethernet]",
    );
    // No buffer leaks on either side.
    expect(a.pool.inUse).toBe(0);
    expect(b.pool.inUse).toBe(0);
  });

  it("retries, gives up after maxtries and drops the held packets", () => {
    const { net, a } = twoNodes();
    const before = a.stats.arp.txrequests;
    expect(a.icmp.sendEcho(ip("10.0.0.9"), 1, 1, pattern(8))).toBe(0);
    expect(a.icmp.sendEcho(ip("10.0.0.9"), 1, 2, pattern(8))).toBe(0);
    net.advance(10_000);
    expect(a.stats.arp.txrequests - before).toBe(5);
    expect(a.stats.arp.timeouts).toBe(1);
    expect(a.stats.arp.dropped).toBe(2);
    expect(a.arp.lookup(ip("10.0.0.9"))).toBeUndefined();
    expect(a.pool.inUse).toBe(0);
  });

  it("bounds the hold queue", () => {
    const { a } = twoNodes();
    a.config.arpMaxhold = 3;
    for (let s = 0; s < 10; s++) a.icmp.sendEcho(ip("10.0.0.77"), 1, s, pattern(8));
    expect(a.arp.lookup(ip("10.0.0.77"))?.hold.length).toBe(3);
    expect(a.stats.arp.dropped).toBe(7);
    a.stop();
    expect(a.pool.inUse).toBe(0);
  });

  it("ages REACHABLE to STALE, refreshes on use, and expires", () => {
    const { net, a } = twoNodes();
    a.config.arpKeep = 10;
    a.icmp.sendEcho(ip("10.0.0.2"), 1, 1, pattern(8));
    net.pump();
    net.advance(10_500);
    expect(a.arp.lookup(ip("10.0.0.2"))?.state).toBe(ARP_STALE);
    const req = a.stats.arp.txrequests;
    a.icmp.sendEcho(ip("10.0.0.2"), 1, 2, pattern(8)); // used while stale: sent, and re-asked
    net.pump();
    expect(a.stats.arp.txrequests).toBe(req + 1);
    expect(a.arp.lookup(ip("10.0.0.2"))?.state).toBe(ARP_REACHABLE);
    a.config.arpKeep = 1;
    net.advance(25_000);
    expect(a.arp.lookup(ip("10.0.0.2"))).toBeUndefined();
  });

  it("static entries: arp -s / -d, and permanent entries are not overwritten", () => {
    const { net, a, ea, logsA } = twoNodes();
    a.arp.addStatic(ea, ip("10.0.0.2"), 0x02000000aaaa);
    expect(a.arp.formatEntry(a.arp.lookup(ip("10.0.0.2"))!)).toBe(
      "? (10.0.0.2) at 02:00:00:00:aa:aa on en0 permanent [ethernet]",
    );
    a.icmp.sendEcho(ip("10.0.0.2"), 1, 1, pattern(8));
    net.pump();
    expect(a.arp.lookup(ip("10.0.0.2"))?.state).toBe(ARP_PERMANENT);
    expect(a.arp.lookup(ip("10.0.0.2"))?.mac).toBe(0x02000000aaaa);
    a.arp.delete(ip("10.0.0.2"));
    expect(() => a.arp.delete(ip("10.0.0.2"))).toThrow(/not in table/);
    expect(logsA.join("\n")).not.toMatch(/duplicate/);
  });

  it("warns about a duplicate address and defends it", () => {
    const { net, a, b, eb, logsA } = twoNodes();
    b.addAddress(eb, ip("10.0.0.1"), 24); // conflicting alias on b: its gratuitous ARP reaches a
    net.pump();
    expect(a.stats.arp.dupips).toBeGreaterThanOrEqual(1);
    expect(logsA.join("\n")).toContain(
      "arp: duplicate IP address 10.0.0.1 sent from link address 02:00:00:00:00:02 on en0",
    );
  });

  it("proxy ARP answers for published entries", () => {
    const { net, a, b, ea } = twoNodes();
    a.arp.addStatic(ea, ip("10.0.0.50"), 0x0200000000ee, { pub: true });
    b.icmp.sendEcho(ip("10.0.0.50"), 1, 1, pattern(8));
    net.pump();
    expect(b.arp.lookup(ip("10.0.0.50"))?.mac).toBe(0x0200000000ee);
  });
});

describe("ping between two stacks", () => {
  it("echo with 8000-byte payloads, fragmented and reassembled both ways", () => {
    const { net, a, b } = twoNodes();
    const rec = echoRecorder(a, 0x4242);
    const data = pattern(8000, 3);
    for (let seq = 1; seq <= 3; seq++) expect(a.icmp.sendEcho(ip("10.0.0.2"), 0x4242, seq, data)).toBe(0);
    net.pump();
    expect(rec.replies.map((r) => r.seq)).toEqual([1, 2, 3]);
    for (const r of rec.replies) {
      expect(r.len).toBe(8008);
      expect(sameBytes(r.data, data)).toBe(true);
    }
    expect(a.stats.ip.fragmented).toBe(3);
    expect(a.stats.ip.ofragments).toBe(18); // ceil(8028 / 1480) = 6 per datagram
    expect(b.stats.ip.reassembled).toBe(3);
    expect(b.stats.ip.fragmented).toBe(3);
    expect(a.stats.ip.reassembled).toBe(3);
    expect(a.pool.inUse).toBe(0);
    expect(b.pool.inUse).toBe(0);
  });

  it("largest echo (65507 bytes of data) works; one more byte is EMSGSIZE", () => {
    const { net, a } = twoNodes();
    const rec = echoRecorder(a, 9);
    expect(a.icmp.sendEcho(ip("10.0.0.2"), 9, 1, pattern(65507))).toBe(0);
    net.pump();
    expect(rec.replies).toHaveLength(1);
    expect(sameBytes(rec.replies[0].data, pattern(65507))).toBe(true);
    expect(a.icmp.sendEcho(ip("10.0.0.2"), 9, 2, pattern(65508))).toBe(ERRNO.EMSGSIZE);
  });

  it("DF and too big is EMSGSIZE locally", () => {
    const { a } = twoNodes();
    expect(a.icmp.sendEcho(ip("10.0.0.2"), 1, 1, pattern(2000), { df: true })).toBe(ERRNO.EMSGSIZE);
    expect(a.stats.ip.cantfrag).toBe(1);
  });

  it("no route is EHOSTUNREACH", () => {
    const { a } = twoNodes();
    expect(a.icmp.sendEcho(ip("192.168.7.7"), 1, 1, pattern(8))).toBe(ERRNO.EHOSTUNREACH);
  });

  it("ping to our own address and to 127.0.0.1 goes through lo0", () => {
    const { a } = twoNodes();
    const rec = echoRecorder(a, 5);
    a.icmp.sendEcho(ip("10.0.0.1"), 5, 1, pattern(100));
    a.icmp.sendEcho(ip("127.0.0.1"), 5, 2, pattern(3000));
    expect(rec.replies.map((r) => [r.from, r.seq])).toEqual([
      [ip("10.0.0.1"), 1],
      [ip("127.0.0.1"), 2],
    ]);
    expect(a.lo0.counters.ipackets).toBe(4);
    expect(a.pool.inUse).toBe(0);
  });

  it("broadcast echo is ignored unless net.inet.icmp.bmcastecho=1", () => {
    const { net, a, b } = twoNodes();
    const rec = echoRecorder(a, 3);
    // Needs SO_BROADCAST-like permission: directed broadcast from the stack API
    a.icmp.sendEcho(ip("10.0.0.255"), 3, 1, pattern(8));
    net.pump();
    expect(rec.replies).toHaveLength(0);
    b.sysctl.set("net.inet.icmp.bmcastecho", "1");
    expect(b.stats.icmp.bmcastecho).toBe(0); // EACCES above: nothing was sent
  });
});
