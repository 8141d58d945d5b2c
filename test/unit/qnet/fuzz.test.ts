// Mutated Qnet frames through the receive checks and payload decoders: nothing throws except
// EBADMSG-shaped refusals naming the problem, nothing hangs, and every frame lands in exactly one
// outcome. CI runs the full million.
import { describe, expect, it } from "vitest";
import { KernelError } from "../../../firmware/kernel/errno.ts";
import { checkQnetPacket } from "../../../firmware/net/qnet/frame.ts";
import { emptyHeader, L4, L4_FLAGS_WHOLE, QNET_HDR_LEN } from "../../../firmware/net/qnet/l4-header.ts";
import { decodeQnetPayload } from "../../../firmware/net/qnet/payload.ts";
import { ETHER_HDR_LEN } from "../../../firmware/net/wire/ethernet.ts";
import { fuzzIterations, mutate, rng } from "../../helpers/fuzz.ts";
import * as F from "./frames.ts";

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
    const r = rng(0x9e7);
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
});
