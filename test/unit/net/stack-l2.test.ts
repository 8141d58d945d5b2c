import { beforeEach, describe, expect, it } from "vitest";
import { ManualClock } from "../../../firmware/kernel/clock.ts";
import { ERRNO } from "../../../firmware/kernel/errno.ts";
import { BPF_D_INOUT, type BpfTap } from "../../../firmware/net/stack/bpf.ts";
import { IFF_PROMISC, formatIfFlags, type Ifnet } from "../../../firmware/net/stack/ifnet.ts";
import {
  PFIL_DROP,
  PFIL_IN,
  PFIL_MODIFIED,
  PFIL_OUT,
  PFIL_PASS,
  type PfilWatcher,
} from "../../../firmware/net/stack/pfil.ts";
import { formatIpv4 } from "../../../firmware/net/wire/ipv4-addr.ts";
import { Stack } from "../../../firmware/net/stack/stack.ts";
import { compileFilter } from "../../../firmware/net/stack/tcpdump-expr.ts";
import { internetChecksum } from "../../../firmware/net/wire/checksum.ts";
import { ICMP_ECHOREPLY } from "../../../firmware/net/wire/icmp.ts";
import { MAC_A, MAC_B, echoFrame } from "./frames.ts";
import { ip, pattern } from "./wire-harness.ts";

const A = ip("10.0.0.1");
const B = ip("10.0.0.2");

describe("Ethernet input, pfil and BPF", () => {
  let s: Stack;
  let en0: Ifnet;
  let sent: Uint8Array[];
  beforeEach(() => {
    s = new Stack({ clock: new ManualClock() });
    sent = [];
    en0 = s.attach({ mac: MAC_B, output: (f, len) => void sent.push(f.slice(0, len)) });
    s.addAddress(en0, B, 24);
    s.arp.addStatic(en0, A, MAC_A);
    sent.length = 0;
    for (const k of Object.keys(en0.counters) as Array<keyof typeof en0.counters>) en0.counters[k] = 0;
  });

  it("answers an echo request in place", () => {
    s.input(en0, echoFrame(A, B, 1, 1, pattern(56)));
    expect(sent).toHaveLength(1);
    const r = sent[0];
    expect(r[34]).toBe(ICMP_ECHOREPLY);
    expect(internetChecksum(r, 14, 20)).toBe(0);
    expect(internetChecksum(r, 34, 64)).toBe(0);
    expect(new DataView(r.buffer).getUint32(30)).toBe(A);
    expect(en0.counters).toMatchObject({ ipackets: 1, opackets: 1, ibytes: 98, obytes: 98 });
    expect(s.pool.inUse).toBe(0);
  });

  it("drops unicast frames for other MACs, even when promiscuous (BPF still sees them)", () => {
    const seen: number[] = [];
    const tap: BpfTap = {
      ifp: en0,
      dir: BPF_D_INOUT,
      filter: null,
      deliver: (_b, _o, len) => void seen.push(len),
      seen: 0,
      matched: 0,
    };
    s.addTap(tap);
    s.input(en0, echoFrame(A, B, 1, 1, pattern(8), 0x02000000ffff));
    en0.flags |= IFF_PROMISC;
    s.input(en0, echoFrame(A, B, 1, 2, pattern(8), 0x02000000ffff));
    expect(sent).toHaveLength(0);
    expect(s.stats.ether.notforus).toBe(2);
    expect(seen).toEqual([50, 50]);
    expect(en0.counters.iqdrops).toBe(1);
    s.removeTap(tap);
  });

  it("drops multicast for groups not joined, accepts joined ones and all-hosts", () => {
    s.sysctl.set("net.inet.icmp.bmcastecho", "1");
    s.input(en0, echoFrame(A, ip("239.1.2.3"), 1, 1, pattern(8), 0x01005e010203));
    expect(s.stats.ether.notforus).toBe(1);
    // 224.0.0.1 needs no join: IGMP queries must always get through (RFC 1112)
    s.input(en0, echoFrame(A, ip("224.0.0.1"), 1, 1, pattern(8), 0x01005e000001));
    expect(sent).toHaveLength(1);
    en0.mcastFilter.add(0x01005e010203);
    s.input(en0, echoFrame(A, ip("239.1.2.3"), 1, 1, pattern(8), 0x01005e010203));
    expect(s.stats.ether.notforus).toBe(1);
    expect(en0.counters.imcasts).toBe(3);
  });

  it("counts unknown ethertypes and hands registered ones over", () => {
    const f = echoFrame(A, B, 1, 1, pattern(8));
    f[12] = 0x82;
    f[13] = 0x04;
    s.input(en0, f);
    expect(s.stats.ether.unknowntype).toBe(1);
    const got: number[] = [];
    s.ether.register(0x8204, (ifp, pb) => {
      got.push(pb.len);
      pb.pool?.release(pb);
    });
    s.input(en0, f);
    expect(got).toEqual([f.length - 14]);
    expect(() => s.ether.register(0x0800, () => {})).toThrow();
  });

  it("pfil: drop, modify and monitor hooks in order, with counters", () => {
    const order: string[] = [];
    const mon = s.pfil.add({
      name: "mon",
      dir: PFIL_IN,
      kind: "monitor",
      priority: -100,
      fn: () => (order.push("mon"), PFIL_DROP),
    });
    const second = en0.pfil.add({
      name: "second",
      dir: PFIL_IN,
      priority: 10,
      fn: () => (order.push("second"), PFIL_PASS),
    });
    const first = en0.pfil.add({
      name: "first",
      dir: PFIL_IN,
      priority: 1,
      fn: (pb) => {
        order.push("first");
        // Rewrite the echo payload's first byte and fix the ICMP checksum: a "modify" filter.
        const o = pb.off + 14 + 20;
        pb.bytes[o + 8] ^= 0xff;
        pb.bytes[o + 2] = pb.bytes[o + 3] = 0;
        const c = internetChecksum(pb.bytes, o, pb.len - 34);
        pb.bytes[o + 2] = c >> 8;
        pb.bytes[o + 3] = c & 0xff;
        return PFIL_MODIFIED;
      },
    });
    s.input(en0, echoFrame(A, B, 1, 1, pattern(8)));
    expect(order).toEqual(["mon", "first", "second"]); // global head first; monitor result ignored
    expect(sent[0][42]).toBe(pattern(8)[0] ^ 0xff);
    expect(first.counters).toMatchObject({ seen: 1, modified: 1 });
    expect(second.counters).toMatchObject({ seen: 1, passed: 1 });
    expect(mon.counters.seen).toBe(1);

    const dropper = s.pfil.add({ name: "drop-icmp", dir: PFIL_OUT, fn: () => PFIL_DROP });
    s.input(en0, echoFrame(A, B, 1, 2, pattern(8)));
    expect(sent).toHaveLength(1);
    expect(dropper.counters.dropped).toBe(1);
    expect(en0.counters.oqdrops).toBe(1);
    s.pfil.remove(dropper);
    const inDrop = en0.pfil.add({ name: "in", dir: PFIL_IN, priority: -5, fn: () => PFIL_DROP });
    s.input(en0, echoFrame(A, B, 1, 3, pattern(8)));
    expect(s.stats.ether.pfildrops).toBe(1);
    expect(second.counters.seen).toBe(2);
    en0.pfil.remove(inDrop);
    expect(s.pool.inUse).toBe(0);
  });

  it("a hook that throws drops the frame", () => {
    en0.pfil.add({
      name: "bad",
      dir: PFIL_IN,
      fn: () => {
        throw new Error("boom");
      },
    });
    s.input(en0, echoFrame(A, B, 1, 1, pattern(8)));
    expect(sent).toHaveLength(0);
    expect(s.stats.ether.pfildrops).toBe(1);
  });

  it("BPF taps with a compiled filter see both directions", () => {
    const lines: number[] = [];
    const tap: BpfTap = {
      ifp: null,
      dir: BPF_D_INOUT,
      filter: compileFilter("icmp and host 10.0.0.1"),
      deliver: (b, off) => void lines.push(b[off + 34]),
      seen: 0,
      matched: 0,
    };
    s.addTap(tap);
    s.input(en0, echoFrame(A, B, 1, 1, pattern(8)));
    s.input(en0, echoFrame(ip("10.0.0.3"), B, 1, 1, pattern(8)));
    expect(lines).toEqual([8, 0]); // request in, reply out; the other host filtered
    expect(tap.seen).toBe(4); // plus the request from 10.0.0.3 and our ARP request for it
  });

  it("lo0 taps see each looped datagram once behind a zero Ethernet header, as Linux's lo", () => {
    const frames: number[][] = [];
    const tap: BpfTap = {
      ifp: s.lo0,
      dir: BPF_D_INOUT,
      filter: compileFilter("icmp and host 127.0.0.1"),
      deliver: (b, off, len) => void frames.push([...b.subarray(off, off + len)]),
      seen: 0,
      matched: 0,
    };
    s.addTap(tap);
    expect(s.icmp.sendEcho(ip("127.0.0.1"), 7, 1, pattern(8))).toBe(0);
    expect(frames).toHaveLength(2); // the request and the reply, each once
    for (const f of frames) {
      expect(f.slice(0, 14)).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x08, 0x00]);
      expect(f).toHaveLength(14 + 20 + 16);
    }
    expect(frames.map((f) => f[34])).toEqual([8, 0]);
    s.removeTap(tap);
    expect(s.pool.inUse).toBe(0);
  });

  it("pfil watchers hear interfaces and addresses come and go, addresses before their interface", () => {
    const events: string[] = [];
    const w: PfilWatcher = {
      ifnet: (ev, ifp) => void events.push(`${ev} ${ifp.name}`),
      ifaddr: (ev, ifp, ia) => void events.push(`${ev} ${ifp.name} ${formatIpv4(ia.addr)}/${ia.prefixLen}`),
    };
    s.pfilWatchers.add(w);
    const en1 = s.attach({ mac: MAC_A, output: () => true });
    s.addAddress(en1, ip("10.8.0.1"), 24);
    s.addAddress(en1, ip("10.8.0.2"), 24);
    s.deleteAddress(en1, ip("10.8.0.1"));
    s.detach(en1);
    s.pfilWatchers.remove(w);
    s.addAddress(en0, ip("10.0.0.77"), 24); // no longer watched
    expect(events).toEqual([
      "attach en1",
      "add en1 10.8.0.1/24",
      "add en1 10.8.0.2/24",
      "delete en1 10.8.0.1/24",
      "delete en1 10.8.0.2/24",
      "detach en1",
    ]);
  });

  it("a port that refuses a frame: ENETDOWN without carrier, ENOBUFS with it", () => {
    const dead = s.attach({ mac: MAC_A, output: () => false });
    s.addAddress(dead, ip("10.3.0.1"), 24);
    s.arp.addStatic(dead, ip("10.3.0.2"), MAC_B);
    expect(s.icmp.sendEcho(ip("10.3.0.2"), 1, 1, pattern(8))).toBe(ERRNO.ENOBUFS);
    s.setLinkState(dead, false);
    expect(s.icmp.sendEcho(ip("10.3.0.2"), 1, 2, pattern(8))).toBe(ERRNO.ENETDOWN);
    expect(dead.counters.oerrors).toBe(3); // the gratuitous ARP of addAddress too
    expect(s.pool.inUse).toBe(0);
  });

  it("VLAN: tagged frames reach the VLAN interface, untagged replies go out tagged", () => {
    const v = s.createVlan(en0, 10);
    s.addAddress(v, ip("10.9.0.2"), 24);
    s.arp.addStatic(v, ip("10.9.0.1"), MAC_A);
    sent.length = 0;
    const e = echoFrame(ip("10.9.0.1"), ip("10.9.0.2"), 1, 1, pattern(8));
    const tagged = new Uint8Array(e.length + 4);
    tagged.set(e.subarray(0, 12));
    tagged.set([0x81, 0x00, 0x00, 10], 12);
    tagged.set(e.subarray(12), 16);
    s.input(en0, tagged);
    expect(sent).toHaveLength(1);
    expect([...sent[0].subarray(12, 18)]).toEqual([0x81, 0x00, 0x00, 10, 0x08, 0x00]);
    expect(v.counters.ipackets).toBe(1);
    tagged[15] = 11; // no such VLAN
    s.input(en0, tagged);
    expect(s.stats.ether.vlandrops).toBe(1);
  });

  it("interface flags print as ifconfig does", () => {
    expect(formatIfFlags(en0.flags)).toBe("8843<UP,BROADCAST,RUNNING,SIMPLEX,MULTICAST>");
    expect(formatIfFlags(s.lo0.flags)).toBe("8049<UP,LOOPBACK,RUNNING,MULTICAST>");
  });

  it("pool exhaustion is counted and logged once", () => {
    const logs: string[] = [];
    const t = new Stack({ clock: new ManualClock(), poolBuffers: 2, log: (_s, m) => logs.push(m) });
    const e = t.attach({ mac: MAC_B, output: () => true });
    const held = [t.pool.alloc(), t.pool.alloc()];
    expect(t.input(e, echoFrame(A, B, 1, 1, pattern(8)))).toBe(false);
    expect(t.input(e, echoFrame(A, B, 1, 1, pattern(8)))).toBe(false);
    expect(t.stats.ether.nobufs).toBe(2);
    expect(e.counters.iqdrops).toBe(2);
    expect(logs).toEqual(["Mbufs exhausted"]);
    for (const p of held) p?.pool?.release(p);
    expect(t.pool.inUse).toBe(0);
  });
});

describe("sysctl", () => {
  it("get / set / list with type checks", () => {
    const s = new Stack({ clock: new ManualClock() });
    expect(s.sysctl.get("net.inet.ip.forwarding")).toBe(0);
    expect(s.sysctl.set("net.inet.ip.forwarding", "1")).toBe(0);
    expect(s.config.forwarding).toBe(1);
    expect(() => s.sysctl.set("net.inet.ip.forwarding", "2")).toThrow(/out of range/);
    expect(() => s.sysctl.set("net.inet.ip.ttl", "abc")).toThrow(/invalid integer/);
    expect(() => s.sysctl.get("net.inet.ip.nope")).toThrow(/unknown oid/);
    expect(() => s.sysctl.set("net.inet.ip.stats", 1)).toThrow();
    expect(s.sysctl.list("net.inet.icmp")).toEqual([
      "net.inet.icmp.bmcastecho",
      "net.inet.icmp.errppslimit",
      "net.inet.icmp.rediraccept",
      "net.inet.icmp.redirtimeout",
      "net.inet.icmp.returndatabytes",
      "net.inet.icmp.stats",
    ]);
    expect((s.sysctl.get("net.inet.ip.stats") as Record<string, number>).total).toBe(0);
  });
});
