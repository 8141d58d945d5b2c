// /proc: one directory per process with `cmdline` (argv, NUL-separated), `status` (name,
// pid, ppid, state, priority, uid/gid, memory, threads with tid/priority/state/blocked-on)
// and `fds`; `self` links to the caller's own directory. /proc/boot belongs to imagefs.
import { KernelError } from "../kernel/errno.ts";
import type { Kernel } from "../kernel/kernel.ts";
import type { Process } from "../kernel/process.ts";
import { newAttr, type Attr } from "../resmgr/attr.ts";
import type { DirentRecord } from "../resmgr/dirent.ts";
import { LinkRedirect, type Handlers, type IoContext } from "../resmgr/handlers.ts";
import * as C from "../resmgr/io-constants.ts";
import type { ResourceManager } from "../resmgr/resmgr.ts";
import { splitRel } from "./path-util.ts";

const FILES = ["cmdline", "status", "fds"] as const;
type ProcFile = (typeof FILES)[number];

/** A nominal split of the runtime's memory among processes (one Node.js heap serves all). */
export function nominalMemory(kernel: Kernel, p: Process): { code: number; data: number; stack: number } {
  const m = process.memoryUsage();
  const n = Math.max(1, kernel.procs.size);
  return {
    code: Math.round(Math.max(0, m.rss - m.heapTotal) / n),
    data: Math.round(m.heapUsed / n),
    stack: 8192 * Math.max(1, p.threads.size),
  };
}

export function procStatus(kernel: Kernel, p: Process): string {
  const mem = nominalMemory(kernel, p);
  const lines = [
    `name: ${p.name}`,
    `pid: ${p.pid}`,
    `ppid: ${p.parent?.pid ?? 0}`,
    `state: ${p.state}`,
    `priority: ${p.priority}`,
    `uid: ${p.uid}`,
    `gid: ${p.gid}`,
    `pgid: ${p.pgid}`,
    `sid: ${p.sid}`,
    `memory: code=${mem.code} data=${mem.data} stack=${mem.stack}`,
    `threads: ${p.threads.size}`,
  ];
  for (const t of p.threads.values()) {
    lines.push(
      `  tid=${t.tid} name=${t.name || "-"} priority=${t.priority} state=${t.state} blocked=${t.blockedOn || "-"}`,
    );
  }
  return lines.join("\n") + "\n";
}

export function procFds(kernel: Kernel, p: Process): string {
  const out: string[] = [];
  for (const [fd, e] of p.fds.entries()) {
    const server = e.coid >= 0 ? (p.connections.get(e.coid)?.pid ?? 0) : 0;
    const acc = e.flags & C.O_ACCMODE;
    const mode = acc === C.O_RDONLY ? "r" : acc === C.O_WRONLY ? "w" : "rw";
    out.push(`${fd} ${server} ${mode} ${e.path ?? ""}`);
  }
  void kernel;
  return out.length ? out.join("\n") + "\n" : "";
}

export class ProcFs {
  readonly rm: ResourceManager;
  private readonly kernel: Kernel;
  private readonly attrs = new Map<string, Attr>();

  constructor(rm: ResourceManager) {
    this.rm = rm;
    this.kernel = rm.thread.kernel;
  }

  mount(path = "/proc"): void {
    this.rm.attach(path, { type: "dir", mode: 0o555, handlers: this.handlers(path) });
  }

  /** Attributes stay stable per path so inode numbers do not change between calls. */
  private attrFor(key: string, mode: number, p: Process | null): Attr {
    let a = this.attrs.get(key);
    if (!a) {
      a = newAttr(this.rm.allocIno(), mode, p?.uid ?? 0, p?.gid ?? 0, this.kernel.clock.wallTime());
      this.attrs.set(key, a);
    }
    return a;
  }

  private proc(name: string): Process {
    const p = /^\d+$/.test(name) ? this.kernel.procs.get(Number(name)) : undefined;
    if (!p || p.exited) throw new KernelError("ENOENT");
    return p;
  }

  private lookup(ctx: IoContext, rel: string, follow: boolean, mountPath: string): Attr {
    const parts = splitRel(rel);
    if (parts.length === 0) return ctx.attach.attr;
    if (parts[0] === "self") {
      if (parts.length > 1 || follow)
        throw new LinkRedirect(`${mountPath}/${[String(ctx.info.pid), ...parts.slice(1)].join("/")}`);
      const a = this.attrFor("self", C.S_IFLNK | 0o777, null);
      a.size = String(ctx.info.pid).length;
      return a;
    }
    const p = this.proc(parts[0] as string);
    if (parts.length === 1) {
      const a = this.attrFor(`${p.pid}`, C.S_IFDIR | 0o555, p);
      a.nlink = 2;
      return a;
    }
    if (parts.length > 2) throw new KernelError(FILES.includes(parts[1] as ProcFile) ? "ENOTDIR" : "ENOENT");
    const f = parts[1] as ProcFile;
    if (!FILES.includes(f)) throw new KernelError("ENOENT");
    const a = this.attrFor(`${p.pid}/${f}`, C.S_IFREG | 0o444, p);
    a.size = this.content(p, f).byteLength;
    a.mtime = this.kernel.clock.wallTime();
    return a;
  }

  private content(p: Process, f: ProcFile): Uint8Array {
    const enc = new TextEncoder();
    switch (f) {
      case "cmdline":
        return enc.encode(p.argv.map((a) => a + "\0").join(""));
      case "status":
        return enc.encode(procStatus(this.kernel, p));
      case "fds":
        return enc.encode(procFds(this.kernel, p));
    }
  }

  private handlers(mountPath: string): Handlers {
    return {
      lookup: (ctx, rel, req) => this.lookup(ctx, rel, !(req.eflag & C.EFLAG_NOFOLLOW), mountPath),
      open: (ctx, rel, req) => {
        if ((req.ioflag & C.O_ACCMODE) !== C.O_RDONLY || req.ioflag & C.O_CREAT) {
          throw new KernelError(rel === "" ? "EISDIR" : "EACCES");
        }
        const attr = this.lookup(ctx, rel, true, mountPath);
        const parts = splitRel(rel);
        // Snapshot the text at open, so reads in pieces see one consistent view.
        const data =
          parts.length === 2 ? this.content(this.proc(parts[0] as string), parts[1] as ProcFile) : parts;
        return { attr, data };
      },
      read: (_ctx, ocb, nbytes, offset) => {
        const data = ocb.data as Uint8Array;
        return data.slice(offset, offset + nbytes);
      },
      readdir: (_ctx, ocb): DirentRecord[] => {
        const parts = ocb.data as string[];
        let i = 0;
        if (parts.length === 0) {
          const list: DirentRecord[] = [{ name: "self", ino: 0, offset: ++i, type: C.S_IFLNK }];
          for (const p of [...this.kernel.procs.values()].sort((a, b) => a.pid - b.pid)) {
            if (!p.exited) list.push({ name: String(p.pid), ino: 0, offset: ++i, type: C.S_IFDIR });
          }
          return list;
        }
        return FILES.map((name) => ({ name, ino: 0, offset: ++i, type: C.S_IFREG }));
      },
      readlink: (ctx, rel) => {
        if (rel !== "self") throw new KernelError("EINVAL");
        return String(ctx.info.pid);
      },
      chmod: () => {
        throw new KernelError("EPERM");
      },
      chown: () => {
        throw new KernelError("EPERM");
      },
      utime: () => {
        throw new KernelError("EPERM");
      },
    };
  }
}
