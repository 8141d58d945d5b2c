// The socket buffer's wake-ups do not nest. A blocked stream reader takes what arrived and its
// take moves the protocol's next bytes in (TCP's rcvd: the receive ring holds more than
// SO_RCVBUF after a hole fills); that append wakes the buffer again while the reader has not
// replied yet. Run re-entrantly, the same reader took the refill, replied with it, and the reply
// with the bytes it had taken first was dropped: a silent gap in the stream.
import { describe, expect, it } from "vitest";
import { SockBuf } from "../../../firmware/net/socket/sockbuf.ts";

/** Bytes as a plain array (views of one buffer compare by their own bytes). */
const bytes = (b: Uint8Array): number[] => Array.from(b);

interface Chunk {
  size: number;
  data: Uint8Array;
}

/** A protocol's backlog (TCP's receive ring): moved into `sb` as it has room. */
function refiller(sb: SockBuf<Chunk>, backlog: Uint8Array) {
  let at = 0;
  return {
    fill(): void {
      while (sb.space() > 0 && at < backlog.length) {
        const n = Math.min(sb.space(), backlog.length - at);
        const data = backlog.slice(at, at + n); // taken from the backlog, then queued
        at += n;
        sb.append({ size: n, data }); // each append wakes the buffer
      }
    },
  };
}

/**
 * A blocked recv as the socket server runs it: a waiter that takes up to `max` bytes, tells the
 * protocol (which refills), and replies once; a later reply to the same request is lost.
 */
function blockedRecv(sb: SockBuf<Chunk>, max: number, rcvd: () => void, replies: Uint8Array[]) {
  let done = false;
  let runs = 0;
  let nested = 0;
  let active = false;
  sb.wait(() => {
    if (done) return true;
    runs++;
    if (active) nested++;
    active = true;
    try {
      if (sb.cc === 0) return false;
      const got = sb.readBytes(max, (c) => c.data);
      rcvd();
      if (!done) replies.push(got);
      done = true;
      return true;
    } finally {
      active = false;
    }
  });
  return {
    get runs() {
      return runs;
    },
    get nested() {
      return nested;
    },
  };
}

describe("socket buffer wake-ups", () => {
  it("a blocked reader whose take refills the buffer replies with the first bytes, once", () => {
    const sb = new SockBuf<Chunk>(1000);
    const backlog = new Uint8Array(2500).map((_, i) => i & 0xff);
    const p = refiller(sb, backlog);
    const replies: Uint8Array[] = [];
    const r = blockedRecv(sb, 65_536, () => p.fill(), replies);
    p.fill();
    expect(r.nested).toBe(0);
    expect(replies).toHaveLength(1);
    expect(bytes(replies[0]!)).toEqual(bytes(backlog.subarray(0, 1000)));
    // The refill waits in the buffer for the next read, in order.
    expect(sb.cc).toBe(1000);
    expect(bytes(sb.readBytes(65_536, (c) => c.data))).toEqual(bytes(backlog.subarray(1000, 2000)));
  });

  it("the refill's wake-up still reaches the next waiter in the same call; pollers hear once", () => {
    const sb = new SockBuf<Chunk>(1000);
    const backlog = new Uint8Array(3000).map((_, i) => (i * 7) & 0xff);
    const p = refiller(sb, backlog);
    let polls = 0;
    sb.onWake = () => polls++;
    const first: Uint8Array[] = [];
    const second: Uint8Array[] = [];
    blockedRecv(sb, 65_536, () => p.fill(), first);
    blockedRecv(sb, 65_536, () => p.fill(), second);
    p.fill();
    expect(bytes(first[0]!)).toEqual(bytes(backlog.subarray(0, 1000)));
    expect(bytes(second[0]!)).toEqual(bytes(backlog.subarray(1000, 2000)));
    expect(sb.waiting).toBe(0);
    expect(polls).toBe(1);
  });
});
