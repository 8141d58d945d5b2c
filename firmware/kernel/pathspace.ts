// The pathname space: managers attach prefixes; a path resolves to every manager whose
// prefix matches it, longest first (so the client can fall through to the next one on
// ENOENT: union directories); procmgr_symlink adds symbolic links to the space itself.
import { KernelError } from "./errno.ts";

export type PathType = "file" | "dir";

export interface PathRegistration {
  readonly id: number;
  /** Normalized absolute prefix ("/" for the root). */
  readonly prefix: string;
  readonly type: PathType;
  readonly nd: number;
  readonly pid: number;
  readonly chid: number;
  /** Manager-chosen handle passed back with every open (which of its attachments was hit). */
  readonly handle: number;
  /** _RESMGR_FLAG_BEFORE / _AFTER: order among managers on the same prefix. */
  readonly order: "before" | "normal" | "after";
  readonly seq: number;
  /**
   * A network directory (Qnet's /net): the first component below it names a node, and the rest
   * is resolved in that node's path space (NetTransport.resolvePath), not here.
   */
  readonly network?: boolean;
}

/** What another node's path manager answered for a path (its matches carry our nd for it). */
export interface RemoteResolution {
  /** The path there after its own path-space links. */
  path: string;
  matches: PathMatch[];
  children: { name: string; type: PathType | "link" }[];
}

export interface PathMatch {
  reg: PathRegistration;
  /** The rest of the path below the prefix, without a leading slash ("" for the prefix itself). */
  rest: string;
}

export const SYMLOOP_MAX = 32;

/** Lexically normalizes an absolute path: collapses "//", ".", "..", and a trailing "/". */
export function normalizePath(path: string, cwd = "/"): string {
  const abs = path.startsWith("/") ? path : (cwd.endsWith("/") ? cwd : cwd + "/") + path;
  const out: string[] = [];
  for (const part of abs.split("/")) {
    if (part === "" || part === ".") continue;
    if (part === "..") out.pop();
    else out.push(part);
  }
  return "/" + out.join("/");
}

/** `rest` below `prefix`, or null when `path` is not at or under `prefix`. */
function below(prefix: string, path: string): string | null {
  if (prefix === "/") return path.slice(1);
  if (path === prefix) return "";
  if (path.startsWith(prefix) && path.charCodeAt(prefix.length) === 47) return path.slice(prefix.length + 1);
  return null;
}

const ORDER_RANK = { before: 0, normal: 1, after: 2 } as const;

export class PathSpace {
  private readonly regs = new Map<number, PathRegistration>();
  private readonly links = new Map<string, string>();
  private nextId = 1;
  private seq = 0;

  get count(): number {
    return this.regs.size;
  }

  attach(
    prefix: string,
    target: {
      pid: number;
      chid: number;
      nd?: number;
      handle?: number;
      type?: PathType;
      order?: "before" | "after";
      network?: boolean;
    },
  ): number {
    if (!prefix.startsWith("/")) throw new KernelError("EINVAL", `path "${prefix}" is not absolute`);
    const id = this.nextId++;
    this.regs.set(id, {
      id,
      prefix: normalizePath(prefix),
      type: target.type ?? "dir",
      nd: target.nd ?? 0,
      pid: target.pid,
      chid: target.chid,
      handle: target.handle ?? 0,
      order: target.order ?? "normal",
      seq: this.seq++,
      network: target.network ?? false,
    });
    return id;
  }

  detach(id: number): boolean {
    return this.regs.delete(id);
  }

  /** Removes every registration of a process (it ended). Returns how many went. */
  detachAll(pid: number, nd = 0): number {
    let n = 0;
    for (const [id, r] of this.regs) {
      if (r.pid === pid && r.nd === nd) {
        this.regs.delete(id);
        n++;
      }
    }
    return n;
  }

  registrations(): PathRegistration[] {
    return [...this.regs.values()].sort((a, b) =>
      a.prefix < b.prefix ? -1 : a.prefix > b.prefix ? 1 : a.seq - b.seq,
    );
  }

  /** procmgr_symlink: makes `path` in the path space point at `target`. */
  symlink(target: string, path: string): void {
    const p = normalizePath(path);
    if (this.links.has(p)) throw new KernelError("EEXIST", `${p} already exists`);
    this.links.set(p, target);
  }

  unlinkSymlink(path: string): boolean {
    return this.links.delete(normalizePath(path));
  }

  readSymlink(path: string): string | undefined {
    return this.links.get(normalizePath(path));
  }

  symlinks(): [string, string][] {
    return [...this.links.entries()].sort();
  }

  /**
   * Applies path-space symlinks until none match; ELOOP after SYMLOOP_MAX expansions.
   * With `followLast` false a link naming the whole path is left alone (lstat, unlink).
   */
  expandLinks(path: string, followLast = true): string {
    let p = normalizePath(path);
    for (let hops = 0; ; hops++) {
      const hit = this.longestLink(p, followLast);
      if (!hit) return p;
      if (hops >= SYMLOOP_MAX) throw new KernelError("ELOOP", `${path}: too many levels of symbolic links`);
      const [link, target, rest] = hit;
      const dir = link.slice(0, link.lastIndexOf("/")) || "/";
      const base = normalizePath(target, dir);
      p = rest === "" ? base : normalizePath(base + "/" + rest);
    }
  }

  private longestLink(p: string, followLast: boolean): [string, string, string] | null {
    let best: [string, string, string] | null = null;
    for (const [link, target] of this.links) {
      const rest = below(link, p);
      if (rest === null || (rest === "" && !followLast)) continue;
      if (!best || link.length > best[0].length) best = [link, target, rest];
    }
    return best;
  }

  /**
   * Every manager that may serve `path` (already link-expanded), most specific first:
   * longer prefixes first; on one prefix BEFORE, then the newest, then AFTER.
   * ENOTDIR when the longest match is a file with more path below it; ENOENT when nothing matches.
   */
  resolve(path: string): PathMatch[] {
    const p = normalizePath(path);
    const out: PathMatch[] = [];
    let fileBlocked = false;
    for (const reg of this.regs.values()) {
      const rest = below(reg.prefix, p);
      if (rest === null) continue;
      if (reg.type === "file" && rest !== "") {
        fileBlocked = true;
        continue;
      }
      out.push({ reg, rest });
    }
    out.sort(
      (a, b) =>
        b.reg.prefix.length - a.reg.prefix.length ||
        ORDER_RANK[a.reg.order] - ORDER_RANK[b.reg.order] ||
        b.reg.seq - a.reg.seq,
    );
    if (out.length === 0 || (fileBlocked && this.longestFilePrefix(p) > out[0].reg.prefix.length)) {
      if (fileBlocked) throw new KernelError("ENOTDIR", `${p}: Not a directory`);
      if (this.children(p).length > 0) return [];
      throw new KernelError("ENOENT", `${p}: No such file or directory`);
    }
    return out;
  }

  private longestFilePrefix(p: string): number {
    let n = -1;
    for (const reg of this.regs.values()) {
      if (reg.type === "file" && below(reg.prefix, p) !== null && reg.prefix.length > n)
        n = reg.prefix.length;
    }
    return n;
  }

  /**
   * Names that registrations and path-space links put directly under `dir`: a manager at
   * /dev/ser1 makes "ser1" an entry of /dev; one at /dev/io-pkt/en0 makes "io-pkt" one.
   */
  children(dir: string): { name: string; type: PathType | "link" }[] {
    const d = normalizePath(dir);
    const seen = new Map<string, PathType | "link">();
    const add = (full: string, type: PathType | "link"): void => {
      const rest = below(d, full);
      if (rest === null || rest === "") return;
      const slash = rest.indexOf("/");
      const name = slash < 0 ? rest : rest.slice(0, slash);
      if (!seen.has(name)) seen.set(name, slash < 0 ? type : "dir");
    };
    for (const reg of this.regs.values()) add(reg.prefix, reg.type);
    for (const link of this.links.keys()) add(link, "link");
    return [...seen.entries()].sort().map(([name, type]) => ({ name, type }));
  }

  /** True when `path` exists only because registrations lie below it (like /dev with no manager). */
  isVirtualDir(path: string): boolean {
    return this.children(path).length > 0;
  }
}
