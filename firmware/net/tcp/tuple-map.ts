// Records keyed by their 4-tuple, hashed to a number so a lookup allocates nothing. Used for the
// connection table and the TIME-WAIT records until the stack's shared PCB table takes them.

export interface Tuple {
  laddr: number;
  lport: number;
  faddr: number;
  fport: number;
}

export function tupleHash(laddr: number, lport: number, faddr: number, fport: number): number {
  let h = Math.imul(faddr ^ 0x9e3779b9, 0x85ebca6b);
  h ^= Math.imul(laddr, 0xc2b2ae35);
  h ^= Math.imul((lport << 16) | fport, 0x27d4eb2f);
  return (h ^ (h >>> 15)) >>> 0;
}

export class TupleMap<T extends Tuple> {
  private readonly map = new Map<number, T[]>();
  size = 0;

  get(laddr: number, lport: number, faddr: number, fport: number): T | undefined {
    const list = this.map.get(tupleHash(laddr, lport, faddr, fport));
    if (list === undefined) return undefined;
    for (let i = 0; i < list.length; i++) {
      const e = list[i];
      if (e.laddr === laddr && e.lport === lport && e.faddr === faddr && e.fport === fport) return e;
    }
    return undefined;
  }

  set(e: T): void {
    const h = tupleHash(e.laddr, e.lport, e.faddr, e.fport);
    const list = this.map.get(h);
    if (list === undefined) this.map.set(h, [e]);
    else list.push(e);
    this.size++;
  }

  delete(e: T): boolean {
    const h = tupleHash(e.laddr, e.lport, e.faddr, e.fport);
    const list = this.map.get(h);
    if (list === undefined) return false;
    const i = list.indexOf(e);
    if (i < 0) return false;
    if (list.length === 1) this.map.delete(h);
    else list.splice(i, 1);
    this.size--;
    return true;
  }

  *values(): IterableIterator<T> {
    for (const list of this.map.values()) yield* list;
  }
}
