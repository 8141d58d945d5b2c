import { describe, expect, it } from "vitest";
import type { Clock } from "../../../firmware/kernel/clock.ts";
import { TapTime } from "../../../firmware/net/stack/tap-time.ts";

/** A wall clock with millisecond resolution beside a fine monotonic one, as on the host. */
function coarseClock(start: number) {
  const c = { mono: 0, wallOffset: start };
  const clock: Clock = {
    now: () => c.mono,
    wallTime: () => Math.floor(c.wallOffset + c.mono),
    setTimer: () => ({ id: 0 }),
    clearTimer: () => {},
  };
  return { c, clock };
}

describe("TapTime", () => {
  it("keeps sub-millisecond spacing that the wall clock cannot show", () => {
    const { c, clock } = coarseClock(1_700_000_000_000);
    const t = new TapTime(clock);
    const a = t.now();
    c.mono += 0.125;
    const b = t.now();
    c.mono += 0.25;
    const d = t.now();
    expect(b - a).toBeCloseTo(0.125, 6);
    expect(d - b).toBeCloseTo(0.25, 6);
    expect(Math.abs(d - clock.wallTime())).toBeLessThan(1);
  });

  it("never steps back while the wall clock only ticks, and follows a wall-clock jump", () => {
    const { c, clock } = coarseClock(1_000.7);
    const t = new TapTime(clock);
    let last = t.now();
    for (let i = 0; i < 10_000; i++) {
      c.mono += 0.037;
      const now = t.now();
      expect(now).toBeGreaterThanOrEqual(last);
      last = now;
    }
    c.wallOffset += 3_600_000; // NTP sets the clock an hour later
    expect(t.now() - last).toBeGreaterThan(3_599_000);
  });
});
