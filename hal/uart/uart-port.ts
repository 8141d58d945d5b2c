// The serial port devc-ser talks to. Backends: a real UART or pty (serialport), the host
// process's terminal, and serialport's mock for tests.
import { KernelError } from "../../firmware/kernel/errno.ts";

export type Parity = "none" | "even" | "odd";

export interface UartSettings {
  baudRate: number;
  dataBits: 5 | 6 | 7 | 8;
  parity: Parity;
  stopBits: 1 | 2;
  /** Hardware flow control (RTS/CTS). */
  rtscts: boolean;
  /** Software flow control (XON/XOFF) both ways. */
  xon: boolean;
}

export const DEFAULT_UART_SETTINGS: Readonly<UartSettings> = Object.freeze({
  baudRate: 115200,
  dataBits: 8,
  parity: "none",
  stopBits: 1,
  rtscts: false,
  xon: false,
});

export type DataHandler = (bytes: Uint8Array) => void;
/** `err` is null for an orderly close (ours, or end of input), an EIO KernelError when the
 * device went away (USB adapter pulled, pty peer closed). */
export type CloseHandler = (err: KernelError | null) => void;

export interface WindowSize {
  rows: number;
  cols: number;
}

export interface ModemLines {
  dtr?: boolean;
  rts?: boolean;
}

export interface UartPort {
  /** Device path ("/dev/ttyS0", "/dev/pts/3", "terminal", "mock:/dev/ser1"). */
  readonly path: string;
  readonly isOpen: boolean;
  readonly settings: Readonly<UartSettings>;
  open(): Promise<void>;
  /** Resolves once the bytes were handed to the device. */
  write(bytes: Uint8Array | string): Promise<void>;
  /** Sets the one data handler (a later call replaces it). */
  onData(cb: DataHandler): void;
  onClose(cb: CloseHandler): void;
  /** Changes line settings; validated first (EINVAL). Where the device ignores a setting
   * (a pty ignores the baud rate) the new value is still reported by `settings`. */
  set(s: Partial<UartSettings>): Promise<void>;
  /** Sets modem control lines; false when the device has none (a pty, a terminal). */
  setModemLines(lines: ModemLines): Promise<boolean>;
  close(): Promise<void>;
  /** Terminal size where the device is a terminal window; null otherwise. */
  windowSize(): WindowSize | null;
  /** Called when the terminal window is resized (never, for a real UART). */
  onResize(cb: (size: WindowSize) => void): void;
}

const BAUDS = new Set([
  50, 75, 110, 134, 150, 200, 300, 600, 1200, 1800, 2400, 4800, 9600, 19200, 38400, 57600, 115200, 230400,
  460800, 500000, 576000, 921600, 1000000, 1152000, 1500000, 2000000, 2500000, 3000000, 3500000, 4000000,
]);

/** Merges and checks settings; EINVAL names the bad field. Non-standard bauds are accepted
 * (Linux sets them with termios2) as long as they are positive integers. */
export function mergeSettings(base: Readonly<UartSettings>, s: Partial<UartSettings>): UartSettings {
  const m: UartSettings = { ...base, ...stripUndefined(s) };
  if (!Number.isInteger(m.baudRate) || m.baudRate <= 0 || m.baudRate > 16_000_000) {
    throw new KernelError("EINVAL", `invalid baud rate ${String(m.baudRate)}`);
  }
  if (![5, 6, 7, 8].includes(m.dataBits))
    throw new KernelError("EINVAL", `invalid data bits ${String(m.dataBits)}`);
  if (!["none", "even", "odd"].includes(m.parity))
    throw new KernelError("EINVAL", `invalid parity ${String(m.parity)}`);
  if (m.stopBits !== 1 && m.stopBits !== 2)
    throw new KernelError("EINVAL", `invalid stop bits ${String(m.stopBits)}`);
  if (typeof m.rtscts !== "boolean" || typeof m.xon !== "boolean") {
    throw new KernelError("EINVAL", "flow control flags must be true or false");
  }
  return m;
}

export function isStandardBaud(baud: number): boolean {
  return BAUDS.has(baud);
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  const out: Partial<T> = {};
  for (const [k, v] of Object.entries(o)) if (v !== undefined) (out as Record<string, unknown>)[k] = v;
  return out;
}

export function toBytes(data: Uint8Array | string): Uint8Array {
  return typeof data === "string" ? new TextEncoder().encode(data) : data;
}
