// Three Qnet nodes on the HAL's virtual wire in one process (frames cross it as bytes): the
// resolver's announcements fill each node table, kernel-interface messages of any size travel
// both ways through sessions set up with TCS_INIT / TCS_REM_UP / TCS_UP, a node that goes
// silent is reported down, and junk on the wire is counted, not fatal.
import { describe, expect, it } from "vitest";
import { VirtualWire } from "../../../hal/eth/vwire.ts";
import { ManualClock } from "../../../firmware/kernel/clock.ts";
import { QnetEndpoint } from "../../../firmware/net/qnet/endpoint.ts";
import { readMac } from "../../../firmware/net/wire/mac.ts";
import { bytes } from "./session-pair.ts";

async function lan(names: string[]) {
  const clock = new ManualClock();
  const wire = new VirtualWire({ name: "qnet-test", clock });
  const got: [string, number, Uint8Array][] = [];
  const down: string[] = [];
  const nodes = names.map((name) => {
    const port = wire.attach();
    const ep: QnetEndpoint = new QnetEndpoint({
      clock,
      name,
      domain: "lab",
      links: [{ name: "en0", mac: readMac(port.mac, 0), output: (f) => port.send(f) }],
      deliver: (nd, m) => got.push([name, nd, m]),
      down: (nd) => down.push(`${name}:${nd}`),
      autoAdd: 150,
      doCrc: true,
      txRetries: 3,
    });
    port.onFrame((f, len) => ep.input("en0", f.slice(0, len)));
    return { ep, port };
  });
  /** Lets frames cross the wire and timers run until everything settles. */
  const settle = async (ms = 50) => {
    for (let t = 0; t < ms; t += 5) {
      await wire.idle();
      clock.advance(5);
    }
    await wire.idle();
  };
  for (const n of nodes) n.ep.resolver.start();
  await settle();
  return { nodes, got, down, settle, wire, clock };
}

describe("qnet endpoints on the virtual wire", () => {
  it("three nodes learn each other from announcements and exchange messages", async () => {
    const t = await lan(["alpha", "bravo", "charlie"]);
    const names = (i: number) => t.nodes[i].ep.table.nodes().map((n) => n.name);
    expect([names(0), names(1), names(2)]).toEqual([
      ["bravo", "charlie"],
      ["alpha", "charlie"],
      ["alpha", "bravo"],
    ]);
    const [a, b, c] = t.nodes.map((n) => n.ep);
    const tap = t.wire.attach();
    const inits: Uint8Array[] = [];
    tap.onFrame((f, len) => f[17] === 1 && inits.push(f.slice(0, len)));
    const big = bytes(200_000, 1);
    a.send(a.table.strtond("bravo"), bytes(64, 2));
    a.send(a.table.strtond("charlie"), big);
    c.send(c.table.strtond("alpha"), bytes(10, 3));
    await t.settle(200);
    const alphaOn = (ep: QnetEndpoint) => ep.table.strtond("alpha");
    expect(t.got).toContainEqual(["bravo", alphaOn(b), bytes(64, 2)]);
    expect(t.got).toContainEqual(["charlie", alphaOn(c), big]);
    expect(t.got).toContainEqual(["alpha", a.table.strtond("charlie"), bytes(10, 3)]);
    expect(t.got).toHaveLength(3);
    // A repeated TCS_INIT (as when TCS_REM_UP is slow) keeps the session: replayed from a tap on
    // the hub, then traffic both ways still flows.
    const init = inits.find((f) => readMac(f, 0) === readMac(t.nodes[1].port.mac, 0)) as Uint8Array;
    tap.send(init);
    await t.settle();
    a.send(a.table.strtond("bravo"), bytes(7, 9));
    await t.settle();
    expect(t.got[3]).toEqual(["bravo", alphaOn(b), bytes(7, 9)]);
    t.got.splice(3);
    // A reply rides the session the peer opened.
    b.send(alphaOn(b), bytes(5, 4));
    await t.settle();
    expect(t.got[3]).toEqual(["alpha", a.table.strtond("bravo"), bytes(5, 4)]);
    expect(t.down).toEqual([]);
  });

  it("a node that goes silent is reported down; junk frames are counted", async () => {
    const t = await lan(["alpha", "bravo"]);
    const a = t.nodes[0].ep;
    t.nodes[0].port.send(Uint8Array.of(1, 2, 3));
    const junk = new Uint8Array(80);
    junk.set([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 2, 0, 0, 0, 0, 9, 0x82, 0x04, 0, 0, 0x2a, 0x63]);
    t.nodes[0].port.send(junk);
    await t.settle();
    expect(t.nodes[1].ep.drops.get("payload")).toBe(1);
    // A node that never answers the session setup is down after tx_retries more TCS_INITs.
    t.nodes[1].port.setLink(false);
    a.send(a.table.strtond("bravo"), bytes(64, 5));
    await t.settle(2_000);
    expect(t.down).toEqual(["alpha:1"]);
    // A node that dies with a session up is down after tx_retries retransmission timeouts.
    t.nodes[1].port.setLink(true);
    a.send(a.table.strtond("bravo"), bytes(64, 6));
    await t.settle(100);
    expect(t.got).toEqual([["bravo", 1, bytes(64, 6)]]);
    t.nodes[1].port.setLink(false);
    a.send(a.table.strtond("bravo"), bytes(64, 7));
    await t.settle(2_000);
    expect(t.down).toEqual(["alpha:1", "alpha:1"]);
  });
});
