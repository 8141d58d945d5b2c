// The terminal line discipline (what QNX's io-char and Linux's n_tty do): input editing in
// canonical mode (erase, word erase, kill, EOF), raw mode, echo with ^X for control
// characters, CR→NL on input and NL→CRNL on output, XON/XOFF, and the signal characters
// that turn into SIGINT/SIGQUIT/SIGTSTP for the foreground process group. Pure and
// synchronous: bytes in, bytes and callbacks out, so it is tested without any device.
import type { Termios } from "../program.ts";
import { ByteQueue } from "./byte-queue.ts";
import { CTRL, defaultTermios } from "./termios-defaults.ts";

export type TtySignal = "SIGINT" | "SIGQUIT" | "SIGTSTP";

export interface LineDisciplineHooks {
  /** Bytes for the device (echo), already output-processed. */
  output(bytes: Uint8Array): void;
  /** A signal character arrived: deliver `sig` to the foreground process group. */
  signal(sig: TtySignal): void;
  /** Input became readable (a line completed in canonical mode, any byte in raw mode). */
  readable(): void;
  /** XON (^Q) after XOFF (^S): held output may go again. */
  outputResumed?(): void;
}

export interface LineDisciplineOptions {
  termios?: Partial<Termios>;
  /** Longest line being edited in canonical mode (MAX_CANON); more is dropped with a bell. */
  maxCanon?: number;
  /** Most bytes waiting for readers (MAX_INPUT); more is dropped, as a UART overrun would. */
  maxInput?: number;
}

export const MAX_CANON = 4096;
export const MAX_INPUT = 256 * 1024;

const EMPTY = new Uint8Array(0);
const ERASE_ONE = [CTRL.H, 0x20, CTRL.H];

function isContinuation(b: number): boolean {
  return (b & 0xc0) === 0x80;
}

/** Control characters echo as two columns (^C); tab and newline echo as themselves. */
function isEchoedAsCaret(b: number): boolean {
  return (b < 0x20 && b !== CTRL.TAB && b !== CTRL.LF) || b === CTRL.DEL;
}

/** Stores `b` at `at`, doubling the buffer when full; returns the (possibly new) buffer. */
function pushByte(buf: Uint8Array, at: number, b: number): Uint8Array {
  let out = buf;
  if (at >= buf.byteLength) {
    out = new Uint8Array(buf.byteLength * 2);
    out.set(buf);
  }
  out[at] = b;
  return out;
}

function isBlank(b: number): boolean {
  return b === 0x20 || b === CTRL.TAB;
}

export class LineDiscipline {
  private t: Termios;
  private readonly hooks: LineDisciplineHooks;
  private readonly maxCanon: number;
  private readonly maxInput: number;
  /** The line being edited (canonical mode). */
  private readonly edit: Uint8Array;
  private editLen = 0;
  /** Completed lines waiting for readers; an empty entry is an end-of-file mark (^D on an empty line). */
  private readonly lines: Uint8Array[] = [];
  private lineOffset = 0;
  private linesBytes = 0;
  /** Raw-mode input. */
  private readonly rawq: ByteQueue;
  /** Output column, kept from everything written, so erasing a tab goes back the right amount. */
  private column = 0;
  private lineStartColumn = 0;
  private echoBuf: Uint8Array = new Uint8Array(256);
  private echoLen = 0;
  private rawBuf: Uint8Array = new Uint8Array(256);
  private rawLen = 0;
  /** XOFF received: the device should hold output until XON. */
  outputStopped = false;

  constructor(hooks: LineDisciplineHooks, opts: LineDisciplineOptions = {}) {
    this.hooks = hooks;
    this.t = { ...defaultTermios(), ...opts.termios };
    this.maxCanon = opts.maxCanon ?? MAX_CANON;
    this.maxInput = opts.maxInput ?? MAX_INPUT;
    this.edit = new Uint8Array(this.maxCanon);
    this.rawq = new ByteQueue(this.maxInput);
  }

  get termios(): Readonly<Termios> {
    return this.t;
  }

  /** Bytes a read would find now (what FIONREAD / _IO_NOTIFY ask). */
  get available(): number {
    return this.t.icanon ? this.linesBytes - this.lineOffset + (this.hasEof() ? 1 : 0) : this.rawq.length;
  }

  /** True when a read would not block (data or an end-of-file mark). */
  get readable(): boolean {
    return this.t.icanon ? this.lines.length > 0 : this.rawq.length > 0;
  }

  /** The line being typed (canonical mode), for tests and `pidin`-like views. */
  get pendingLine(): Uint8Array {
    return this.edit.subarray(0, this.editLen);
  }

  /** Changes settings (tcsetattr). Switching modes keeps typed-ahead input. */
  setAttr(change: Partial<Termios>): void {
    const wasCanon = this.t.icanon;
    this.t = { ...this.t, ...change };
    if (wasCanon && !this.t.icanon) {
      // Completed lines and the partial line become raw input, in order.
      for (let i = 0; i < this.lines.length; i++) {
        const l = i === 0 ? this.lines[i].subarray(this.lineOffset) : this.lines[i];
        if (l.byteLength > 0) this.rawq.push(l.slice());
      }
      this.clearLines();
      if (this.editLen > 0) this.rawq.push(this.edit.slice(0, this.editLen));
      this.editLen = 0;
    } else if (!wasCanon && this.t.icanon && this.rawq.length > 0) {
      // Raw bytes already typed are handed out as one completed line rather than lost.
      this.pushLine(this.rawq.take(this.rawq.length));
    }
    if (!this.t.ixon && this.outputStopped) this.resumeOutput();
    if (this.readable) this.hooks.readable();
  }

  /** Removes up to `max` bytes of input: null when a read must wait, an empty array at end of file. */
  read(max: number): Uint8Array | null {
    if (max <= 0) return EMPTY;
    if (!this.t.icanon) return this.rawq.length > 0 ? this.rawq.take(max) : null;
    if (this.lines.length === 0) return null;
    const line = this.lines[0];
    if (line.byteLength === 0) {
      this.lines.shift();
      return EMPTY;
    }
    const n = Math.min(max, line.byteLength - this.lineOffset);
    const out = line.slice(this.lineOffset, this.lineOffset + n);
    this.lineOffset += n;
    if (this.lineOffset >= line.byteLength) {
      this.lines.shift();
      this.linesBytes -= line.byteLength;
      this.lineOffset = 0;
    }
    return out;
  }

  /** Discards all input (tcflush TCIFLUSH, and what a signal character does). */
  flushInput(): void {
    this.editLen = 0;
    this.clearLines();
    this.rawq.clear();
  }

  /** Bytes arriving from the device. */
  receive(data: Uint8Array): void {
    for (let i = 0; i < data.byteLength; i++) this.receiveByte(data[i]);
    this.flushRaw();
    this.flushEcho();
    if (this.readable) this.hooks.readable();
  }

  /** Output post-processing (ONLCR) and column tracking; returns `data` itself when nothing changes. */
  processOutput(data: Uint8Array): Uint8Array {
    let lf = 0;
    for (let i = 0; i < data.byteLength; i++) {
      const b = data[i];
      if (b === CTRL.LF) {
        lf++;
        this.column = 0;
      } else if (b === CTRL.CR) this.column = 0;
      else if (b === CTRL.H) this.column = Math.max(0, this.column - 1);
      else if (b === CTRL.TAB) this.column = (this.column | 7) + 1;
      else if (b >= 0x20 && b !== CTRL.DEL && !isContinuation(b)) this.column++;
    }
    if (!this.t.onlcr || lf === 0) return data;
    const out = new Uint8Array(data.byteLength + lf);
    let j = 0;
    for (let i = 0; i < data.byteLength; i++) {
      if (data[i] === CTRL.LF) out[j++] = CTRL.CR;
      out[j++] = data[i];
    }
    return out;
  }

  // ---- input ---------------------------------------------------------------------------

  private receiveByte(input: number): void {
    const t = this.t;
    let c = input;
    if (t.csize === 7) c &= 0x7f;
    if (t.ixon) {
      if (c === CTRL.S) {
        this.outputStopped = true;
        return;
      }
      if (c === CTRL.Q) {
        this.resumeOutput();
        return;
      }
    }
    if (t.icrnl && c === CTRL.CR) c = CTRL.LF;
    if (t.isig && c !== 0) {
      const sig = c === t.vintr ? "SIGINT" : c === t.vquit ? "SIGQUIT" : c === t.vsusp ? "SIGTSTP" : null;
      if (sig) {
        this.rawLen = 0;
        this.flushInput();
        if (t.echo) this.echoChar(c);
        this.flushEcho();
        this.hooks.signal(sig);
        return;
      }
    }
    if (!t.icanon) {
      if (this.rawq.length + this.rawLen >= this.maxInput) return;
      this.rawBuf = pushByte(this.rawBuf, this.rawLen++, c);
      if (t.echo) this.echoChar(c);
      return;
    }
    if ((c !== 0 && c === t.verase) || (c === CTRL.H && t.verase === CTRL.DEL)) {
      this.eraseChar();
      return;
    }
    if (c === CTRL.W) {
      this.eraseWord();
      return;
    }
    if (c !== 0 && c === t.vkill) {
      this.killLine();
      return;
    }
    if (c !== 0 && c === t.veof) {
      // ^D ends the line without a delimiter; on an empty line it is end of file.
      this.completeLine();
      return;
    }
    if (c === CTRL.LF) {
      if (this.editLen >= this.maxCanon) this.editLen = this.maxCanon - 1;
      this.edit[this.editLen++] = c;
      if (t.echo) this.echoChar(c);
      this.completeLine();
      return;
    }
    // Leave room for the newline that ends the line.
    if (this.editLen >= this.maxCanon - 1) {
      if (t.echo) this.pushEcho(CTRL.BEL);
      return;
    }
    if (this.editLen === 0) this.lineStartColumn = this.column;
    this.edit[this.editLen++] = c;
    if (t.echo) this.echoChar(c);
  }

  private completeLine(): void {
    if (this.linesBytes + this.editLen > this.maxInput) {
      // Nobody reads: drop the line rather than grow without bound.
      this.editLen = 0;
      if (this.t.echo) this.pushEcho(CTRL.BEL);
      return;
    }
    this.pushLine(this.edit.slice(0, this.editLen));
    this.editLen = 0;
  }

  private pushLine(line: Uint8Array): void {
    this.lines.push(line);
    this.linesBytes += line.byteLength;
  }

  private clearLines(): void {
    this.lines.length = 0;
    this.lineOffset = 0;
    this.linesBytes = 0;
  }

  private hasEof(): boolean {
    return this.lines.length > 0 && this.lines[0].byteLength === 0;
  }

  private resumeOutput(): void {
    if (!this.outputStopped) return;
    this.outputStopped = false;
    this.hooks.outputResumed?.();
  }

  // ---- editing -------------------------------------------------------------------------

  /** Removes the last character (all bytes of a UTF-8 sequence) and rubs it out on the screen. */
  private eraseChar(): boolean {
    if (this.editLen === 0) return false;
    let start = this.editLen - 1;
    while (start > 0 && isContinuation(this.edit[start])) start--;
    const b = this.edit[start];
    this.editLen = start;
    if (!this.t.echo) return true;
    if (b === CTRL.TAB) {
      this.flushEcho(); // brings `column` up to date
      const back = this.column - this.columnAt(this.editLen);
      for (let i = 0; i < back; i++) this.pushEcho(CTRL.H);
    } else {
      const cols = isEchoedAsCaret(b) ? 2 : 1;
      for (let i = 0; i < cols; i++) for (const e of ERASE_ONE) this.pushEcho(e);
    }
    return true;
  }

  private eraseWord(): void {
    while (this.editLen > 0 && isBlank(this.edit[this.editLen - 1])) this.eraseChar();
    while (this.editLen > 0 && !isBlank(this.edit[this.editLen - 1])) this.eraseChar();
  }

  private killLine(): void {
    while (this.eraseChar()) {
      // each call rubs out one character
    }
  }

  /** Screen column after echoing the first `len` bytes of the line being edited. */
  private columnAt(len: number): number {
    let col = this.lineStartColumn;
    for (let i = 0; i < len; i++) {
      const b = this.edit[i];
      if (b === CTRL.TAB) col = (col | 7) + 1;
      else if (isEchoedAsCaret(b)) col += 2;
      else if (!isContinuation(b)) col++;
    }
    return col;
  }

  // ---- echo ----------------------------------------------------------------------------

  private echoChar(c: number): void {
    if (isEchoedAsCaret(c)) {
      this.pushEcho(0x5e); // ^
      this.pushEcho(c === CTRL.DEL ? 0x3f : c + 0x40);
    } else this.pushEcho(c);
  }

  private pushEcho(b: number): void {
    this.echoBuf = pushByte(this.echoBuf, this.echoLen++, b);
  }

  /** Raw bytes of one receive() go to the queue as one chunk (no allocation per byte). */
  private flushRaw(): void {
    if (this.rawLen === 0) return;
    this.rawq.push(this.rawBuf.slice(0, this.rawLen));
    this.rawLen = 0;
    if (this.rawBuf.byteLength > 4096) this.rawBuf = new Uint8Array(256);
  }

  private flushEcho(): void {
    if (this.echoLen === 0) return;
    const bytes = this.echoBuf.slice(0, this.echoLen);
    this.echoLen = 0;
    if (this.echoBuf.byteLength > 4096) this.echoBuf = new Uint8Array(256);
    this.hooks.output(this.processOutput(bytes));
  }
}
