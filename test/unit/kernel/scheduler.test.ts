// The scheduler: highest priority first, FIFO within a priority, bounded slices that yield
// to the event loop; and the data structures under it (priority bitmap, ring queue).
import { describe, expect, it } from "vitest";
import { PriorityBitmap } from "../../../firmware/kernel/priority-bitmap.ts";
import { RingQueue } from "../../../firmware/kernel/ring-queue.ts";
import { Scheduler } from "../../../firmware/kernel/index.ts";

/** Resolves when the scheduler has nothing queued (checked across event-loop turns). */
async function drained(s: Scheduler): Promise<void> {
  for (let i = 0; i < 100_000 && s.pending > 0; i++) await new Promise<void>((r) => setImmediate(r));
  await new Promise<void>((r) => setImmediate(r));
}

describe("Scheduler", () => {
  it("runs the highest priority first and FIFO within a priority", async () => {
    const s = new Scheduler();
    const order: string[] = [];
    const run = (tag: string): void => void order.push(tag);
    for (const [prio, tag] of [
      [5, "5a"],
      [200, "200a"],
      [5, "5b"],
      [100, "100"],
      [0, "0"],
      [200, "200b"],
      [255, "255"],
    ] as const)
      s.post(prio, run, tag);
    await drained(s);
    expect(order).toEqual(["255", "200a", "200b", "100", "5a", "5b", "0"]);
    expect(s.stats.dispatched).toBe(7);
    expect(s.currentPriority).toBe(-1);
  });

  it("lets work made ready by a running item overtake lower-priority queued work", async () => {
    const s = new Scheduler();
    const order: string[] = [];
    s.post(
      10,
      () => {
        order.push("a10");
        s.post(50, () => order.push("c50"), null);
      },
      null,
    );
    s.post(10, () => order.push("b10"), null);
    await drained(s);
    expect(order).toEqual(["a10", "c50", "b10"]);
  });

  it("dispatches one priority-50 item queued behind 100k priority-10 items next", async () => {
    const s = new Scheduler();
    const order: number[] = [];
    const run = (v: number): void => void order.push(v);
    s.post(10, run, 0);
    for (let i = 1; i < 100_000; i++) s.post(10, run, i);
    s.post(50, run, -1);
    await drained(s);
    expect(order[0]).toBe(-1);
    expect(order.length).toBe(100_001);
  });

  it("records the priority of the running item", async () => {
    const s = new Scheduler();
    const seen: number[] = [];
    for (const p of [3, 77]) s.post(p, () => seen.push(s.currentPriority), null);
    await drained(s);
    expect(seen).toEqual([77, 3]);
  });

  it("yields to the event loop while a long stream of work is queued", async () => {
    const s = new Scheduler({ sliceMs: 1 });
    let immediateRan = false;
    let items = 0;
    const LIMIT = 5_000_000;
    // Work that keeps re-queuing itself: it only ends once the event loop got a turn.
    const step = (): void => {
      items++;
      if (!immediateRan && items < LIMIT) s.post(10, step, null);
    };
    s.post(10, step, null);
    setImmediate(() => (immediateRan = true));
    await drained(s);
    expect(immediateRan).toBe(true);
    expect(items).toBeLessThan(LIMIT);
    expect(s.stats.slices).toBeGreaterThan(1);
  });

  it("reports errors thrown by work and carries on", async () => {
    const errors: unknown[] = [];
    const s = new Scheduler({ onError: (e) => errors.push(e) });
    const order: number[] = [];
    s.post(
      20,
      () => {
        throw new Error("bad item");
      },
      null,
    );
    s.post(10, () => order.push(1), null);
    await drained(s);
    expect(errors.map((e) => (e as Error).message)).toEqual(["bad item"]);
    expect(order).toEqual([1]);
  });

  it("rejects priorities outside 0-255 and drops everything once stopped", async () => {
    const s = new Scheduler();
    expect(() => s.post(256, () => {}, null)).toThrow(expect.objectContaining({ errno: "EINVAL" }));
    expect(() => s.post(-1, () => {}, null)).toThrow(expect.objectContaining({ errno: "EINVAL" }));
    let ran = 0;
    s.post(10, () => ran++, null);
    s.stop();
    s.post(10, () => ran++, null);
    await drained(s);
    expect(ran).toBe(0);
    expect(s.pending).toBe(0);
  });
});

describe("PriorityBitmap", () => {
  it("finds the highest set priority", () => {
    const b = new PriorityBitmap();
    expect(b.highest()).toBe(-1);
    for (const p of [0, 7, 8, 9, 130, 255]) {
      b.set(p);
      expect(b.highest()).toBe(p);
      expect(b.has(p)).toBe(true);
    }
    for (const [clear, next] of [
      [255, 130],
      [130, 9],
      [9, 8],
      [8, 7],
      [7, 0],
      [0, -1],
    ]) {
      b.clear(clear);
      expect(b.highest()).toBe(next);
    }
  });

  it("agrees with a plain max over random sets", () => {
    let seed = 12345;
    const rand = (n: number): number => (seed = (seed * 1103515245 + 12345) % 2 ** 31) % n;
    const b = new PriorityBitmap();
    const set = new Set<number>();
    for (let i = 0; i < 5000; i++) {
      const p = rand(256);
      if (rand(2)) {
        b.set(p);
        set.add(p);
      } else {
        b.clear(p);
        set.delete(p);
      }
      expect(b.highest()).toBe(set.size ? Math.max(...set) : -1);
    }
  });
});

describe("RingQueue", () => {
  it("is FIFO across growth and wrap-around, and removes from the middle", () => {
    const q = new RingQueue<number>(2);
    const ref: number[] = [];
    for (let i = 0; i < 100; i++) {
      q.push(i);
      ref.push(i);
      if (i % 3 === 0) expect(q.shift()).toBe(ref.shift());
    }
    expect(q.remove((x) => x === 50)).toBe(true);
    ref.splice(ref.indexOf(50), 1);
    expect(q.remove((x) => x === 1000)).toBe(false);
    expect(q.peek()).toBe(ref[0]);
    expect([...q]).toEqual(ref);
    expect(q.length).toBe(ref.length);
    q.clear();
    expect(q.shift()).toBeUndefined();
  });
});
