// Anonymous pipes, served by a `pipe` manager at /dev/pipe as on QNX. pipe() opens
// /dev/pipe (a new pipe; the read end), reads the pipe's id from fstat's st_ino, then opens
// /dev/pipe/<id> for the write end. Readers block until data or end of file (all writers
// closed); writers block while the buffer is full; writing with no reader left is EPIPE and
// SIGPIPE for the writer.
import { KernelError } from "../kernel/errno.ts";
import type { Kernel } from "../kernel/kernel.ts";
import type { Thread } from "../kernel/thread.ts";
import { newAttr, type Attr } from "./attr.ts";
import * as client from "./client.ts";
import type { Deferred, Handlers, IoContext, Ocb } from "./handlers.ts";
import * as C from "./io-constants.ts";
import { encodeWriteReply } from "./messages.ts";
import type { ResourceManager } from "./resmgr.ts";
import { startManager, type RunningManager } from "./start-manager.ts";

export const PIPE_PATH = "/dev/pipe";
/** Writes of up to PIPE_BUF bytes are atomic (never interleaved with other writers). */
export const PIPE_BUF = 4096;
export const PIPE_MIN_CAPACITY = 4096;
export const PIPE_MAX_CAPACITY = 65536;

interface BlockedReader {
  d: Deferred;
  nbytes: number;
}
interface BlockedWriter {
  d: Deferred;
  data: Uint8Array;
  written: number;
  pid: number;
}

class Pipe {
  readonly attr: Attr;
  buf: Uint8Array;
  head = 0;
  len = 0;
  readers = 0;
  writers = 0;
  everHadWriter = false;
  readonly blockedReaders: BlockedReader[] = [];
  readonly blockedWriters: BlockedWriter[] = [];
  readonly maxCapacity: number;

  constructor(attr: Attr, maxCapacity: number) {
    this.attr = attr;
    this.maxCapacity = maxCapacity;
    this.buf = new Uint8Array(PIPE_MIN_CAPACITY);
  }

  get space(): number {
    return this.maxCapacity - this.len;
  }

  /** Appends as much of `data` as fits (growing the buffer up to the maximum). */
  push(data: Uint8Array): number {
    const n = Math.min(data.byteLength, this.space);
    if (n === 0) return 0;
    if (this.len + n > this.buf.byteLength) {
      let cap = this.buf.byteLength;
      while (cap < this.len + n) cap *= 2;
      const grown = new Uint8Array(Math.min(cap, this.maxCapacity));
      for (let i = 0; i < this.len; i++) grown[i] = this.buf[(this.head + i) % this.buf.byteLength]!;
      this.buf = grown;
      this.head = 0;
    }
    const cap = this.buf.byteLength;
    for (let i = 0; i < n; i++) this.buf[(this.head + this.len + i) % cap] = data[i]!;
    this.len += n;
    return n;
  }

  /** Removes and returns up to `n` bytes. */
  take(n: number): Uint8Array {
    const count = Math.min(n, this.len);
    const out = new Uint8Array(count);
    for (let i = 0; i < count; i++) out[i] = this.buf[(this.head + i) % this.buf.byteLength]!;
    this.head = (this.head + count) % this.buf.byteLength;
    this.len -= count;
    if (this.len === 0) this.head = 0;
    return out;
  }
}

interface PipeEnd {
  pipe: Pipe;
  end: "r" | "w";
}

export class PipeManager {
  readonly rm: ResourceManager;
  private readonly pipes = new Map<number, Pipe>();
  private readonly maxCapacity: number;

  constructor(rm: ResourceManager, opts: { capacity?: number } = {}) {
    this.rm = rm;
    this.maxCapacity = Math.max(
      PIPE_MIN_CAPACITY,
      Math.min(opts.capacity ?? PIPE_MAX_CAPACITY, PIPE_MAX_CAPACITY),
    );
  }

  get count(): number {
    return this.pipes.size;
  }

  mount(path = PIPE_PATH): void {
    this.rm.attach(path, { type: "dir", mode: 0o555, handlers: this.handlers() });
  }

  private handlers(): Handlers {
    return {
      open: (ctx, rel, req) => {
        const acc = req.ioflag & C.O_ACCMODE;
        if (rel === "") {
          if (acc !== C.O_RDONLY || req.ioflag & C.O_DIRECTORY) {
            return { attr: ctx.attach.attr };
          }
          const attr = newAttr(this.rm.allocIno(), C.S_IFIFO | 0o600, ctx.cred.uid, ctx.cred.gid, this.now());
          const pipe = new Pipe(attr, this.maxCapacity);
          this.pipes.set(attr.ino, pipe);
          pipe.readers++;
          return { attr, data: { pipe, end: "r" } satisfies PipeEnd, created: true };
        }
        const pipe = /^\d+$/.test(rel) ? this.pipes.get(Number(rel)) : undefined;
        if (!pipe) throw new KernelError("ENOENT");
        if (ctx.cred.uid !== 0 && ctx.cred.uid !== pipe.attr.uid) throw new KernelError("EACCES");
        if (acc !== C.O_WRONLY) throw new KernelError("EINVAL", "the write end is opened write-only");
        pipe.writers++;
        pipe.everHadWriter = true;
        return { attr: pipe.attr, data: { pipe, end: "w" } satisfies PipeEnd, created: true };
      },
      readdir: () => [],
      read: (ctx, ocb, nbytes) => this.read(ctx, ocb, nbytes),
      write: (ctx, ocb, data) => this.write(ctx, ocb, data),
      lseek: () => {
        throw new KernelError("ESPIPE");
      },
      stat: (_ctx, attr) => {
        const p = this.pipes.get(attr.ino);
        if (p) attr.size = p.len;
      },
      notify: (_ctx, ocb, flags) => {
        const pe = ocb.data as PipeEnd | undefined;
        if (!pe) return 0;
        const p = pe.pipe;
        let ready = 0;
        if (p.len > 0 || (p.everHadWriter && p.writers === 0)) ready |= C.NOTIFY_INPUT;
        if (p.space > 0 || p.readers === 0) ready |= C.NOTIFY_OUTPUT;
        if (p.writers === 0 && p.everHadWriter) ready |= C.NOTIFY_HUP;
        return ready & (flags | C.NOTIFY_HUP);
      },
      close: (_ctx, ocb) => this.closeEnd(ocb),
    };
  }

  private now(): number {
    return this.rm.thread.kernel.clock.wallTime();
  }

  private endOf(ocb: Ocb): PipeEnd {
    const pe = ocb.data as PipeEnd | undefined;
    if (!pe) throw new KernelError("EISDIR");
    return pe;
  }

  private read(ctx: IoContext, ocb: Ocb, nbytes: number): Uint8Array | null {
    const { pipe, end } = this.endOf(ocb);
    if (end !== "r") throw new KernelError("EBADF");
    if (nbytes === 0) return new Uint8Array(0);
    if (pipe.len > 0) {
      const out = pipe.take(nbytes);
      this.pump(pipe);
      return out;
    }
    if (pipe.everHadWriter && pipe.writers === 0) return new Uint8Array(0);
    if (ocb.ioflag & C.O_NONBLOCK) throw new KernelError("EAGAIN");
    const d = ctx.defer();
    const br: BlockedReader = { d, nbytes };
    pipe.blockedReaders.push(br);
    d.onCancel = () => remove(pipe.blockedReaders, br);
    return null;
  }

  private write(ctx: IoContext, ocb: Ocb, data: Uint8Array): number | null {
    const { pipe, end } = this.endOf(ocb);
    if (end !== "w") throw new KernelError("EBADF");
    if (pipe.readers === 0) {
      // Reply first: the signal would otherwise interrupt the writer's send (EINTR).
      ctx.defer().error("EPIPE");
      this.rm.thread.kernel.procs.get(ctx.info.pid)?.signal("SIGPIPE");
      return null;
    }
    // Small writes go in whole or wait (atomicity); big ones go in pieces.
    const atomic = data.byteLength <= PIPE_BUF;
    if (pipe.blockedWriters.length === 0 && (!atomic || pipe.space >= data.byteLength)) {
      const n = pipe.push(data);
      this.feedReaders(pipe);
      if (n === data.byteLength) return n;
      if (ocb.ioflag & C.O_NONBLOCK) return n;
      return this.blockWriter(ctx, pipe, data, n);
    }
    if (ocb.ioflag & C.O_NONBLOCK) throw new KernelError("EAGAIN");
    return this.blockWriter(ctx, pipe, data, 0);
  }

  private blockWriter(ctx: IoContext, pipe: Pipe, data: Uint8Array, written: number): null {
    const d = ctx.defer();
    const bw: BlockedWriter = { d, data, written, pid: ctx.info.pid };
    pipe.blockedWriters.push(bw);
    d.onCancel = () => remove(pipe.blockedWriters, bw);
    return null;
  }

  /** Hands buffered bytes to blocked readers. */
  private feedReaders(pipe: Pipe): void {
    while (pipe.len > 0 && pipe.blockedReaders.length > 0) {
      const r = pipe.blockedReaders.shift() as BlockedReader;
      r.d.reply(pipe.take(r.nbytes));
    }
    this.rm.notifyReady(pipe.attr, pipe.len > 0 ? C.NOTIFY_INPUT : 0);
  }

  /** Moves blocked writers' data in as space frees up, then feeds readers. */
  private pump(pipe: Pipe): void {
    while (pipe.blockedWriters.length > 0) {
      const w = pipe.blockedWriters[0] as BlockedWriter;
      const rest = w.data.subarray(w.written);
      if (rest.byteLength <= PIPE_BUF && pipe.space < rest.byteLength) break;
      const n = pipe.push(rest);
      if (n === 0) break;
      w.written += n;
      if (w.written < w.data.byteLength) break;
      pipe.blockedWriters.shift();
      w.d.reply(encodeWriteReply(w.written), w.written);
    }
    this.feedReaders(pipe);
    if (pipe.space > 0) this.rm.notifyReady(pipe.attr, C.NOTIFY_OUTPUT);
  }

  private closeEnd(ocb: Ocb): void {
    const pe = ocb.data as PipeEnd | undefined;
    if (!pe) return;
    const pipe = pe.pipe;
    if (pe.end === "r") {
      pipe.readers--;
      if (pipe.readers === 0) {
        for (const w of pipe.blockedWriters.splice(0)) {
          if (w.written > 0) w.d.reply(encodeWriteReply(w.written), w.written);
          else w.d.error("EPIPE");
          this.rm.thread.kernel.procs.get(w.pid)?.signal("SIGPIPE");
        }
        this.rm.notifyReady(pipe.attr, C.NOTIFY_OUTPUT);
      }
    } else {
      pipe.writers--;
      if (pipe.writers === 0) {
        for (const r of pipe.blockedReaders.splice(0)) r.d.reply(new Uint8Array(0));
        this.rm.notifyReady(pipe.attr, C.NOTIFY_INPUT | C.NOTIFY_HUP);
      }
    }
    if (pipe.readers === 0 && pipe.writers <= 0) this.pipes.delete(pipe.attr.ino);
  }
}

function remove<T>(list: T[], item: T): void {
  const i = list.indexOf(item);
  if (i >= 0) list.splice(i, 1);
}

/** Starts the pipe manager process (boot does this once per kernel). */
export function startPipeManager(kernel: Kernel, opts: { capacity?: number } = {}): Promise<RunningManager> {
  return startManager(kernel, { name: "pipe" }, (rm) => new PipeManager(rm, opts).mount());
}

/** pipe(2): [read end, write end]. */
export async function pipe(t: Thread): Promise<[number, number]> {
  const r = await client.open(t, PIPE_PATH, C.O_RDONLY);
  try {
    const st = await client.fstat(t, r);
    const w = await client.open(t, `${PIPE_PATH}/${st.ino}`, C.O_WRONLY);
    return [r, w];
  } catch (e) {
    await client.close(t, r);
    throw e;
  }
}
