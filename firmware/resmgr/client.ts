// The client library (what libc's open/read/write/stat … do on QNX), used from a Thread:
// resolve a path through the kernel's path space (longest prefix, union directories, symlinks
// in the path space and inside managers), send _IO_CONNECT to the managers in turn, and keep
// descriptors in the process's FdTable as { coid, handle }.
import { KernelError } from "../kernel/errno.ts";
import type { FdEntry } from "../kernel/fd-table.ts";
import { normalizePath, type PathMatch } from "../kernel/pathspace.ts";
import type { Thread } from "../kernel/thread.ts";
import { decodeDirents, type DirentRecord } from "./dirent.ts";
import * as C from "./io-constants.ts";
import {
  REPLY_LINK,
  REPLY_OPENED,
  REPLY_STAT,
  REPLY_TEXT,
  decodeConnectReply,
  decodeDevctlReply,
  decodeFdInfoReply,
  decodeLseekReply,
  decodeNotifyReply,
  decodeStat,
  decodeText,
  decodeWriteReply,
  encodeIds,
  encodeRequest,
  encodeText,
  encodeTimes,
  type ConnectReply,
  type ConnectRequest,
  type StatRecord,
} from "./messages.ts";

export type { StatRecord, DirentRecord };

/** The path as the client sees it: absolute, `..` resolved, whether it ended in "/". */
export function absolutePath(t: Thread, path: string): { abs: string; trailingSlash: boolean } {
  if (path === "") throw new KernelError("ENOENT");
  if (path.includes("\0")) throw new KernelError("EINVAL");
  return { abs: normalizePath(path, t.process.cwd), trailingSlash: path.length > 1 && path.endsWith("/") };
}

interface ConnectAttempt {
  /** Builds the request for one candidate manager, or null to skip it (rename/link: EXDEV). */
  build(rest: string, match: PathMatch): Omit<ConnectRequest, "type" | "handle" | "path"> | null;
  /** Follow a symlink that is the last component. */
  follow: boolean;
  /** Keep the connection (open): otherwise it is detached after the reply. */
  keep: boolean;
  /** What a path with no manager but registrations below it (like /dev) answers. */
  virtual?: (abs: string) => ConnectResult;
  /** /net/<node> itself goes to /net's manager, not to the node (rmdir forgets the node). */
  nodeDirLocal?: boolean;
}

export interface ConnectResult {
  reply: ConnectReply;
  coid: number;
  match: PathMatch | null;
  /** The absolute path that finally answered (after links). */
  path: string;
}

/** Where a path resolves: the managers that may serve it and the names registrations put below it. */
interface Lookup {
  matches: PathMatch[];
  children: { name: string; type: "file" | "dir" | "link" }[];
  /** `/net/<node>` when the path lives on another node ("" here): redirects stay on that node. */
  nodePrefix: string;
  /** The path, as this node names it, after the other node's links. */
  path: string;
}

/**
 * Resolves `p` (links already expanded here) in this node's path space, or, below a network
 * directory (/net/<node>/…), in that node's, through its path manager. ENOENT/ENOTDIR as the
 * path space throws them; a path with no manager but registrations below it has no matches.
 */
async function lookupPath(t: Thread, p: string, follow: boolean, nodeDirLocal = false): Promise<Lookup> {
  const paths = t.kernel.paths;
  const matches = paths.resolve(p);
  const top = matches[0];
  if (top?.reg.network && top.rest !== "" && !(nodeDirLocal && !top.rest.includes("/"))) {
    const net = t.kernel.netTransport;
    if (!net) throw new KernelError("EHOSTDOWN", `${p}: Qnet is not running`);
    const slash = top.rest.indexOf("/");
    const node = slash < 0 ? top.rest : top.rest.slice(0, slash);
    const there = slash < 0 ? "/" : normalizePath(top.rest.slice(slash));
    const nd = await net.nodeNd(node);
    if (nd === 0) return lookupPath(t, paths.expandLinks(there, follow), follow);
    const nodePrefix = `${top.reg.prefix === "/" ? "" : top.reg.prefix}/${node}`;
    const r = await net.resolvePath(t, nd, there, follow);
    return { ...r, nodePrefix, path: r.path === "/" ? nodePrefix : nodePrefix + r.path };
  }
  return { matches, children: paths.children(p), nodePrefix: "", path: p };
}

/** Sends an _IO_CONNECT for `path` to each manager that may serve it until one answers. */
export async function connectPath(t: Thread, path: string, attempt: ConnectAttempt): Promise<ConnectResult> {
  const { abs, trailingSlash } = absolutePath(t, path);
  const paths = t.kernel.paths;
  let target = abs;
  for (let hops = 0; hops <= C.SYMLOOP_MAX; hops++) {
    const p0 = paths.expandLinks(target, attempt.follow);
    if (!attempt.follow && paths.readSymlink(p0) !== undefined) {
      // The last component is a path-space link (procmgr_symlink): answer for it here.
      return { reply: pathSpaceLinkReply(t, p0), coid: -1, match: null, path: p0 };
    }
    const {
      matches,
      children,
      nodePrefix,
      path: p,
    } = await lookupPath(t, p0, attempt.follow, attempt.nodeDirLocal);
    let lastErr: KernelError | null = null;
    let redirected: string | null = null;
    for (const m of matches) {
      const body = attempt.build(m.rest, m);
      if (!body) {
        lastErr ??= new KernelError("EXDEV");
        continue;
      }
      const eflag = body.eflag | (trailingSlash ? C.EFLAG_DIR : 0) | (attempt.follow ? 0 : C.EFLAG_NOFOLLOW);
      const req: ConnectRequest = { ...body, type: C.IO_CONNECT, handle: m.reg.handle, path: m.rest, eflag };
      let coid: number;
      try {
        coid = t.ConnectAttach(m.reg.nd, m.reg.pid, m.reg.chid);
      } catch (e) {
        lastErr = KernelError.from(e);
        continue; // the manager is gone (ESRCH): the next one may serve the path
      }
      let reply: ConnectReply;
      try {
        reply = decodeConnectReply(await t.MsgSend(coid, encodeRequest(req)));
      } catch (e) {
        detachQuietly(t, coid);
        const err = KernelError.from(e);
        if (err.errno === "ENOENT" || err.errno === "ESRCH") {
          lastErr = lastErr && lastErr.errno !== "ENOENT" ? lastErr : err;
          continue; // union: the next manager on this path may have it
        }
        throw err;
      }
      if (reply.kind === REPLY_LINK) {
        detachQuietly(t, coid);
        redirected = decodeText(reply.tail);
        break;
      }
      if (!attempt.keep || reply.kind !== REPLY_OPENED) detachQuietly(t, coid);
      return { reply, coid, match: m, path: p };
    }
    if (redirected !== null) {
      // A link met on another node names a path of that node.
      target = normalizePath(nodePrefix + normalizePath(redirected));
      continue;
    }
    if (matches.length === 0 || (lastErr?.errno === "ENOENT" && children.length > 0)) {
      if (attempt.virtual) return attempt.virtual(p);
      throw new KernelError("ENOENT");
    }
    throw lastErr ?? new KernelError("ENOENT");
  }
  throw new KernelError("ELOOP");
}

function detachQuietly(t: Thread, coid: number): void {
  try {
    t.ConnectDetach(coid);
  } catch {
    // already gone
  }
}

function pathSpaceLinkReply(t: Thread, p: string): ConnectReply {
  const target = t.kernel.paths.readSymlink(p) ?? "";
  return { kind: REPLY_TEXT, handle: 0, mode: C.S_IFLNK | 0o777, tail: encodeText(target) };
}

/** A stat for a directory that exists only because registrations lie below it (/dev, /net). */
export function virtualDirStat(t: Thread): StatRecord {
  const now = t.kernel.bootTime;
  return {
    ino: 1,
    size: 0,
    dev: 1,
    rdev: 0,
    uid: 0,
    gid: 0,
    mode: C.S_IFDIR | 0o755,
    nlink: 2,
    atime: now,
    mtime: now,
    ctime: now,
    blksize: 512,
    blocks: 0,
  };
}

function linkStat(t: Thread, target: string): StatRecord {
  return { ...virtualDirStat(t), mode: C.S_IFLNK | 0o777, size: encodeText(target).byteLength, nlink: 1 };
}

interface Body {
  ioflag: number;
  mode: number;
  eflag: number;
  extraType: number;
  extra: Uint8Array;
}
const NO_BODY: Body = { ioflag: 0, mode: 0, eflag: 0, extraType: C.EXTRA_NONE, extra: new Uint8Array(0) };

function simple(subtype: number, extra: Partial<Body> = {}): Body & { subtype: number } {
  return { ...NO_BODY, ...extra, subtype };
}

// ---- descriptors ---------------------------------------------------------------------------

function entryOf(t: Thread, fd: number): FdEntry {
  const e = t.process.fds.get(fd);
  if (!e) throw new KernelError("EBADF");
  return e;
}

function installFd(t: Thread, entry: FdEntry, min = 0): number {
  const fd = t.process.fds.lowestFree(min);
  if (fd < 0) throw new KernelError("EMFILE");
  t.process.fds.set(fd, entry);
  return fd;
}

/** open(2). Returns the new descriptor. */
export async function open(t: Thread, path: string, flags = C.O_RDONLY, mode = 0o666): Promise<number> {
  const r = await connectPath(t, path, {
    follow: !(flags & C.O_CREAT && flags & C.O_EXCL),
    keep: true,
    build: () => simple(C.CONNECT_OPEN, { ioflag: flags, mode }),
    virtual: (abs) => {
      if ((flags & C.O_ACCMODE) !== C.O_RDONLY) throw new KernelError("EISDIR");
      if (flags & C.O_CREAT && flags & C.O_EXCL) throw new KernelError("EEXIST");
      return {
        reply: { kind: REPLY_STAT, handle: 0, mode: C.S_IFDIR, tail: new Uint8Array(0) },
        coid: -1,
        match: null,
        path: abs,
      };
    },
  });
  if (r.reply.kind !== REPLY_OPENED) {
    if (r.coid === -1 && C.isDirMode(r.reply.mode)) {
      // A virtual directory: a descriptor with no manager; only readdir/fstat work on it.
      return installFd(t, {
        coid: -1,
        handle: 0,
        flags: flags | C.O_DIRECTORY,
        path: r.path,
        cloexec: !!(flags & C.O_CLOEXEC),
      });
    }
    throw new KernelError(r.coid === -1 ? "ELOOP" : "EIO");
  }
  try {
    return installFd(t, {
      coid: r.coid,
      handle: r.reply.handle,
      flags,
      path: r.path,
      cloexec: !!(flags & C.O_CLOEXEC),
    });
  } catch (e) {
    await closeConnection(t, r.coid, r.reply.handle);
    throw e;
  }
}

/** The descriptor goes in any case. A manager that is gone is no error; EWOULDBLOCK (EAGAIN) is
 * the one a manager answers a close with (a socket's SO_LINGER time ran out) and is returned. */
async function closeConnection(t: Thread, coid: number, handle: number): Promise<void> {
  if (coid < 0) return;
  let failed: KernelError | null = null;
  try {
    await t.MsgSend(coid, encodeRequest({ type: C.IO_CLOSE, handle }));
  } catch (e) {
    const k = KernelError.from(e);
    if (k.errno === "EAGAIN") failed = k;
  }
  detachQuietly(t, coid);
  if (failed !== null) throw failed;
}

export async function close(t: Thread, fd: number): Promise<void> {
  const e = entryOf(t, fd);
  t.process.fds.delete(fd);
  await closeConnection(t, e.coid, e.handle);
}

function ioTarget(t: Thread, fd: number): FdEntry {
  const e = entryOf(t, fd);
  if (e.coid < 0) throw new KernelError("EISDIR");
  return e;
}

/** read(2): up to `nbytes`; an empty array at end of file. */
export async function read(t: Thread, fd: number, nbytes: number, position?: number): Promise<Uint8Array> {
  const e = ioTarget(t, fd);
  const n = Math.min(Math.max(0, nbytes), C.IO_MAX_DATA);
  const msg = encodeRequest({
    type: C.IO_READ,
    handle: e.handle,
    nbytes: n,
    xtype: position === undefined ? 0 : 1,
    offset: position ?? 0,
  });
  return t.MsgSend(e.coid, msg, { replyMax: n });
}

/** write(2): writes all of `data` (in IO_MAX_DATA pieces); returns the count written. */
export async function write(t: Thread, fd: number, data: Uint8Array, position?: number): Promise<number> {
  const e = ioTarget(t, fd);
  let done = 0;
  do {
    const part = data.subarray(done, done + C.IO_MAX_DATA);
    const msg = encodeRequest({
      type: C.IO_WRITE,
      handle: e.handle,
      xtype: position === undefined ? 0 : 1,
      offset: (position ?? 0) + done,
      data: part,
    });
    const n = decodeWriteReply(await t.MsgSend(e.coid, msg));
    done += n;
    if (n < part.byteLength) break;
  } while (done < data.byteLength);
  return done;
}

export async function lseek(t: Thread, fd: number, offset: number, whence = C.SEEK_SET): Promise<number> {
  const e = ioTarget(t, fd);
  return decodeLseekReply(
    await t.MsgSend(e.coid, encodeRequest({ type: C.IO_LSEEK, handle: e.handle, whence, offset })),
  );
}

export async function fstat(t: Thread, fd: number): Promise<StatRecord> {
  const e = entryOf(t, fd);
  if (e.coid < 0) return virtualDirStat(t);
  return decodeStat(await t.MsgSend(e.coid, encodeRequest({ type: C.IO_STAT, handle: e.handle })));
}

export async function devctl(
  t: Thread,
  fd: number,
  dcmd: number,
  data: Uint8Array = new Uint8Array(0),
  replyMax = 1024,
): Promise<{ ret: number; data: Uint8Array }> {
  const e = ioTarget(t, fd);
  const msg = encodeRequest({ type: C.IO_DEVCTL, handle: e.handle, dcmd, replyMax, data });
  return decodeDevctlReply(await t.MsgSend(e.coid, msg));
}

/** Which of `flags` (NOTIFY_INPUT …) are ready on `fd` now (poll/select). */
export async function pollReady(t: Thread, fd: number, flags: number): Promise<number> {
  const e = ioTarget(t, fd);
  const msg = encodeRequest({
    type: C.IO_NOTIFY,
    handle: e.handle,
    action: 0,
    priority: 0,
    flags,
    code: 0,
    value: 0,
    coid: 0,
  });
  return decodeNotifyReply(await t.MsgSend(e.coid, msg));
}

export async function fchmod(t: Thread, fd: number, mode: number): Promise<void> {
  const e = ioTarget(t, fd);
  await t.MsgSend(e.coid, encodeRequest({ type: C.IO_CHMOD, handle: e.handle, mode }));
}

export async function fchown(t: Thread, fd: number, uid: number, gid: number): Promise<void> {
  const e = ioTarget(t, fd);
  await t.MsgSend(
    e.coid,
    encodeRequest({ type: C.IO_CHOWN, handle: e.handle, uid: uid >>> 0, gid: gid >>> 0 }),
  );
}

/**
 * Gives `target` (this process or a child being started) its own descriptor sharing the
 * same open file as `entry` of `owner`: a new connection to the same manager and an _IO_DUP,
 * so the manager counts one more reference on the OCB.
 */
export async function dupEntry(t: Thread, ownerPid: number, entry: FdEntry): Promise<FdEntry> {
  if (entry.coid < 0) return { ...entry };
  const owner = t.kernel.procs.get(ownerPid);
  const conn = owner?.connections.get(entry.coid);
  if (!conn) throw new KernelError("EBADF");
  const coid = t.ConnectAttach(conn.nd, conn.pid, conn.chid);
  try {
    const reply = decodeConnectReply(
      await t.MsgSend(coid, encodeRequest({ type: C.IO_DUP, handle: entry.handle, srcPid: ownerPid })),
    );
    return { coid, handle: reply.handle, flags: entry.flags, path: entry.path };
  } catch (e) {
    detachQuietly(t, coid);
    throw KernelError.from(e);
  }
}

/**
 * Where `entry` of process `ownerPid` is in its file, and what its manager says it is (a
 * socket's addresses; "" from most managers): _IO_FDINFO, the owner or root may ask.
 */
export async function fdInfo(
  t: Thread,
  ownerPid: number,
  entry: FdEntry,
): Promise<{ offset: number; description: string }> {
  if (entry.coid < 0) throw new KernelError("EBADF");
  const conn = t.kernel.procs.get(ownerPid)?.connections.get(entry.coid);
  if (!conn) throw new KernelError("EBADF");
  const coid = t.ConnectAttach(conn.nd, conn.pid, conn.chid);
  try {
    return decodeFdInfoReply(
      await t.MsgSend(coid, encodeRequest({ type: C.IO_FDINFO, handle: entry.handle, srcPid: ownerPid })),
    );
  } finally {
    detachQuietly(t, coid);
  }
}

/** dup(2): the lowest free descriptor, sharing the open file (and its offset). */
export async function dup(t: Thread, fd: number): Promise<number> {
  const e = entryOf(t, fd);
  const copy = await dupEntry(t, t.process.pid, e);
  try {
    return installFd(t, copy);
  } catch (err) {
    await closeConnection(t, copy.coid, copy.handle);
    throw err;
  }
}

/** dup2(2): `newfd` becomes a copy of `fd` (closing what `newfd` was). */
export async function dup2(t: Thread, fd: number, newfd: number): Promise<number> {
  const e = entryOf(t, fd);
  if (fd === newfd) return newfd;
  const copy = await dupEntry(t, t.process.pid, e);
  if (t.process.fds.get(newfd)) await close(t, newfd);
  t.process.fds.set(newfd, copy);
  return newfd;
}

// ---- by path -------------------------------------------------------------------------------

function statFromReply(t: Thread, r: ConnectResult): StatRecord {
  if (r.reply.kind === REPLY_STAT)
    return r.reply.tail.byteLength ? decodeStat(r.reply.tail) : virtualDirStat(t);
  if (r.reply.kind === REPLY_TEXT) return linkStat(t, decodeText(r.reply.tail));
  throw new KernelError("EIO");
}

export async function stat(t: Thread, path: string): Promise<StatRecord> {
  return statFromReply(t, await connectPath(t, path, statAttempt(t, true)));
}

export async function lstat(t: Thread, path: string): Promise<StatRecord> {
  return statFromReply(t, await connectPath(t, path, statAttempt(t, false)));
}

function statAttempt(t: Thread, follow: boolean): ConnectAttempt {
  return {
    follow,
    keep: false,
    build: () => simple(C.CONNECT_STAT),
    virtual: (abs) => ({
      reply: { kind: REPLY_STAT, handle: 0, mode: C.S_IFDIR, tail: new Uint8Array(0) },
      coid: -1,
      match: null,
      path: abs,
    }),
  };
  void t;
}

async function pathOp(t: Thread, path: string, subtype: number, follow: boolean, extra: Partial<Body> = {}) {
  return connectPath(t, path, {
    follow,
    keep: false,
    build: () => simple(subtype, extra),
    virtual: virtualRefuse,
    // rmdir /net/<node> forgets the node (/net's manager), it does not remove that node's root.
    nodeDirLocal: subtype === C.CONNECT_RMDIR,
  });
}

function virtualRefuse(): ConnectResult {
  throw new KernelError("EBUSY");
}

export async function unlink(t: Thread, path: string): Promise<void> {
  const { abs } = absolutePath(t, path);
  const p = t.kernel.paths.expandLinks(abs, false);
  if (t.kernel.paths.readSymlink(p) !== undefined) {
    if (t.process.uid !== 0) throw new KernelError("EPERM");
    t.kernel.paths.unlinkSymlink(p);
    return;
  }
  await pathOp(t, path, C.CONNECT_UNLINK, false);
}

export async function rmdir(t: Thread, path: string): Promise<void> {
  await pathOp(t, path, C.CONNECT_RMDIR, false);
}

export async function mkdir(t: Thread, path: string, mode = 0o777): Promise<void> {
  await connectPath(t, path, {
    follow: false,
    keep: false,
    build: () => simple(C.CONNECT_MKDIR, { mode }),
    virtual: () => {
      throw new KernelError("EEXIST");
    },
  });
}

export async function readlink(t: Thread, path: string): Promise<string> {
  const r = await pathOp(t, path, C.CONNECT_READLINK, false);
  if (r.reply.kind !== REPLY_TEXT) throw new KernelError("EINVAL");
  return decodeText(r.reply.tail);
}

export async function symlink(t: Thread, target: string, path: string): Promise<void> {
  await pathOp(t, path, C.CONNECT_SYMLINK, false, { extraType: C.EXTRA_PATH, extra: encodeText(target) });
}

export async function chmod(t: Thread, path: string, mode: number): Promise<void> {
  await pathOp(t, path, C.CONNECT_CHMOD, true, { mode });
}

export async function chown(t: Thread, path: string, uid: number, gid: number): Promise<void> {
  await pathOp(t, path, C.CONNECT_CHOWN, true, { extraType: C.EXTRA_IDS, extra: encodeIds(uid, gid) });
}

export async function utimes(t: Thread, path: string, atimeMs: number, mtimeMs: number): Promise<void> {
  await pathOp(t, path, C.CONNECT_UTIME, true, {
    extraType: C.EXTRA_TIMES,
    extra: encodeTimes(atimeMs, mtimeMs),
  });
}

/** Finds which manager attachment holds `path` (not following a final link) and the path below it. */
async function locate(t: Thread, path: string): Promise<{ match: PathMatch }> {
  const r = await connectPath(t, path, statAttempt(t, false));
  if (!r.match) throw new KernelError("EXDEV");
  return { match: r.match };
}

/** rename(2) / link(2): both names must be on one manager attachment (EXDEV otherwise). */
async function twoPathOp(t: Thread, subtype: number, from: string, to: string): Promise<void> {
  const src = await locate(t, from);
  await connectPath(t, to, {
    follow: false,
    keep: false,
    build: (_rest, m) => {
      const same = m.reg.id === src.match.reg.id;
      return same ? simple(subtype, { extraType: C.EXTRA_PATH, extra: encodeText(src.match.rest) }) : null;
    },
    virtual: virtualRefuse,
  });
}

export async function rename(t: Thread, from: string, to: string): Promise<void> {
  await twoPathOp(t, C.CONNECT_RENAME, from, to);
}

export async function link(t: Thread, existing: string, path: string): Promise<void> {
  await twoPathOp(t, C.CONNECT_LINK, existing, path);
}

/** Reads every entry of an open directory descriptor. */
async function readAllDirents(t: Thread, fd: number): Promise<DirentRecord[]> {
  const out: DirentRecord[] = [];
  for (;;) {
    const chunk = await read(t, fd, 8192);
    if (chunk.byteLength === 0) return out;
    out.push(...decodeDirents(chunk));
  }
}

/**
 * The entries of a directory: the union of every manager serving it, plus the names that
 * registrations put directly below it (mount points: `ls /dev` shows `ser1`, `null` …).
 */
export async function readdir(t: Thread, path: string): Promise<DirentRecord[]> {
  const { abs } = absolutePath(t, path);
  const seen = new Map<string, DirentRecord>();
  // The first manager to answer resolves links and redirects; then every manager on the
  // final path contributes.
  const first = await connectPath(t, abs, {
    follow: true,
    keep: false,
    build: () => simple(C.CONNECT_STAT),
    virtual: (p) => ({
      reply: { kind: REPLY_STAT, handle: 0, mode: C.S_IFDIR, tail: new Uint8Array(0) },
      coid: -1,
      match: null,
      path: p,
    }),
  });
  const st = statFromReply(t, first);
  if (!C.isDirMode(st.mode)) throw new KernelError("ENOTDIR");
  const dir = first.path;
  let found: Lookup = { matches: [], children: [], nodePrefix: "", path: dir };
  try {
    found = await lookupPath(t, dir, true);
  } catch {
    // nothing serves it: the first answer (a virtual directory) stands alone
  }
  for (const m of found.matches) {
    let coid = -1;
    let handle = 0;
    try {
      coid = t.ConnectAttach(m.reg.nd, m.reg.pid, m.reg.chid);
      const req: ConnectRequest = {
        ...simple(C.CONNECT_OPEN, { ioflag: C.O_RDONLY | C.O_DIRECTORY }),
        type: C.IO_CONNECT,
        handle: m.reg.handle,
        path: m.rest,
      };
      const reply = decodeConnectReply(await t.MsgSend(coid, encodeRequest(req)));
      if (reply.kind !== REPLY_OPENED) continue;
      handle = reply.handle;
      const fd = installFd(t, { coid, handle, flags: C.O_RDONLY, path: dir });
      try {
        for (const d of await readAllDirents(t, fd)) if (!seen.has(d.name)) seen.set(d.name, d);
      } finally {
        t.process.fds.delete(fd);
      }
    } catch (e) {
      const err = KernelError.from(e);
      if (
        err.errno !== "ENOENT" &&
        err.errno !== "ENOTDIR" &&
        err.errno !== "ESRCH" &&
        err.errno !== "ENOSYS"
      ) {
        if (coid >= 0) await closeConnection(t, coid, handle);
        throw err;
      }
    }
    if (coid >= 0) await closeConnection(t, coid, handle);
  }
  for (const c of found.children) {
    if (seen.has(c.name)) continue;
    const type = c.type === "dir" ? C.S_IFDIR : c.type === "link" ? C.S_IFLNK : 0;
    seen.set(c.name, { name: c.name, ino: 0, offset: 0, type });
  }
  seen.delete(".");
  seen.delete("..");
  return [...seen.values()];
}
