import { describe, expect, it } from "vitest";
import { ManualClock } from "../../../firmware/kernel/clock.ts";
import { VirtualWire } from "../../../hal/eth/vwire.ts";
import { BROADCAST, collector, frame } from "./frames.ts";
import { turn } from "../../helpers/wait.ts";

describe("VirtualWire (in-process hub)", () => {
  it("repeats a frame to every other port, not back to the sender", async () => {
    const wire = new VirtualWire({ clock: new ManualClock() });
    const [a, b, c] = [wire.attach(), wire.attach(), wire.attach()];
    const ra = collector();
    const rb = collector();
    const rc = collector();
    a.onFrame(ra.handler);
    b.onFrame(rb.handler);
    c.onFrame(rc.handler);
    expect(a.send(frame(BROADCAST, a.mac, 7))).toBe(true);
    await wire.idle();
    expect(ra.frames).toHaveLength(0);
    expect(rb.frames).toHaveLength(1);
    expect(rc.frames).toHaveLength(1);
    expect(rb.frames[0]![14]).toBe(7);
    expect(rb.frames[0]!.subarray(6, 12)).toEqual(a.mac);
    expect(a.stats()).toMatchObject({ txPackets: 1, txBytes: 60 });
    expect(b.stats()).toMatchObject({ rxPackets: 1, rxBytes: 60 });
  });

  it("delivers asynchronously, after send returns, in send order", async () => {
    const wire = new VirtualWire({ clock: new ManualClock() });
    const a = wire.attach();
    const b = wire.attach();
    const rb = collector();
    b.onFrame(rb.handler);
    const f = frame(BROADCAST, a.mac, 1);
    for (let i = 0; i < 5; i++) {
      f[14] = i;
      a.send(f); // the wire copies, so reusing f is fine
    }
    expect(rb.frames).toHaveLength(0);
    await wire.idle();
    expect(rb.frames.map((x) => x[14])).toEqual([0, 1, 2, 3, 4]);
  });

  it("sends only whole frames within the MTU, and only while the link is up", async () => {
    const wire = new VirtualWire({ clock: new ManualClock(), mtu: 100 });
    const a = wire.attach();
    const b = wire.attach();
    const rb = collector();
    b.onFrame(rb.handler);
    expect(a.send(new Uint8Array(13))).toBe(false);
    expect(a.send(new Uint8Array(119))).toBe(false);
    expect(a.send(new Uint8Array(118))).toBe(true);
    expect(a.send(new Uint8Array(60), 61)).toBe(false);
    const links: boolean[] = [];
    a.onLink((up) => links.push(up));
    a.setLink(false);
    expect(a.linkUp).toBe(false);
    expect(a.send(frame(BROADCAST, a.mac, 1))).toBe(false);
    a.setLink(true);
    expect(links).toEqual([false, true]);
    await wire.idle();
    expect(rb.frames).toHaveLength(1);
    expect(a.stats().txErrors).toBe(4);
  });

  it("counts frames as dropped while no handler is installed, and stops delivering after close", async () => {
    const wire = new VirtualWire({ clock: new ManualClock() });
    const a = wire.attach();
    const b = wire.attach();
    a.send(frame(BROADCAST, a.mac, 1));
    await wire.idle();
    expect(b.stats().rxDropped).toBe(1);
    const rb = collector();
    b.onFrame(rb.handler);
    b.close();
    a.send(frame(BROADCAST, a.mac, 2));
    await wire.idle();
    expect(rb.frames).toHaveLength(0);
    expect(wire.ports).toEqual([a]);
  });

  it("gives ports distinct MACs, locally administered unicast", () => {
    const wire = new VirtualWire({ clock: new ManualClock() });
    const macs = Array.from({ length: 4 }, () => wire.attach().mac);
    expect(new Set(macs.map((m) => m.join())).size).toBe(4);
    for (const m of macs) expect(m[0]! & 0x03).toBe(0x02);
  });

  it("loses and duplicates frames reproducibly with a seed", async () => {
    const run = async (seed: number): Promise<number[]> => {
      const wire = new VirtualWire({
        clock: new ManualClock(),
        impairment: { loss: 0.3, duplicate: 0.2, seed },
      });
      const a = wire.attach();
      const b = wire.attach();
      const rb = collector();
      b.onFrame(rb.handler);
      for (let i = 0; i < 200; i++) a.send(frame(BROADCAST, a.mac, i));
      await wire.idle();
      return rb.frames.map((f) => f[14]!);
    };
    const first = await run(42);
    expect(await run(42)).toEqual(first);
    expect(await run(43)).not.toEqual(first);
    const distinct = new Set(first).size;
    // ~30% lost of 200, and ~20% of the survivors doubled.
    expect(distinct).toBeGreaterThan(110);
    expect(distinct).toBeLessThan(170);
    expect(first.length - distinct).toBeGreaterThan(10);
  });

  it("delays frames on the injected clock", async () => {
    const clock = new ManualClock();
    const wire = new VirtualWire({ clock, impairment: { delayMs: 50 } });
    const a = wire.attach();
    const b = wire.attach();
    const rb = collector();
    b.onFrame(rb.handler);
    a.send(frame(BROADCAST, a.mac, 9));
    await turn();
    expect(rb.frames).toHaveLength(0);
    clock.advance(49);
    await turn();
    expect(rb.frames).toHaveLength(0);
    clock.advance(1);
    await wire.idle();
    expect(rb.frames).toHaveLength(1);
  });

  it("does not starve the event loop when two ports echo each other forever", async () => {
    const wire = new VirtualWire({ clock: new ManualClock() });
    const a = wire.attach();
    const b = wire.attach();
    let bounces = 0;
    a.onFrame((f, len) => void (bounces++, a.send(f, len)));
    b.onFrame((f, len) => void (bounces++, b.send(f, len)));
    a.send(frame(BROADCAST, a.mac, 1));
    // Other work still gets its turns of the event loop, between batches of bounces.
    await turn();
    await turn();
    expect(bounces).toBeGreaterThan(256);
    wire.close();
    const after = bounces;
    await turn();
    await turn();
    expect(bounces).toBe(after);
  });

  it("rejects impairment values out of range", () => {
    expect(() => new VirtualWire({ impairment: { loss: 1.5 } })).toThrow(/loss/);
    expect(() => new VirtualWire({ impairment: { delayMs: -1 } })).toThrow(/delay/);
  });
});
