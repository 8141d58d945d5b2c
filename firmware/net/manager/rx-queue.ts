// A bounded FIFO of received buffers for one interface: filled by the driver's receive
// callback (one copy into a pool buffer), drained by an L2 worker a bounded batch at a time.
import type { Pbuf } from "../stack/pbuf.ts";

export class RxQueue {
  readonly capacity: number;
  private readonly slots: (Pbuf | null)[];
  private head = 0;
  private count = 0;

  constructor(capacity: number) {
    this.capacity = capacity;
    this.slots = new Array<Pbuf | null>(capacity).fill(null);
  }

  get length(): number {
    return this.count;
  }

  /** False when full (the caller drops and counts the frame). */
  push(pb: Pbuf): boolean {
    if (this.count === this.capacity) return false;
    this.slots[(this.head + this.count) % this.capacity] = pb;
    this.count++;
    return true;
  }

  shift(): Pbuf | null {
    if (this.count === 0) return null;
    const pb = this.slots[this.head];
    this.slots[this.head] = null;
    this.head = (this.head + 1) % this.capacity;
    this.count--;
    return pb;
  }
}
