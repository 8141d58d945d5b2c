// The L4 transport between two sessions on a simulated wire, on the manual clock: large messages
// arrive whole and in order through loss, reordering and duplication; the window bounds what is in
// flight; a silent peer is declared dead after tx_retries timeouts.
import { describe, expect, it } from "vitest";
import { ManualClock } from "../../../firmware/kernel/clock.ts";
import { checkQnetPacket } from "../../../firmware/net/qnet/frame.ts";
import { emptyHeader, LAYER, QNET_HDR_LEN } from "../../../firmware/net/qnet/l4-header.ts";
import type { QnetHeader } from "../../../firmware/net/qnet/l4-header.ts";
import { L4Session } from "../../../firmware/net/qnet/l4-transport.ts";
import type { L4Options } from "../../../firmware/net/qnet/l4-transport.ts";
import { ETHER_HDR_LEN } from "../../../firmware/net/wire/ethernet.ts";
import { rng } from "../../helpers/fuzz.ts";
import { ALPHA, BRAVO } from "./frames.ts";

/** Two sessions joined by a wire that delivers after 1 ms and may drop, duplicate or reorder. */
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

const bytes = (n: number, seed: number) => {
  const r = rng(seed);
  return new Uint8Array(n).map(() => r() & 0xff);
};

describe("qnet L4 transport", () => {
  it("a 100 kB message arrives whole, in fragments no larger than the MTU, and everything is acked", () => {
    const t = pair();
    const m = bytes(100_000, 1);
    t.a.send(m, LAYER.KIF);
    t.clock.advance(1_000);
    expect(t.got.b).toEqual([m]);
    expect(t.a.outstanding).toBe(0);
    expect(t.a.stats.txFragments).toBe(Math.ceil(100_000 / (1500 - QNET_HDR_LEN)));
    expect(t.a.stats.retransmits).toBe(0);
  });

  it("messages in both directions keep their order", () => {
    const t = pair();
    const ms = [bytes(10, 2), bytes(3000, 3), bytes(0, 4), bytes(1462, 5)];
    for (const m of ms) {
      t.a.send(m, LAYER.KIF);
      t.b.send(m, LAYER.KIF);
    }
    t.clock.advance(100);
    expect(t.got.b).toEqual(ms);
    expect(t.got.a).toEqual(ms);
  });

  it("the window bounds what is in flight before any ack", () => {
    const t = pair({}, { window: 4 });
    t.a.send(bytes(20_000, 6), LAYER.KIF);
    expect(t.a.stats.txFragments).toBe(4);
    t.clock.advance(500);
    expect(t.got.b).toHaveLength(1);
  });

  it("survives 20% loss, duplication and reordering with identical bytes", () => {
    const r = rng(99);
    const t = pair({ drop: () => r() % 5 === 0, dup: (k) => k % 7 === 0, reorder: true });
    const ms = [bytes(50_000, 7), bytes(700, 8), bytes(20_000, 9)];
    for (const m of ms) t.a.send(m, LAYER.KIF);
    t.clock.advance(60_000);
    expect(t.got.b).toEqual(ms);
    expect(t.a.outstanding).toBe(0);
    expect(t.a.stats.retransmits).toBeGreaterThan(0);
    expect(t.b.stats.duplicates).toBeGreaterThan(0);
    expect(t.dead()).toBe("");
  });

  it("a lost fragment is asked for with a NACK", () => {
    const t = pair({ drop: (_f, k) => k === 1 });
    t.a.send(bytes(5000, 10), LAYER.KIF);
    t.clock.advance(10);
    expect(t.b.stats.nacksSent).toBe(1);
    expect(t.got.b).toHaveLength(1);
  });

  it("a peer that never answers is declared dead after tx_retries timeouts", () => {
    const t = pair({ drop: () => true }, { rtoMs: 100, txRetries: 3 });
    t.a.send(bytes(10, 11), LAYER.KIF);
    t.clock.advance(399);
    expect(t.dead()).toBe("");
    t.clock.advance(1);
    expect(t.dead()).toBe("a");
    expect(t.a.stats.retransmits).toBe(3);
    expect(() => t.a.send(bytes(1, 1), LAYER.KIF)).toThrow(/closed/);
  });
});
