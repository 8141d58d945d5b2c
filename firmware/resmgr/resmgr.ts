// The resource-manager framework: a channel, paths attached in the kernel's path space, a
// receive loop that decodes I/O messages and dispatches them to handlers, OCBs per open,
// permission checks, and cleanup when a client connection goes away.
import { KernelError, type Errno } from "../kernel/errno.ts";
import type { Thread } from "../kernel/thread.ts";
import { CHF, PULSE_CODE, type MsgInfo, type Received } from "../kernel/types.ts";
import {
  accessForOpen,
  attrToStat,
  checkAccess,
  checkChown,
  checkOwner,
  newAttr,
  type Attr,
  type Credentials,
} from "./attr.ts";
import { packDirents } from "./dirent.ts";
import type { Attachment, Deferred, Handlers, IoContext, Ocb, OpenResult } from "./handlers.ts";
import { LinkRedirect } from "./handlers.ts";
import * as C from "./io-constants.ts";
import {
  REPLY_DONE,
  REPLY_LINK,
  REPLY_OPENED,
  REPLY_STAT,
  REPLY_TEXT,
  NOTIFY_ACTION_ARM,
  decodeIds,
  decodeRequest,
  decodeText,
  decodeTimes,
  encodeConnectReply,
  encodeDevctlReply,
  encodeFdInfoReply,
  encodeLseekReply,
  encodeNotifyReply,
  encodeStat,
  encodeText,
  encodeWriteReply,
  type ConnectRequest,
  type IoRequest,
  type NotifyRequest,
} from "./messages.ts";
import { SLOG_MAJOR, SLOG_SEVERITY } from "../kernel/slog.ts";

export interface AttachSpec {
  type: "file" | "dir";
  handlers?: Handlers;
  /** For the attachment itself: permission bits and type (default: 0666 file, 0755 dir). */
  mode?: number;
  uid?: number;
  gid?: number;
  /** Place among managers on the same path (union directories), as _RESMGR_FLAG_BEFORE/AFTER. */
  order?: "before" | "after";
  /** Qnet's /net: names below it are nodes, resolved in their own path spaces. */
  network?: boolean;
}

interface HandleEntry {
  ocb: Ocb;
  scoid: number;
}

interface Armed {
  rcvid: number;
  req: NotifyRequest;
  ocb: Ocb;
}

export interface ResourceManagerOptions {
  /** st_dev reported by stat (default: the manager's pid). */
  dev?: number;
}

export class ResourceManager {
  readonly thread: Thread;
  readonly chid: number;
  readonly dev: number;
  private readonly attachments = new Map<number, Attachment>();
  /** Attachment id → path-space registration id. */
  private readonly registrations = new Map<number, number>();
  private readonly handles = new Map<number, HandleEntry>();
  private readonly byScoid = new Map<number, Set<number>>();
  private readonly deferred = new Map<number, DeferredReply>();
  private readonly armed = new Set<Armed>();
  private nextAttach = 1;
  private nextHandle = 1;
  private nextIno = 1;
  private stopped = false;
  /** The thread pool: loops running, loops waiting in MsgReceive, the ceiling, and whether
   * the pool has been found exhausted since a thread last became free. */
  private readonly pool = {
    live: 0,
    idle: 0,
    base: 0,
    /** 0: a fixed pool (no maxThreads given). */
    max: 0,
    grown: 0,
    exhausted: false,
    onExhausted: null as (() => void) | null,
  };

  constructor(thread: Thread, opts: ResourceManagerOptions = {}) {
    this.thread = thread;
    this.chid = thread.ChannelCreate(CHF.DISCONNECT | CHF.UNBLOCK);
    this.dev = opts.dev ?? thread.process.pid;
  }

  get pid(): number {
    return this.thread.process.pid;
  }

  /** Open OCB handles (for tests and /proc). */
  get openCount(): number {
    return this.handles.size;
  }

  /** A fresh inode number unique within this manager. */
  allocIno(): number {
    return this.nextIno++;
  }

  /** Registers `path` in the path space, served by `spec.handlers`. */
  attach(path: string, spec: AttachSpec): Attachment {
    const id = this.nextAttach++;
    const now = this.thread.kernel.clock.wallTime();
    const typeBits = spec.type === "dir" ? C.S_IFDIR : C.S_IFCHR;
    const mode = spec.mode ?? (spec.type === "dir" ? 0o755 : 0o666);
    const fullMode = (mode & C.S_IFMT) === 0 ? mode | typeBits : mode;
    const a: Attachment = {
      id,
      path,
      type: spec.type,
      handlers: spec.handlers ?? {},
      attr: newAttr(this.allocIno(), fullMode, spec.uid ?? 0, spec.gid ?? 0, now),
    };
    this.attachments.set(id, a);
    const reg = this.thread.kernel.paths.attach(path, {
      pid: this.pid,
      chid: this.chid,
      handle: id,
      type: spec.type,
      order: spec.order,
      network: spec.network,
    });
    this.registrations.set(id, reg);
    return a;
  }

  detach(a: Attachment): void {
    if (!this.attachments.delete(a.id)) return;
    const reg = this.registrations.get(a.id);
    this.registrations.delete(a.id);
    if (reg !== undefined) this.thread.kernel.paths.detach(reg);
  }

  /** The absolute path of `rel` below an attachment. */
  absPath(a: Attachment, rel: string): string {
    if (rel === "") return a.path;
    return a.path === "/" ? `/${rel}` : `${a.path}/${rel}`;
  }

  /**
   * Starts `threads` receive loops (the calling thread's process creates them). With
   * `maxThreads` the pool grows: when a message takes the last waiting thread, another is
   * created, up to `maxThreads` loops in all (counting any the caller runs itself); extra
   * threads end again once enough others wait. At the ceiling `onExhausted` is called, once
   * until a thread is free again (io-pkt logs QNX's "Threads exhausted").
   */
  start(threads = 1, opts: { maxThreads?: number; onExhausted?: () => void } = {}): void {
    if (opts.maxThreads !== undefined) this.pool.max = opts.maxThreads;
    if (opts.onExhausted !== undefined) this.pool.onExhausted = opts.onExhausted;
    for (let i = 0; i < threads; i++) {
      this.thread.process.createThread((t) => this.loop(t), { name: `resmgr-${i + 1}` });
    }
  }

  /** Threads in the pool, and how many of them wait for a message. */
  get threads(): { live: number; idle: number } {
    return { live: this.pool.live, idle: this.pool.idle };
  }

  /** Runs a receive loop on the given thread until the manager stops. */
  async loop(t: Thread, extra = false): Promise<void> {
    const pool = this.pool;
    if (!extra) {
      pool.live++;
      pool.base++;
    }
    try {
      while (!this.stopped) {
        let r: Received;
        pool.idle++;
        try {
          r = await t.MsgReceive(this.chid);
        } catch (e) {
          if (this.stopped || (e instanceof KernelError && (e.errno === "EINVAL" || e.errno === "ESRCH")))
            return;
          if (e instanceof KernelError && e.errno === "EINTR") continue;
          throw e;
        } finally {
          pool.idle--;
        }
        if (r.pulse) {
          this.onPulse(r.pulse.code, r.pulse.value);
          continue;
        }
        if (pool.idle === 0) this.grow();
        await this.dispatch(t, r.rcvid, r.msg, r.info);
        pool.exhausted = false;
        // An extra thread goes once the base number of others wait again.
        if (extra && pool.idle >= pool.base) return;
      }
    } finally {
      pool.live--;
      if (!extra) pool.base--;
    }
  }

  private grow(): void {
    const pool = this.pool;
    if (this.stopped || pool.max === 0) return;
    if (pool.live >= pool.max) {
      if (!pool.exhausted) {
        pool.exhausted = true;
        pool.onExhausted?.();
      }
      return;
    }
    pool.live++;
    pool.grown++;
    const name = `resmgr-x${pool.grown}`;
    try {
      this.thread.process.createThread((t) => this.loop(t, true), { name });
    } catch {
      pool.live--; // the process is ending
    }
  }

  /** Stops the loops and removes the paths. Open OCBs are closed. */
  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    for (const a of [...this.attachments.values()]) this.detach(a);
    for (const d of this.deferred.values()) d.cancel("ESRCH");
    for (const [h, e] of this.handles) this.release(h, e, null);
    try {
      this.thread.ChannelDestroy(this.chid);
    } catch {
      // the process may already be gone
    }
  }

  /** Tells armed _IO_NOTIFY requests on `ocb`'s file that `flags` became ready. */
  notifyReady(attr: Attr, flags: number): void {
    for (const a of [...this.armed]) {
      if (a.ocb.attr !== attr || (a.req.flags & flags) === 0) continue;
      this.armed.delete(a);
      try {
        this.thread.MsgDeliverEvent(a.rcvid, {
          kind: "pulse",
          coid: a.req.coid,
          priority: a.req.priority,
          code: a.req.code,
          value: a.req.value,
        });
      } catch {
        // the client went away
      }
    }
  }

  // ---- dispatch ----------------------------------------------------------------------------

  private onPulse(code: number, value: number): void {
    if (code === PULSE_CODE.DISCONNECT) {
      const set = this.byScoid.get(value);
      if (set) for (const h of [...set]) this.release(h, this.handles.get(h), null);
      for (const a of [...this.armed]) if (Math.floor(a.rcvid / 0x10000) === value) this.armed.delete(a);
      for (const d of [...this.deferred.values()]) if (d.scoid === value) d.cancel("ESRCH");
    } else if (code === PULSE_CODE.UNBLOCK) {
      this.deferred.get(value)?.cancel("EINTR");
    }
  }

  private async dispatch(t: Thread, rcvid: number, msg: Uint8Array, info: MsgInfo): Promise<void> {
    let req: IoRequest;
    try {
      req = decodeRequest(msg);
    } catch (e) {
      this.fail(t, rcvid, e);
      return;
    }
    const ctx = this.context(t, rcvid, info, req);
    if (!ctx) {
      t.MsgError(rcvid, req.type === C.IO_CONNECT ? "ENOENT" : "EBADF");
      return;
    }
    try {
      const reply = req.type === C.IO_CONNECT ? await this.connect(ctx, req) : await this.io(ctx, req);
      if (reply === null || ctx.deferredReply) return;
      safeReply(t, rcvid, reply.status, reply.data);
    } catch (e) {
      if (ctx.deferredReply && ctx.deferredReply.done) return;
      if (ctx.deferredReply) this.deferred.delete(rcvid);
      if (e instanceof LinkRedirect) {
        safeReply(
          t,
          rcvid,
          0,
          encodeConnectReply({ kind: REPLY_LINK, handle: 0, mode: 0, tail: encodeText(e.path) }),
        );
        return;
      }
      this.fail(t, rcvid, e);
    }
  }

  private fail(t: Thread, rcvid: number, e: unknown): void {
    const err = KernelError.from(e);
    if (!(e instanceof KernelError)) {
      t.kernel.slog.log(
        SLOG_MAJOR.FS,
        0,
        SLOG_SEVERITY.ERROR,
        `resmgr ${this.pid}: handler failed: ${String(e)}`,
        this.pid,
      );
    }
    try {
      t.MsgError(rcvid, err.errno, err.message);
    } catch {
      // client gone
    }
  }

  private context(t: Thread, rcvid: number, info: MsgInfo, req: IoRequest): Ctx | null {
    let attach: Attachment | undefined;
    let entry: HandleEntry | undefined;
    if (req.type === C.IO_CONNECT) {
      attach = this.attachments.get(req.handle);
    } else {
      entry = this.handles.get(req.handle);
      const foreign = req.type === C.IO_DUP || req.type === C.IO_FDINFO;
      if (entry && !foreign && entry.scoid !== info.scoid) entry = undefined;
      attach = entry?.ocb.attach;
    }
    if (!attach) return null;
    return new Ctx(this, t, rcvid, info, attach, entry ?? null);
  }

  // ---- connect messages --------------------------------------------------------------------

  private async lookup(ctx: Ctx, rel: string, req: ConnectRequest): Promise<Attr> {
    const h = ctx.attach.handlers;
    if (h.lookup) return h.lookup(ctx, rel, req);
    if (rel !== "") throw new KernelError(ctx.attach.type === "file" ? "ENOTDIR" : "ENOENT");
    return ctx.attach.attr;
  }

  private async connect(ctx: Ctx, req: ConnectRequest): Promise<ReplyData | null> {
    const h = ctx.attach.handlers;
    const rel = normalizeRel(req.path);
    const done = {
      status: 0,
      data: encodeConnectReply({ kind: REPLY_DONE, handle: 0, mode: 0, tail: EMPTY }),
    };
    switch (req.subtype) {
      case C.CONNECT_OPEN: {
        const res: OpenResult = h.open
          ? await h.open(ctx, rel, req)
          : { attr: await this.lookup(ctx, rel, req) };
        const isDir = C.isDirMode(res.attr.mode);
        if (!isDir && (req.eflag & C.EFLAG_DIR || req.ioflag & C.O_DIRECTORY))
          throw new KernelError("ENOTDIR");
        if (isDir && (req.ioflag & C.O_ACCMODE) !== C.O_RDONLY) throw new KernelError("EISDIR");
        if (!res.created) checkAccess(ctx.cred, res.attr, accessForOpen(req.ioflag));
        const handle = this.newOcb(ctx, res, rel, req.ioflag);
        return {
          status: 0,
          data: encodeConnectReply({ kind: REPLY_OPENED, handle, mode: res.attr.mode, tail: EMPTY }),
        };
      }
      case C.CONNECT_STAT: {
        const attr = await this.lookup(ctx, rel, req);
        if (req.eflag & C.EFLAG_DIR && !C.isDirMode(attr.mode)) throw new KernelError("ENOTDIR");
        await h.stat?.(ctx, attr);
        const tail = encodeStat(attrToStat(attr, this.dev));
        return {
          status: 0,
          data: encodeConnectReply({ kind: REPLY_STAT, handle: 0, mode: attr.mode, tail }),
        };
      }
      case C.CONNECT_CHMOD: {
        const attr = await this.lookup(ctx, rel, req);
        await this.chmod(ctx, attr, req.mode);
        return done;
      }
      case C.CONNECT_CHOWN: {
        const attr = await this.lookup(ctx, rel, req);
        const ids = decodeIds(req.extra);
        await this.chown(ctx, attr, ids.uid, ids.gid);
        return done;
      }
      case C.CONNECT_UTIME: {
        const attr = await this.lookup(ctx, rel, req);
        const t = decodeTimes(req.extra);
        await this.utime(ctx, attr, t.atime, t.mtime);
        return done;
      }
      case C.CONNECT_READLINK: {
        if (!h.readlink) throw new KernelError("EINVAL");
        const target = await h.readlink(ctx, rel, req);
        return {
          status: 0,
          data: encodeConnectReply({ kind: REPLY_TEXT, handle: 0, mode: 0, tail: encodeText(target) }),
        };
      }
      case C.CONNECT_UNLINK:
        if (!h.unlink) throw new KernelError(rel === "" ? "EBUSY" : "ENOSYS");
        await h.unlink(ctx, rel, req);
        return done;
      case C.CONNECT_RMDIR:
        if (!h.rmdir) throw new KernelError(rel === "" ? "EBUSY" : "ENOSYS");
        await h.rmdir(ctx, rel, req);
        return done;
      case C.CONNECT_MKDIR:
        if (!h.mkdir) throw new KernelError(rel === "" ? "EEXIST" : "ENOSYS");
        await h.mkdir(ctx, rel, req.mode, req);
        return done;
      case C.CONNECT_RENAME:
        if (!h.rename) throw new KernelError("ENOSYS");
        await h.rename(ctx, rel, normalizeRel(decodeText(req.extra)), req);
        return done;
      case C.CONNECT_SYMLINK:
        if (!h.symlink) throw new KernelError("ENOSYS");
        await h.symlink(ctx, rel, decodeText(req.extra), req);
        return done;
      case C.CONNECT_LINK:
        if (!h.link) throw new KernelError("ENOSYS");
        await h.link(ctx, rel, normalizeRel(decodeText(req.extra)), req);
        return done;
      default:
        throw new KernelError("ENOSYS");
    }
  }

  private async chmod(ctx: IoContext, attr: Attr, mode: number): Promise<void> {
    checkOwner(ctx.cred, attr);
    const h = ctx.attach.handlers;
    if (h.chmod) await h.chmod(ctx, attr, mode);
    else attr.mode = (attr.mode & C.S_IFMT) | (mode & 0o7777);
    attr.ctime = this.thread.kernel.clock.wallTime();
  }

  private async chown(ctx: IoContext, attr: Attr, uid: number, gid: number): Promise<void> {
    // -1 (as u32) leaves the id unchanged, as chown(2).
    const u = uid === 0xffffffff ? attr.uid : uid;
    const g = gid === 0xffffffff ? attr.gid : gid;
    checkChown(ctx.cred, attr, u, g);
    const h = ctx.attach.handlers;
    if (h.chown) await h.chown(ctx, attr, u, g);
    else {
      attr.uid = u;
      attr.gid = g;
    }
    attr.ctime = this.thread.kernel.clock.wallTime();
  }

  private async utime(ctx: IoContext, attr: Attr, atime: number, mtime: number): Promise<void> {
    if (ctx.cred.uid !== 0 && ctx.cred.uid !== attr.uid) checkAccess(ctx.cred, attr, C.W_OK);
    const h = ctx.attach.handlers;
    if (h.utime) await h.utime(ctx, attr, atime, mtime);
    else {
      attr.atime = atime;
      attr.mtime = mtime;
    }
    attr.ctime = this.thread.kernel.clock.wallTime();
  }

  // ---- OCBs --------------------------------------------------------------------------------

  private newOcb(ctx: Ctx, res: OpenResult, rel: string, ioflag: number): number {
    const ocb: Ocb = {
      attach: ctx.attach,
      attr: res.attr,
      path: rel,
      ioflag,
      offset: 0,
      refs: 1,
      data: res.data,
    };
    return this.addHandle(ocb, ctx.info.scoid);
  }

  private addHandle(ocb: Ocb, scoid: number): number {
    const handle = this.nextHandle++;
    this.handles.set(handle, { ocb, scoid });
    let set = this.byScoid.get(scoid);
    if (!set) {
      set = new Set();
      this.byScoid.set(scoid, set);
    }
    set.add(handle);
    return handle;
  }

  private release(handle: number, e: HandleEntry | undefined, ctx: IoContext | null): void {
    if (!e) return;
    this.handles.delete(handle);
    const set = this.byScoid.get(e.scoid);
    set?.delete(handle);
    if (set && set.size === 0) this.byScoid.delete(e.scoid);
    for (const a of [...this.armed])
      if (a.ocb === e.ocb && Math.floor(a.rcvid / 0x10000) === e.scoid) this.armed.delete(a);
    e.ocb.refs--;
    if (e.ocb.refs === 0) {
      const h = e.ocb.attach.handlers;
      try {
        const r = h.close?.(ctx, e.ocb);
        if (r instanceof Promise) r.catch(() => undefined);
      } catch {
        // a close handler may not fail the release
      }
    }
  }

  // ---- I/O messages ------------------------------------------------------------------------

  private async io(ctx: Ctx, req: Exclude<IoRequest, ConnectRequest>): Promise<ReplyData | null> {
    const entry = ctx.entry as HandleEntry;
    const ocb = entry.ocb;
    const h = ocb.attach.handlers;
    switch (req.type) {
      case C.IO_READ: {
        if ((ocb.ioflag & C.O_ACCMODE) === C.O_WRONLY) throw new KernelError("EBADF");
        if (C.isDirMode(ocb.attr.mode)) {
          if (!h.readdir) throw new KernelError("ENOSYS");
          const all = await h.readdir(ctx, ocb);
          const { bytes, count } = packDirents(all, ocb.offset, req.nbytes);
          if (count === 0 && ocb.offset < all.length)
            throw new KernelError("EINVAL", "buffer too small for an entry");
          ocb.offset += count;
          return { status: bytes.byteLength, data: bytes };
        }
        if (!h.read) throw new KernelError("ENOSYS");
        const explicit = req.xtype === 1;
        const data = await h.read(ctx, ocb, req.nbytes, explicit ? req.offset : ocb.offset);
        if (data === null) return null;
        if (!explicit) ocb.offset += data.byteLength;
        ocb.attr.atime = this.thread.kernel.clock.wallTime();
        return { status: data.byteLength, data };
      }
      case C.IO_WRITE: {
        if ((ocb.ioflag & C.O_ACCMODE) === C.O_RDONLY) throw new KernelError("EBADF");
        if (!h.write) throw new KernelError("ENOSYS");
        const explicit = req.xtype === 1;
        if (!explicit && ocb.ioflag & C.O_APPEND) ocb.offset = ocb.attr.size;
        const n = await h.write(ctx, ocb, req.data, explicit ? req.offset : ocb.offset);
        if (n === null) return null;
        if (!explicit) ocb.offset += n;
        return { status: n, data: encodeWriteReply(n) };
      }
      case C.IO_LSEEK: {
        let pos: number;
        if (h.lseek) pos = await h.lseek(ctx, ocb, req.offset, req.whence);
        else {
          const base =
            req.whence === C.SEEK_SET
              ? 0
              : req.whence === C.SEEK_CUR
                ? ocb.offset
                : req.whence === C.SEEK_END
                  ? ocb.attr.size
                  : NaN;
          if (Number.isNaN(base)) throw new KernelError("EINVAL");
          pos = base + req.offset;
        }
        if (pos < 0) throw new KernelError("EINVAL");
        ocb.offset = pos;
        return { status: 0, data: encodeLseekReply(pos) };
      }
      case C.IO_STAT:
        await h.stat?.(ctx, ocb.attr);
        return { status: 0, data: encodeStat(attrToStat(ocb.attr, this.dev)) };
      case C.IO_DEVCTL: {
        if (!h.devctl) throw new KernelError("ENOTTY");
        const r = await h.devctl(ctx, ocb, req.dcmd, req.data, req.replyMax);
        if (r === null) return null;
        const data = r.data ?? EMPTY;
        if (data.byteLength > req.replyMax) throw new KernelError("EMSGSIZE");
        return { status: r.ret, data: encodeDevctlReply(r.ret, data, r.headroom === true) };
      }
      case C.IO_CLOSE:
        this.release(req.handle, entry, ctx);
        return { status: 0, data: EMPTY };
      case C.IO_DUP: {
        // The source handle must belong to the caller or to its parent (inheritance at spawn).
        const owner = this.thread.kernel.scoids.get(entry.scoid)?.owner;
        const caller = this.thread.kernel.procs.get(ctx.info.pid);
        // From another node (`on -n`: the remote child takes over its asker's descriptors), a
        // pid says nothing here: the caller must be the owner's user, or root.
        const remote = ctx.info.nd !== 0;
        const ok =
          owner &&
          (remote
            ? ctx.cred.uid === 0 || ctx.cred.uid === owner.uid
            : owner.pid === ctx.info.pid || caller?.parent?.pid === owner.pid) &&
          owner.pid === req.srcPid;
        if (!ok) throw new KernelError("EBADF");
        ocb.refs++;
        const handle = this.addHandle(ocb, ctx.info.scoid);
        return {
          status: 0,
          data: encodeConnectReply({ kind: REPLY_OPENED, handle, mode: ocb.attr.mode, tail: EMPTY }),
        };
      }
      case C.IO_FDINFO: {
        // The owner itself, or root (pidin fds), may read where another's open file is.
        const owner = this.thread.kernel.scoids.get(entry.scoid)?.owner;
        const caller = this.thread.kernel.procs.get(ctx.info.pid);
        const ok = owner && owner.pid === req.srcPid && (owner.pid === ctx.info.pid || caller?.uid === 0);
        if (!ok) throw new KernelError("EBADF");
        const description = ocb.attach.handlers.fdinfo?.(ocb) ?? "";
        return { status: 0, data: encodeFdInfoReply(ocb.offset, description) };
      }
      case C.IO_CHMOD:
        await this.chmod(ctx, ocb.attr, req.mode);
        return { status: 0, data: EMPTY };
      case C.IO_CHOWN:
        await this.chown(ctx, ocb.attr, req.uid, req.gid);
        return { status: 0, data: EMPTY };
      case C.IO_UTIME:
        await this.utime(ctx, ocb.attr, req.atime, req.mtime);
        return { status: 0, data: EMPTY };
      case C.IO_NOTIFY: {
        const ready = h.notify
          ? h.notify(ctx, ocb, req.flags)
          : req.flags & (C.NOTIFY_INPUT | C.NOTIFY_OUTPUT);
        if (req.action === NOTIFY_ACTION_ARM && (ready & req.flags) === 0) {
          this.armed.add({ rcvid: ctx.rcvid, req, ocb });
        }
        return { status: 0, data: encodeNotifyReply(ready) };
      }
    }
  }

  /** @internal */
  trackDeferred(d: DeferredReply): void {
    this.deferred.set(d.rcvid, d);
  }

  /** @internal */
  untrackDeferred(d: DeferredReply): void {
    if (this.deferred.get(d.rcvid) === d) this.deferred.delete(d.rcvid);
  }
}

interface ReplyData {
  status: number;
  data: Uint8Array;
}

const EMPTY = new Uint8Array(0);

function safeReply(t: Thread, rcvid: number, status: number, data: Uint8Array): void {
  try {
    t.MsgReply(rcvid, status, data);
  } catch {
    // the client went away while we worked
  }
}

/** "a//b/./c/" → "a/b/c"; ".." is resolved by the client, so any left over is refused. */
export function normalizeRel(p: string): string {
  const parts: string[] = [];
  for (const c of p.split("/")) {
    if (c === "" || c === ".") continue;
    if (c === "..") throw new KernelError("EINVAL", "'..' below a manager's root");
    parts.push(c);
  }
  return parts.join("/");
}

class Ctx implements IoContext {
  readonly rm: ResourceManager;
  readonly thread: Thread;
  readonly rcvid: number;
  readonly info: MsgInfo;
  readonly cred: Credentials;
  readonly attach: Attachment;
  readonly entry: HandleEntry | null;
  deferredReply: DeferredReply | null = null;

  constructor(
    rm: ResourceManager,
    t: Thread,
    rcvid: number,
    info: MsgInfo,
    attach: Attachment,
    entry: HandleEntry | null,
  ) {
    this.rm = rm;
    this.thread = t;
    this.rcvid = rcvid;
    this.info = info;
    this.cred = { uid: info.uid, gid: info.gid };
    this.attach = attach;
    this.entry = entry;
  }

  defer(): Deferred {
    if (!this.deferredReply) {
      this.deferredReply = new DeferredReply(this.rm, this.thread, this.rcvid, this.info.scoid);
      this.rm.trackDeferred(this.deferredReply);
    }
    return this.deferredReply;
  }
}

class DeferredReply implements Deferred {
  readonly rm: ResourceManager;
  readonly thread: Thread;
  readonly rcvid: number;
  readonly scoid: number;
  done = false;
  onCancel: (() => void) | null = null;

  constructor(rm: ResourceManager, t: Thread, rcvid: number, scoid: number) {
    this.rm = rm;
    this.thread = t;
    this.rcvid = rcvid;
    this.scoid = scoid;
  }

  reply(data: Uint8Array = EMPTY, status = data.byteLength): void {
    if (this.done) return;
    this.done = true;
    this.rm.untrackDeferred(this);
    safeReply(this.thread, this.rcvid, status, data);
  }

  error(errno: Errno, message?: string): void {
    if (this.done) return;
    this.done = true;
    this.rm.untrackDeferred(this);
    try {
      this.thread.MsgError(this.rcvid, errno, message);
    } catch {
      // client gone
    }
  }

  /** The client gave up or went away. */
  cancel(errno: Errno): void {
    if (this.done) return;
    const cb = this.onCancel;
    this.onCancel = null;
    cb?.();
    this.error(errno);
  }
}
