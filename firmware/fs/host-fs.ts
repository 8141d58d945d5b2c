// A host directory passed through at a prefix (the SD card's data partition, or a project
// directory during development), optionally read-only. The host directory acts as a root:
// symlinks are resolved inside it (an absolute target means "from the host root"), so a
// link cannot reach host files outside it. Host I/O runs as the Node.js process's user;
// the permission checks use the host's mode/uid/gid against the client's credentials.
import * as fsp from "node:fs/promises";
import type { Stats } from "node:fs";
import * as nodePath from "node:path";
import { KernelError } from "../kernel/errno.ts";
import { checkAccess, type Attr, type Credentials } from "../resmgr/attr.ts";
import type { DirentRecord } from "../resmgr/dirent.ts";
import { LinkRedirect, type Handlers, type Ocb } from "../resmgr/handlers.ts";
import * as C from "../resmgr/io-constants.ts";
import type { ResourceManager } from "../resmgr/resmgr.ts";
import { dirname, joinPath, splitRel } from "./path-util.ts";

export interface HostFsOptions {
  readOnly?: boolean;
}

interface HostAttr extends Attr {
  hostPath: string;
}

function toAttr(st: Stats, hostPath: string): HostAttr {
  return {
    hostPath,
    ino: st.ino,
    mode: st.mode,
    uid: st.uid,
    gid: st.gid,
    nlink: st.nlink,
    size: st.size,
    atime: st.atimeMs,
    mtime: st.mtimeMs,
    ctime: st.ctimeMs,
    rdev: st.rdev,
  };
}

/** Host errors (ENOENT, EACCES …) become KernelErrors with the same name. */
async function host<T>(p: Promise<T>): Promise<T> {
  try {
    return await p;
  } catch (e) {
    throw KernelError.from(e);
  }
}

export class HostFs {
  readonly rm: ResourceManager;
  readonly hostRoot: string;
  readonly readOnly: boolean;
  mountPath = "/";

  constructor(rm: ResourceManager, hostRoot: string, opts: HostFsOptions = {}) {
    this.rm = rm;
    this.hostRoot = nodePath.resolve(hostRoot);
    this.readOnly = opts.readOnly ?? false;
  }

  mount(path: string): void {
    this.mountPath = path;
    this.rm.attach(path, { type: "dir", handlers: this.handlers() });
  }

  private hostOf(parts: string[]): string {
    return nodePath.join(this.hostRoot, ...parts);
  }

  /** Walks `rel` component by component so that symlinks are resolved inside the root. */
  private async resolve(cred: Credentials, rel: string, followLast: boolean): Promise<HostAttr> {
    const parts = splitRel(rel);
    let attr = toAttr(await host(fsp.lstat(this.hostRoot)), this.hostRoot);
    for (let i = 0; i < parts.length; i++) {
      if ((attr.mode & C.S_IFMT) !== C.S_IFDIR) throw new KernelError("ENOTDIR");
      checkAccess(cred, attr, C.X_OK);
      const hp = this.hostOf(parts.slice(0, i + 1));
      attr = toAttr(await host(fsp.lstat(hp)), hp);
      if ((attr.mode & C.S_IFMT) === C.S_IFLNK && (i < parts.length - 1 || followLast)) {
        const target = await host(fsp.readlink(hp));
        const linkAbs = joinPath(this.mountPath, parts.slice(0, i + 1).join("/"));
        const base = target.startsWith("/")
          ? joinPath(this.mountPath, target.slice(1))
          : joinPath(dirname(linkAbs), target);
        const rest = parts.slice(i + 1);
        throw new LinkRedirect(rest.length ? `${base}/${rest.join("/")}` : base);
      }
    }
    return attr;
  }

  private async parent(cred: Credentials, rel: string): Promise<{ dir: HostAttr; hostPath: string }> {
    const parts = splitRel(rel);
    if (parts.length === 0) throw new KernelError("EBUSY");
    const dir = await this.resolve(cred, parts.slice(0, -1).join("/"), true);
    if ((dir.mode & C.S_IFMT) !== C.S_IFDIR) throw new KernelError("ENOTDIR");
    checkAccess(cred, dir, C.W_OK | C.X_OK);
    return { dir, hostPath: this.hostOf(parts) };
  }

  private writable(): void {
    if (this.readOnly) throw new KernelError("EROFS");
  }

  handlers(): Handlers {
    return {
      lookup: (ctx, rel, req) => this.resolve(ctx.cred, rel, !(req.eflag & C.EFLAG_NOFOLLOW)),
      open: async (ctx, rel, req) => {
        const wantsWrite =
          (req.ioflag & C.O_ACCMODE) !== C.O_RDONLY || (req.ioflag & (C.O_TRUNC | C.O_CREAT)) !== 0;
        let attr: HostAttr | null = null;
        try {
          attr = await this.resolve(ctx.cred, rel, !(req.ioflag & C.O_EXCL));
        } catch (e) {
          if (!(e instanceof KernelError && e.errno === "ENOENT" && req.ioflag & C.O_CREAT)) throw e;
        }
        if (attr && req.ioflag & C.O_CREAT && req.ioflag & C.O_EXCL) throw new KernelError("EEXIST");
        if (wantsWrite && (!attr || (attr.mode & C.S_IFMT) !== C.S_IFDIR)) this.writable();
        let created = false;
        if (!attr) {
          const { hostPath } = await this.parent(ctx.cred, rel);
          await host(fsp.writeFile(hostPath, new Uint8Array(0), { flag: "wx", mode: req.mode & 0o7777 }));
          attr = toAttr(await host(fsp.lstat(hostPath)), hostPath);
          created = true;
        } else if (req.ioflag & C.O_TRUNC && (attr.mode & C.S_IFMT) === C.S_IFREG) {
          checkAccess(ctx.cred, attr, C.W_OK);
          await host(fsp.truncate(attr.hostPath, 0));
          attr.size = 0;
        }
        return { attr, created };
      },
      read: async (_ctx, ocb, nbytes, offset) => {
        const a = ocb.attr as HostAttr;
        const fh = await host(fsp.open(a.hostPath, "r"));
        try {
          const buf = new Uint8Array(nbytes);
          const { bytesRead } = await host(fh.read(buf, 0, nbytes, offset));
          return buf.subarray(0, bytesRead);
        } finally {
          await fh.close();
        }
      },
      write: async (_ctx, ocb, data, offset) => {
        this.writable();
        const a = ocb.attr as HostAttr;
        const fh = await host(fsp.open(a.hostPath, "r+"));
        try {
          const { bytesWritten } = await host(fh.write(data, 0, data.byteLength, offset));
          a.size = Math.max(a.size, offset + bytesWritten);
          return bytesWritten;
        } finally {
          await fh.close();
        }
      },
      readdir: async (_ctx, ocb: Ocb): Promise<DirentRecord[]> => {
        if (!ocb.data) {
          const a = ocb.attr as HostAttr;
          const list = await host(fsp.readdir(a.hostPath, { withFileTypes: true }));
          let i = 0;
          ocb.data = list.map((d) => ({
            name: d.name,
            ino: 0,
            offset: ++i,
            type: d.isDirectory() ? C.S_IFDIR : d.isSymbolicLink() ? C.S_IFLNK : d.isFile() ? C.S_IFREG : 0,
          }));
        }
        return ocb.data as DirentRecord[];
      },
      stat: async (_ctx, attr) => {
        const a = attr as HostAttr;
        Object.assign(a, toAttr(await host(fsp.lstat(a.hostPath)), a.hostPath));
      },
      unlink: async (ctx, rel) => {
        this.writable();
        const { hostPath } = await this.parent(ctx.cred, rel);
        const st = await host(fsp.lstat(hostPath));
        if (st.isDirectory()) throw new KernelError("EPERM", "is a directory");
        await host(fsp.unlink(hostPath));
      },
      rmdir: async (ctx, rel) => {
        this.writable();
        const { hostPath } = await this.parent(ctx.cred, rel);
        await host(fsp.rmdir(hostPath));
      },
      mkdir: async (ctx, rel, mode) => {
        this.writable();
        const { hostPath } = await this.parent(ctx.cred, rel);
        await host(fsp.mkdir(hostPath, { mode: mode & 0o7777 }));
      },
      rename: async (ctx, rel, from) => {
        this.writable();
        const src = await this.parent(ctx.cred, from);
        const dst = await this.parent(ctx.cred, rel);
        await host(fsp.rename(src.hostPath, dst.hostPath));
      },
      readlink: async (ctx, rel) => {
        const a = await this.resolve(ctx.cred, rel, false);
        if ((a.mode & C.S_IFMT) !== C.S_IFLNK) throw new KernelError("EINVAL");
        return host(fsp.readlink(a.hostPath));
      },
      symlink: async (ctx, rel, target) => {
        this.writable();
        const { hostPath } = await this.parent(ctx.cred, rel);
        await host(fsp.symlink(target, hostPath));
      },
      link: async (ctx, rel, existing) => {
        this.writable();
        const src = await this.resolve(ctx.cred, existing, false);
        const { hostPath } = await this.parent(ctx.cred, rel);
        await host(fsp.link(src.hostPath, hostPath));
      },
      chmod: async (_ctx, attr, mode) => {
        this.writable();
        await host(fsp.chmod((attr as HostAttr).hostPath, mode & 0o7777));
        attr.mode = (attr.mode & C.S_IFMT) | (mode & 0o7777);
      },
      chown: async (_ctx, attr, uid, gid) => {
        this.writable();
        await host(fsp.lchown((attr as HostAttr).hostPath, uid, gid));
        attr.uid = uid;
        attr.gid = gid;
      },
      utime: async (_ctx, attr, atime, mtime) => {
        this.writable();
        await host(fsp.lutimes((attr as HostAttr).hostPath, atime / 1000, mtime / 1000));
        attr.atime = atime;
        attr.mtime = mtime;
      },
    };
  }
}
