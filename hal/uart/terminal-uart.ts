// The host process's own terminal as the console UART (`npm start`): stdin in raw mode when
// it is a TTY (the runtime's line discipline does echo and editing), stdout for output, the
// window size and its changes. The terminal mode is restored on close, on process exit and
// on the signals that end the process, so a crash never leaves the user's shell raw.
//
// Output: Node's raw mode (libuv) keeps the host terminal's output processing on and sets
// ONLCR, which Node cannot turn off; the runtime's line discipline already turned NL into
// CR NL, so the host would show CR CR NL. When stdout is a TTY the backend therefore hands
// the host each CR NL as NL, and the host's ONLCR makes it CR NL again: the terminal receives
// exactly what the line discipline produced (a bare NL, with the runtime's ONLCR off, still
// gets the host's CR).
import { KernelError } from "../../firmware/kernel/errno.ts";
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
} from "./uart-port.ts";

/** The parts of process.stdin / process.stdout / process this backend uses (injectable). */
export interface TerminalInput {
  isTTY?: boolean;
  isRaw?: boolean;
  setRawMode?(mode: boolean): unknown;
  on(event: string, cb: (...args: any[]) => void): unknown;
  off(event: string, cb: (...args: any[]) => void): unknown;
  resume(): unknown;
  pause(): unknown;
}

export interface TerminalOutput {
  isTTY?: boolean;
  columns?: number;
  rows?: number;
  write(data: Uint8Array, cb: (err?: Error | null) => void): boolean;
  on(event: string, cb: (...args: any[]) => void): unknown;
  off(event: string, cb: (...args: any[]) => void): unknown;
}

export interface TerminalProcess {
  pid: number;
  on(event: string, cb: (...args: any[]) => void): unknown;
  off(event: string, cb: (...args: any[]) => void): unknown;
  listenerCount(event: string): number;
  kill(pid: number, signal: string): unknown;
}

export interface TerminalUartOptions {
  input?: TerminalInput;
  output?: TerminalOutput;
  proc?: TerminalProcess;
  settings?: Partial<UartSettings>;
}

const CR = 13;
const NL = 10;

/** CR NL → NL (the host terminal's ONLCR adds the CR back); `data` itself when there is none. */
export function undoHostOnlcr(data: Uint8Array): Uint8Array {
  let i = data.indexOf(CR);
  while (i >= 0 && data[i + 1] !== NL) i = data.indexOf(CR, i + 1);
  if (i < 0) return data;
  const out = new Uint8Array(data.byteLength);
  let n = 0;
  for (let j = 0; j < data.byteLength; j++) {
    const b = data[j] as number;
    if (b === CR && data[j + 1] === NL) continue;
    out[n++] = b;
  }
  return out.subarray(0, n);
}

/** Signals after which the terminal mode must be restored before the process dies. */
const FATAL_SIGNALS = ["SIGTERM", "SIGHUP", "SIGINT", "SIGQUIT"] as const;

export class TerminalUart implements UartPort {
  readonly path = "terminal";
  private readonly input: TerminalInput;
  private readonly output: TerminalOutput;
  private readonly proc: TerminalProcess;
  private current: UartSettings;
  private opened = false;
  private wasRaw = false;
  private dataHandler: DataHandler | null = null;
  private closeHandler: CloseHandler | null = null;
  private resizeHandler: ((size: WindowSize) => void) | null = null;
  private readonly onInput = (chunk: Buffer | string): void => {
    this.dataHandler?.(typeof chunk === "string" ? toBytes(chunk) : chunk);
  };
  private readonly onEnd = (): void => void this.finish(null);
  private readonly onWinch = (): void => {
    const size = this.windowSize();
    if (size) this.resizeHandler?.(size);
  };
  private readonly onExit = (): void => this.restoreMode();
  private readonly signalHandlers = new Map<string, () => void>();

  constructor(opts: TerminalUartOptions = {}) {
    this.input = opts.input ?? (process.stdin as unknown as TerminalInput);
    this.output = opts.output ?? (process.stdout as unknown as TerminalOutput);
    this.proc = opts.proc ?? (process as unknown as TerminalProcess);
    this.current = mergeSettings(DEFAULT_UART_SETTINGS, opts.settings ?? {});
  }

  get isOpen(): boolean {
    return this.opened;
  }

  get settings(): Readonly<UartSettings> {
    return this.current;
  }

  /** True when stdin is a terminal that was put in raw mode. */
  get isRawTerminal(): boolean {
    return this.opened && this.input.isTTY === true && typeof this.input.setRawMode === "function";
  }

  async open(): Promise<void> {
    if (this.opened) return;
    this.opened = true;
    if (this.input.isTTY && this.input.setRawMode) {
      this.wasRaw = this.input.isRaw ?? false;
      this.input.setRawMode(true);
    }
    this.input.on("data", this.onInput);
    this.input.on("end", this.onEnd);
    this.output.on("resize", this.onWinch);
    this.proc.on("exit", this.onExit);
    for (const sig of FATAL_SIGNALS) {
      const h = (): void => this.onSignal(sig);
      this.signalHandlers.set(sig, h);
      this.proc.on(sig, h);
    }
    this.input.resume();
  }

  write(bytes: Uint8Array | string): Promise<void> {
    if (!this.opened) return Promise.reject(new KernelError("EBADF", "terminal is not open"));
    const raw = toBytes(bytes);
    const data = this.output.isTTY ? undoHostOnlcr(raw) : raw;
    return new Promise((resolve, reject) => {
      this.output.write(data, (err) =>
        err ? reject(new KernelError("EIO", `terminal: ${err.message}`)) : resolve(),
      );
    });
  }

  onData(cb: DataHandler): void {
    this.dataHandler = cb;
  }

  onClose(cb: CloseHandler): void {
    this.closeHandler = cb;
  }

  /** A terminal window has no line settings: they are kept only so `stty` reports them. */
  async set(s: Partial<UartSettings>): Promise<void> {
    this.current = mergeSettings(this.current, s);
  }

  async setModemLines(_lines: ModemLines): Promise<boolean> {
    return false;
  }

  async close(): Promise<void> {
    await this.finish(null);
  }

  windowSize(): WindowSize | null {
    const { columns, rows } = this.output;
    return this.output.isTTY && columns && rows ? { rows, cols: columns } : null;
  }

  onResize(cb: (size: WindowSize) => void): void {
    this.resizeHandler = cb;
  }

  private async finish(err: KernelError | null): Promise<void> {
    if (!this.opened) return;
    this.opened = false;
    this.input.off("data", this.onInput);
    this.input.off("end", this.onEnd);
    this.output.off("resize", this.onWinch);
    this.proc.off("exit", this.onExit);
    for (const [sig, h] of this.signalHandlers) this.proc.off(sig, h);
    this.signalHandlers.clear();
    this.restoreMode();
    this.input.pause();
    this.closeHandler?.(err);
  }

  private restoreMode(): void {
    if (this.input.isTTY && this.input.setRawMode) {
      try {
        this.input.setRawMode(this.wasRaw);
      } catch {
        // the terminal may be gone already (hangup)
      }
    }
  }

  /** Restores the terminal; when nobody else handles the signal, dies of it as Node would. */
  private onSignal(sig: string): void {
    this.restoreMode();
    const h = this.signalHandlers.get(sig);
    if (h && this.proc.listenerCount(sig) === 1) {
      void this.finish(null);
      this.proc.kill(this.proc.pid, sig);
    }
  }
}
