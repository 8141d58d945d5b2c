// The L4 transport between two sessions on a simulated wire, on the manual clock: large messages
// arrive whole and in order through loss, reordering and duplication; a request and its reply
// carry no ACK of their own (delayed ACK); the window bounds what is in flight; a silent peer is
// declared dead after tx_retries timeouts.
import { describe, expect, it } from "vitest";
import { LAYER, QNET_HDR_LEN } from "../../../firmware/net/qnet/l4-header.ts";
import { bytes, pair } from "./session-pair.ts";
import { xorshift32 } from "../../helpers/fuzz.ts";

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

  it("a one-fragment request and its reply put no ACK on the wire; one delayed ACK follows within 5 ms", () => {
    const t = pair();
    t.a.send(bytes(64, 12), LAYER.KIF);
    t.clock.advance(1);
    expect(t.got.b).toHaveLength(1);
    t.b.send(bytes(64, 13), LAYER.KIF); // the reply, sent at once
    t.clock.advance(1);
    expect(t.got.a).toHaveLength(1);
    // Two data frames only: neither side acked before the other's answer.
    expect(t.a.stats.acksSent + t.b.stats.acksSent).toBe(0);
    expect(t.a.outstanding + t.b.outstanding).toBe(2);
    t.clock.advance(5);
    expect(t.a.stats.acksSent).toBe(1);
    expect(t.b.stats.acksSent).toBe(1);
    t.clock.advance(1);
    expect(t.a.outstanding + t.b.outstanding).toBe(0);
    expect(t.a.stats.retransmits + t.b.stats.retransmits).toBe(0);
  });

  it("the window bounds what is in flight before any ack", () => {
    const t = pair({}, { window: 4 });
    t.a.send(bytes(20_000, 6), LAYER.KIF);
    expect(t.a.stats.txFragments).toBe(4);
    t.clock.advance(500);
    expect(t.got.b).toHaveLength(1);
  });

  it("survives 20% loss, duplication and reordering with identical bytes", () => {
    const r = xorshift32(99);
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
