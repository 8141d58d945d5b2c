// QoS and failover: two Qnet nodes joined by two separate virtual wires (en0 and en1) on the
// manual clock. ~loadbalance spreads a transfer over both links and finishes it with identical
// bytes, once, when one link is cut mid-way; ~preferred:en1 leaves en1 when it dies and returns
// when it rejoins; ~exclusive:en0 fails with EHOSTDOWN while en0 is dead and works again after;
// dead links are probed and rejoin.
import { describe, expect, it } from "vitest";
import { VirtualWire } from "../../../hal/eth/vwire.ts";
import { ManualClock } from "../../../firmware/kernel/clock.ts";
import { KernelError } from "../../../firmware/kernel/errno.ts";
import { QnetEndpoint } from "../../../firmware/net/qnet/endpoint.ts";
import { checkQnetPacket } from "../../../firmware/net/qnet/frame.ts";
import { emptyHeader, L4 } from "../../../firmware/net/qnet/l4-header.ts";
import { ETHER_HDR_LEN } from "../../../firmware/net/wire/ethernet.ts";
import { readMac } from "../../../firmware/net/wire/mac.ts";
import { bytes } from "./session-pair.ts";

const LINKS = ["en0", "en1"] as const;

async function twoLinks() {
  const clock = new ManualClock();
  const wires = LINKS.map((l) => new VirtualWire({ name: `qos-${l}`, clock }));
  const got: [string, Uint8Array][] = [];
  const events: string[] = [];
  const nodes = ["alpha", "bravo"].map((name) => {
    const ports = wires.map((w) => w.attach());
    const ep: QnetEndpoint = new QnetEndpoint({
      clock,
      name,
      domain: "lab",
      links: ports.map((port, i) => ({
        name: LINKS[i],
        mac: readMac(port.mac, 0),
        output: (f) => port.send(f),
      })),
      deliver: (_nd, m) => got.push([name, m]),
      down: (nd) => events.push(`${name}: node ${nd} down`),
      linkState: (nd, link, up) => events.push(`${name}: ${LINKS[link]} ${up ? "up" : "down"}`),
      txRetries: 5,
    });
    ports.forEach((port, i) => port.onFrame((f, len) => ep.input(LINKS[i], f.slice(0, len))));
    return { ep, ports };
  });
  // Data frames alpha sends, per wire (a tap on each hub).
  const data = [0, 0];
  const h = emptyHeader();
  wires.forEach((w, i) =>
    w.attach().onFrame((f, len) => {
      const v = new DataView(f.buffer, f.byteOffset, len);
      if (checkQnetPacket(f, v, ETHER_HDR_LEN, len, h) !== null) return;
      if (h.type === L4.DATA && readMac(f, 6) === readMac(nodes[0].ports[i].mac, 0)) data[i]++;
    }),
  );
  const settle = async (ms = 50) => {
    for (let t = 0; t < ms; t += 5) {
      for (const w of wires) await w.idle();
      clock.advance(5);
    }
    for (const w of wires) await w.idle();
  };
  for (const n of nodes) n.ep.resolver.start();
  await settle();
  const [a, b] = nodes;
  /** Pulls (false) or plugs (true) bravo's cable on link `i`: frames to it are lost. */
  const cable = (i: number, up: boolean) => b.ports[i].setLink(up);
  const alive = () => a.ep.links(a.ep.table.strtond("bravo")).map((l) => `${l.link.name}:${l.alive}`);
  return { a: a.ep, b: b.ep, got, events, data, settle, cable, alive };
}

describe("qnet QoS over two links", () => {
  it("~loadbalance uses both links, and a transfer survives losing one mid-way", async () => {
    const t = await twoLinks();
    const big = bytes(600_000, 11);
    t.a.send(t.a.table.strtond("bravo"), big);
    await t.settle(10);
    expect(t.alive()).toEqual(["en0:true", "en1:true"]);
    // Under way on both links, not finished.
    expect(t.data[0]).toBeGreaterThan(0);
    expect(t.data[1]).toBeGreaterThan(0);
    expect(t.got).toEqual([]);
    t.cable(1, false);
    const before = t.data[0];
    await t.settle(3_000);
    // Delivered whole and exactly once; the rest went over en0.
    expect(t.got.map(([n, m]) => [n, m.length])).toEqual([["bravo", big.length]]);
    expect(Buffer.compare(t.got[0][1], big)).toBe(0);
    expect(t.data[0]).toBeGreaterThan(before);
    expect(t.alive()).toEqual(["en0:true", "en1:false"]);
    expect(t.events).toContain("alpha: en1 down");
    expect(t.events.filter((e) => e.includes("node"))).toEqual([]);
    // Probed while dead, it rejoins once plugged in again, and carries traffic again.
    t.cable(1, true);
    await t.settle(500);
    expect(t.alive()).toEqual(["en0:true", "en1:true"]);
    expect(t.events).toContain("alpha: en1 up");
    const en1 = t.data[1];
    t.a.send(t.a.table.strtond("bravo"), bytes(20_000, 12));
    await t.settle(200);
    expect(t.got[1]).toEqual(["bravo", bytes(20_000, 12)]);
    expect(t.data[1]).toBeGreaterThan(en1);
  });

  it("~preferred:en1 uses en1, falls back while it is dead, and returns when it rejoins", async () => {
    const t = await twoLinks();
    const nd = t.a.table.strtond("bravo~preferred:en1");
    t.a.send(nd, bytes(10_000, 1));
    await t.settle(100);
    expect(t.got).toEqual([["bravo", bytes(10_000, 1)]]);
    expect(t.data[0]).toBe(0);
    const onEn1 = t.data[1];
    expect(onEn1).toBeGreaterThan(0);
    // en1 dies with a message on it: it is retried on en1 until en1 is declared dead, then
    // finishes over en0.
    t.cable(1, false);
    t.a.send(nd, bytes(10_000, 2));
    await t.settle(2_000);
    expect(t.got[1]).toEqual(["bravo", bytes(10_000, 2)]);
    expect(t.data[0]).toBeGreaterThan(0);
    expect(t.alive()).toEqual(["en0:true", "en1:false"]);
    // Back: the next message uses en1 again and nothing more on en0.
    t.cable(1, true);
    await t.settle(500);
    expect(t.alive()).toEqual(["en0:true", "en1:true"]);
    const [en0, en1] = t.data;
    t.a.send(nd, bytes(10_000, 3));
    await t.settle(100);
    expect(t.got).toHaveLength(3);
    expect(t.got[2]).toEqual(["bravo", bytes(10_000, 3)]);
    expect(t.data[0]).toBe(en0);
    expect(t.data[1]).toBeGreaterThan(en1);
    expect(t.events.filter((e) => e.includes("node"))).toEqual([]);
  });

  it("~exclusive:en0 fails with EHOSTDOWN while en0 is dead and works once it rejoins", async () => {
    const t = await twoLinks();
    const nd = t.a.table.strtond("bravo~exclusive:en0");
    t.a.send(nd, bytes(5_000, 1));
    await t.settle(100);
    expect(t.got).toEqual([["bravo", bytes(5_000, 1)]]);
    expect(t.data).toEqual([t.data[0], 0]);
    t.cable(0, false);
    await t.settle(1_000);
    expect(t.alive()).toEqual(["en0:false", "en1:true"]);
    let err: unknown = null;
    try {
      t.a.send(nd, bytes(5_000, 2));
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(KernelError);
    expect((err as KernelError).errno).toBe("EHOSTDOWN");
    expect((err as KernelError).message).toMatch(/link en0 to bravo.*~exclusive:en0 is down/);
    // The node itself is fine: loadbalance traffic flows on en1.
    t.a.send(t.a.table.strtond("bravo"), bytes(100, 3));
    await t.settle(100);
    expect(t.got[1]).toEqual(["bravo", bytes(100, 3)]);
    t.cable(0, true);
    await t.settle(500);
    expect(t.alive()).toEqual(["en0:true", "en1:true"]);
    t.a.send(nd, bytes(5_000, 4));
    await t.settle(100);
    expect(t.got[2]).toEqual(["bravo", bytes(5_000, 4)]);
    expect(t.events.filter((e) => e.includes("node"))).toEqual([]);
  });

  it("a link the driver reports down is dead at once, and probed back when reported up", async () => {
    const t = await twoLinks();
    t.a.send(t.a.table.strtond("bravo"), bytes(100, 1));
    await t.settle(100);
    t.cable(1, false);
    t.a.ifState("en1", false);
    // No clock advance: dead on the driver's word, not after LINK_DEAD_TICKS of silence.
    expect(t.alive()).toEqual(["en0:true", "en1:false"]);
    expect(t.events).toEqual(["alpha: en1 down"]);
    let err: unknown = null;
    try {
      t.a.send(t.a.table.strtond("bravo~exclusive:en1"), bytes(10, 2));
    } catch (e) {
      err = e;
    }
    expect((err as KernelError).errno).toBe("EHOSTDOWN");
    t.cable(1, true);
    t.a.ifState("en1", true);
    // The probe goes out now; bravo's answer on en1 brings the link back within a tick.
    await t.settle(5);
    expect(t.alive()).toEqual(["en0:true", "en1:true"]);
    expect(t.events).toEqual(["alpha: en1 down", "alpha: en1 up"]);
  });

  it("a node that dies on every link is reported down", async () => {
    const t = await twoLinks();
    t.a.send(t.a.table.strtond("bravo"), bytes(100, 1));
    await t.settle(100);
    t.cable(0, false);
    t.cable(1, false);
    t.a.send(t.a.table.strtond("bravo"), bytes(100, 2));
    await t.settle(3_000);
    expect(t.events).toContain("alpha: node 1 down");
  });
});
