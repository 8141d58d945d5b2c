// BPF taps: tcpdump's view of the interfaces. A tap sees every frame of its interface (or of all
// interfaces) in its direction(s) before filtering decides anything, if its predicate accepts it.
import type { Ifnet } from "./ifnet.ts";

export const BPF_D_IN = 1;
export const BPF_D_OUT = 2;
export const BPF_D_INOUT = 3;

/** A compiled filter (see tcpdump-expr.ts): called over the frame from its Ethernet header. */
export type BpfPredicate = (bytes: Uint8Array, view: DataView, off: number, len: number) => boolean;

export interface BpfTap {
  /** Interface tapped; null = every interface (tcpdump -i any). */
  readonly ifp: Ifnet | null;
  readonly dir: number;
  readonly filter: BpfPredicate | null;
  /**
   * Receives matching frames; `bytes[off, off+len)` is valid only during the call (copy it).
   * `tsMs` is the wall time in milliseconds (fractional).
   */
  readonly deliver: (
    bytes: Uint8Array,
    off: number,
    len: number,
    tsMs: number,
    dir: number,
    ifp: Ifnet,
  ) => void;
  /** Frames the tap saw, and frames its filter accepted. */
  seen: number;
  matched: number;
}

/** Runs the taps of one list on a frame. */
export function bpfTapList(
  taps: BpfTap[],
  bytes: Uint8Array,
  view: DataView,
  off: number,
  len: number,
  tsMs: number,
  dir: number,
  ifp: Ifnet,
): void {
  for (let i = 0; i < taps.length; i++) {
    const t = taps[i];
    if ((t.dir & dir) === 0) continue;
    t.seen++;
    if (t.filter !== null && !t.filter(bytes, view, off, len)) continue;
    t.matched++;
    t.deliver(bytes, off, len, tsMs, dir, ifp);
  }
}
