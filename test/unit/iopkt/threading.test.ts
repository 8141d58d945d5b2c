import { afterEach, describe, expect, it } from "vitest";
import { Kernel } from "../../../firmware/kernel/kernel.ts";
import { hubRegistryFor } from "../../../firmware/net/drivers/hub-registry.ts";
import { RX_BATCH } from "../../../firmware/net/manager/interface-binding.ts";
import { startIoPkt, withClient } from "./harness.ts";
import type { NetControl } from "../../../firmware/net/control/client.ts";

/** A broadcast frame of an unclaimed ethertype: seen by BPF, dropped cheaply by the stack. */
function frame(tag: number): Uint8Array {
  const f = new Uint8Array(60);
  f.fill(0xff, 0, 6);
  f.set([0x02, 0, 0, 0, 0, 0x99], 6);
  f[12] = 0x88;
  f[13] = 0xb5;
  f[14] = tag;
  return f;
}

async function captureOrder(nc: NetControl, total: number): Promise<string[]> {
  const order: string[] = [];
  while (order.length < total) {
    const frames = await nc.bpfRead(4096, 2000);
    if (frames.length === 0) break;
    for (const f of frames) order.push(f.ifname);
  }
  return order;
}

/** Floods `lo` with a backlog, then sends a burst on `hi`, all before io-pkt runs; returns the processing order. */
async function run(k: Kernel, loFrames: number, hiFrames: number): Promise<string[]> {
  return withClient(k, "", async (nc) => {
    await nc.bpfOpen({ ifname: "any", bufferFrames: 8192 });
    const hubs = hubRegistryFor(k);
    const lo = hubs.find("lo")!.attach();
    const hi = hubs.find("hi")!.attach();
    for (let i = 0; i < loFrames; i++) lo.send(frame(1));
    for (let i = 0; i < hiFrames; i++) hi.send(frame(2));
    return captureOrder(nc, loFrames + hiFrames);
  });
}

/** How many low-priority frames were processed before the last high-priority one. */
function loBeforeLastHi(order: string[], hiName: string): number {
  const last = order.lastIndexOf(hiName);
  return order.slice(0, last).filter((n) => n !== hiName).length;
}

describe("io-pkt threading model", () => {
  let k: Kernel;
  afterEach(async () => {
    await k.shutdown(50);
  });

  it("frames on a priority-50 interface are processed before a backlog on a priority-10 one", async () => {
    k = new Kernel({ nodeName: "t" });
    await startIoPkt(k, [
      "-d",
      "vwire",
      "hub=lo,priority=10",
      "-d",
      "vwire",
      "hub=hi,priority=50",
      "-t",
      "2",
    ]);
    const ifs = await withClient(k, "", (nc) => nc.interfaces());
    expect(ifs.map((i) => [i.name, i.rxPriority])).toEqual([
      ["lo0", 21],
      ["en0", 10],
      ["en1", 50],
    ]);
    const order = await run(k, 200, 64);
    expect(order.length).toBe(264);
    expect(order.filter((n) => n === "en1").length).toBe(64);
    // At most the batch a worker had already taken before the burst arrived.
    expect(loBeforeLastHi(order, "en1")).toBeLessThanOrEqual(RX_BATCH);
  });

  it("at equal priority the two interfaces share the workers batch by batch (the control case)", async () => {
    k = new Kernel({ nodeName: "t" });
    await startIoPkt(k, ["-d", "vwire", "hub=lo", "-d", "vwire", "hub=hi", "-t", "2"]);
    const order = await run(k, 200, 64);
    expect(order.length).toBe(264);
    // Round robin: a flood on one interface does not starve the other, nor is it pre-empted.
    expect(loBeforeLastHi(order, "en1")).toBeGreaterThan(RX_BATCH);
    expect(loBeforeLastHi(order, "en1")).toBeLessThan(200);
  });

  it("with fewer workers than interfaces, warns and uses rx_prio for all", async () => {
    k = new Kernel({ nodeName: "t" });
    await startIoPkt(k, [
      "-d",
      "vwire",
      "hub=lo,priority=10",
      "-d",
      "vwire",
      "hub=hi,priority=50",
      "-p",
      "tcpip",
      "rx_prio=25",
      "-t",
      "1",
    ]);
    const ifs = await withClient(k, "", (nc) => nc.interfaces());
    expect(ifs.slice(1).map((i) => i.rxPriority)).toEqual([25, 25]);
    const warn = k.slog.entries().find((e) => e.text.includes("per-interface priority ignored"));
    expect(warn?.severity).toBe(3);
  });

  it("lists its threads with names, roles, priorities and states", async () => {
    k = new Kernel({ nodeName: "t" });
    const r = await startIoPkt(k, [
      "-d",
      "vwire",
      "hub=th",
      "-t",
      "3",
      "-P",
      "22",
      "-p",
      "tcpip",
      "rx_prio=30,threads_min=2",
    ]);
    const threads = await withClient(k, "", (nc) => nc.threads());
    const l2 = threads.filter((t) => t.role === "l2");
    expect(l2.map((t) => t.name)).toEqual(["io-pkt#0x00", "io-pkt#0x01", "io-pkt#0x02"]);
    expect(l2.every((t) => t.basePriority === 30 && t.state === "RECEIVE")).toBe(true);
    const main = threads.find((t) => t.role === "main")!;
    expect(main.name).toBe("io-pkt main");
    expect(main.basePriority).toBe(22);
    expect(threads.filter((t) => t.role === "resmgr").length).toBeGreaterThanOrEqual(1);
    // The same threads are what pidin reads from the process table.
    expect([...r.process.threads.values()].map((t) => t.name)).toEqual(
      expect.arrayContaining(["io-pkt#0x02"]),
    );
  });
});
