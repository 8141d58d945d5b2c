// Initial sequence numbers (RFC 6528): ISN = M + F(4-tuple, key), M a 4 µs clock, F a keyed
// hash, so a tuple's sequence space moves forward with time and other tuples' are unrelated.
// Also the per-connection timestamp offset (RFC 7323 §5.4) from the same hash.
import { createHmac } from "node:crypto";

export class IsnGenerator {
  private readonly tuple = new Uint8Array(12);

  constructor(key: Uint8Array, now: () => number) {
    this.key = key;
    this.now = now;
  }
  private readonly key: Uint8Array;
  private readonly now: () => number;

  private writeTuple(laddr: number, lport: number, faddr: number, fport: number): Uint8Array {
    const v = new DataView(this.tuple.buffer);
    v.setUint32(0, laddr);
    v.setUint32(4, faddr);
    v.setUint16(8, lport);
    v.setUint16(10, fport);
    return this.tuple;
  }

  private hash(laddr: number, lport: number, faddr: number, fport: number, salt: number): number {
    const t = this.writeTuple(laddr, lport, faddr, fport);
    const d = createHmac("sha256", this.key).update(t).update(Uint8Array.of(salt)).digest();
    return d.readUInt32BE(0);
  }

  isn(laddr: number, lport: number, faddr: number, fport: number): number {
    const m = Math.floor(this.now() * 250); // ms → 4 µs ticks
    return (m + this.hash(laddr, lport, faddr, fport, 0)) >>> 0;
  }

  /** Offset added to the ms clock for this connection's TSval. */
  tsOffset(laddr: number, lport: number, faddr: number, fport: number): number {
    return this.hash(laddr, lport, faddr, fport, 1);
  }

  /** A 24-bit MAC for SYN cookies over the tuple, the peer's ISN and the cookie's time and MSS bits. */
  cookieMac(laddr: number, lport: number, faddr: number, fport: number, irs: number, bits: number): number {
    const t = this.writeTuple(laddr, lport, faddr, fport);
    const extra = new Uint8Array(5);
    new DataView(extra.buffer).setUint32(0, irs);
    extra[4] = bits;
    const d = createHmac("sha256", this.key).update(t).update(extra).digest();
    return d.readUInt32BE(0) >>> 8;
  }
}
