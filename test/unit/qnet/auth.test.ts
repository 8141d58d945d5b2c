// auth=: the trailer's MAC and replay window on their own. A sealed frame is accepted once; a
// replay, a frame of another key, a frame without trailer and a frame with any byte changed are
// refused with their reason; frames reordered within the window still pass; a fuzz of the
// trailer (and of the length field that locates it) never throws and never lets a frame in.
import { describe, expect, it } from "vitest";
import { AUTH_TRAILER_LEN, AUTH_WINDOW, authKey, QnetAuth } from "../../../firmware/net/qnet/auth.ts";
import { checkQnetPacket } from "../../../firmware/net/qnet/frame.ts";
import { emptyHeader } from "../../../firmware/net/qnet/l4-header.ts";
import * as F from "./frames.ts";

const KEY = new TextEncoder().encode("0123456789abcdef0123456789abcdef");
const OTHER = new TextEncoder().encode("fedcba9876543210fedcba9876543210");
const WALL = 1_780_000_000_000;

/** A deterministic generator, so a failing case can be replayed. */
function rng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 0x1_0000_0000;
  };
}

describe("Qnet authentication trailer", () => {
  it("accepts a sealed frame once and refuses its replay", () => {
    const tx = new QnetAuth(KEY, WALL);
    const rx = new QnetAuth(KEY, WALL);
    const f = tx.seal(F.msgSend());
    expect(rx.check(f)).toBeNull();
    expect(rx.check(f)).toBe("auth-replay");
    expect(rx.stats).toMatchObject({ accepted: 1, replay: 1, bad: 0, missing: 0 });
  });

  it("keeps the frame a valid Qnet frame: the trailer sits after the L4 payload", () => {
    const plain = F.msgSend();
    const f = new QnetAuth(KEY, WALL).seal(plain);
    const h = emptyHeader();
    expect(checkQnetPacket(f, new DataView(f.buffer), 14, f.length, h)).toBeNull();
    const end = 14 + 38 + h.length;
    expect(f.length).toBe(end + AUTH_TRAILER_LEN);
    expect(f.subarray(0, end)).toEqual(plain.subarray(0, end));
    // A short frame (an ack) is padded past its trailer to the Ethernet minimum.
    expect(new QnetAuth(KEY, WALL).seal(F.ack(1)).length).toBe(14 + 38 + AUTH_TRAILER_LEN);
  });

  it("refuses a frame without a trailer, and one sealed with another key", () => {
    const rx = new QnetAuth(KEY, WALL);
    expect(rx.check(F.msgSend())).toBe("auth-missing");
    expect(rx.check(F.ack(1))).toBe("auth-missing");
    expect(rx.check(new QnetAuth(OTHER, WALL).seal(F.msgSend()))).toBe("auth-bad");
    expect(rx.stats).toMatchObject({ missing: 2, bad: 1, accepted: 0 });
  });

  it("refuses a frame with any byte of its addresses, header, payload or trailer changed", () => {
    const tx = new QnetAuth(KEY, WALL);
    const rx = new QnetAuth(KEY, WALL);
    const f = tx.seal(F.msgSend());
    const end = f.length; // no padding: every byte is covered or is the trailer
    for (let i = 0; i < end; i++) {
      const g = f.slice();
      g[i] ^= 0x01;
      // Changing the length field moves the trailer: missing or bad, never accepted.
      expect(rx.check(g), `byte ${i}`).toMatch(/^auth-(bad|missing)$/);
    }
    expect(rx.check(f)).toBeNull();
  });

  it("accepts frames reordered within the window and refuses older ones", () => {
    const tx = new QnetAuth(KEY, WALL);
    const rx = new QnetAuth(KEY, WALL);
    const frames = Array.from({ length: AUTH_WINDOW + 10 }, () => tx.seal(F.ack(1)));
    expect(rx.check(frames[0])).toBeNull();
    // Everything up to the window's edge, newest first: each is new once.
    const last = frames.length - 1;
    expect(rx.check(frames[last])).toBeNull();
    for (let i = last - 1; i > last - AUTH_WINDOW; i--) expect(rx.check(frames[i]), `frame ${i}`).toBeNull();
    for (let i = last; i > last - AUTH_WINDOW; i--) expect(rx.check(frames[i])).toBe("auth-replay");
    // Older than the window: refused although never seen.
    expect(rx.check(frames[last - AUTH_WINDOW])).toBe("auth-replay");
    expect(rx.check(frames[5])).toBe("auth-replay");
  });

  it("does not take frames recorded before the first one heard, and keeps senders apart", () => {
    const tx = new QnetAuth(KEY, WALL);
    const early = tx.seal(F.msgSend());
    const rx = new QnetAuth(KEY, WALL);
    expect(rx.check(tx.seal(F.msgSend()))).toBeNull();
    expect(rx.check(early)).toBe("auth-replay");
    // Bravo (another source MAC) counts on its own: its older counter is fresh.
    const bravo = new QnetAuth(KEY, WALL - 5000);
    expect(rx.check(bravo.seal(F.ack(1)))).toBeNull();
  });

  it("a sender restarted later counts on from a higher number", () => {
    const rx = new QnetAuth(KEY, WALL);
    const before = new QnetAuth(KEY, WALL);
    for (let i = 0; i < 1000; i++) expect(rx.check(before.seal(F.ack(1)))).toBeNull();
    const after = new QnetAuth(KEY, WALL + 1000);
    expect(rx.check(after.seal(F.ack(1)))).toBeNull();
  });

  it("checks the key file", () => {
    expect(() => authKey(new TextEncoder().encode("short\n"), "/etc/qnet.key")).toThrow(
      /auth key \/etc\/qnet.key has 5 bytes; at least 16 are needed/,
    );
    expect(authKey(new TextEncoder().encode("0123456789abcdef\n"), "/k")).toHaveLength(16);
  });

  it("fuzz: mutated and truncated trailers never pass and never throw", () => {
    const tx = new QnetAuth(KEY, WALL);
    const rx = new QnetAuth(KEY, WALL);
    const next = rng(0x5eed);
    const kinds = [F.msgSend(), F.ack(3), F.lrRequest(), F.tcsInit(), F.msgReply(Uint8Array.of(1, 2, 3))];
    const n = process.env.QNET_FUZZ_N ? Number(process.env.QNET_FUZZ_N) : 20_000;
    let accepted = 0;
    for (let i = 0; i < n; i++) {
      const f = tx.seal(kinds[i % kinds.length]);
      const g = f.slice(0, Math.max(0, f.length - (next() < 0.2 ? Math.floor(next() * 30) : 0)));
      const flips = 1 + Math.floor(next() * 4);
      const trailerAt = g.length - AUTH_TRAILER_LEN;
      for (let k = 0; k < flips; k++) {
        // Mostly the trailer, sometimes the length field that says where the trailer is.
        const at =
          next() < 0.8 ? trailerAt + Math.floor(next() * AUTH_TRAILER_LEN) : 44 + Math.floor(next() * 4);
        if (at >= 0 && at < g.length) g[at] ^= 1 + Math.floor(next() * 255);
      }
      if (g.length === f.length && g.every((b, j) => b === f[j])) continue; // no change made
      if (rx.check(g) === null) accepted++;
    }
    expect(accepted).toBe(0);
    expect(rx.stats.accepted).toBe(0);
    // The receiver still takes the sender's next genuine frame.
    expect(rx.check(tx.seal(F.msgSend()))).toBeNull();
  });
});
