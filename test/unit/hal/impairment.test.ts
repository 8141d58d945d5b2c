// The fault injector (hal/eth/impairment.ts, impaired-port.ts) on a ManualClock: which frames
// are lost, doubled, reordered, corrupted and when delayed ones arrive depends only on the seed.
import { describe, expect, it } from "vitest";
import { ManualClock } from "../../../firmware/kernel/clock.ts";
import { corruptOffset, ImpairedPath, type ImpairmentOptions } from "../../../hal/eth/impairment.ts";
import { describeImpairedPath, ImpairedEthPort } from "../../../hal/eth/impaired-port.ts";
import { VirtualWire } from "../../../hal/eth/vwire.ts";
import { BROADCAST, collector, frame } from "./frames.ts";

interface Arrival {
  id: number;
  at: number;
  bytes: number[];
}

/** Pushes `n` numbered frames, one per `gapMs`, and collects what comes out and when. */
function drive(opts: ImpairmentOptions, n: number, gapMs = 0.1) {
  const clock = new ManualClock();
  const out: Arrival[] = [];
  const path = new ImpairedPath(opts, clock, (buf, len) => {
    out.push({ id: buf[14]! | (buf[15]! << 8), at: clock.now(), bytes: Array.from(buf.subarray(0, len)) });
  });
  const f = frame(BROADCAST, new Uint8Array([2, 0, 0, 0, 0, 1]), 0);
  let maxTimers = 0;
  for (let i = 0; i < n; i++) {
    f[14] = i & 0xff;
    f[15] = i >> 8;
    path.push(f, f.length, null);
    maxTimers = Math.max(maxTimers, clock.pending);
    clock.advance(gapMs);
  }
  clock.advance(1000);
  return { out, counters: { ...path.counters }, maxTimers, pending: path.pending, clock };
}

describe("ImpairedPath", () => {
  it("passes every frame at once, untouched, when clean", () => {
    const r = drive({}, 50);
    expect(r.out.map((a) => a.id)).toEqual(Array.from({ length: 50 }, (_, i) => i));
    expect(r.out[7]!.at).toBeCloseTo(0.7);
    expect(r.counters).toMatchObject({ frames: 50, dropped: 0, delayed: 0 });
  });

  it("delays every frame by exactly delay= on one timer, in order", () => {
    const r = drive({ delayMs: 10 }, 200);
    expect(r.out.map((a) => a.id)).toEqual(Array.from({ length: 200 }, (_, i) => i));
    for (const a of r.out) expect(a.at).toBeCloseTo(a.id * 0.1 + 10);
    // One clock timer for the whole queue, not one per frame.
    expect(r.maxTimers).toBe(1);
    expect(r.counters.delayed).toBe(200);
    expect(r.pending).toBe(0);
    expect(r.clock.pending).toBe(0);
  });

  it("is the same for the same seed and differs for another", () => {
    const opts = { delayMs: 10, loss: 0.03, reorder: 0.25, duplicate: 0.01, corrupt: 0.01 };
    const a = drive({ ...opts, seed: 7 }, 3000);
    const b = drive({ ...opts, seed: 7 }, 3000);
    const c = drive({ ...opts, seed: 8 }, 3000);
    expect(b.out).toEqual(a.out);
    expect(b.counters).toEqual(a.counters);
    expect(c.out.map((x) => x.id)).not.toEqual(a.out.map((x) => x.id));
  });

  it("loses, doubles and reorders about as often as asked, and counts it", () => {
    const n = 20_000;
    const r = drive({ delayMs: 10, loss: 0.03, reorder: 0.25, duplicate: 0.01, seed: 3 }, n);
    const c = r.counters;
    expect(c.frames).toBe(n);
    expect(c.dropped / n).toBeGreaterThan(0.025);
    expect(c.dropped / n).toBeLessThan(0.035);
    expect(c.reordered / (n - c.dropped)).toBeGreaterThan(0.23);
    expect(c.reordered / (n - c.dropped)).toBeLessThan(0.27);
    expect(c.duplicated).toBeGreaterThan(0);
    expect(r.out).toHaveLength(n - c.dropped + c.duplicated);
    const ids = r.out.map((a) => a.id);
    expect(new Set(ids).size).toBe(n - c.dropped);
    // A reordered frame skips the delay: it arrives at once, ahead of frames sent before it.
    let overtakes = 0;
    for (let i = 1; i < ids.length; i++) if (ids[i]! < ids[i - 1]!) overtakes++;
    expect(overtakes).toBeGreaterThan(0);
    for (const a of r.out) {
      const sent = a.id * 0.1;
      expect(a.at - sent < 1e-6 || Math.abs(a.at - sent - 10) < 1e-6).toBe(true);
    }
  });

  it("holds a reordered frame behind later ones when there is no delay", () => {
    const r = drive({ reorder: 0.5, seed: 1 }, 40, 0.25);
    const ids = r.out.map((a) => a.id);
    expect(ids.length).toBe(40);
    expect(ids).not.toEqual([...ids].sort((x, y) => x - y));
    expect(r.counters.reordered).toBeGreaterThan(5);
  });

  it("corrupts one byte inside the IP payload so the transport checksum fails", () => {
    const r = drive({ corrupt: 1, seed: 5 }, 30);
    const clean = frame(BROADCAST, new Uint8Array([2, 0, 0, 0, 0, 1]), 0);
    expect(r.counters.corrupted).toBe(30);
    expect(r.out).toHaveLength(30);
    for (const [k, a] of r.out.entries()) {
      const want = Array.from(clean);
      want[14] = k & 0xff;
      want[15] = k >> 8;
      const diffs = want.flatMap((v, i) => (v !== a.bytes[i] ? [i] : []));
      expect(diffs).toHaveLength(1);
      expect(diffs[0]).toBeGreaterThanOrEqual(14);
    }
  });

  it("drops what does not fit the delay queue", () => {
    const r = drive({ delayMs: 100, limit: 50 }, 200, 0.01);
    expect(r.counters.overflow).toBe(150);
    expect(r.out).toHaveLength(50);
  });

  it("clear() forgets waiting frames and the timer", () => {
    const clock = new ManualClock();
    let got = 0;
    const path = new ImpairedPath({ delayMs: 5 }, clock, () => got++);
    const f = frame(BROADCAST, new Uint8Array(6), 1);
    for (let i = 0; i < 10; i++) path.push(f, f.length, null);
    expect(path.pending).toBe(10);
    path.clear();
    clock.advance(10);
    expect(got).toBe(0);
    expect(clock.pending).toBe(0);
  });
});

describe("corruptOffset", () => {
  it("picks a byte after the IPv4 header and inside the IP total length", () => {
    const f = new Uint8Array(60);
    f[12] = 0x08;
    f[14] = 0x45;
    f[17] = 40; // total length 40: 20 bytes of IP header, 20 of TCP, then Ethernet padding
    for (const u of [0, 0.5, 0.9999]) {
      const at = corruptOffset(f, 60, u);
      expect(at).toBeGreaterThanOrEqual(34);
      expect(at).toBeLessThan(54);
    }
  });

  it("picks a byte after the IPv6 header; anything past the Ethernet header otherwise", () => {
    const v6 = new Uint8Array(94);
    v6[12] = 0x86;
    v6[13] = 0xdd;
    v6[14] = 0x60;
    v6[19] = 40;
    expect(corruptOffset(v6, 94, 0)).toBe(54);
    expect(corruptOffset(v6, 94, 0.9999)).toBe(93);
    const arp = new Uint8Array(42);
    arp[12] = 0x08;
    arp[13] = 0x06;
    expect(corruptOffset(arp, 42, 0)).toBe(14);
    expect(corruptOffset(new Uint8Array(14), 14, 0.5)).toBe(-1);
  });
});

describe("ImpairedEthPort", () => {
  it("impairs received and sent frames separately and counts both", async () => {
    const clock = new ManualClock();
    const wire = new VirtualWire({ clock });
    const a = wire.attach();
    const b = wire.attach();
    const imp = new ImpairedEthPort(a, { rx: { delayMs: 3 }, tx: { loss: 1 }, clock });
    expect(imp.name).toBe(a.name);
    expect(imp.mac).toBe(a.mac);
    const ra = collector();
    const rb = collector();
    imp.onFrame(ra.handler);
    b.onFrame(rb.handler);
    // Sent through the impaired port: all lost (loss 100%), but accepted like a real wire does.
    expect(imp.send(frame(BROADCAST, a.mac, 1))).toBe(true);
    await wire.idle();
    expect(rb.frames).toHaveLength(0);
    // Received: 3 ms late.
    b.send(frame(BROADCAST, b.mac, 2));
    await wire.idle();
    expect(ra.frames).toHaveLength(0);
    clock.advance(3);
    await imp.idle();
    expect(ra.frames).toHaveLength(1);
    expect(ra.frames[0]![14]).toBe(2);
    expect(imp.impairmentCounters()).toMatchObject({
      rx: { frames: 1, delayed: 1, dropped: 0 },
      tx: { frames: 1, dropped: 1 },
    });
    expect(describeImpairedPath(imp.tx)).toBe(
      "loss 100% seed 1: 1 frames, 1 lost, 0 duplicated, 0 reordered, 0 corrupted, 0 delayed, 0 overflow",
    );
    // A frame the port below refuses is refused (and counted) there, not lost on the path.
    expect(imp.send(new Uint8Array(10))).toBe(false);
    expect(a.stats().txErrors).toBe(1);
    imp.close();
    expect(a.linkUp).toBe(false);
  });

  it("the hub's own impairment is the same fault injector", async () => {
    const clock = new ManualClock();
    const wire = new VirtualWire({ clock, impairment: { delayMs: 2, duplicate: 1 } });
    const a = wire.attach();
    const b = wire.attach();
    const rb = collector();
    b.onFrame(rb.handler);
    a.send(frame(BROADCAST, a.mac, 4));
    clock.advance(2);
    await wire.idle();
    expect(rb.frames.map((f) => f[14])).toEqual([4, 4]);
    expect(wire.impairment?.counters).toMatchObject({ frames: 1, duplicated: 1, delayed: 2 });
  });
});
