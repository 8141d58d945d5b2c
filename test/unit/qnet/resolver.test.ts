// resolve=ndp between three nodes on a simulated broadcast wire, on the manual clock: a query is
// answered and both sides learn each other; announcements fill /net every auto_add ticks;
// auto_add=0 neither announces nor accepts them. Frames cross the wire as bytes and are checked
// and decoded as a receiver would.
import { describe, expect, it } from "vitest";
import { ManualClock } from "../../../firmware/kernel/clock.ts";
import { checkQnetPacket } from "../../../firmware/net/qnet/frame.ts";
import { emptyHeader, QNET_HDR_LEN } from "../../../firmware/net/qnet/l4-header.ts";
import { NodeTable } from "../../../firmware/net/qnet/node-table.ts";
import { decodeQnetPayload } from "../../../firmware/net/qnet/payload.ts";
import { LanResolver, QNET_TICK_MS } from "../../../firmware/net/qnet/resolver.ts";
import { ETHER_HDR_LEN } from "../../../firmware/net/wire/ethernet.ts";
import { MAC_BROADCAST, readMac } from "../../../firmware/net/wire/mac.ts";

function lan(autoAdd: number[]) {
  const clock = new ManualClock();
  const nodes: { mac: number; table: NodeTable; r: LanResolver }[] = [];
  const wire = (f: Uint8Array) => {
    clock.setTimer(1, () => {
      const dst = readMac(f, 0);
      const src = readMac(f, 6);
      const h = emptyHeader();
      if (checkQnetPacket(f, new DataView(f.buffer), ETHER_HDR_LEN, f.length, h) !== null)
        throw new Error("bad frame");
      const p = decodeQnetPayload(
        h,
        f.subarray(ETHER_HDR_LEN + QNET_HDR_LEN, ETHER_HDR_LEN + QNET_HDR_LEN + h.length),
      );
      if (p.kind !== "lr") throw new Error("not a resolver packet");
      for (const n of nodes)
        if (n.mac !== src && (dst === MAC_BROADCAST || dst === n.mac)) n.r.input("en0", src, p.lr);
    });
    return true;
  };
  ["alpha", "bravo", "charlie"].forEach((name, i) => {
    const mac = 0x020000000001 + i;
    const table = new NodeTable(name, "lab", ["en0"]);
    nodes.push({
      mac,
      table,
      r: new LanResolver({ clock, table, links: [{ name: "en0", mac, output: wire }], autoAdd: autoAdd[i] }),
    });
  });
  const names = (i: number) => nodes[i].table.nodes().map((n) => n.name);
  return { clock, nodes, names };
}

describe("qnet LAN resolver", () => {
  it("a query is answered; asker and answerer learn each other, nobody else does", () => {
    const t = lan([0, 0, 0]);
    t.nodes[0].r.query("bravo", "lab");
    t.clock.advance(10);
    expect(t.names(0)).toEqual(["bravo"]);
    expect(t.nodes[0].table.node(1)?.macs.get("en0")).toBe(0x020000000002);
    expect(t.names(1)).toEqual(["alpha"]);
    expect(t.names(2)).toEqual([]);
  });

  it("announcements every auto_add ticks fill /net; auto_add=0 ignores them", () => {
    const t = lan([5, 5, 0]);
    for (const n of t.nodes) n.r.start();
    t.clock.advance(10);
    expect(t.names(0)).toEqual(["bravo"]);
    expect(t.names(1)).toEqual(["alpha"]);
    expect(t.names(2)).toEqual([]);
    expect(t.nodes[2].r.stats.ignored).toBe(2);
    t.nodes[0].table.forget(1); // rmdir /net/bravo
    t.clock.advance(5 * QNET_TICK_MS);
    expect(t.names(0)).toEqual(["bravo"]);
    expect(t.nodes[0].r.stats.announcementsSent).toBe(2);
  });
});
