// A bounded FIFO of bytes kept as the chunks that arrived (no copy on push); reads copy out
// only what they take. Terminal input queues and output holds use it.

export class ByteQueue {
  readonly capacity: number;
  private readonly chunks: Uint8Array[] = [];
  /** Offset of the first unread byte in chunks[0]. */
  private headOffset = 0;
  private count = 0;

  constructor(capacity: number) {
    this.capacity = capacity;
  }

  get length(): number {
    return this.count;
  }

  get free(): number {
    return this.capacity - this.count;
  }

  /** Appends as much of `data` as fits; returns how many bytes were taken. The caller must not reuse `data`. */
  push(data: Uint8Array): number {
    const n = Math.min(data.byteLength, this.free);
    if (n === 0) return 0;
    this.chunks.push(n === data.byteLength ? data : data.subarray(0, n));
    this.count += n;
    return n;
  }

  /** Removes and returns up to `max` bytes (an empty array when the queue is empty). */
  take(max: number): Uint8Array {
    const n = Math.min(max, this.count);
    if (n <= 0) return new Uint8Array(0);
    const first = this.chunks[0];
    // Common case: the whole read lies in the first chunk, so no copy is needed.
    if (first.byteLength - this.headOffset >= n) {
      const out = first.subarray(this.headOffset, this.headOffset + n);
      this.advance(n);
      return out.slice();
    }
    const out = new Uint8Array(n);
    let filled = 0;
    while (filled < n) {
      const c = this.chunks[0];
      const part = Math.min(n - filled, c.byteLength - this.headOffset);
      out.set(c.subarray(this.headOffset, this.headOffset + part), filled);
      filled += part;
      this.advance(part);
    }
    return out;
  }

  clear(): void {
    this.chunks.length = 0;
    this.headOffset = 0;
    this.count = 0;
  }

  private advance(n: number): void {
    this.headOffset += n;
    this.count -= n;
    if (this.headOffset >= this.chunks[0].byteLength) {
      this.chunks.shift();
      this.headOffset = 0;
    }
  }
}
