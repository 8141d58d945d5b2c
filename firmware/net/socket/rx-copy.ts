// Per-datagram allocations on the receive path, made cheap. A payload copied out of a packet
// buffer gets its own ArrayBuffer with `slice` (an external allocation the garbage collector must
// also free); SlabCopier copies it into a shared slab instead and hands out a view, as Node's
// Buffer pool does. A slab lives while any of its views does, so what it pins is bounded by the
// socket buffers holding those views. LastSender reuses the sender's address record while the
// same peer keeps sending (a flood, a bulk transfer), instead of building one per datagram.
import { unfilledBytes } from "../../kernel/bytes.ts";
import { AF_INET } from "./constants.ts";
import type { SockAddr } from "./messages.ts";

/** Bytes per slab. */
export const SLAB_BYTES = 64 * 1024;
/** Longer payloads get a buffer of their own (a slab would hold few of them). */
export const SLAB_MAX_COPY = 4096;

export class SlabCopier {
  private slab: Uint8Array = new Uint8Array(0);
  private at = 0;

  /** A copy of src[start, end) that no later write to `src` changes. */
  copy(src: Uint8Array, start: number, end: number): Uint8Array {
    const len = end - start;
    if (len > SLAB_MAX_COPY) return src.slice(start, end);
    if (this.at + len > this.slab.length) {
      // Not zero-filled: a view only ever covers bytes copied in.
      this.slab = unfilledBytes(SLAB_BYTES);
      this.at = 0;
    }
    const at = this.at;
    this.slab.set(src.subarray(start, end), at);
    // 8-byte aligned starts, so readers may view the data with wider typed arrays.
    this.at = (at + len + 7) & ~7;
    return this.slab.subarray(at, at + len);
  }
}

export class LastSender {
  private last: SockAddr = { family: AF_INET, port: 0, addr: 0, path: "" };

  /** The AF_INET address `addr`:`port` (the same record as last time when it is the same). */
  get(addr: number, port: number): SockAddr {
    const l = this.last;
    if (l.addr === addr && l.port === port) return l;
    this.last = { family: AF_INET, port, addr, path: "" };
    return this.last;
  }
}
