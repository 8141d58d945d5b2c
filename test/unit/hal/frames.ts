// Test helpers: build Ethernet frames with a recognisable payload.
import { Signal } from "../../helpers/wait.ts";

export const BROADCAST = Uint8Array.of(0xff, 0xff, 0xff, 0xff, 0xff, 0xff);

/** An Ethernet II frame dst/src/ethertype 0x88b5 (local experimental) with `tag` in byte 14. */
export function frame(dst: Uint8Array, src: Uint8Array, tag: number, size = 60): Uint8Array {
  const f = new Uint8Array(size);
  f.set(dst, 0);
  f.set(src, 6);
  f[12] = 0x88;
  f[13] = 0xb5;
  f[14] = tag & 0xff;
  for (let i = 15; i < size; i++) f[i] = i & 0xff;
  return f;
}

/** Collects (copies of) frames delivered to a handler; `arrived` is notified at each one. */
export function collector(): {
  frames: Uint8Array[];
  arrived: Signal;
  handler: (f: Uint8Array, len: number) => void;
} {
  const frames: Uint8Array[] = [];
  const arrived = new Signal();
  return {
    frames,
    arrived,
    handler: (f, len) => {
      frames.push(new Uint8Array(f.subarray(0, len)));
      arrived.notify();
    },
  };
}
