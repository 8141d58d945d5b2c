// The serialport backend on a real pty: socat makes one (`pty,link=…`) and bridges it to its
// own stdin/stdout, so the test plays the device at the other end.
import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SerialportUart } from "../../../hal/uart/serialport-uart.ts";
import { hasCommand, requirement } from "../../helpers/requirements.ts";
import { settle } from "../../helpers/wait.ts";

const skip = requirement("hal-uart-pty", { socat: hasCommand("socat") });

/** Waits for what the pty's data events make true (a turn of the event loop at a time). */
function until(cond: () => boolean, ms = 5000): Promise<void> {
  return settle(cond, "the pty", ms);
}

describe.skipIf(skip)("SerialportUart on a socat pty", () => {
  let dir: string;
  let link: string;
  let socat: ChildProcessWithoutNullStreams;
  let fromRuntime = "";

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "netrino-pty-"));
    link = join(dir, "ttyS9");
    socat = spawn("socat", [`pty,raw,echo=0,link=${link}`, "stdio"]);
    socat.stdout.on("data", (d: Buffer) => (fromRuntime += d.toString("latin1")));
    await until(() => existsSync(link));
  });

  afterAll(() => {
    socat?.kill();
    rmSync(dir, { recursive: true, force: true });
  });

  it("opens the pty, receives what the far end types and sends what the runtime writes", async () => {
    const u = new SerialportUart(link, { baudRate: 115200, rtscts: true });
    await u.open();
    let got = "";
    u.onData((b) => (got += Buffer.from(b).toString("latin1")));
    socat.stdin.write("uname -a\r");
    await until(() => got === "uname -a\r");
    const binary = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
    await u.write(binary);
    await u.write("# ");
    await until(() => fromRuntime.length === 258);
    expect(Buffer.from(fromRuntime, "latin1").subarray(0, 256)).toEqual(binary);
    expect(fromRuntime.endsWith("# ")).toBe(true);

    // A pty ignores the baud rate and has no modem lines: neither is an error.
    await u.set({ baudRate: 9600 });
    expect(u.settings.baudRate).toBe(9600);
    expect(await u.setModemLines({ dtr: true, rts: true })).toBe(false);
    // Framing changes reopen the device; data still flows.
    await u.set({ dataBits: 7, parity: "odd", stopBits: 2 });
    got = "";
    socat.stdin.write("ls\r");
    await until(() => got === "ls\r");
    await u.close();
    expect(u.isOpen).toBe(false);
  });

  it("names a missing device", async () => {
    await expect(new SerialportUart(join(dir, "nope")).open()).rejects.toMatchObject({ errno: "ENOENT" });
  });
});
