// One min-heap of deadlines for a whole TCP engine: each entry carries the owner and the
// owner's generation at push time, so rescheduling pushes a new entry and stale ones are skipped.

export interface HeapOwner {
  timerGen: number;
}

export class TimerHeap<T extends HeapOwner> {
  private at: number[] = [];
  private owner: T[] = [];
  private gen: number[] = [];

  get size(): number {
    return this.at.length;
  }

  push(at: number, o: T): void {
    this.at.push(at);
    this.owner.push(o);
    this.gen.push(o.timerGen);
    let i = this.at.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (this.at[p] <= this.at[i]) break;
      this.swap(i, p);
      i = p;
    }
  }

  /** The earliest live deadline, or 0. Stale heads are discarded here. */
  peek(): number {
    while (this.at.length > 0 && this.gen[0] !== this.owner[0].timerGen) this.pop();
    return this.at.length > 0 ? this.at[0] : 0;
  }

  /** Removes and returns the owner of the earliest live deadline if it is ≤ now. */
  popDue(now: number): T | null {
    const head = this.peek();
    if (head === 0 || head > now) return null;
    const o = this.owner[0];
    this.pop();
    return o;
  }

  private pop(): void {
    const last = this.at.length - 1;
    this.swap(0, last);
    this.at.pop();
    this.owner.pop();
    this.gen.pop();
    let i = 0;
    const n = this.at.length;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < n && this.at[l] < this.at[m]) m = l;
      if (r < n && this.at[r] < this.at[m]) m = r;
      if (m === i) break;
      this.swap(i, m);
      i = m;
    }
  }

  private swap(i: number, j: number): void {
    const a = this.at[i];
    this.at[i] = this.at[j];
    this.at[j] = a;
    const o = this.owner[i];
    this.owner[i] = this.owner[j];
    this.owner[j] = o;
    const g = this.gen[i];
    this.gen[i] = this.gen[j];
    this.gen[j] = g;
  }
}
