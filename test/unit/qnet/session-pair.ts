// Two L4 sessions (alpha and bravo) joined by a simulated wire on the manual clock, for the
// transport and fuzz tests.
import { expect } from "vitest";
import { ManualClock } from "../../../firmware/kernel/clock.ts";
import { checkQnetPacket } from "../../../firmware/net/qnet/frame.ts";
import { emptyHeader, QNET_HDR_LEN } from "../../../firmware/net/qnet/l4-header.ts";
import type { QnetHeader } from "../../../firmware/net/qnet/l4-header.ts";
import { L4Session } from "../../../firmware/net/qnet/l4-transport.ts";
import type { L4Options } from "../../../firmware/net/qnet/l4-transport.ts";
import { ETHER_HDR_LEN } from "../../../firmware/net/wire/ethernet.ts";
import { xorshift32 } from "../../helpers/fuzz.ts";
import { ALPHA, BRAVO } from "./frames.ts";

export /** Two sessions joined by a wire that delivers after 1 ms and may drop, duplicate or reorder. */
function pair(
  wire: {
    drop?: (f: Uint8Array, n: number) => boolean;
    dup?: (n: number) => boolean;
    reorder?: boolean;
  } = {},
  o: Partial<L4Options> = {},
) {
  const clock = new ManualClock();
  const got: { a: Uint8Array[]; b: Uint8Array[] } = { a: [], b: [] };
  let dead = "";
  let n = 0;
  const carry = (to: () => L4Session) => (f: Uint8Array) => {
    const k = n++;
    if (wire.drop?.(f, k)) return true;
    const copies = wire.dup?.(k) ? 2 : 1;
    for (let c = 0; c < copies; c++) {
      clock.setTimer(wire.reorder ? 1 + (k % 3) : 1, () => {
        const h = emptyHeader();
        const v = new DataView(f.buffer);
        expect(checkQnetPacket(f, v, ETHER_HDR_LEN, f.length, h)).toBeNull();
        to().input(h, f.subarray(ETHER_HDR_LEN + QNET_HDR_LEN, ETHER_HDR_LEN + QNET_HDR_LEN + h.length));
      });
    }
    return true;
  };
  const mk = (me: "a" | "b", out: () => L4Session): L4Session =>
    new L4Session({
      clock,
      output: carry(out),
      deliver: (_h: QnetHeader, p: Uint8Array) => got[me].push(p),
      dead: () => (dead += me),
      localMac: me === "a" ? ALPHA : BRAVO,
      peerMac: me === "a" ? BRAVO : ALPHA,
      sconn: me === "a" ? 1 : 2,
      dconn: me === "a" ? 2 : 1,
      srcNd: me === "a" ? 5 : 2,
      dstNd: me === "a" ? 2 : 5,
      doCrc: true,
      ...o,
    });
  const s: { a?: L4Session; b?: L4Session } = {};
  s.a = mk("a", () => s.b as L4Session);
  s.b = mk("b", () => s.a as L4Session);
  return { clock, a: s.a, b: s.b, got, dead: () => dead };
}

/** `n` seeded pseudo-random bytes. */
export const bytes = (n: number, seed: number) => {
  const r = xorshift32(seed);
  return new Uint8Array(n).map(() => r() & 0xff);
};
