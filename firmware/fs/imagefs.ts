// imagefs: the files of the boot image, read-only (EROFS on any change). Boot hands it the
// image's file table; directories implied by the paths are made up (dperms 0755).
import { KernelError } from "../kernel/errno.ts";
import { checkAccess, newAttr, type Attr, type Credentials } from "../resmgr/attr.ts";
import type { DirentRecord } from "../resmgr/dirent.ts";
import { LinkRedirect, type Handlers } from "../resmgr/handlers.ts";
import * as C from "../resmgr/io-constants.ts";
import type { ResourceManager } from "../resmgr/resmgr.ts";
import { dirname, joinPath, splitRel } from "./path-util.ts";

export interface ImageFile {
  /** Absolute target path ("/proc/boot/ksh"). */
  path: string;
  /** Permission bits, with or without type bits (S_IFDIR for an explicit directory). */
  mode: number;
  uid: number;
  gid: number;
  data?: Uint8Array;
  /** Present for a symbolic link. */
  symlink?: string;
  /** Epoch milliseconds. */
  mtime: number;
}

interface ImageNode extends Attr {
  children?: Map<string, ImageNode>;
  data?: Uint8Array;
  target?: string;
}

export interface ImagefsOptions {
  /** Where to attach (default "/"); files outside it are ignored. */
  mountPath?: string;
  /** Directory mode for made-up directories (default 0755). */
  dperms?: number;
}

export class Imagefs {
  readonly rm: ResourceManager;
  readonly root: ImageNode;
  readonly mountPath: string;
  private readonly dperms: number;

  constructor(rm: ResourceManager, files: readonly ImageFile[], opts: ImagefsOptions = {}) {
    this.rm = rm;
    this.mountPath = opts.mountPath ?? "/";
    this.dperms = opts.dperms ?? 0o755;
    const now = rm.thread.kernel.clock.wallTime();
    this.root = this.dir(now);
    for (const f of files) this.add(f);
  }

  private dir(mtime: number): ImageNode {
    const n: ImageNode = newAttr(this.rm.allocIno(), C.S_IFDIR | this.dperms, 0, 0, mtime);
    n.children = new Map();
    n.nlink = 2;
    return n;
  }

  private add(f: ImageFile): void {
    const rel =
      this.mountPath === "/"
        ? f.path
        : f.path.startsWith(this.mountPath + "/")
          ? f.path.slice(this.mountPath.length)
          : null;
    if (rel === null) return;
    const parts = splitRel(rel);
    if (parts.length === 0) return;
    let dir = this.root;
    for (const p of parts.slice(0, -1)) {
      let next = dir.children?.get(p);
      if (!next) {
        next = this.dir(f.mtime);
        dir.children?.set(p, next);
        dir.nlink++;
      }
      if (!next.children) return; // a file is in the way: the table is inconsistent, skip
      dir = next;
    }
    const name = parts[parts.length - 1] as string;
    const isDir = (f.mode & C.S_IFMT) === C.S_IFDIR;
    const type = f.symlink !== undefined ? C.S_IFLNK : isDir ? C.S_IFDIR : C.S_IFREG;
    const existing = dir.children?.get(name);
    if (isDir && existing?.children) {
      existing.mode = C.S_IFDIR | (f.mode & 0o7777);
      existing.uid = f.uid;
      existing.gid = f.gid;
      return;
    }
    const node: ImageNode = newAttr(this.rm.allocIno(), type | (f.mode & 0o7777), f.uid, f.gid, f.mtime);
    if (isDir) {
      node.children = new Map();
      node.nlink = 2;
      dir.nlink++;
    } else if (f.symlink !== undefined) {
      node.target = f.symlink;
      node.mode = C.S_IFLNK | 0o777;
      node.size = new TextEncoder().encode(f.symlink).byteLength;
    } else {
      node.data = f.data ?? new Uint8Array(0);
      node.size = node.data.byteLength;
    }
    dir.children?.set(name, node);
  }

  mount(): void {
    this.rm.attach(this.mountPath, { type: "dir", handlers: this.handlers(), order: "after" });
  }

  lookup(cred: Credentials, rel: string, followLast: boolean): ImageNode {
    const parts = splitRel(rel);
    let node = this.root;
    for (let i = 0; i < parts.length; i++) {
      if (!node.children) throw new KernelError("ENOTDIR");
      checkAccess(cred, node, C.X_OK);
      const next = node.children.get(parts[i]!);
      if (!next) throw new KernelError("ENOENT");
      if (next.target !== undefined && (i < parts.length - 1 || followLast)) {
        const linkAbs = joinPath(this.mountPath, parts.slice(0, i + 1).join("/"));
        const base = next.target.startsWith("/") ? next.target : joinPath(dirname(linkAbs), next.target);
        const rest = parts.slice(i + 1);
        throw new LinkRedirect(rest.length ? `${base}/${rest.join("/")}` : base);
      }
      node = next;
    }
    return node;
  }

  handlers(): Handlers {
    const rofs = (): never => {
      throw new KernelError("EROFS");
    };
    return {
      lookup: (ctx, rel, req) => this.lookup(ctx.cred, rel, !(req.eflag & C.EFLAG_NOFOLLOW)),
      open: (ctx, rel, req) => {
        let node: ImageNode;
        try {
          node = this.lookup(ctx.cred, rel, true);
        } catch (e) {
          // Creating a file that is not there: the image cannot take it.
          if (e instanceof KernelError && e.errno === "ENOENT" && req.ioflag & C.O_CREAT) rofs();
          throw e;
        }
        if ((req.ioflag & C.O_ACCMODE) !== C.O_RDONLY || req.ioflag & C.O_TRUNC) {
          if (!node.children) rofs();
        }
        if (req.ioflag & C.O_CREAT && req.ioflag & C.O_EXCL) throw new KernelError("EEXIST");
        return { attr: node };
      },
      read: (_ctx, ocb, nbytes, offset) => {
        const node = ocb.attr as ImageNode;
        if (!node.data || offset >= node.size) return new Uint8Array(0);
        return node.data.subarray(offset, Math.min(node.size, offset + nbytes));
      },
      write: rofs,
      readdir: (_ctx, ocb): DirentRecord[] => {
        const dir = ocb.attr as ImageNode;
        let i = 0;
        return [...(dir.children ?? [])].map(([name, n]) => ({
          name,
          ino: n.ino,
          offset: ++i,
          type: n.mode & C.S_IFMT,
        }));
      },
      readlink: (ctx, rel) => {
        const node = this.lookup(ctx.cred, rel, false);
        if (node.target === undefined) throw new KernelError("EINVAL");
        return node.target;
      },
      unlink: rofs,
      rmdir: rofs,
      mkdir: (ctx, rel) => {
        try {
          this.lookup(ctx.cred, rel, false);
        } catch {
          rofs();
        }
        throw new KernelError("EEXIST");
      },
      rename: rofs,
      symlink: rofs,
      link: rofs,
      chmod: rofs,
      chown: rofs,
      utime: rofs,
    };
  }
}
