// A telnet connection shaped as the UART a TtyDevice serves: what the client types (telnet
// commands removed, IAC unescaped) is the UART's input, what the terminal writes goes out
// escaped, NAWS is the window size (a change is a resize, hence SIGWINCH), and the socket
// closing is the device going away (hangup). So /dev/ttypN gets the same line discipline,
// job control and devctls as the serial console.
import type { Duplex } from "node:stream";
import { KernelError } from "../../kernel/errno.ts";
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
import { AYT, BRK, EC, EL, IP, OPT_TTYPE, TelnetCodec } from "./codec.ts";

/** What a command from the client types at the terminal (the default termios characters). */
const COMMAND_KEYS: Readonly<Record<number, number>> = { [IP]: 0x03, [BRK]: 0x03, [EC]: 0x7f, [EL]: 0x15 };

export class TelnetPort implements UartPort {
  readonly path: string;
  readonly codec: TelnetCodec;
  /** The client's terminal name (TERMINAL-TYPE), once it told us. */
  terminalType: string | null = null;
  private readonly socket: Duplex;
  private current: UartSettings = { ...DEFAULT_UART_SETTINGS };
  private size: WindowSize | null = null;
  private dataCb: DataHandler | null = null;
  private pending: Uint8Array[] = [];
  private closeCbs: CloseHandler[] = [];
  private resizeCb: ((s: WindowSize) => void) | null = null;
  private closed = false;
  private negotiated: (() => void)[] = [];

  /** `path` names the peer ("tcp:10.0.0.2.51234"), as pidin and the system log show it. */
  constructor(socket: Duplex, path: string) {
    this.socket = socket;
    this.path = path;
    this.codec = new TelnetCodec({
      send: (b) => this.raw(b),
      data: (b) => this.input(b),
      windowSize: (cols, rows) => this.resized(cols, rows),
      terminalType: (name) => {
        this.terminalType = name;
        this.checkNegotiated();
      },
      command: (cmd) => {
        if (cmd === AYT) this.raw(toBytes("\r\n[yes]\r\n"));
        const key = COMMAND_KEYS[cmd];
        if (key !== undefined) this.input(Uint8Array.of(key));
      },
      optionChanged: () => this.checkNegotiated(),
    });
    socket.on("data", (b: Buffer) => this.codec.receive(b));
    socket.on("error", (e: NodeJS.ErrnoException) => this.ended(new KernelError("EIO", e.message)));
    socket.on("close", () => this.ended(null));
    socket.on("end", () => this.ended(null));
  }

  get isOpen(): boolean {
    return !this.closed;
  }

  get settings(): Readonly<UartSettings> {
    return this.current;
  }

  /** Sends the server's opening negotiation. */
  async open(): Promise<void> {
    this.codec.start();
  }

  /**
   * Resolves once the client answered what we asked (and named its terminal if it agreed to),
   * so the shell starts with TERM and the window size known; or after `ms` (a client that
   * does not negotiate, such as a raw socket).
   */
  settled(ms: number, setTimer: (ms: number, fn: () => void) => void): Promise<void> {
    return new Promise((resolve) => {
      this.negotiated.push(resolve);
      setTimer(ms, resolve);
      this.checkNegotiated();
    });
  }

  private checkNegotiated(): void {
    if (this.codec.negotiating) return;
    if (this.codec.enabled(OPT_TTYPE, "remote") && this.terminalType === null) return;
    for (const r of this.negotiated.splice(0)) r();
  }

  write(bytes: Uint8Array | string): Promise<void> {
    if (this.closed) return Promise.resolve();
    const out = this.codec.encode(toBytes(bytes));
    return new Promise((resolve) => this.socket.write(out, () => resolve()));
  }

  onData(cb: DataHandler): void {
    this.dataCb = cb;
    for (const b of this.pending.splice(0)) cb(b);
  }

  onClose(cb: CloseHandler): void {
    this.closeCbs.push(cb);
  }

  async set(s: Partial<UartSettings>): Promise<void> {
    // A network terminal has no line settings; they are kept so stty shows what it was told.
    this.current = mergeSettings(this.current, s);
  }

  async setModemLines(_lines: ModemLines): Promise<boolean> {
    return false;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    // Output already written still goes out before the FIN.
    this.socket.end();
    this.ended(null);
  }

  windowSize(): WindowSize | null {
    return this.size;
  }

  onResize(cb: (size: WindowSize) => void): void {
    this.resizeCb = cb;
  }

  private raw(bytes: Uint8Array): void {
    if (!this.closed) this.socket.write(bytes);
  }

  private input(bytes: Uint8Array): void {
    if (this.dataCb) this.dataCb(bytes);
    else this.pending.push(bytes);
  }

  private resized(cols: number, rows: number): void {
    // 0 is "unknown" (RFC 1073): keep the terminal's default for that dimension.
    const size = { cols: cols || (this.size?.cols ?? 80), rows: rows || (this.size?.rows ?? 24) };
    if (this.size && this.size.cols === size.cols && this.size.rows === size.rows) return;
    this.size = size;
    this.resizeCb?.(size);
  }

  private ended(err: KernelError | null): void {
    if (this.closed) return;
    this.closed = true;
    for (const r of this.negotiated.splice(0)) r();
    for (const cb of this.closeCbs.splice(0)) cb(err);
  }
}
