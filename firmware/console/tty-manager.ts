// A terminal device (/dev/ser1, /dev/con1) as a resource manager over a hal UartPort: the
// line discipline between the wire and the readers, blocking reads that a signal
// interrupts (EINTR through the kernel's unblock pulse), writes with a bounded amount of
// output in flight, readiness for select/poll, and the terminal devctls (termios,
// foreground process group, window size). One TtyDevice per device; the manager that
// owns it (devc-ser) may serve several.
import type { UartPort, UartSettings, WindowSize } from "../../hal/uart/uart-port.ts";
import { KernelError } from "../kernel/errno.ts";
import type { Kernel } from "../kernel/kernel.ts";
import { SLOG_MAJOR, SLOG_SEVERITY } from "../kernel/slog.ts";
import type { Termios } from "../program.ts";
import type { Attr } from "../resmgr/attr.ts";
import type { Attachment, Deferred, IoContext, Ocb } from "../resmgr/handlers.ts";
import * as C from "../resmgr/io-constants.ts";
import { encodeWriteReply } from "../resmgr/messages.ts";
import type { ResourceManager } from "../resmgr/resmgr.ts";
import { LineDiscipline, type TtySignal } from "./line-discipline.ts";
import { handleTtyDevctl } from "./tty-devctl.ts";

export interface TtyDeviceOptions {
  /** Path to register ("/dev/ser1"). */
  path: string;
  port: UartPort;
  termios?: Partial<Termios>;
  /** Permission bits of the device node (default 0666). */
  mode?: number;
}

/** Output bytes handed to the port and not yet written, above which writers wait. */
export const OUTPUT_HIGH_WATER = 64 * 1024;

interface PendingRead {
  d: Deferred;
  nbytes: number;
}

interface PendingWrite {
  d: Deferred;
  n: number;
}

const DEFAULT_SIZE: WindowSize = { rows: 24, cols: 80 };

export class TtyDevice {
  readonly path: string;
  readonly port: UartPort;
  readonly ld: LineDiscipline;
  readonly attach: Attachment;
  /** Foreground process group: where signal characters go (0: none). */
  foregroundPgid = 0;
  /** Session that has this terminal as its controlling terminal (0: none). */
  sessionId = 0;
  private readonly rm: ResourceManager;
  private readonly kernel: Kernel;
  private readonly readers: PendingRead[] = [];
  private readonly writers: PendingWrite[] = [];
  /** Output held by XOFF. */
  private held: Uint8Array[] = [];
  private inFlight = 0;
  private hungUp = false;
  private sizeOverride: WindowSize | null = null;

  constructor(rm: ResourceManager, opts: TtyDeviceOptions) {
    this.rm = rm;
    this.kernel = rm.thread.kernel;
    this.path = opts.path;
    this.port = opts.port;
    this.ld = new LineDiscipline(
      {
        output: (b) => this.send(b),
        signal: (s) => this.deliverSignal(s),
        readable: () => this.serveReaders(),
        outputResumed: () => this.releaseHeld(),
      },
      { termios: { ...termiosFromSettings(opts.port.settings), ...opts.termios } },
    );
    this.attach = rm.attach(opts.path, {
      type: "file",
      mode: C.S_IFCHR | (opts.mode ?? 0o666),
      handlers: {
        read: (ctx, ocb, nbytes) => this.read(ctx, ocb, nbytes),
        write: (ctx, _ocb, data) => this.write(ctx, data),
        devctl: (ctx, _ocb, dcmd, data) => handleTtyDevctl(this, ctx, dcmd, data),
        notify: (_ctx, _ocb, flags) => this.ready() & flags,
        lseek: () => 0,
      },
    });
    this.port.onData((bytes) => this.receive(bytes));
    this.port.onClose((err) => this.hangup(err));
    this.port.onResize(() => {
      this.sizeOverride = null;
      if (this.foregroundPgid) this.kernel.signalGroup(this.foregroundPgid, "SIGWINCH");
    });
  }

  get attr(): Attr {
    return this.attach.attr;
  }

  get termios(): Readonly<Termios> {
    return this.ld.termios;
  }

  windowSize(): WindowSize {
    return this.sizeOverride ?? this.port.windowSize() ?? DEFAULT_SIZE;
  }

  /** TIOCSWINSZ: a size set by software wins over the device's; the foreground group hears of it. */
  setWindowSize(size: WindowSize): void {
    this.sizeOverride = { rows: size.rows, cols: size.cols };
    if (this.foregroundPgid) this.kernel.signalGroup(this.foregroundPgid, "SIGWINCH");
  }

  /** Bytes from the wire (also how tests type at the terminal). */
  receive(bytes: Uint8Array): void {
    if (this.hungUp) return;
    try {
      this.ld.receive(bytes);
    } catch (e) {
      // Input must never take the driver down.
      this.log(`input dropped: ${String(e)}`);
    }
  }

  /** tcsetattr: the line discipline, and the UART when line settings changed. */
  async setTermios(change: Partial<Termios>): Promise<void> {
    const next = { ...this.ld.termios, ...change };
    const uart = settingsFromTermios(next);
    const cur = this.port.settings;
    const differs = (Object.keys(uart) as (keyof UartSettings)[]).some((k) => uart[k] !== cur[k]);
    if (differs) await this.port.set(uart);
    this.ld.setAttr(change);
  }

  /** Makes `sid` the session this terminal controls, with `pgid` in the foreground (+session). */
  setControllingSession(sid: number, pgid: number): void {
    this.sessionId = sid;
    this.foregroundPgid = pgid;
  }

  // ---- reads -----------------------------------------------------------------------------

  private read(ctx: IoContext, ocb: Ocb, nbytes: number): Uint8Array | null {
    if (this.readers.length === 0) {
      const data = this.ld.read(nbytes);
      if (data !== null) return data;
    }
    if (this.hungUp) return new Uint8Array(0);
    if (ocb.ioflag & C.O_NONBLOCK) throw new KernelError("EAGAIN");
    const d = ctx.defer();
    const pending: PendingRead = { d, nbytes };
    this.readers.push(pending);
    // A signal (UNBLOCK pulse) or the client going away: the framework replies EINTR/ESRCH.
    d.onCancel = () => {
      const i = this.readers.indexOf(pending);
      if (i >= 0) this.readers.splice(i, 1);
    };
    return null;
  }

  private serveReaders(): void {
    while (this.readers.length > 0) {
      const r = this.readers[0];
      const data = this.ld.read(r.nbytes);
      if (data === null) break;
      this.readers.shift();
      r.d.reply(data);
    }
    if (this.ld.readable) this.rm.notifyReady(this.attr, C.NOTIFY_INPUT);
  }

  private ready(): number {
    let r = C.NOTIFY_OUTPUT;
    if (this.ld.readable || this.hungUp) r |= C.NOTIFY_INPUT;
    if (this.hungUp) r |= C.NOTIFY_HUP;
    return r;
  }

  // ---- writes ----------------------------------------------------------------------------

  private write(ctx: IoContext, data: Uint8Array): number | null {
    if (this.hungUp) throw new KernelError("EIO");
    this.send(this.ld.processOutput(data));
    if (this.inFlight <= OUTPUT_HIGH_WATER) return data.byteLength;
    // Slow line (or XOFF): the writer waits until the output drains.
    this.writers.push({ d: ctx.defer(), n: data.byteLength });
    return null;
  }

  /** Hands bytes to the port in order, or holds them while XOFF is in effect. */
  private send(bytes: Uint8Array): void {
    if (bytes.byteLength === 0 || this.hungUp) return;
    this.inFlight += bytes.byteLength;
    if (this.ld.outputStopped) {
      this.held.push(bytes);
      return;
    }
    this.port.write(bytes).then(
      () => this.drained(bytes.byteLength),
      (e: unknown) => {
        this.log(`write failed: ${String(e)}`);
        this.drained(bytes.byteLength);
      },
    );
  }

  private releaseHeld(): void {
    const held = this.held;
    this.held = [];
    for (const b of held) {
      this.inFlight -= b.byteLength;
      this.send(b);
    }
  }

  private drained(n: number): void {
    this.inFlight -= n;
    while (this.writers.length > 0 && this.inFlight <= OUTPUT_HIGH_WATER) {
      const w = this.writers.shift() as PendingWrite;
      w.d.reply(encodeWriteReply(w.n), w.n);
    }
  }

  // ---- signals and hangup ----------------------------------------------------------------

  private deliverSignal(sig: TtySignal): void {
    // Output held by XOFF is dropped with the input, as a terminal does on an interrupt.
    if (this.foregroundPgid > 0) this.kernel.signalGroup(this.foregroundPgid, sig);
  }

  private hangup(err: KernelError | null): void {
    if (this.hungUp) return;
    this.hungUp = true;
    if (err) this.log(`device ${this.port.path} went away: ${err.message}`);
    for (const r of this.readers.splice(0)) r.d.reply(new Uint8Array(0));
    for (const w of this.writers.splice(0)) w.d.error("EIO");
    this.rm.notifyReady(this.attr, C.NOTIFY_INPUT | C.NOTIFY_HUP);
    if (this.foregroundPgid > 0) this.kernel.signalGroup(this.foregroundPgid, "SIGHUP");
  }

  private log(text: string): void {
    this.kernel.slog.log(SLOG_MAJOR.CONSOLE, 0, SLOG_SEVERITY.WARNING, `${this.path}: ${text}`, this.rm.pid);
  }
}

export function termiosFromSettings(s: Readonly<UartSettings>): Partial<Termios> {
  return {
    baud: s.baudRate,
    csize: s.dataBits,
    parity: s.parity,
    cstopb: s.stopBits === 2,
    crtscts: s.rtscts,
  };
}

export function settingsFromTermios(t: Readonly<Termios>): UartSettings {
  return {
    baudRate: t.baud,
    dataBits: t.csize,
    parity: t.parity,
    stopBits: t.cstopb ? 2 : 1,
    rtscts: t.crtscts,
    // XON/XOFF is done here, in the line discipline, not by the UART.
    xon: false,
  };
}
