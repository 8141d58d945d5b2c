import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { GpioDirection, GpioEdge, GpioValue } from "../../../hal/gpio/gpio-backend.ts";
import { MockGpio } from "../../../hal/gpio/mock-gpio.ts";
import { OnoffBackend, type OnoffGpio } from "../../../hal/gpio/onoff-gpio.ts";
import { lineOf, sysfsNumber, type GpioPinMap } from "../../../hal/gpio/pin-map.ts";
import { readGpioChips } from "../../../hal/gpio/sysfs-chips.ts";

// A Raspberry Pi 4 on a 6.x kernel: the SoC chip starts at 512, the expander after it.
const RPI4: GpioPinMap = {
  GPIO17: { chip: "pinctrl-bcm2711", line: 17 },
  GPIO27: { chip: "pinctrl-bcm2711", line: 27 },
  ACT_LED: { chip: "pinctrl-bcm2711", line: 42 },
  PWR_LED: { chip: "raspberrypi-exp-gpio", line: 2 },
  BAD: { chip: "pinctrl-bcm2711", line: 58 },
  GHOST: { chip: "gpio-0-31", line: 1 },
};

let root: string;
function chip(name: string, label: string, base: number, ngpio: number): void {
  mkdirSync(join(root, name), { recursive: true });
  writeFileSync(join(root, name, "label"), label + "\n");
  writeFileSync(join(root, name, "base"), base + "\n");
  writeFileSync(join(root, name, "ngpio"), ngpio + "\n");
}

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), "netrino-gpio-"));
  chip("gpiochip570", "raspberrypi-exp-gpio", 570, 8);
  chip("gpiochip512", "pinctrl-bcm2711", 512, 58);
  mkdirSync(join(root, "gpio529")); // an exported line: not a chip
  writeFileSync(join(root, "export"), "");
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

describe("GPIO pin mapping through sysfs chip bases", () => {
  it("reads the chips, ordered by base, ignoring other entries", () => {
    expect(readGpioChips(root)).toEqual([
      { name: "gpiochip512", label: "pinctrl-bcm2711", base: 512, ngpio: 58, device: null },
      { name: "gpiochip570", label: "raspberrypi-exp-gpio", base: 570, ngpio: 8, device: null },
    ]);
    expect(readGpioChips(join(root, "absent"))).toEqual([]);
  });

  it("turns board pins into base + line", () => {
    const chips = readGpioChips(root);
    expect(sysfsNumber(lineOf("GPIO17", RPI4), chips)).toBe(529);
    expect(sysfsNumber(lineOf("PWR_LED", RPI4), chips)).toBe(572);
    expect(sysfsNumber(lineOf("pinctrl-bcm2711:4", RPI4), chips)).toBe(516);
    expect(sysfsNumber(lineOf("gpiochip570:7", RPI4), chips)).toBe(577); // by directory name too
  });

  it("names what is wrong: an unknown pin, a missing chip, a line out of range", () => {
    const chips = readGpioChips(root);
    expect(() => lineOf("GPIO99", RPI4)).toThrow(expect.objectContaining({ errno: "ENOENT" }));
    expect(() => lineOf("toString", RPI4)).toThrow(/no GPIO pin/);
    expect(() => sysfsNumber(lineOf("GHOST", RPI4), chips)).toThrow(
      expect.objectContaining({ errno: "ENODEV", message: expect.stringContaining("pinctrl-bcm2711") }),
    );
    expect(() => sysfsNumber(lineOf("BAD", RPI4), chips)).toThrow(
      expect.objectContaining({ errno: "ERANGE" }),
    );
  });
});

class FakeOnoff implements OnoffGpio {
  static accessible = true;
  static made: { gpio: number; dir: GpioDirection; edge?: GpioEdge }[] = [];
  static live = new Map<number, FakeOnoff>();
  value: GpioValue = 0;
  listeners: ((err: Error | null | undefined, v: GpioValue) => void)[] = [];
  unexported = false;
  constructor(gpio: number, dir: GpioDirection, edge?: GpioEdge) {
    FakeOnoff.made.push({ gpio, dir, edge });
    FakeOnoff.live.set(gpio, this);
    if (dir === "high") this.value = 1;
  }
  readSync(): GpioValue {
    return this.value;
  }
  writeSync(v: GpioValue): void {
    this.value = v;
  }
  watch(cb: (err: Error | null | undefined, v: GpioValue) => void): void {
    this.listeners.push(cb);
  }
  unwatch(cb?: (err: Error | null | undefined, v: GpioValue) => void): void {
    this.listeners = cb ? this.listeners.filter((l) => l !== cb) : [];
  }
  unexport(): void {
    this.unexported = true;
  }
}

describe("OnoffBackend", () => {
  beforeEach(() => {
    FakeOnoff.made = [];
    FakeOnoff.live.clear();
  });

  it("opens onoff Gpios by sysfs number, reads, writes and watches", () => {
    const g = new OnoffBackend(RPI4, { sysfsRoot: root, Gpio: FakeOnoff });
    g.open("ACT_LED", "high");
    g.open("GPIO17", "in", "both");
    expect(FakeOnoff.made).toEqual([
      { gpio: 554, dir: "high", edge: "none" },
      { gpio: 529, dir: "in", edge: "both" },
    ]);
    expect(g.read("ACT_LED")).toBe(1);
    g.write("ACT_LED", 0);
    expect(FakeOnoff.live.get(554)!.value).toBe(0);
    expect(() => g.write("GPIO17", 1)).toThrow(expect.objectContaining({ errno: "EPERM" }));
    const seen: GpioValue[] = [];
    const stop = g.watch("GPIO17", (v) => seen.push(v));
    const line = FakeOnoff.live.get(529)!;
    line.listeners.forEach((l) => l(null, 1));
    line.listeners.forEach((l) => l(new Error("EIO"), 0)); // errors are not edges
    stop();
    expect(line.listeners).toHaveLength(0);
    expect(seen).toEqual([1]);
    expect(g.numberOf("PWR_LED")).toBe(572);
  });

  it("releases pins on unexport and close; refuses pins that are not open", () => {
    const g = new OnoffBackend(RPI4, { sysfsRoot: root, Gpio: FakeOnoff });
    g.open("GPIO17", "out");
    g.open("GPIO27", "in", "rising");
    g.unexport("GPIO17");
    expect(FakeOnoff.live.get(529)!.unexported).toBe(true);
    expect(() => g.read("GPIO17")).toThrow(expect.objectContaining({ errno: "EBADF" }));
    g.close();
    expect(FakeOnoff.live.get(539)!.unexported).toBe(true);
    expect(() => g.open("GPIO99", "in")).toThrow(expect.objectContaining({ errno: "ENOENT" }));
  });

  it("reports a machine without sysfs GPIO", () => {
    const Inaccessible = class extends FakeOnoff {
      static override accessible = false;
    };
    const g = new OnoffBackend(RPI4, { sysfsRoot: join(root, "nothing"), Gpio: Inaccessible });
    expect(() => g.open("GPIO17", "in")).toThrow(
      expect.objectContaining({
        errno: "ENOSYS",
        message: expect.stringContaining("sysfs GPIO is missing: ") as unknown,
      }),
    );
  });
});

describe("MockGpio", () => {
  it("simulates outputs and inputs with edges the test drives", () => {
    const g = new MockGpio(RPI4);
    g.open("ACT_LED", "out");
    expect(g.level("ACT_LED")).toBe(0);
    g.write("ACT_LED", 1);
    expect(g.level("ACT_LED")).toBe(1);
    g.open("GPIO17", "in", "rising");
    const seen: GpioValue[] = [];
    const stop = g.watch("GPIO17", (v) => seen.push(v));
    g.drive("GPIO17", 1);
    g.drive("GPIO17", 1); // no change, no edge
    g.drive("GPIO17", 0); // falling: not watched
    g.drive("GPIO17", 1);
    expect(seen).toEqual([1, 1]);
    expect(g.read("GPIO17")).toBe(1);
    stop();
    g.drive("GPIO17", 0);
    g.drive("GPIO17", 1);
    expect(seen).toEqual([1, 1]);
  });

  it("enforces direction, edge and existence like hardware would", () => {
    const g = new MockGpio(RPI4);
    g.open("GPIO17", "in");
    expect(() => g.write("GPIO17", 1)).toThrow(expect.objectContaining({ errno: "EPERM" }));
    expect(() => g.watch("GPIO17", () => undefined)).toThrow(expect.objectContaining({ errno: "EINVAL" }));
    expect(() => g.open("GPIO99", "in")).toThrow(expect.objectContaining({ errno: "ENOENT" }));
    expect(() => g.read("GPIO27")).toThrow(expect.objectContaining({ errno: "EBADF" }));
    g.open("ACT_LED", "low");
    expect(() => g.drive("ACT_LED", 1)).toThrow(expect.objectContaining({ errno: "EBUSY" }));
  });

  it("keeps a level driven before the pin is opened, and forgets pins on unexport/close", () => {
    const g = new MockGpio();
    g.drive("button", 1);
    g.open("button", "in", "both");
    expect(g.read("button")).toBe(1);
    g.unexport("button");
    expect(g.isOpen("button")).toBe(false);
    g.open("x", "high");
    g.close();
    expect(g.isOpen("x")).toBe(false);
  });
});
