import { describe, expect, it } from "vitest";
import { ManualClock } from "../../../firmware/kernel/clock.ts";
import { ARP_REACHABLE } from "../../../firmware/net/stack/arp.ts";
import { Stack } from "../../../firmware/net/stack/stack.ts";
import { ARPOP_REPLY, ARPOP_REQUEST } from "../../../firmware/net/wire/arp.ts";
import { readMac } from "../../../firmware/net/wire/mac.ts";
import { MAC_A, MAC_B, arpFrame } from "./frames.ts";
import { ip, pattern } from "./wire-harness.ts";

function node() {
  const logs: string[] = [];
  const s = new Stack({ clock: new ManualClock(), log: (_sev, text) => void logs.push(text) });
  const sent0: Uint8Array[] = [];
  const sent1: Uint8Array[] = [];
  const en0 = s.attach({ mac: MAC_B, output: (f, len) => void sent0.push(f.slice(0, len)) });
  const en1 = s.attach({ mac: MAC_B + 1, output: (f, len) => void sent1.push(f.slice(0, len)) });
  return { s, en0, en1, sent0, sent1, logs };
}

describe("ARP cache", () => {
  it("keys entries by interface: overlapping subnets keep their own neighbours", () => {
    const { s, en0, en1, sent1 } = node();
    s.addAddress(en0, ip("10.0.0.2"), 24);
    s.addAddress(en1, ip("10.0.1.2"), 16); // overlaps 10.0.0.0/24
    s.arp.addStatic(en0, ip("10.0.0.1"), MAC_A);
    s.arp.addStatic(en1, ip("10.0.0.1"), MAC_A + 0x10);
    expect(s.arp.lookup(ip("10.0.0.1"), en0)?.mac).toBe(MAC_A);
    expect(s.arp.lookup(ip("10.0.0.1"), en1)?.mac).toBe(MAC_A + 0x10);
    // Forced out of en1 (as a socket bound to the device does), the frame goes to en1's neighbour.
    sent1.length = 0;
    const pb = s.pool.alloc()!;
    pb.len = 8;
    expect(s.ip.output(pb, { dst: ip("10.0.0.1"), proto: 253, ifp: en1 })).toBe(0);
    expect(sent1).toHaveLength(1);
    expect(readMac(sent1[0], 0)).toBe(MAC_A + 0x10);
    s.arp.delete(ip("10.0.0.1"), en1);
    expect(s.arp.lookup(ip("10.0.0.1"), en0)).toBeDefined();
    expect(s.arp.lookup(ip("10.0.0.1"), en1)).toBeUndefined();
  });

  it("an ARP storm of unsolicited replies creates no entries", () => {
    const { s, en0 } = node();
    s.addAddress(en0, ip("10.0.0.2"), 24);
    const before = s.arp.size;
    for (let i = 1; i <= 249; i++) {
      s.input(
        en0,
        arpFrame(
          ARPOP_REPLY,
          0x0200000a0000 + i,
          ip(`10.0.0.${i === 2 ? 250 : i}`),
          MAC_B,
          ip("10.0.0.2"),
          MAC_B,
        ),
      );
    }
    expect(s.arp.size).toBe(before);
    expect(s.stats.arp.unsolicited).toBe(249);
    // A reply we asked for is taken.
    s.icmp.sendEcho(ip("10.0.0.9"), 1, 1, pattern(8));
    s.input(en0, arpFrame(ARPOP_REPLY, MAC_A, ip("10.0.0.9"), MAC_B, ip("10.0.0.2"), MAC_B));
    expect(s.arp.lookup(ip("10.0.0.9"), en0)?.state).toBe(ARP_REACHABLE);
    expect(s.pool.inUse).toBe(0);
  });

  it("is bounded: requests to us beyond net.inet.arp.maxentries evict the oldest, logged and counted", () => {
    const { s, en0, logs } = node();
    s.addAddress(en0, ip("10.0.0.2"), 16);
    expect(s.sysctl.get("net.inet.arp.maxentries")).toBe(1024);
    s.sysctl.set("net.inet.arp.maxentries", 16);
    s.arp.addStatic(en0, ip("10.0.200.1"), MAC_A); // permanent: never evicted
    for (let i = 1; i <= 249; i++) {
      s.input(en0, arpFrame(ARPOP_REQUEST, 0x020000100000 + i, ip(`10.0.1.${i}`), 0, ip("10.0.0.2")));
    }
    expect(s.arp.size).toBe(16);
    expect(s.stats.arp.evicted).toBe(249 + 1 - 16);
    expect(s.arp.lookup(ip("10.0.200.1"), en0)).toBeDefined();
    expect(s.arp.lookup(ip("10.0.1.249"), en0)).toBeDefined();
    expect(s.arp.lookup(ip("10.0.1.1"), en0)).toBeUndefined();
    expect(logs.filter((l) => l.includes("arp: table full"))).toHaveLength(1);
    expect(s.stats.arp.txreplies).toBe(249);
  });

  it("holds at most net.inet.arp.maxhold_total packets over all entries, so receive keeps its buffers", () => {
    const { s, en0 } = node();
    s.addAddress(en0, ip("10.0.0.2"), 16);
    expect(s.sysctl.get("net.inet.arp.maxhold_total")).toBe(256);
    s.sysctl.set("net.inet.arp.maxhold_total", 100);
    // Replies to 600 spoofed on-link neighbours, none of which will ever answer.
    for (let i = 0; i < 600; i++) {
      const pb = s.pool.alloc()!;
      pb.len = 8;
      s.ip.output(pb, { dst: ip(`10.0.${2 + (i >> 8)}.${i & 255}`), proto: 253 });
    }
    expect(s.pool.inUse).toBe(100);
    expect(s.stats.arp.held).toBe(100);
    expect(s.stats.arp.dropped).toBe(500);
    // Entries that give up return their packets to the cap: new ones are held again.
    s.arp.delete(ip("10.0.2.0"), en0);
    const pb = s.pool.alloc()!;
    pb.len = 8;
    s.ip.output(pb, { dst: ip("10.0.9.9"), proto: 253 });
    expect(s.pool.inUse).toBe(100);
    expect(s.stats.arp.held).toBe(101);
  });
});
