// The IPv4 routing table: longest-prefix match over one Map per prefix length, probing only the
// lengths in use, longest first (a handful of Map lookups per packet, no allocation).
import { KernelError } from "../../kernel/errno.ts";
import { prefixToMask } from "../wire/ipv4-addr.ts";
import type { Ifnet } from "./ifnet.ts";

// BSD route flags (net/route.h values).
export const RTF_UP = 0x1;
export const RTF_GATEWAY = 0x2;
export const RTF_HOST = 0x4;
export const RTF_REJECT = 0x8;
export const RTF_DYNAMIC = 0x10;
export const RTF_MODIFIED = 0x20;
export const RTF_DONE = 0x40;
export const RTF_CLONING = 0x100;
export const RTF_LLINFO = 0x400;
export const RTF_STATIC = 0x800;
export const RTF_BLACKHOLE = 0x1000;
export const RTF_CLONED = 0x2000;

const FLAG_LETTERS: ReadonlyArray<readonly [number, string]> = [
  [RTF_UP, "U"],
  [RTF_GATEWAY, "G"],
  [RTF_HOST, "H"],
  [RTF_REJECT, "R"],
  [RTF_DYNAMIC, "D"],
  [RTF_MODIFIED, "M"],
  [RTF_CLONING, "C"],
  [RTF_CLONED, "c"],
  [RTF_LLINFO, "L"],
  [RTF_STATIC, "S"],
  [RTF_BLACKHOLE, "B"],
];

const FLAG_WORDS: ReadonlyArray<readonly [number, string]> = [
  [RTF_UP, "UP"],
  [RTF_GATEWAY, "GATEWAY"],
  [RTF_HOST, "HOST"],
  [RTF_REJECT, "REJECT"],
  [RTF_DYNAMIC, "DYNAMIC"],
  [RTF_MODIFIED, "MODIFIED"],
  [RTF_DONE, "DONE"],
  [RTF_CLONING, "CLONING"],
  [RTF_CLONED, "CLONED"],
  [RTF_LLINFO, "LLINFO"],
  [RTF_STATIC, "STATIC"],
  [RTF_BLACKHOLE, "BLACKHOLE"],
];

/** `UGS` as netstat -rn prints. */
export function routeFlagLetters(flags: number): string {
  return FLAG_LETTERS.filter(([b]) => flags & b)
    .map(([, l]) => l)
    .join("");
}

/** `<UP,GATEWAY,DONE,STATIC>` as route get prints. */
export function routeFlagWords(flags: number): string {
  return `<${FLAG_WORDS.filter(([b]) => flags & b)
    .map(([, w]) => w)
    .join(",")}>`;
}

const MASKS: readonly number[] = Array.from({ length: 33 }, (_, i) => prefixToMask(i));

export interface Route {
  readonly dst: number;
  readonly prefixLen: number;
  readonly mask: number;
  /** Next hop for RTF_GATEWAY routes; for connected routes the interface address. */
  gateway: number;
  ifp: Ifnet;
  flags: number;
  /** Packets routed with it (netstat's Use). */
  use: number;
  /** Path MTU for this route; 0 = the interface MTU. */
  mtu: number;
  /** When the route goes (stack clock, ms): routes learned from redirects; 0 = never. */
  expire: number;
}

export class RouteTable {
  private readonly byLen: Array<Map<number, Route> | undefined> = new Array(33).fill(undefined);
  /** Prefix lengths with at least one route, longest first. */
  private lens: number[] = [];
  /** Bumped on every change, so callers can cache lookups. */
  generation = 0;
  /** Routes with an expiry time (only then does the timer look at the table). */
  private expiring = 0;
  /** Told of every add, delete and change (the stack's RouteEvents: routing sockets). */
  onChange: ((change: "add" | "delete" | "change", r: Route) => void) | null = null;

  /** Adds a route; EEXIST if that destination/prefix is already there. */
  add(r: Omit<Route, "mask" | "use" | "mtu" | "expire"> & { mtu?: number; expire?: number }): Route {
    const prefixLen = r.prefixLen;
    const mask = MASKS[prefixLen];
    const dst = (r.dst & mask) >>> 0;
    let m = this.byLen[prefixLen];
    if (m === undefined) {
      m = new Map();
      this.byLen[prefixLen] = m;
      this.lens = [...this.lens, prefixLen].sort((a, b) => b - a);
    }
    if (m.has(dst)) throw new KernelError("EEXIST", "route already in table");
    const route: Route = {
      dst,
      prefixLen,
      mask,
      gateway: r.gateway >>> 0,
      ifp: r.ifp,
      flags: r.flags | RTF_UP | (prefixLen === 32 ? RTF_HOST : 0),
      use: 0,
      mtu: r.mtu ?? 0,
      expire: r.expire ?? 0,
    };
    if (route.expire !== 0) this.expiring++;
    m.set(dst, route);
    this.generation++;
    this.onChange?.("add", route);
    return route;
  }

  /** Removes the route for exactly dst/prefixLen; ESRCH ("not in table") if none. */
  delete(dst: number, prefixLen: number): Route {
    const m = this.byLen[prefixLen];
    const key = (dst & MASKS[prefixLen]) >>> 0;
    const r = m?.get(key);
    if (m === undefined || r === undefined) throw new KernelError("ESRCH", "not in table");
    m.delete(key);
    if (r.expire !== 0) this.expiring--;
    if (m.size === 0) {
      this.byLen[prefixLen] = undefined;
      this.lens = this.lens.filter((l) => l !== prefixLen);
    }
    this.generation++;
    this.onChange?.("delete", r);
    return r;
  }

  /** The exact route for dst/prefixLen, if any. */
  get(dst: number, prefixLen: number): Route | undefined {
    return this.byLen[prefixLen]?.get((dst & MASKS[prefixLen]) >>> 0);
  }

  /** Longest-prefix match; null when nothing (not even a default route) matches. */
  lookup(dst: number): Route | null {
    const lens = this.lens;
    for (let i = 0; i < lens.length; i++) {
      const len = lens[i];
      const r = (this.byLen[len] as Map<number, Route>).get((dst & MASKS[len]) >>> 0);
      if (r !== undefined) return r;
    }
    return null;
  }

  /** Every route, sorted by destination then prefix length (netstat order). */
  list(): Route[] {
    const all: Route[] = [];
    for (const m of this.byLen) if (m) for (const r of m.values()) all.push(r);
    return all.sort((a, b) => a.dst - b.dst || a.prefixLen - b.prefixLen);
  }

  /** A route's gateway, interface, flags or MTU were changed in place (RTM_CHANGE, redirects). */
  changed(r: Route): void {
    this.generation++;
    this.onChange?.("change", r);
  }

  /** Gives a route an expiry time (0: never), keeping the count of expiring routes right. */
  setExpire(r: Route, expire: number): void {
    if ((r.expire !== 0) !== (expire !== 0)) this.expiring += expire !== 0 ? 1 : -1;
    r.expire = expire;
  }

  /** Removes the routes whose time has come; returns whether any expiring route remains. */
  expire(now: number): boolean {
    if (this.expiring === 0) return false;
    for (const r of this.list()) if (r.expire !== 0 && r.expire <= now) this.delete(r.dst, r.prefixLen);
    return this.expiring !== 0;
  }

  /** Removes every route through `ifp` (interface destroyed). */
  deleteByIfp(ifp: Ifnet): number {
    let n = 0;
    for (const r of this.list()) {
      if (r.ifp === ifp) {
        this.delete(r.dst, r.prefixLen);
        n++;
      }
    }
    return n;
  }

  get size(): number {
    let n = 0;
    for (const m of this.byLen) if (m) n += m.size;
    return n;
  }
}
