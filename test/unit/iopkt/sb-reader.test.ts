// The blocked reader of the echo/BPF sessions on the one socket buffer, on a manual clock.
import { describe, expect, it } from "vitest";
import { ManualClock } from "../../../firmware/kernel/clock.ts";
import type { Errno } from "../../../firmware/kernel/errno.ts";
import { SbReader } from "../../../firmware/net/manager/sb-reader.ts";
import { SockBuf } from "../../../firmware/net/socket/sockbuf.ts";
import type { Deferred } from "../../../firmware/resmgr/handlers.ts";

interface Rec {
  size: number;
  n: number;
}

function deferred(log: string[]): Deferred {
  const d = {
    rcvid: 1,
    done: false,
    onCancel: null as (() => void) | null,
    reply() {
      d.done = true;
    },
    error(e: Errno) {
      d.done = true;
      log.push(`error ${e}`);
    },
  };
  return d;
}

function setup() {
  const clock = new ManualClock();
  const r = new SbReader(new SockBuf<Rec>(1000, 1, 2), clock);
  const log: string[] = [];
  const read = (timeoutMs: number) =>
    r.read(
      {
        timeoutMs,
        take: () => r.sb.shift()?.n ?? null,
        timedOut: () => -1,
        defer: () => deferred(log),
        send: (v) => log.push(`sent ${v}`),
      },
      "EBUSY",
    );
  return { clock, r, log, read };
}

describe("SbReader", () => {
  it("answers at once, or from the wake-up path, or at the timeout", () => {
    const { clock, r, log, read } = setup();
    r.sb.append({ size: 1, n: 1 });
    expect(read(100)).toBe(1);
    expect(read(0)).toBe(-1);
    expect(read(100)).toBeNull();
    r.sb.append({ size: 1, n: 2 });
    expect(log).toEqual(["sent 2"]);
    expect(r.sb.waiting).toBe(0);
    expect(read(100)).toBeNull();
    clock.advance(100);
    expect(log).toEqual(["sent 2", "sent -1"]);
    expect(r.sb.waiting).toBe(0);
  });

  it("a newer read supersedes a waiting one; cancel ends it; drops are counted by the buffer", () => {
    const { r, log, read } = setup();
    expect(read(100)).toBeNull();
    expect(read(100)).toBeNull();
    expect(log).toEqual(["error EBUSY"]);
    r.cancel("EBADF");
    expect(log).toEqual(["error EBUSY", "error EBADF"]);
    for (let i = 0; i < 3; i++) r.sb.append({ size: 1, n: i });
    expect(r.sb.drops).toBe(1);
  });
});
