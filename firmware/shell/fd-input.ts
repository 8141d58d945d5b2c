// Line input from one of the shell's descriptors, shared by everything in the shell that reads
// it (the script reader for a piped stdin, `read`, `read -u n`). As real shells do, a regular
// file is read in chunks and the read-ahead is given back with lseek before the shell starts
// another program (`giveBack`, called by the interpreter before every exec), while pipes and terminals are read a byte at a time, so a command started by
// the script finds the input exactly where the shell stopped: in `{ read a; cat; } < file`
// cat starts at the second line.
import type { ShellOs } from "./os.ts";

const CHUNK = 4096;
const NL = 0x0a;

export class FdInput {
  private readonly os: ShellOs;
  private readonly fd: number;
  private readonly chunked: boolean;
  private buf: Uint8Array = new Uint8Array(0);
  private pos = 0;
  private eof = false;

  constructor(os: ShellOs, fd: number, chunked: boolean) {
    this.os = os;
    this.fd = fd;
    this.chunked = chunked;
  }

  /** Bytes read ahead and not yet handed out (0 for pipes and terminals). */
  get buffered(): number {
    return this.buf.length - this.pos;
  }

  /** Seeks the descriptor back over the read-ahead, so others sharing it start where we stopped. */
  async giveBack(): Promise<void> {
    const n = this.buffered;
    if (n === 0) return;
    this.buf = new Uint8Array(0);
    this.pos = 0;
    await this.os.unread(this.fd, n);
  }

  /**
   * The next line and whether it ended with a newline; null at end of input. `wrap` lets the
   * caller make each read interruptible (Ctrl-C during `read`).
   */
  async readLine(
    wrap: <T>(p: Promise<T>) => Promise<T> = (p) => p,
  ): Promise<{ line: string; complete: boolean } | null> {
    const parts: Uint8Array[] = [];
    let bytes: number[] | null = null;
    for (;;) {
      if (this.pos < this.buf.length) {
        const nl = this.buf.indexOf(NL, this.pos);
        const end = nl < 0 ? this.buf.length : nl;
        parts.push(this.buf.subarray(this.pos, end));
        this.pos = nl < 0 ? this.buf.length : nl + 1;
        if (nl >= 0) return { line: decode(parts, bytes), complete: true };
      }
      if (this.eof) break;
      if (this.chunked) {
        const chunk = await wrap(this.os.read(this.fd, CHUNK));
        if (!chunk || chunk.length === 0) this.eof = true;
        else {
          this.buf = chunk;
          this.pos = 0;
        }
        continue;
      }
      // A byte at a time: never take more than this line from a descriptor others share.
      const b = await wrap(this.os.read(this.fd, 1));
      // Not sticky: a terminal gives more input after a Ctrl-D.
      if (!b || b.length === 0) break;
      if (b[0] === NL) return { line: decode(parts, bytes), complete: true };
      (bytes ??= []).push(b[0]);
    }
    if (parts.every((p) => p.length === 0) && !bytes) return null;
    return { line: decode(parts, bytes), complete: false };
  }
}

function decode(parts: Uint8Array[], bytes: number[] | null): string {
  const dec = new TextDecoder();
  let s = "";
  for (const p of parts) s += dec.decode(p, { stream: true });
  if (bytes) s += dec.decode(Uint8Array.from(bytes), { stream: true });
  return s + dec.decode();
}
