// A fixed byte ring for one direction of a connection. The send side holds unacknowledged plus
// unsent bytes read at (seq − SND.UNA); the receive side holds in-order bytes and lets
// out-of-order data be written past its end at its offset (committed when the gap fills).
// No per-segment allocation: bytes are copied in at the API edge and out into frames.

export class ByteRing {
  readonly buf: Uint8Array;
  private head = 0;
  /** Committed bytes, starting at `head`. */
  length = 0;

  constructor(capacity: number) {
    this.buf = new Uint8Array(capacity);
  }
  get capacity(): number {
    return this.buf.length;
  }
  get free(): number {
    return this.buf.length - this.length;
  }

  /** Appends up to `free` bytes of src[off, off+len); returns how many were taken. */
  write(src: Uint8Array, off: number, len: number): number {
    const n = Math.min(len, this.free);
    this.writeAt(this.length, src, off, n);
    this.length += n;
    return n;
  }

  /** Copies src into the ring at `offset` from the head without committing it. */
  writeAt(offset: number, src: Uint8Array, off: number, len: number): void {
    const cap = this.buf.length;
    let pos = (this.head + offset) % cap;
    let done = 0;
    while (done < len) {
      const chunk = Math.min(len - done, cap - pos);
      this.buf.set(src.subarray(off + done, off + done + chunk), pos);
      done += chunk;
      pos = 0;
    }
  }

  /** Makes `n` more bytes (already written with writeAt) part of the committed data. */
  commit(n: number): void {
    this.length += n;
  }

  /** Copies bytes [offset, offset+len) of the committed data to dst[dstOff]. */
  peek(offset: number, len: number, dst: Uint8Array, dstOff: number): void {
    const cap = this.buf.length;
    let pos = (this.head + offset) % cap;
    let done = 0;
    while (done < len) {
      const chunk = Math.min(len - done, cap - pos);
      dst.set(this.buf.subarray(pos, pos + chunk), dstOff + done);
      done += chunk;
      pos = 0;
    }
  }

  /** Drops `n` bytes from the head. */
  consume(n: number): void {
    this.head = (this.head + n) % this.buf.length;
    this.length -= n;
  }

  /** Copies up to `len` bytes out and consumes them; returns the count. */
  read(dst: Uint8Array, dstOff: number, len: number): number {
    const n = Math.min(len, this.length);
    this.peek(0, n, dst, dstOff);
    this.consume(n);
    return n;
  }
}
