import { describe, expect, it } from "vitest";
import { boot, run, sh } from "../bin/harness.ts";
import type { Kernel } from "../../../firmware/kernel/kernel.ts";
import type { Process } from "../../../firmware/kernel/process.ts";
import { ManualClock } from "../../../firmware/kernel/clock.ts";
import { GpioManager } from "../../../firmware/gpio/gpio-manager.ts";
import { SimGpioBackend } from "../../../firmware/gpio/sim-backend.ts";
import managerProgram, { parsePinList } from "../../../firmware/gpio/gpio-manager-program.ts";
import * as P from "../../../firmware/gpio/gpio-protocol.ts";
import { settle } from "../../helpers/wait.ts";

/** Starts a GPIO manager process over simulated pins; resolves once /dev/gpio is registered. */
function startGpio(k: Kernel, pins = [4, 17, 27], heartbeat?: [number, number]) {
  const backend = new SimGpioBackend(pins);
  return new Promise<{ backend: SimGpioBackend; mgr: GpioManager }>((resolve) => {
    k.spawn({
      name: "gpio-manager",
      main: async (t) => {
        const mgr = new GpioManager(t, backend);
        if (heartbeat) mgr.startHeartbeat(heartbeat[0], heartbeat[1]);
        resolve({ backend, mgr });
        await mgr.serve(t);
        return 0;
      },
    });
  });
}

describe("gpio manager", () => {
  it("serves one file per pin: ls, cat, and writes of levels and directions", async () => {
    const { kernel: k } = await boot();
    const { backend } = await startGpio(k);
    expect((await sh(k, ["ls", "/dev/gpio"])).stdout).toBe("17\n27\n4\n");
    expect((await sh(k, ["cat", "/dev/gpio/17"])).stdout).toBe("0\n");
    backend.inject(17, 1);
    expect((await sh(k, ["cat", "/dev/gpio/17"])).stdout).toBe("1\n");
    expect(await sh(k, ["cat", "/dev/gpio/5"])).toMatchObject({
      status: 1,
      stderr: "cat: /dev/gpio/5: No such file or directory\n",
    });
    expect(await sh(k, ["gpio", "write", "4", "1"])).toMatchObject({
      status: 1,
      stderr: "gpio: 4: Operation not permitted\n",
    });
    expect((await sh(k, ["gpio", "mode", "4", "out"])).status).toBe(0);
    expect((await sh(k, ["gpio", "write", "4", "1"])).status).toBe(0);
    expect(backend.pin(4).read()).toBe(1);
    expect((await sh(k, ["gpio", "read", "4"])).stdout).toBe("1\n");
    expect((await sh(k, ["gpio"])).stdout).toBe("pin  dir  level\n  4  out  1\n 17  in   1\n 27  in   0\n");
    expect((await sh(k, ["gpio", "write", "4", "2"])).status).toBe(1);
    // Plain file writes work too (what `echo 0 > /dev/gpio/4` does): open for writing, write.
    await run(
      k,
      { name: "w", usage: "", main: async (ctx) => (await ctx.fs.writeFile("/dev/gpio/4", "low\n"), 0) },
      ["w"],
    );
    expect(backend.pin(4).read()).toBe(0);
  });

  it("delivers each edge as a pulse at the watcher's priority", async () => {
    const { kernel: k } = await boot();
    const { backend, mgr } = await startGpio(k);
    const watching = sh(k, ["gpio", "watch", "-c", "3", "-p", "40", "17", "both"]);
    await settle(() => mgr.eventCount === 1, "gpio watch to attach its event");
    // Each edge is queued as its own pulse carrying the level, so they may come back to back.
    backend.inject(17, 1);
    backend.inject(17, 0);
    backend.inject(17, 1);
    const r = await watching;
    expect(r).toEqual({ status: 0, stdout: "17: 1 (rising)\n17: 0 (falling)\n17: 1 (rising)\n", stderr: "" });
    // closing the pin file detached the event
    await settle(() => mgr.eventCount === 0, "the event to be detached");
  });

  it("only delivers the chosen edge", async () => {
    const { kernel: k } = await boot();
    const { backend, mgr } = await startGpio(k);
    const watching = sh(k, ["gpio", "watch", "-c", "1", "27", "falling"]);
    await settle(() => mgr.eventCount === 1, "gpio watch to attach its event");
    backend.inject(27, 1);
    backend.inject(27, 0);
    expect((await watching).stdout).toBe("27: 0 (falling)\n");
  });

  it("refuses to watch an output pin", async () => {
    const { kernel: k } = await boot();
    await startGpio(k);
    await sh(k, ["gpio", "mode", "4", "out"]);
    expect(await sh(k, ["gpio", "watch", "4"])).toMatchObject({
      status: 1,
      stderr: "gpio: 4: Invalid argument\n",
    });
  });

  it("toggles the heartbeat LED from a kernel timer", async () => {
    const clock = new ManualClock();
    const { kernel: k } = await boot({ clock });
    const timers = clock.pending;
    const { backend } = await startGpio(k, [4, 17], [4, 100]);
    await settle(() => clock.pending > timers, "the heartbeat timer to be armed");
    const levels: number[] = [];
    for (let i = 0; i < 4; i++) {
      const before = backend.pin(4).read();
      clock.advance(100);
      await settle(() => backend.pin(4).read() !== before, "the heartbeat to toggle pin 4");
      levels.push(backend.pin(4).read());
    }
    expect(levels).toEqual([1, 0, 1, 0]);
  });

  it("the gpio-manager program registers /dev/gpio and daemonizes", async () => {
    const { kernel: k } = await boot();
    let proc: Process | null = null;
    const ended = run(k, managerProgram, ["gpio-manager", "-p", "2-3"], { onStart: (p) => (proc = p) });
    expect((await sh(k, ["waitfor", "/dev/gpio/3", "2"])).status).toBe(0);
    expect(proc!.detached).toBe(true);
    expect((await sh(k, ["gpio", "list"])).stdout).toBe("pin  dir  level\n  2  in   0\n  3  in   0\n");
    expect((await sh(k, ["slog2info"])).stdout).toContain("gpio-manager: sim backend, 2 pins at /dev/gpio");
    proc!.signal("SIGKILL");
    expect((await ended).status).toBe(128 + 9);
    expect(parsePinList("4,17,22-24")).toEqual([4, 17, 22, 23, 24]);
    expect(() => parsePinList("3-1")).toThrow();
  });
});

describe("gpio protocol", () => {
  it("round-trips attach requests and edge values", () => {
    const req = { edge: "falling" as const, coid: 70000, priority: 200, code: -3 };
    expect(P.decodeAttachEvent(P.encodeAttachEvent(req))).toEqual(req);
    expect(P.decodeEdgePulseValue(P.edgePulseValue(27, 1))).toEqual({ pin: 27, level: 1 });
    expect(() => P.decodeAttachEvent(new Uint8Array(3))).toThrow();
    expect(() => P.decodeDirection(Uint8Array.of(9))).toThrow();
  });
});
