import { describe, expect, it } from "vitest";
import { MockUart } from "../../../hal/uart/mock-uart.ts";
import { DEFAULT_UART_SETTINGS, mergeSettings } from "../../../hal/uart/uart-port.ts";

let n = 0;
const uniquePath = (): string => `/dev/mockser${process.pid}-${n++}`;

function nextData(u: MockUart): Promise<string> {
  return new Promise((resolve) => u.onData((b) => resolve(new TextDecoder().decode(b))));
}

describe("MockUart (serialport's mock binding)", () => {
  it("round trips: the runtime writes to the peer, the peer types at the runtime", async () => {
    const u = new MockUart(uniquePath());
    await u.open();
    expect(u.isOpen).toBe(true);
    await u.write("login: ");
    await u.write(Uint8Array.of(0x1b, 0x5b, 0x4b));
    expect(u.peer.takeText()).toBe("login: \x1b[K");
    expect(u.peer.take()).toHaveLength(0);
    const got = nextData(u);
    u.peer.write("root\r");
    expect(await got).toBe("root\r");
    await u.close();
    expect(u.isOpen).toBe(false);
  });

  it("reports an orderly close as null, and refuses writes after it", async () => {
    const u = new MockUart(uniquePath());
    const closes: unknown[] = [];
    u.onClose((e) => closes.push(e));
    await u.open();
    await u.close();
    expect(closes).toEqual([null]);
    await expect(u.write("x")).rejects.toMatchObject({ errno: "EBADF" });
    expect(() => u.peer.write("x")).toThrow(/not open/);
  });

  it("fails to open a device that does not exist", async () => {
    const ghost = new MockUart(uniquePath(), {}, { createDevice: false });
    await expect(ghost.open()).rejects.toMatchObject({ errno: "ENOENT" });
    expect(ghost.isOpen).toBe(false);
  });

  it("changes the baud rate in place and framing by reopening, keeping the data path", async () => {
    const u = new MockUart(uniquePath(), { baudRate: 9600 });
    const closes: unknown[] = [];
    u.onClose((e) => closes.push(e));
    await u.open();
    await u.set({ baudRate: 38400 });
    expect(u.settings.baudRate).toBe(38400);
    await u.set({ dataBits: 7, parity: "even" });
    expect(u.settings).toMatchObject({ baudRate: 38400, dataBits: 7, parity: "even" });
    expect(u.isOpen).toBe(true);
    expect(closes).toEqual([]); // a reopen is not a close for the driver
    const got = nextData(u);
    u.peer.write("ok");
    expect(await got).toBe("ok");
    await u.close();
  });

  it("validates settings", async () => {
    const u = new MockUart(uniquePath());
    await expect(u.set({ baudRate: 0 })).rejects.toThrow(/baud/);
    await expect(u.set({ dataBits: 9 as 8 })).rejects.toThrow(/data bits/);
    await expect(u.set({ parity: "mark" as "odd" })).rejects.toThrow(/parity/);
    await expect(u.set({ stopBits: 3 as 2 })).rejects.toThrow(/stop bits/);
    expect(mergeSettings(DEFAULT_UART_SETTINGS, { baudRate: 250000 }).baudRate).toBe(250000);
    expect(u.settings).toEqual(DEFAULT_UART_SETTINGS);
  });

  it("has no window and answers modem-line requests", async () => {
    const u = new MockUart(uniquePath());
    expect(u.windowSize()).toBeNull();
    expect(await u.setModemLines({ dtr: true })).toBe(false); // not open
    await u.open();
    expect(await u.setModemLines({ dtr: true, rts: false })).toBe(true);
    await u.close();
  });
});
