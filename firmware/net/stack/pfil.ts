// Packet filter hooks (NetBSD pfil(9) in spirit), at two layers:
// - link layer (`stack.pfil`, `ifp.pfil`): whole Ethernet frames, `pb.off` at the Ethernet
//   header, on every interface or one (IN and OUT);
// - IP layer (`stack.inetPfil`): every IPv4 datagram, `pb.off` at the IP header, whatever the
//   interface — lo0 and VLANs included: IN for each datagram received (before local delivery or
//   forwarding, after header validation), OUT for each datagram we originate (before routing's
//   fragmentation, also those to our own addresses through lo0), FWD for each datagram being
//   forwarded (after the TTL decrement, `ifp` the outgoing interface).
// Hooks run in order of `priority` (lower first, then insertion order), synchronously.
import type { Pbuf } from "./pbuf.ts";
import type { IfAddr, Ifnet } from "./ifnet.ts";

export const PFIL_IN = 1;
export const PFIL_OUT = 2;
/** IP layer only: datagrams being forwarded. */
export const PFIL_FWD = 4;

// Verdicts a hook returns.
export const PFIL_PASS = 0;
export const PFIL_DROP = 1;
/** The hook changed the frame in place (bytes, `pb.off`/`pb.len`); keep going with the new one. */
export const PFIL_MODIFIED = 2;

export interface PfilHookCounters {
  seen: number;
  passed: number;
  dropped: number;
  modified: number;
}

export interface PfilHookSpec {
  name: string;
  /** PFIL_IN, PFIL_OUT (and PFIL_FWD on the IP head), or several. */
  dir: number;
  /** Lower runs first (default 0). */
  priority?: number;
  /**
   * "filter" hooks decide (pass / modify / drop); "monitor" hooks only look: their result is
   * ignored and they run after the filters have passed the frame.
   */
  kind?: "filter" | "monitor";
  /** Called with `pb.off` at the Ethernet (link head) or IP (inet head) header. Must not keep `pb`. */
  fn: (pb: Pbuf, ifp: Ifnet, dir: number) => number;
}

export interface PfilHook extends Required<PfilHookSpec> {
  readonly counters: PfilHookCounters;
  readonly seq: number;
}

/** An ordered list of hooks for one attachment point (global, or one interface). */
export class PfilHead {
  /** Filters then monitors, in order; separate arrays per direction keep the hot loop simple. */
  inHooks: PfilHook[] = [];
  outHooks: PfilHook[] = [];
  fwdHooks: PfilHook[] = [];
  private seq = 0;

  add(spec: PfilHookSpec): PfilHook {
    const hook: PfilHook = {
      name: spec.name,
      dir: spec.dir,
      priority: spec.priority ?? 0,
      kind: spec.kind ?? "filter",
      fn: spec.fn,
      counters: { seen: 0, passed: 0, dropped: 0, modified: 0 },
      seq: this.seq++,
    };
    if (hook.dir & PFIL_IN) this.inHooks = sorted([...this.inHooks, hook]);
    if (hook.dir & PFIL_OUT) this.outHooks = sorted([...this.outHooks, hook]);
    if (hook.dir & PFIL_FWD) this.fwdHooks = sorted([...this.fwdHooks, hook]);
    return hook;
  }

  remove(hook: PfilHook): boolean {
    const before = this.inHooks.length + this.outHooks.length + this.fwdHooks.length;
    this.inHooks = this.inHooks.filter((h) => h !== hook);
    this.outHooks = this.outHooks.filter((h) => h !== hook);
    this.fwdHooks = this.fwdHooks.filter((h) => h !== hook);
    return this.inHooks.length + this.outHooks.length + this.fwdHooks.length < before;
  }

  get empty(): boolean {
    return this.inHooks.length === 0 && this.outHooks.length === 0 && this.fwdHooks.length === 0;
  }

  hooks(): PfilHook[] {
    return [...new Set([...this.inHooks, ...this.outHooks, ...this.fwdHooks])];
  }
}

function sorted(hooks: PfilHook[]): PfilHook[] {
  const rank = (h: PfilHook) => (h.kind === "monitor" ? 1 : 0);
  return hooks.sort((a, b) => rank(a) - rank(b) || a.priority - b.priority || a.seq - b.seq);
}

/** Runs a hook list; returns PFIL_PASS or PFIL_DROP. A hook that throws drops the frame. */
export function pfilRun(hooks: PfilHook[], pb: Pbuf, ifp: Ifnet, dir: number): number {
  for (let i = 0; i < hooks.length; i++) {
    const h = hooks[i];
    h.counters.seen++;
    let verdict: number;
    try {
      verdict = h.fn(pb, ifp, dir);
    } catch {
      verdict = PFIL_DROP;
    }
    if (h.kind === "monitor") continue;
    if (verdict === PFIL_DROP) {
      h.counters.dropped++;
      return PFIL_DROP;
    }
    if (verdict === PFIL_MODIFIED) h.counters.modified++;
    else h.counters.passed++;
  }
  return PFIL_PASS;
}

/**
 * What a filter hears besides packets (NetBSD's PFIL_IFNET and PFIL_IFADDR hooks): interfaces
 * coming and going, addresses added and removed, so that rules naming an interface or "our
 * address" can follow. Called synchronously, in the stack context, after the change; a detaching
 * interface has lost its addresses (one "delete" each) and is still in the stack.
 */
export interface PfilWatcher {
  ifnet?(event: "attach" | "detach", ifp: Ifnet): void;
  ifaddr?(event: "add" | "delete", ifp: Ifnet, ia: IfAddr): void;
}

export class PfilWatchers {
  private list: PfilWatcher[] = [];

  add(w: PfilWatcher): void {
    this.list = [...this.list, w];
  }

  remove(w: PfilWatcher): boolean {
    const before = this.list.length;
    this.list = this.list.filter((x) => x !== w);
    return this.list.length < before;
  }

  ifnet(event: "attach" | "detach", ifp: Ifnet): void {
    for (const w of this.list) {
      try {
        w.ifnet?.(event, ifp);
      } catch {
        // A watcher's failure is its own; the interface change has happened regardless.
      }
    }
  }

  ifaddr(event: "add" | "delete", ifp: Ifnet, ia: IfAddr): void {
    for (const w of this.list) {
      try {
        w.ifaddr?.(event, ifp, ia);
      } catch {
        // As above.
      }
    }
  }
}
