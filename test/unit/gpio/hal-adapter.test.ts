import { describe, expect, it } from "vitest";
import { MockGpio } from "../../../hal/gpio/mock-gpio.ts";
import { fromHal } from "../../../firmware/gpio/hal-adapter.ts";

describe("hal/gpio adapter", () => {
  it("reads, writes, switches direction and filters edges per watcher", () => {
    const hal = new MockGpio();
    const b = fromHal(
      hal,
      new Map([
        [17, "GPIO17"],
        [4, "GPIO4"],
      ]),
      "mock",
    );
    expect(b.pins()).toEqual([4, 17]);
    const p = b.pin(17);
    const rising: number[] = [];
    const both: number[] = [];
    p.watch("rising", (v) => rising.push(v));
    p.watch("both", (v) => both.push(v));
    hal.drive("GPIO17", 1);
    hal.drive("GPIO17", 0);
    expect(rising).toEqual([1]);
    expect(both).toEqual([1, 0]);
    expect(() => b.pin(4).write(1)).toThrow();
    b.pin(4).setDirection("out");
    b.pin(4).write(1);
    expect(hal.read("GPIO4")).toBe(1);
    expect(b.pin(4).direction()).toBe("out");
    expect(() => b.pin(5)).toThrow();
  });
});
