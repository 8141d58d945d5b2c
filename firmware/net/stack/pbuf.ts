// Packet buffers. A Pbuf is one contiguous frame with headroom in front, so each layer on the way
// out prepends its header by moving `off` back instead of copying the payload; on the way in,
// each layer strips its header by moving `off` forward. Buffers come from a fixed-size pool.
import type { Ifnet } from "./ifnet.ts";

export const PBUF_DATA_SIZE = 2048;
export const PBUF_HEADROOM = 128;

// Pbuf.flags
export const PB_BCAST = 0x1; // received as link-level broadcast
export const PB_MCAST = 0x2; // received as link-level multicast
export const PB_LOOP = 0x4; // came in through the loopback path
export const PB_FORWARDED = 0x8;

export class Pbuf {
  readonly bytes: Uint8Array;
  readonly view: DataView;
  /** Where the current header starts. */
  off = PBUF_HEADROOM;
  /** Bytes from `off` to the end of the packet. */
  len = 0;
  flags = 0;
  /** The interface it arrived on (input) or null. */
  rcvif: Ifnet | null = null;
  /** Owning pool; null for one-off large buffers (reassembled datagrams, big echo replies). */
  readonly pool: PbufPool | null;
  /** True while the buffer sits in its pool's free list (catches double frees). */
  free = false;

  constructor(size: number, pool: PbufPool | null) {
    this.bytes = new Uint8Array(size);
    this.view = new DataView(this.bytes.buffer);
    this.pool = pool;
  }

  /** Makes room for `n` header bytes in front; false if the headroom is used up. */
  prepend(n: number): boolean {
    if (this.off < n) return false;
    this.off -= n;
    this.len += n;
    return true;
  }

  /** Strips `n` bytes from the front (a header that has been read). */
  adj(n: number): void {
    this.off += n;
    this.len -= n;
  }

  /** Room after the packet, for appending. */
  tailroom(): number {
    return this.bytes.length - this.off - this.len;
  }

  /** Copies `src[srcOff, srcOff+len)` to the end of the packet (the caller checked tailroom). */
  append(src: Uint8Array, srcOff: number, len: number): void {
    this.bytes.set(src.subarray(srcOff, srcOff + len), this.off + this.len);
    this.len += len;
  }
}

export interface PbufPoolStats {
  /** Buffers handed out, ever. */
  allocs: number;
  frees: number;
  /** Allocation failures because every buffer was in use ("Mbufs exhausted"). */
  exhausted: number;
  /** One-off buffers larger than a pool buffer. */
  large: number;
  doubleFrees: number;
}

/** A bounded pool of equal buffers (2048 B of data + 128 B headroom by default), created on demand. */
export class PbufPool {
  readonly bufSize: number;
  readonly max: number;
  readonly stats: PbufPoolStats = { allocs: 0, frees: 0, exhausted: 0, large: 0, doubleFrees: 0 };
  private readonly freeList: Pbuf[] = [];
  private created = 0;
  /** Called on the first failure after a success, to log "Mbufs exhausted" once per episode. */
  onExhausted: (() => void) | null = null;
  private exhaustedEpisode = false;

  constructor(max = 2048, dataSize = PBUF_DATA_SIZE, headroom = PBUF_HEADROOM) {
    this.max = max;
    this.bufSize = dataSize + headroom;
  }

  /** Buffers currently handed out. */
  get inUse(): number {
    return this.created - this.freeList.length;
  }

  /** Largest packet (from the headroom to the end) one pool buffer holds. */
  get dataSize(): number {
    return this.bufSize - PBUF_HEADROOM;
  }

  /** A buffer with `off` at the headroom and `len` 0, or null when the pool is exhausted. */
  alloc(): Pbuf | null {
    let pb = this.freeList.pop();
    if (pb === undefined) {
      if (this.created >= this.max) {
        this.stats.exhausted++;
        if (!this.exhaustedEpisode) {
          this.exhaustedEpisode = true;
          this.onExhausted?.();
        }
        return null;
      }
      pb = new Pbuf(this.bufSize, this);
      this.created++;
    }
    this.exhaustedEpisode = false;
    pb.free = false;
    pb.off = PBUF_HEADROOM;
    pb.len = 0;
    pb.flags = 0;
    pb.rcvif = null;
    this.stats.allocs++;
    return pb;
  }

  /** A buffer for `dataLen` bytes: from the pool when it fits, else a one-off buffer. */
  allocSize(dataLen: number): Pbuf | null {
    if (dataLen <= this.dataSize) return this.alloc();
    this.stats.large++;
    return new Pbuf(dataLen + PBUF_HEADROOM, null);
  }

  release(pb: Pbuf): void {
    if (pb.pool !== this) return; // one-off buffers go to the garbage collector
    if (pb.free) {
      this.stats.doubleFrees++;
      return;
    }
    pb.free = true;
    pb.rcvif = null;
    this.stats.frees++;
    this.freeList.push(pb);
  }
}

/** Returns a buffer to its pool (no-op for one-off buffers). Every owner ends with this or a hand-off. */
export function pbufFree(pb: Pbuf): void {
  pb.pool?.release(pb);
}
