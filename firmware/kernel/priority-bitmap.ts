// 256 priorities, one bit each (the `bitfield` package), with a fast "highest set" query:
// the scheduler and every channel use it to find the most urgent non-empty queue.
import BitField from "bitfield";

export const PRIORITY_MIN = 0;
export const PRIORITY_MAX = 255;
export const PRIORITY_DEFAULT = 10;

export function checkPriority(p: number): boolean {
  return Number.isInteger(p) && p >= PRIORITY_MIN && p <= PRIORITY_MAX;
}

export class PriorityBitmap {
  private readonly bits = new BitField(PRIORITY_MAX + 1);
  /** Bit i set when byte i of `bits` is non-zero: "highest" is two clz32, not a 32-byte scan. */
  private summary = 0;

  set(prio: number): void {
    this.bits.set(prio, true);
    this.summary |= 1 << (prio >> 3);
  }

  clear(prio: number): void {
    this.bits.set(prio, false);
    if (this.bits.buffer[prio >> 3] === 0) this.summary &= ~(1 << (prio >> 3));
  }

  clearAll(): void {
    this.bits.buffer.fill(0);
    this.summary = 0;
  }

  has(prio: number): boolean {
    return this.bits.get(prio);
  }

  /** The highest priority whose bit is set, or -1. */
  highest(): number {
    if (this.summary === 0) return -1;
    const byte = 31 - Math.clz32(this.summary);
    const b = this.bits.buffer[byte];
    // bitfield stores bit 0 of each byte in the most significant position, so the
    // highest index in a byte is its least significant set bit.
    return byte * 8 + 7 - (31 - Math.clz32(b & -b));
  }
}
