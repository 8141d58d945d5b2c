import { describe, expect, it } from "vitest";
import { ManualClock } from "../../../firmware/kernel/clock.ts";
import { TimerService } from "../../../firmware/net/stack/timers.ts";

describe("stack timer service", () => {
  it("fires in deadline order, re-arms and cancels, on the injected clock", () => {
    const clock = new ManualClock();
    const ts = new TimerService(clock);
    const fired: string[] = [];
    const t = (n: string) => ts.create(n, () => fired.push(`${n}@${clock.now()}`));
    const a = t("a");
    const b = t("b");
    const c = t("c");
    a.arm(300);
    b.arm(100);
    c.arm(200);
    expect(ts.pending().map((p) => p.name)).toEqual(["b", "c", "a"]);
    c.arm(50); // re-arm earlier
    a.cancel();
    expect(a.armed).toBe(false);
    clock.advance(1000);
    expect(fired).toEqual(["c@50", "b@100"]);
    expect(ts.size).toBe(0);
    b.arm(10);
    b.arm(500); // re-arm later: fires once, at the later time
    clock.advance(100);
    expect(fired).toHaveLength(2);
    clock.advance(400);
    expect(fired.at(-1)).toBe("b@1500");
    ts.stop();
    a.arm(1);
    clock.advance(10);
    expect(fired).toHaveLength(3);
  });

  it("keeps heap order through many random arms and cancels (TCP-style churn)", () => {
    const clock = new ManualClock();
    const ts = new TimerService(clock);
    const order: number[] = [];
    const timers = Array.from({ length: 200 }, (_, i) => ts.create(`t${i}`, () => order.push(clock.now())));
    let seed = 1;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) % 10_000) + 1;
    for (let round = 0; round < 20_000; round++) {
      const tm = timers[round % timers.length];
      if (rnd() % 4 === 0) tm.cancel();
      else tm.arm(rnd());
    }
    const live = timers.filter((x) => x.armed).length;
    clock.advance(20_000);
    expect(order).toHaveLength(live);
    expect([...order].sort((x, y) => x - y)).toEqual(order);
  });

  it("a timer armed from inside a firing callback runs on a later tick", () => {
    const clock = new ManualClock();
    const ts = new TimerService(clock);
    let n = 0;
    const tick = ts.create("sweep", () => {
      if (++n < 3) tick.arm(500);
    });
    tick.arm(500);
    clock.advance(5000);
    expect(n).toBe(3);
    expect(ts.fired).toBe(3);
  });
});
