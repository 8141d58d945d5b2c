import { EventEmitter } from "node:events";
import { describe, expect, it } from "vitest";
import { TerminalUart } from "../../../hal/uart/terminal-uart.ts";

class FakeStdin extends EventEmitter {
  isTTY = true;
  isRaw = false;
  modes: boolean[] = [];
  paused = true;
  setRawMode(m: boolean): this {
    this.isRaw = m;
    this.modes.push(m);
    return this;
  }
  resume(): this {
    this.paused = false;
    return this;
  }
  pause(): this {
    this.paused = true;
    return this;
  }
}

class FakeStdout extends EventEmitter {
  isTTY = true;
  columns = 80;
  rows = 24;
  out: Buffer[] = [];
  write(data: Uint8Array, cb: (err?: Error | null) => void): boolean {
    this.out.push(Buffer.from(data));
    queueMicrotask(() => cb(null));
    return true;
  }
}

class FakeProcess extends EventEmitter {
  pid = 4242;
  killed: string[] = [];
  kill(_pid: number, sig: string): boolean {
    this.killed.push(sig);
    return true;
  }
}

function setup(): { input: FakeStdin; output: FakeStdout; proc: FakeProcess; t: TerminalUart } {
  const input = new FakeStdin();
  const output = new FakeStdout();
  const proc = new FakeProcess();
  return { input, output, proc, t: new TerminalUart({ input, output, proc }) };
}

describe("TerminalUart", () => {
  it("puts a TTY in raw mode while open and restores the previous mode on close", async () => {
    const { input, t } = setup();
    await t.open();
    expect(input.isRaw).toBe(true);
    expect(input.paused).toBe(false);
    expect(t.isRawTerminal).toBe(true);
    const closes: unknown[] = [];
    t.onClose((e) => closes.push(e));
    await t.close();
    expect(input.modes).toEqual([true, false]);
    expect(input.paused).toBe(true);
    expect(closes).toEqual([null]);
    expect(input.listenerCount("data")).toBe(0);
  });

  it("does not touch the mode when stdin is not a terminal (a pipe)", async () => {
    const { input, t } = setup();
    input.isTTY = false;
    await t.open();
    expect(input.modes).toEqual([]);
    expect(t.isRawTerminal).toBe(false);
    await t.close();
    expect(input.modes).toEqual([]);
  });

  it("passes input bytes through and writes output", async () => {
    const { input, output, t } = setup();
    await t.open();
    const got: string[] = [];
    t.onData((b) => got.push(Buffer.from(b).toString()));
    input.emit("data", Buffer.from("\x03ls\r"));
    input.emit("data", "é");
    expect(got).toEqual(["\x03ls\r", "é"]);
    await t.write("$ ");
    await t.write(Uint8Array.of(7));
    expect(Buffer.concat(output.out).toString()).toBe("$ \x07");
    await t.close();
    await expect(t.write("x")).rejects.toMatchObject({ errno: "EBADF" });
  });

  it("reports the window size and its changes", async () => {
    const { output, t } = setup();
    await t.open();
    expect(t.windowSize()).toEqual({ rows: 24, cols: 80 });
    const sizes: unknown[] = [];
    t.onResize((s) => sizes.push(s));
    output.columns = 132;
    output.rows = 50;
    output.emit("resize");
    expect(sizes).toEqual([{ rows: 50, cols: 132 }]);
    output.isTTY = false;
    expect(t.windowSize()).toBeNull();
    await t.close();
  });

  it("restores the mode on process exit", async () => {
    const { input, proc, t } = setup();
    await t.open();
    proc.emit("exit", 0);
    expect(input.isRaw).toBe(false);
  });

  it("on a fatal signal nobody else handles: restores the mode, then dies of the signal", async () => {
    const { input, proc, t } = setup();
    await t.open();
    proc.emit("SIGTERM");
    expect(input.isRaw).toBe(false);
    expect(proc.killed).toEqual(["SIGTERM"]);
    expect(proc.listenerCount("SIGTERM")).toBe(0);
    expect(t.isOpen).toBe(false);
  });

  it("on a signal the runtime handles (clean shutdown): restores the mode, does not kill", async () => {
    const { input, proc, t } = setup();
    proc.on("SIGTERM", () => undefined);
    await t.open();
    proc.emit("SIGTERM");
    expect(input.isRaw).toBe(false);
    expect(proc.killed).toEqual([]);
    await t.close();
    expect(proc.listenerCount("SIGTERM")).toBe(1);
  });

  it("treats end of input as a close", async () => {
    const { input, t } = setup();
    const closes: unknown[] = [];
    t.onClose((e) => closes.push(e));
    await t.open();
    input.emit("end");
    expect(closes).toEqual([null]);
    expect(t.isOpen).toBe(false);
  });

  it("keeps line settings for stty but has no modem lines", async () => {
    const { t } = setup();
    await t.set({ baudRate: 9600, parity: "even" });
    expect(t.settings).toMatchObject({ baudRate: 9600, parity: "even", dataBits: 8 });
    expect(await t.setModemLines({ dtr: true })).toBe(false);
    await expect(t.set({ stopBits: 5 as 1 })).rejects.toThrow(/stop bits/);
  });
});
