// The FsClient of firmware/program.ts (shaped like Node's fs/promises) on top of client.ts,
// bound to one thread. Every error is a KernelError.
import { KernelError } from "../kernel/errno.ts";
import type { Thread } from "../kernel/thread.ts";
import type { Dirent, FileHandle, FsClient, Stat } from "../program.ts";
import { mayAccess } from "./attr.ts";
import * as client from "./client.ts";
import * as C from "./io-constants.ts";
import type { StatRecord } from "./messages.ts";
import type { DirentRecord } from "./dirent.ts";

/** The file-creation mask every program starts with (no per-process umask yet). */
export const DEFAULT_UMASK = 0o022;

const FLAG_STRINGS: Record<string, number> = {
  r: C.O_RDONLY,
  "r+": C.O_RDWR,
  w: C.O_WRONLY | C.O_CREAT | C.O_TRUNC,
  wx: C.O_WRONLY | C.O_CREAT | C.O_TRUNC | C.O_EXCL,
  "w+": C.O_RDWR | C.O_CREAT | C.O_TRUNC,
  "wx+": C.O_RDWR | C.O_CREAT | C.O_TRUNC | C.O_EXCL,
  a: C.O_WRONLY | C.O_CREAT | C.O_APPEND,
  ax: C.O_WRONLY | C.O_CREAT | C.O_APPEND | C.O_EXCL,
  "a+": C.O_RDWR | C.O_CREAT | C.O_APPEND,
};

export function parseFlags(flags: string | number | undefined): number {
  if (flags === undefined) return C.O_RDONLY;
  if (typeof flags === "number") return flags;
  const f = FLAG_STRINGS[flags];
  if (f === undefined) throw new KernelError("EINVAL", `unknown open flags "${flags}"`);
  return f;
}

export function toStat(s: StatRecord): Stat {
  const type = s.mode & C.S_IFMT;
  return {
    dev: s.dev,
    ino: s.ino,
    mode: s.mode,
    nlink: s.nlink,
    uid: s.uid,
    gid: s.gid,
    size: s.size,
    atimeMs: s.atime,
    mtimeMs: s.mtime,
    ctimeMs: s.ctime,
    isFile: () => type === C.S_IFREG,
    isDirectory: () => type === C.S_IFDIR,
    isSymbolicLink: () => type === C.S_IFLNK,
    isCharacterDevice: () => type === C.S_IFCHR,
  };
}

export function toDirent(d: DirentRecord): Dirent {
  return {
    name: d.name,
    ino: d.ino,
    type: d.type,
    isFile: () => d.type === C.S_IFREG,
    isDirectory: () => d.type === C.S_IFDIR,
    isSymbolicLink: () => d.type === C.S_IFLNK,
  };
}

const enc = new TextEncoder();
const dec = new TextDecoder();
const asBytes = (d: string | Uint8Array): Uint8Array => (typeof d === "string" ? enc.encode(d) : d);

/** Runs a client call on some thread of the process. */
export type Runner = <T>(fn: (t: Thread) => Promise<T>) => Promise<T>;

export function fileHandle(on: Runner, fd: number): FileHandle {
  return {
    fd,
    read: (length, position) => on((t) => client.read(t, fd, length, position)),
    write: (data, position) => on((t) => client.write(t, fd, asBytes(data), position)),
    seek: (offset, whence) => on((t) => client.lseek(t, fd, offset, whence)),
    stat: () => on(async (t) => toStat(await client.fstat(t, fd))),
    devctl: (cmd, data, replyMax) => on(async (t) => (await client.devctl(t, fd, cmd, data, replyMax)).data),
    close: () => on((t) => client.close(t, fd)),
  };
}

async function readAll(t: Thread, fd: number): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const chunk = await client.read(t, fd, 65536);
    if (chunk.byteLength === 0) break;
    parts.push(chunk);
    total += chunk.byteLength;
  }
  const out = new Uint8Array(total);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.byteLength;
  }
  return out;
}

async function withFd<T>(t: Thread, fd: number, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } finally {
    await client.close(t, fd);
  }
}

/**
 * An FsClient for the process of `main`. `run` picks the thread for each call (a ThreadMux);
 * without one every call runs on `main`.
 */
export function makeFsClient(main: Thread, run?: Runner): FsClient {
  const on: Runner = run ?? ((fn) => fn(main));
  const fs: FsClient = {
    open: (path, flags, mode = 0o666) =>
      on(async (t) => fileHandle(on, await client.open(t, path, parseFlags(flags), mode & ~DEFAULT_UMASK))),
    readFile: ((path: string, encoding?: "utf8") =>
      on(async (t) => {
        const fd = await client.open(t, path, C.O_RDONLY);
        const data = await withFd(t, fd, () => readAll(t, fd));
        return encoding ? dec.decode(data) : data;
      })) as FsClient["readFile"],
    writeFile: (path, data, opts) =>
      on(async (t) => {
        const fd = await client.open(
          t,
          path,
          parseFlags(opts?.flag ?? "w"),
          (opts?.mode ?? 0o666) & ~DEFAULT_UMASK,
        );
        await withFd(t, fd, () => client.write(t, fd, asBytes(data)));
      }),
    appendFile: (path, data) =>
      on(async (t) => {
        const fd = await client.open(t, path, parseFlags("a"), 0o666 & ~DEFAULT_UMASK);
        await withFd(t, fd, () => client.write(t, fd, asBytes(data)));
      }),
    readdir: ((path: string, opts?: { withFileTypes: true }) =>
      on(async (t) => {
        const list = await client.readdir(t, path);
        list.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
        return opts?.withFileTypes ? list.map(toDirent) : list.map((d) => d.name);
      })) as FsClient["readdir"],
    stat: (path) => on(async (t) => toStat(await client.stat(t, path))),
    lstat: (path) => on(async (t) => toStat(await client.lstat(t, path))),
    access: (path, mode = C.F_OK) =>
      on(async (t) => {
        const s = await client.stat(t, path);
        if (mode === C.F_OK) return;
        const { uid, gid } = t.process;
        if (!mayAccess({ uid, gid }, s, mode)) throw new KernelError("EACCES");
      }),
    mkdir: async (path, opts) => {
      const mode = (opts?.mode ?? 0o777) & ~DEFAULT_UMASK;
      if (!opts?.recursive) return on((t) => client.mkdir(t, path, mode));
      const { abs } = client.absolutePath(main, path);
      let cur = "";
      for (const part of abs.split("/").filter(Boolean)) {
        cur += "/" + part;
        try {
          await on((t) => client.mkdir(t, cur, mode));
        } catch (e) {
          if (
            !(e instanceof KernelError) ||
            (e.errno !== "EEXIST" && e.errno !== "EBUSY" && e.errno !== "EROFS")
          )
            throw e;
          const st = await on((t) => client.stat(t, cur));
          if ((st.mode & C.S_IFMT) !== C.S_IFDIR) throw new KernelError("ENOTDIR");
        }
      }
    },
    rmdir: (path) => on((t) => client.rmdir(t, path)),
    rm: async (path, opts) => {
      let st: StatRecord;
      try {
        st = await on((t) => client.lstat(t, path));
      } catch (e) {
        if (opts?.force && e instanceof KernelError && e.errno === "ENOENT") return;
        throw e;
      }
      if ((st.mode & C.S_IFMT) !== C.S_IFDIR) return on((t) => client.unlink(t, path));
      if (!opts?.recursive) throw new KernelError("EISDIR");
      const entries = await on((t) => client.readdir(t, path));
      for (const d of entries) await fs.rm(`${path.replace(/\/+$/, "")}/${d.name}`, opts);
      await on((t) => client.rmdir(t, path));
    },
    unlink: (path) => on((t) => client.unlink(t, path)),
    rename: (from, to) => on((t) => client.rename(t, from, to)),
    symlink: (target, path) => on((t) => client.symlink(t, target, path)),
    link: (existing, path) => on((t) => client.link(t, existing, path)),
    readlink: (path) => on((t) => client.readlink(t, path)),
    realpath: (path) => on((t) => realpath(t, path)),
    chmod: (path, mode) => on((t) => client.chmod(t, path, mode)),
    chown: (path, uid, gid) => on((t) => client.chown(t, path, uid, gid)),
    utimes: (path, a, m) => on((t) => client.utimes(t, path, a, m)),
    devctl: (path, cmd, data, replyMax) =>
      on(async (t) => {
        const fd = await client.open(t, path, C.O_RDONLY);
        return withFd(t, fd, async () => (await client.devctl(t, fd, cmd, data, replyMax)).data);
      }),
  };
  return fs;
}

/** Resolves every symlink (path-space and in-manager) component by component. */
export async function realpath(t: Thread, path: string): Promise<string> {
  let todo = client.absolutePath(t, path).abs.split("/").filter(Boolean);
  let done: string[] = [];
  let hops = 0;
  while (todo.length) {
    const part = todo.shift() as string;
    if (part === "..") {
      done.pop();
      continue;
    }
    if (part === ".") continue;
    const cur = "/" + [...done, part].join("/");
    const st = await client.lstat(t, cur);
    if ((st.mode & C.S_IFMT) !== C.S_IFLNK) {
      done.push(part);
      continue;
    }
    if (++hops > C.SYMLOOP_MAX) throw new KernelError("ELOOP");
    const target = await client.readlink(t, cur);
    if (target.startsWith("/")) done = [];
    todo = [...target.split("/").filter(Boolean), ...todo];
  }
  return "/" + done.join("/");
}
