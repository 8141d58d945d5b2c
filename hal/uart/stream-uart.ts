// Shared body of the serialport-based backends (real device and mock): both drive a
// SerialPortStream and differ only in how it is built.
import type { SerialPortStream } from "@serialport/stream";
import { KernelError } from "../../firmware/kernel/errno.ts";
import {
  mergeSettings,
  toBytes,
  type CloseHandler,
  type DataHandler,
  type ModemLines,
  type UartPort,
  type UartSettings,
  type WindowSize,
} from "./uart-port.ts";

/** What the backends hand to serialport's constructors. */
export interface StreamOpenOptions {
  path: string;
  baudRate: number;
  dataBits: 5 | 6 | 7 | 8;
  parity: "none" | "even" | "odd";
  stopBits: 1 | 2;
  rtscts: boolean;
  xon: boolean;
  xoff: boolean;
  autoOpen: false;
}

export abstract class StreamUart implements UartPort {
  readonly path: string;
  private current: UartSettings;
  private port: SerialPortStream | null = null;
  private dataHandler: DataHandler | null = null;
  private closeHandler: CloseHandler | null = null;
  private closingOnPurpose = false;

  constructor(path: string, settings: UartSettings) {
    this.path = path;
    this.current = settings;
  }

  /** Builds the (unopened) stream for the current settings. */
  protected abstract create(opts: StreamOpenOptions): Promise<SerialPortStream>;

  get isOpen(): boolean {
    return this.port?.isOpen ?? false;
  }

  get settings(): Readonly<UartSettings> {
    return this.current;
  }

  /** The underlying stream, for subclasses (the mock's far end). */
  protected get stream(): SerialPortStream | null {
    return this.port;
  }

  async open(): Promise<void> {
    if (this.port?.isOpen) return;
    const s = this.current;
    const port = await this.create({
      path: this.path,
      baudRate: s.baudRate,
      dataBits: s.dataBits,
      parity: s.parity,
      stopBits: s.stopBits,
      rtscts: s.rtscts,
      xon: s.xon,
      xoff: s.xon,
      autoOpen: false,
    });
    await new Promise<void>((resolve, reject) =>
      port.open((err) => (err ? reject(openError(this.path, err)) : resolve())),
    );
    port.on("data", (chunk: Buffer) => this.dataHandler?.(chunk));
    // Errors after open arrive as "close" with an error; keep "error" from throwing.
    port.on("error", () => undefined);
    port.on("close", (err?: Error & { disconnected?: boolean }) => {
      if (this.port !== port) return;
      this.port = null;
      const purposeful = this.closingOnPurpose;
      this.closingOnPurpose = false;
      this.closeHandler?.(err && !purposeful ? new KernelError("EIO", `${this.path}: ${err.message}`) : null);
    });
    this.port = port;
  }

  write(bytes: Uint8Array | string): Promise<void> {
    const port = this.port;
    if (!port?.isOpen) return Promise.reject(new KernelError("EBADF", `${this.path} is not open`));
    const data = toBytes(bytes);
    return new Promise((resolve, reject) => {
      port.write(Buffer.from(data.buffer, data.byteOffset, data.length), (err) =>
        err ? reject(new KernelError("EIO", `${this.path}: ${err.message}`)) : resolve(this.written(data)),
      );
    });
  }

  onData(cb: DataHandler): void {
    this.dataHandler = cb;
  }

  onClose(cb: CloseHandler): void {
    this.closeHandler = cb;
  }

  async set(s: Partial<UartSettings>): Promise<void> {
    const next = mergeSettings(this.current, s);
    const prev = this.current;
    this.current = next;
    const port = this.port;
    if (!port?.isOpen) return;
    const onlyBaud =
      next.dataBits === prev.dataBits &&
      next.parity === prev.parity &&
      next.stopBits === prev.stopBits &&
      next.rtscts === prev.rtscts &&
      next.xon === prev.xon;
    if (onlyBaud) {
      if (next.baudRate === prev.baudRate) return;
      // A pty accepts and ignores the baud rate; a device that refuses keeps the old one.
      await new Promise<void>((resolve) => port.update({ baudRate: next.baudRate }, () => resolve()));
      return;
    }
    // serialport can only change framing and flow control by reopening the device.
    await this.reopen();
  }

  async setModemLines(lines: ModemLines): Promise<boolean> {
    const port = this.port;
    if (!port?.isOpen) return false;
    return new Promise((resolve) => port.set(lines, (err) => resolve(!err)));
  }

  async close(): Promise<void> {
    const port = this.port;
    if (!port?.isOpen) return;
    this.closingOnPurpose = true;
    await new Promise<void>((resolve) => port.close(() => resolve()));
  }

  windowSize(): WindowSize | null {
    return null;
  }

  onResize(): void {
    // a UART has no window
  }

  /** Hook after a write completed (the mock tells its far end). */
  protected written(_data: Uint8Array): void {}

  private async reopen(): Promise<void> {
    const handler = this.closeHandler;
    this.closeHandler = null;
    try {
      await this.close();
    } finally {
      this.closeHandler = handler;
    }
    await this.open();
  }
}

function openError(path: string, err: Error): KernelError {
  const m = err.message;
  if (/ENOENT|No such file|does not exist/i.test(m))
    return new KernelError("ENOENT", `${path}: no such device`);
  if (/EACCES|Permission denied/i.test(m)) {
    return new KernelError("EACCES", `${path}: permission denied (is the user in the dialout group?)`);
  }
  if (/EBUSY|lock|busy/i.test(m)) return new KernelError("EBUSY", `${path}: device busy`);
  return new KernelError("EIO", `${path}: ${m}`);
}
