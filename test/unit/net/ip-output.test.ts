import { describe, expect, it } from "vitest";
import { ManualClock } from "../../../firmware/kernel/clock.ts";
import { ERRNO } from "../../../firmware/kernel/errno.ts";
import { Stack } from "../../../firmware/net/stack/stack.ts";
import { readMac } from "../../../firmware/net/wire/mac.ts";
import { MAC_B } from "./frames.ts";
import { ip } from "./wire-harness.ts";

function rig() {
  const s = new Stack({ clock: new ManualClock() });
  const sent: Uint8Array[] = [];
  const en0 = s.attach({ mac: MAC_B, output: (f, len) => void sent.push(f.slice(0, len)) });
  const datagram = () => {
    const pb = s.pool.alloc()!;
    pb.len = 8;
    return pb;
  };
  return { s, en0, sent, datagram };
}

describe("ip.output and source selection", () => {
  it("sends 0.0.0.0 → 255.255.255.255 out of a forced interface that has no address (DHCP)", () => {
    const { s, en0, sent, datagram } = rig();
    s.setUp(en0, true);
    expect(s.ip.output(datagram(), { dst: 0xffffffff, proto: 17, ifp: en0 })).toBe(ERRNO.EACCES);
    expect(s.ip.output(datagram(), { dst: 0xffffffff, proto: 17, ifp: en0, broadcast: true })).toBe(0);
    expect(sent).toHaveLength(1);
    const v = new DataView(sent[0].buffer);
    expect(readMac(sent[0], 0)).toBe(0xffffffffffff);
    expect([v.getUint32(26), v.getUint32(30)]).toEqual([0, 0xffffffff]);
    expect(s.pool.inUse).toBe(0);
  });

  it("selectSource: ours answers from itself, else the outgoing interface's subnet address, else its primary", () => {
    const { s, en0 } = rig();
    s.addAddress(en0, ip("10.0.0.2"), 24);
    s.addAddress(en0, ip("192.168.5.2"), 24);
    s.addRoute(0, 0, ip("10.0.0.1"));
    expect(s.ip.selectSource(ip("10.0.0.2"))).toBe(ip("10.0.0.2"));
    expect(s.ip.selectSource(ip("192.168.5.9"))).toBe(ip("192.168.5.2"));
    expect(s.ip.selectSource(ip("8.8.8.8"))).toBe(ip("10.0.0.2"));
    expect(new Stack({ clock: new ManualClock() }).ip.selectSource(ip("8.8.8.8"))).toBe(0);
  });

  it("refuses IP options longer than 40 bytes", () => {
    const { s, en0, datagram } = rig();
    s.addAddress(en0, ip("10.0.0.2"), 24);
    expect(s.ip.output(datagram(), { dst: ip("10.0.0.9"), proto: 17, ipOptions: new Uint8Array(41) })).toBe(
      ERRNO.EINVAL,
    );
    expect(s.pool.inUse).toBe(0);
  });
});
