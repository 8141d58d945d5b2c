import { describe, expect, it } from "vitest";
import { ManualClock } from "../../../firmware/kernel/clock.ts";
import { PFIL_DROP, PFIL_FWD, PFIL_IN, PFIL_OUT, PFIL_PASS } from "../../../firmware/net/stack/pfil.ts";
import { Stack } from "../../../firmware/net/stack/stack.ts";
import { formatIpv4 } from "../../../firmware/net/wire/ipv4-addr.ts";
import { MAC_A, MAC_B, echoFrame } from "./frames.ts";
import { ip, pattern } from "./wire-harness.ts";

/** A stack with en0, VLAN 10 on it, en1, and an IP-layer hook recording what it sees. */
function rig() {
  const s = new Stack({ clock: new ManualClock() });
  const sent: Uint8Array[] = [];
  const en0 = s.attach({ mac: MAC_B, output: (f, len) => void sent.push(f.slice(0, len)) });
  const en1 = s.attach({ mac: MAC_B + 1, output: (f, len) => void sent.push(f.slice(0, len)) });
  const v = s.createVlan(en0, 10);
  s.addAddress(en0, ip("10.0.0.2"), 24);
  s.addAddress(en1, ip("10.1.0.2"), 24);
  s.addAddress(v, ip("10.9.0.2"), 24);
  s.arp.addStatic(en0, ip("10.0.0.1"), MAC_A);
  s.arp.addStatic(en1, ip("10.1.0.1"), MAC_A + 1);
  s.arp.addStatic(v, ip("10.9.0.1"), MAC_A);
  const seen: string[] = [];
  const dir = (d: number) => (d === PFIL_IN ? "in" : d === PFIL_OUT ? "out" : "fwd");
  let dropProto = -1;
  const hook = s.inetPfil.add({
    name: "watch",
    dir: PFIL_IN | PFIL_OUT | PFIL_FWD,
    fn: (pb, ifp, d) => {
      // pb.off is at the IP header.
      const src = formatIpv4(pb.view.getUint32(pb.off + 12));
      const dst = formatIpv4(pb.view.getUint32(pb.off + 16));
      seen.push(`${dir(d)} ${ifp.name} ${src}>${dst}`);
      return pb.bytes[pb.off + 9] === dropProto ? PFIL_DROP : PFIL_PASS;
    },
  });
  sent.length = 0;
  return { s, en0, en1, v, sent, seen, hook, drop: (p: number) => (dropProto = p) };
}

function tag(frame: Uint8Array, vid: number): Uint8Array {
  const t = new Uint8Array(frame.length + 4);
  t.set(frame.subarray(0, 12));
  t.set([0x81, 0x00, vid >> 8, vid & 0xff], 12);
  t.set(frame.subarray(12), 16);
  return t;
}

describe("IP-layer pfil hooks", () => {
  it("see datagrams in and out of an Ethernet interface", () => {
    const { s, en0, seen, sent } = rig();
    s.input(en0, echoFrame(ip("10.0.0.1"), ip("10.0.0.2"), 1, 1, pattern(8)));
    expect(seen).toEqual(["in en0 10.0.0.1>10.0.0.2", "out en0 10.0.0.2>10.0.0.1"]);
    expect(sent).toHaveLength(1);
  });

  it("see lo0 traffic both ways", () => {
    const { s, seen } = rig();
    expect(s.icmp.sendEcho(ip("127.0.0.1"), 7, 1, pattern(8))).toBe(0);
    expect(seen).toEqual([
      "out lo0 127.0.0.1>127.0.0.1",
      "in lo0 127.0.0.1>127.0.0.1",
      "out lo0 127.0.0.1>127.0.0.1",
      "in lo0 127.0.0.1>127.0.0.1",
    ]);
  });

  it("are symmetric on a VLAN: the VLAN interface in and out", () => {
    const { s, en0, seen, sent } = rig();
    s.input(en0, tag(echoFrame(ip("10.9.0.1"), ip("10.9.0.2"), 1, 1, pattern(8)), 10));
    expect(seen).toEqual(["in vlan0 10.9.0.1>10.9.0.2", "out vlan0 10.9.0.2>10.9.0.1"]);
    expect(sent).toHaveLength(1);
  });

  it("see forwarded datagrams with the outgoing interface, and drops are counted", () => {
    const { s, en0, seen, sent, hook, drop } = rig();
    s.config.forwarding = 1;
    s.input(en0, echoFrame(ip("10.0.0.1"), ip("10.1.0.1"), 1, 1, pattern(8), MAC_B));
    expect(seen).toEqual(["in en0 10.0.0.1>10.1.0.1", "fwd en1 10.0.0.1>10.1.0.1"]);
    expect(sent).toHaveLength(1);
    drop(1); // ICMP
    seen.length = 0;
    sent.length = 0;
    s.input(en0, echoFrame(ip("10.0.0.1"), ip("10.0.0.2"), 1, 2, pattern(8)));
    expect(s.icmp.sendEcho(ip("10.1.0.1"), 7, 1, pattern(8))).toBe(0); // a drop is not an error
    expect(sent).toHaveLength(0);
    expect(s.stats.ip.pfildrops).toBe(2);
    expect(hook.counters.dropped).toBe(2);
    expect(s.pool.inUse).toBe(0);
  });
});
