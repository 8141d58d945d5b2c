// A RAM filesystem (QNX's /dev/shmem and the usual /tmp): directories, files, symlinks, hard
// links, permissions and timestamps from the kernel clock, with a size limit (ENOSPC).
import { KernelError } from "../kernel/errno.ts";
import { checkAccess, mayAccess, newAttr, type Attr, type Credentials } from "../resmgr/attr.ts";
import type { DirentRecord } from "../resmgr/dirent.ts";
import { LinkRedirect, type Handlers, type IoContext, type Ocb } from "../resmgr/handlers.ts";
import * as C from "../resmgr/io-constants.ts";
import type { ResourceManager } from "../resmgr/resmgr.ts";
import { dirname, joinPath, splitRel } from "./path-util.ts";

export interface RamNode extends Attr {
  children?: Map<string, RamNode>;
  data?: Uint8Array;
  target?: string;
}

export interface RamfsOptions {
  /** Total bytes of file data (default 64 MiB). */
  maxBytes?: number;
  /** Largest single file (default: maxBytes). */
  maxFileBytes?: number;
  /** Mode of the root directory (default 01777, like /tmp). */
  rootMode?: number;
  uid?: number;
  gid?: number;
}

export class Ramfs {
  readonly rm: ResourceManager;
  readonly root: RamNode;
  readonly maxBytes: number;
  readonly maxFileBytes: number;
  used = 0;
  /** Where the filesystem is attached (for symlink redirects); set by mount(). */
  mountPath = "/";

  constructor(rm: ResourceManager, opts: RamfsOptions = {}) {
    this.rm = rm;
    this.maxBytes = opts.maxBytes ?? 64 * 1024 * 1024;
    this.maxFileBytes = opts.maxFileBytes ?? this.maxBytes;
    this.root = this.newNode(C.S_IFDIR | (opts.rootMode ?? 0o1777), {
      uid: opts.uid ?? 0,
      gid: opts.gid ?? 0,
    });
    this.root.children = new Map();
    this.root.nlink = 2;
  }

  /** Attaches the filesystem at `path`. */
  mount(path: string): void {
    this.mountPath = path;
    this.rm.attach(path, { type: "dir", handlers: this.handlers() });
  }

  private now(): number {
    return this.rm.thread.kernel.clock.wallTime();
  }

  private newNode(mode: number, cred: Credentials): RamNode {
    return newAttr(this.rm.allocIno(), mode, cred.uid, cred.gid, this.now());
  }

  // ---- path walking ------------------------------------------------------------------------

  /** Throws a redirect for a symlink at `linkRel` with `rest` still to resolve below it. */
  private redirect(linkRel: string, node: RamNode, rest: string[]): never {
    const target = node.target ?? "";
    const linkAbs = joinPath(this.mountPath, linkRel);
    const base = target.startsWith("/") ? target : joinPath(dirname(linkAbs), target);
    throw new LinkRedirect(rest.length ? `${base}/${rest.join("/")}` : base);
  }

  /** The directory holding the last component of `rel`, and that component's name. */
  private walkParent(cred: Credentials, rel: string): { dir: RamNode; name: string; dirRel: string } {
    const parts = splitRel(rel);
    if (parts.length === 0) throw new KernelError("EBUSY", "the root of the filesystem");
    const name = parts.pop() as string;
    const dir = this.walkParts(cred, parts, [name], true);
    if (!dir.children) throw new KernelError("ENOTDIR");
    checkAccess(cred, dir, C.X_OK);
    return { dir, name, dirRel: parts.join("/") };
  }

  /** Walks `parts`; `after` is what remains behind them (for redirects). */
  private walkParts(cred: Credentials, parts: string[], after: string[], followLast: boolean): RamNode {
    let node = this.root;
    for (let i = 0; i < parts.length; i++) {
      if (!node.children) throw new KernelError("ENOTDIR");
      checkAccess(cred, node, C.X_OK);
      const next = node.children.get(parts[i]!);
      if (!next) throw new KernelError("ENOENT");
      const last = i === parts.length - 1;
      if (next.target !== undefined && (!last || followLast || after.length > 0)) {
        this.redirect(parts.slice(0, i + 1).join("/"), next, [...parts.slice(i + 1), ...after]);
      }
      node = next;
    }
    return node;
  }

  lookup(cred: Credentials, rel: string, follow: boolean): RamNode {
    return this.walkParts(cred, splitRel(rel), [], follow);
  }

  private checkDirWrite(cred: Credentials, dir: RamNode): void {
    checkAccess(cred, dir, C.W_OK | C.X_OK);
  }

  /** Sticky directories: only the owner of the entry, of the directory, or root may remove it. */
  private checkSticky(cred: Credentials, dir: RamNode, node: RamNode): void {
    if (dir.mode & C.S_ISVTX && cred.uid !== 0 && cred.uid !== node.uid && cred.uid !== dir.uid) {
      throw new KernelError("EPERM");
    }
  }

  private touchDir(dir: RamNode): void {
    dir.mtime = dir.ctime = this.now();
  }

  // ---- data --------------------------------------------------------------------------------

  private resize(node: RamNode, size: number): void {
    const delta = size - node.size;
    if (delta > 0 && this.used + delta > this.maxBytes) throw new KernelError("ENOSPC");
    if (size > this.maxFileBytes) throw new KernelError("EFBIG");
    const cap = node.data?.byteLength ?? 0;
    if (size > cap) {
      const grown = new Uint8Array(Math.max(size, Math.min(cap * 2, this.maxFileBytes), 64));
      if (node.data) grown.set(node.data.subarray(0, node.size));
      node.data = grown;
    } else if (size < node.size && node.data) {
      node.data.fill(0, size, node.size);
    }
    this.used += delta;
    node.size = size;
  }

  private release(node: RamNode): void {
    if (node.nlink > 0) return;
    this.used -= node.size;
    node.size = 0;
    node.data = undefined;
  }

  // ---- handlers ----------------------------------------------------------------------------

  handlers(): Handlers {
    return {
      lookup: (ctx, rel, req) => this.lookup(ctx.cred, rel, !(req.eflag & C.EFLAG_NOFOLLOW)),
      open: (ctx, rel, req) => {
        const follow = !(req.eflag & C.EFLAG_NOFOLLOW);
        if (!(req.ioflag & C.O_CREAT) || rel === "") {
          const node = this.lookup(ctx.cred, rel, true);
          if (req.ioflag & C.O_TRUNC && C.isRegMode(node.mode)) {
            checkAccess(ctx.cred, node, C.W_OK);
            this.resize(node, 0);
            node.mtime = node.ctime = this.now();
          }
          return { attr: node };
        }
        const { dir, name, dirRel } = this.walkParent(ctx.cred, rel);
        const existing = dir.children?.get(name);
        if (existing) {
          if (req.ioflag & C.O_EXCL) throw new KernelError("EEXIST");
          if (existing.target !== undefined && follow) this.redirect(joinPath(dirRel, name), existing, []);
          if (req.ioflag & C.O_TRUNC && C.isRegMode(existing.mode)) {
            checkAccess(ctx.cred, existing, C.W_OK);
            this.resize(existing, 0);
            existing.mtime = existing.ctime = this.now();
          }
          return { attr: existing };
        }
        if (req.eflag & C.EFLAG_DIR) throw new KernelError("EISDIR");
        this.checkDirWrite(ctx.cred, dir);
        const node = this.newNode(C.S_IFREG | (req.mode & 0o7777), ctx.cred);
        dir.children?.set(name, node);
        this.touchDir(dir);
        return { attr: node, created: true };
      },
      read: (_ctx, ocb, nbytes, offset) => {
        const node = ocb.attr as RamNode;
        if (offset >= node.size || !node.data) return new Uint8Array(0);
        return node.data.slice(offset, Math.min(node.size, offset + nbytes));
      },
      write: (_ctx, ocb, data, offset) => {
        const node = ocb.attr as RamNode;
        if (!C.isRegMode(node.mode)) throw new KernelError("EINVAL");
        const end = offset + data.byteLength;
        if (end > node.size) this.resize(node, end);
        node.data?.set(data, offset);
        node.mtime = node.ctime = this.now();
        return data.byteLength;
      },
      readdir: (_ctx, ocb) => this.entries(ocb),
      unlink: (ctx, rel) => {
        const { dir, name } = this.walkParent(ctx.cred, rel);
        const node = dir.children?.get(name);
        if (!node) throw new KernelError("ENOENT");
        if (node.children) throw new KernelError("EPERM", "is a directory");
        this.checkDirWrite(ctx.cred, dir);
        this.checkSticky(ctx.cred, dir, node);
        dir.children?.delete(name);
        node.nlink--;
        node.ctime = this.now();
        this.release(node);
        this.touchDir(dir);
      },
      rmdir: (ctx, rel) => {
        const { dir, name } = this.walkParent(ctx.cred, rel);
        const node = dir.children?.get(name);
        if (!node) throw new KernelError("ENOENT");
        if (!node.children) throw new KernelError("ENOTDIR");
        if (node.children.size > 0) throw new KernelError("ENOTEMPTY");
        this.checkDirWrite(ctx.cred, dir);
        this.checkSticky(ctx.cred, dir, node);
        dir.children?.delete(name);
        node.nlink = 0;
        dir.nlink--;
        this.touchDir(dir);
      },
      mkdir: (ctx, rel, mode) => {
        const { dir, name } = this.walkParent(ctx.cred, rel);
        if (dir.children?.has(name)) throw new KernelError("EEXIST");
        this.checkDirWrite(ctx.cred, dir);
        const node = this.newNode(C.S_IFDIR | (mode & 0o7777), ctx.cred);
        node.children = new Map();
        node.nlink = 2;
        dir.children?.set(name, node);
        dir.nlink++;
        this.touchDir(dir);
      },
      rename: (ctx, rel, from) => this.rename(ctx, from, rel),
      readlink: (ctx, rel) => {
        const node = this.lookup(ctx.cred, rel, false);
        if (node.target === undefined) throw new KernelError("EINVAL");
        return node.target;
      },
      symlink: (ctx, rel, target) => {
        const { dir, name } = this.walkParent(ctx.cred, rel);
        if (dir.children?.has(name)) throw new KernelError("EEXIST");
        this.checkDirWrite(ctx.cred, dir);
        const node = this.newNode(C.S_IFLNK | 0o777, ctx.cred);
        node.target = target;
        node.size = new TextEncoder().encode(target).byteLength;
        dir.children?.set(name, node);
        this.touchDir(dir);
      },
      link: (ctx, rel, existing) => {
        const node = this.lookup(ctx.cred, existing, false);
        if (node.children) throw new KernelError("EPERM", "hard link to a directory");
        const { dir, name } = this.walkParent(ctx.cred, rel);
        if (dir.children?.has(name)) throw new KernelError("EEXIST");
        this.checkDirWrite(ctx.cred, dir);
        dir.children?.set(name, node);
        node.nlink++;
        node.ctime = this.now();
        this.touchDir(dir);
      },
    };
  }

  private entries(ocb: Ocb): DirentRecord[] {
    const dir = ocb.attr as RamNode;
    // A snapshot per open, so entries added while listing do not shift the offsets.
    if (!ocb.data) {
      const list: DirentRecord[] = [];
      let i = 0;
      for (const [name, n] of dir.children ?? []) {
        list.push({ name, ino: n.ino, offset: ++i, type: n.mode & C.S_IFMT });
      }
      ocb.data = list;
    }
    return ocb.data as DirentRecord[];
  }

  private rename(ctx: IoContext, from: string, to: string): void {
    const src = this.walkParent(ctx.cred, from);
    const node = src.dir.children?.get(src.name);
    if (!node) throw new KernelError("ENOENT");
    const dst = this.walkParent(ctx.cred, to);
    this.checkDirWrite(ctx.cred, src.dir);
    this.checkDirWrite(ctx.cred, dst.dir);
    this.checkSticky(ctx.cred, src.dir, node);
    if (node.children) {
      // A directory may not move below itself.
      const fromParts = splitRel(from);
      const toParts = splitRel(to);
      if (toParts.length > fromParts.length && fromParts.every((p, i) => toParts[i] === p)) {
        throw new KernelError("EINVAL");
      }
    }
    const victim = dst.dir.children?.get(dst.name);
    if (victim === node) return;
    if (victim) {
      if (victim.children && !node.children) throw new KernelError("EISDIR");
      if (!victim.children && node.children) throw new KernelError("ENOTDIR");
      if (victim.children && victim.children.size > 0) throw new KernelError("ENOTEMPTY");
      this.checkSticky(ctx.cred, dst.dir, victim);
      victim.nlink = victim.children ? 0 : victim.nlink - 1;
      if (victim.children) dst.dir.nlink--;
      this.release(victim);
    }
    src.dir.children?.delete(src.name);
    dst.dir.children?.set(dst.name, node);
    if (node.children && src.dir !== dst.dir) {
      src.dir.nlink--;
      dst.dir.nlink++;
    }
    node.ctime = this.now();
    this.touchDir(src.dir);
    this.touchDir(dst.dir);
  }

  /** May `cred` read the node at `rel`? (For tests and tools.) */
  canRead(cred: Credentials, rel: string): boolean {
    return mayAccess(cred, this.lookup(cred, rel, true), C.R_OK);
  }
}
