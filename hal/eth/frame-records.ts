// The byte stream between the pcap capture process and the runtime: frames back to back, each
// as a 4-byte header (captured length, wire length; 16-bit little-endian) and the captured
// bytes. The capture side writes whole batches; the stream may cut them anywhere, so the
// reader carries a split record over to the next chunk. The reader hands out at most `max`
// records per call, which is what bounds the work a flood can do in one event-loop turn.

export const RECORD_HEADER = 4;
/** Largest captured length a record can carry (snaplen is at most this). */
export const RECORD_MAX_DATA = 0xffff;

/** Called per record; `frame[0, caplen)` is only valid during the call. */
export type RecordHandler = (frame: Uint8Array, caplen: number, wirelen: number) => void;

/** Appends one record to `out` at `at`; returns the offset after it (the caller checks room). */
export function writeRecord(
  out: Uint8Array,
  at: number,
  frame: Uint8Array,
  caplen: number,
  wirelen: number,
): number {
  out[at] = caplen & 0xff;
  out[at + 1] = caplen >>> 8;
  const w = Math.min(wirelen, RECORD_MAX_DATA);
  out[at + 2] = w & 0xff;
  out[at + 3] = w >>> 8;
  out.set(caplen === frame.length ? frame : frame.subarray(0, caplen), at + RECORD_HEADER);
  return at + RECORD_HEADER + caplen;
}

export class FrameRecordReader {
  private chunk: Uint8Array | null = null;
  private pos = 0;
  /** A record split across chunks, gathered here until whole. */
  private readonly carry = new Uint8Array(RECORD_HEADER + RECORD_MAX_DATA);
  private carryLen = 0;

  /** Whether the current chunk still holds unread bytes (feed only once this is false). */
  get pending(): boolean {
    return this.chunk !== null;
  }

  /** Bytes of a split record waiting for the next chunk. */
  get partial(): number {
    return this.carryLen;
  }

  feed(chunk: Uint8Array): void {
    if (this.chunk !== null) throw new Error("FrameRecordReader: previous chunk not consumed");
    if (chunk.length === 0) return;
    this.chunk = chunk;
    this.pos = 0;
  }

  /** Delivers up to `max` whole records; returns how many. */
  read(handler: RecordHandler, max: number): number {
    let n = 0;
    while (n < max && this.chunk !== null) {
      if (this.carryLen > 0) {
        if (!this.fillCarry()) break;
        const c = this.carry;
        this.carryLen = 0;
        n++;
        handler(c.subarray(RECORD_HEADER), c[0] | (c[1] << 8), c[2] | (c[3] << 8));
        continue;
      }
      const b = this.chunk;
      const at = this.pos;
      const left = b.length - at;
      if (left >= RECORD_HEADER) {
        const cap = b[at] | (b[at + 1] << 8);
        if (left >= RECORD_HEADER + cap) {
          const start = at + RECORD_HEADER;
          this.pos = start + cap;
          if (this.pos === b.length) this.chunk = null;
          n++;
          handler(b.subarray(start, start + cap), cap, b[at + 2] | (b[at + 3] << 8));
          continue;
        }
      }
      // The record runs past this chunk: keep its start for the next one.
      this.carry.set(b.subarray(at), 0);
      this.carryLen = left;
      this.chunk = null;
    }
    return n;
  }

  /** Moves bytes from the chunk into the carried record; true once it is whole. */
  private fillCarry(): boolean {
    const b = this.chunk as Uint8Array;
    const c = this.carry;
    let need =
      (this.carryLen < RECORD_HEADER ? RECORD_HEADER : RECORD_HEADER + (c[0] | (c[1] << 8))) - this.carryLen;
    let take = Math.min(need, b.length - this.pos);
    c.set(b.subarray(this.pos, this.pos + take), this.carryLen);
    this.carryLen += take;
    this.pos += take;
    if (this.carryLen === RECORD_HEADER) {
      // The header just completed: now the body.
      need = c[0] | (c[1] << 8);
      take = Math.min(need, b.length - this.pos);
      c.set(b.subarray(this.pos, this.pos + take), this.carryLen);
      this.carryLen += take;
      this.pos += take;
    }
    if (this.pos === b.length) this.chunk = null;
    return this.carryLen >= RECORD_HEADER && this.carryLen === RECORD_HEADER + (c[0] | (c[1] << 8));
  }
}
