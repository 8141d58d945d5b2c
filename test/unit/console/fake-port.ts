// An in-memory UartPort for console tests: `type()` is the far end typing, `output` what
// the runtime wrote.
import {
  DEFAULT_UART_SETTINGS,
  mergeSettings,
  toBytes,
  type CloseHandler,
  type DataHandler,
  type ModemLines,
  type UartPort,
  type UartSettings,
  type WindowSize,
} from "../../../hal/uart/uart-port.ts";
import { KernelError } from "../../../firmware/kernel/errno.ts";

export class FakePort implements UartPort {
  readonly path = "fake";
  isOpen = false;
  settings: UartSettings = { ...DEFAULT_UART_SETTINGS };
  written: Uint8Array[] = [];
  size: WindowSize | null = { rows: 40, cols: 100 };
  modem: ModemLines = {};
  /** When set, writes stay pending until release() (a slow line). */
  slow = false;
  private pending: (() => void)[] = [];
  private data: DataHandler | null = null;
  private closeCb: CloseHandler | null = null;
  private resize: ((s: WindowSize) => void) | null = null;

  async open(): Promise<void> {
    this.isOpen = true;
  }
  write(bytes: Uint8Array | string): Promise<void> {
    this.written.push(toBytes(bytes));
    if (!this.slow) return Promise.resolve();
    return new Promise((r) => this.pending.push(r));
  }
  release(): void {
    for (const r of this.pending.splice(0)) r();
  }
  onData(cb: DataHandler): void {
    this.data = cb;
  }
  onClose(cb: CloseHandler): void {
    this.closeCb = cb;
  }
  onResize(cb: (size: WindowSize) => void): void {
    this.resize = cb;
  }
  async set(s: Partial<UartSettings>): Promise<void> {
    this.settings = mergeSettings(this.settings, s);
  }
  async setModemLines(lines: ModemLines): Promise<boolean> {
    this.modem = { ...this.modem, ...lines };
    return true;
  }
  async close(): Promise<void> {
    this.isOpen = false;
    this.closeCb?.(null);
  }
  windowSize(): WindowSize | null {
    return this.size;
  }

  type(text: string | number[]): void {
    this.data?.(typeof text === "string" ? new TextEncoder().encode(text) : Uint8Array.from(text));
  }
  pull(): void {
    this.closeCb?.(new KernelError("EIO"));
  }
  resized(size: WindowSize): void {
    this.size = size;
    this.resize?.(size);
  }
  /** Everything written so far, as text; clears it. */
  output(): string {
    const s = this.written.map((b) => new TextDecoder().decode(b)).join("");
    this.written = [];
    return s;
  }
}
