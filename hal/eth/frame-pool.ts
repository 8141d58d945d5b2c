// A free list of equal-sized frame buffers, so a wire that must copy a frame (to queue or
// delay it) does not allocate per frame once warmed up.

export class FramePool {
  readonly size: number;
  private readonly free: Uint8Array[] = [];
  private readonly maxFree: number;

  constructor(size: number, maxFree = 1024) {
    this.size = size;
    this.maxFree = maxFree;
  }

  /** A buffer holding a copy of `src[0, len)`. */
  copyOf(src: Uint8Array, len: number): Uint8Array {
    const buf = this.free.pop() ?? new Uint8Array(this.size);
    buf.set(len === src.length ? src : src.subarray(0, len));
    return buf;
  }

  give(buf: Uint8Array): void {
    if (buf.length === this.size && this.free.length < this.maxFree) this.free.push(buf);
  }

  get freeCount(): number {
    return this.free.length;
  }
}
