// Mutated Qnet frames through the receive checks and payload decoders: nothing throws except
// EBADMSG-shaped refusals naming the problem, nothing hangs, and every frame lands in exactly one
// outcome. CI runs the full million.
import { describe, expect, it } from "vitest";
import { KernelError } from "../../../firmware/kernel/errno.ts";
import { checkQnetPacket } from "../../../firmware/net/qnet/frame.ts";
import {
  emptyHeader,
  L4,
  L4_FLAGS_WHOLE,
  LAYER,
  QNET_HDR_LEN,
} from "../../../firmware/net/qnet/l4-header.ts";
import { decodeQnetPayload } from "../../../firmware/net/qnet/payload.ts";
import { ETHER_HDR_LEN } from "../../../firmware/net/wire/ethernet.ts";
import { fuzzIterations, mutate, xorshift32 } from "../../helpers/fuzz.ts";
import * as F from "./frames.ts";
import { bytes, pair } from "./session-pair.ts";

const ITER = fuzzIterations(200_000, 1_000_000);
const REFUSALS = new Set(["EBADMSG", "EINVAL", "ENAMETOOLONG"]);

describe("qnet fuzz", () => {
  it(`${ITER} mutated frames: refused with a reason or decoded, never a crash`, () => {
    const seeds = [
      F.lrRequest(),
      F.lrRequest(false),
      F.lrReply(),
      F.tcsInit(),
      F.session(L4.TCS_UP),
      F.msgSend(),
      F.msgSend(false),
      F.connect(),
      F.connectSuccess(),
      F.pulse(),
      F.msgReply(Uint8Array.of(1, 2, 3)),
      F.ack(3),
      ...F.fragments(),
    ];
    // Seeds without the CRC flag, so mutations reach the payload decoders.
    for (const s of seeds.slice()) {
      const t = s.slice();
      t[18] &= ~0x04;
      seeds.push(t);
    }
    const outcome = new Map<string, number>();
    const count = (k: string) => outcome.set(k, (outcome.get(k) ?? 0) + 1);
    const h = emptyHeader();
    const r = xorshift32(0x9e7);
    for (let i = 0; i < ITER; i++) {
      const f = mutate(r, seeds[r() % seeds.length]);
      const v = new DataView(f.buffer, f.byteOffset, f.byteLength);
      if (f.length < ETHER_HDR_LEN) {
        count("runt");
        continue;
      }
      const why = checkQnetPacket(f, v, ETHER_HDR_LEN, f.length, h);
      if (why !== null) {
        count(why);
        continue;
      }
      if ((h.flags & L4_FLAGS_WHOLE) !== L4_FLAGS_WHOLE) {
        count("fragment");
        continue;
      }
      const start = ETHER_HDR_LEN + QNET_HDR_LEN;
      try {
        count(decodeQnetPayload(h, f.subarray(start, start + h.length)).kind);
      } catch (e) {
        if (!(e instanceof KernelError) || !REFUSALS.has(e.errno) || !/^qnet/.test(e.message)) throw e;
        count("refused");
      }
    }
    expect([...outcome.values()].reduce((a, b) => a + b, 0)).toBe(ITER);
    // The mutations exercise every path: checks, decoders and refusals.
    for (const k of [
      "short",
      "version",
      "length",
      "crc",
      "fragment",
      "refused",
      "lr",
      "msgsend",
      "kif",
      "xfer",
      "tcs-init",
    ]) {
      expect(outcome.get(k) ?? 0, k).toBeGreaterThan(0);
    }
  }, 300_000);

  it(`${ITER / 4} mutated frames into an established session leave its traffic intact`, () => {
    const t = pair();
    // Move the session well past the seeds' sequence numbers first.
    const warm = bytes(50_000, 1);
    for (let i = 0; i < 20; i++) t.a.send(warm, LAYER.KIF);
    t.clock.advance(1_000);
    t.got.b.length = 0;
    const seeds = [
      F.msgSend(),
      F.msgReply(Uint8Array.of(1)),
      F.ack(3),
      F.session(L4.NACK),
      F.connect(),
      ...F.fragments(),
    ];
    const r = xorshift32(0x5e55);
    const h = emptyHeader();
    const sent: Uint8Array[] = [];
    let injected = 0;
    for (let i = 0; i < ITER / 4; i++) {
      if (i % 1000 === 0) {
        const m = bytes(1 + (r() % 5000), i);
        sent.push(m);
        t.a.send(m, LAYER.KIF);
      }
      const f = mutate(r, seeds[r() % seeds.length]);
      if (f.length < ETHER_HDR_LEN) continue;
      if (
        checkQnetPacket(f, new DataView(f.buffer, f.byteOffset, f.byteLength), ETHER_HDR_LEN, f.length, h) !==
        null
      )
        continue;
      injected++;
      const p = f.subarray(ETHER_HDR_LEN + QNET_HDR_LEN, ETHER_HDR_LEN + QNET_HDR_LEN + h.length);
      // Both ends hear the junk, as if it came from a third party on the LAN.
      if (r() & 1) t.b.input(h, p);
      else t.a.input(h, p);
      if (i % 100 === 0) t.clock.advance(2);
    }
    t.clock.advance(10_000);
    expect(injected).toBeGreaterThan(ITER / 40);
    expect(t.got.b).toEqual(sent);
    expect(t.a.outstanding).toBe(0);
    expect(t.dead()).toBe("");
  }, 300_000);
});
