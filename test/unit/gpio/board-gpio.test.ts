// A board's GPIO from boards/ against a simulated sysfs tree: gpiochip*/{base,label,ngpio,
// device}, export/unexport handled by a fake exporter that creates gpioN/{direction,value},
// and /sys/class/leds. onoff writes only to its constant /sys/class/gpio/, so the test's Gpio
// class speaks onoff's file protocol against the tree (OnoffBackend's one injection point).
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { BBB } from "../../../boards/bbb.ts";
import { RPI4 } from "../../../boards/rpi4.ts";
import { openBoardGpio } from "../../../firmware/gpio/board-backend.ts";
import { GpioManager } from "../../../firmware/gpio/gpio-manager.ts";
import { ManualClock } from "../../../firmware/kernel/clock.ts";
import { boot } from "../bin/harness.ts";
import { openBackend } from "../../../firmware/gpio/gpio-manager-program.ts";
import type { GpioDirection, GpioValue } from "../../../hal/gpio/gpio-backend.ts";
import type { OnoffClass, OnoffGpio } from "../../../hal/gpio/onoff-gpio.ts";
import { settle } from "../../helpers/wait.ts";

let sys: string;
let gpioRoot: string;
let ledsRoot: string;

function chip(n: number, label: string, ngpio: number, device?: string): void {
  const dir = join(gpioRoot, `gpiochip${n}`);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "base"), `${n}\n`);
  writeFileSync(join(dir, "label"), `${label}\n`);
  writeFileSync(join(dir, "ngpio"), `${ngpio}\n`);
  if (device) {
    const dev = join(sys, "devices", device);
    mkdirSync(dev, { recursive: true });
    symlinkSync(dev, join(dir, "device"));
  }
}

function led(name: string, max = 1): void {
  const dir = join(ledsRoot, name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "max_brightness"), `${max}\n`);
  writeFileSync(join(dir, "trigger"), "none [heartbeat] mmc0\n");
  writeFileSync(join(dir, "brightness"), "0\n");
}

/** The kernel's side of `export`: makes gpioN with direction and value. */
function exporter(): void {
  const n = readFileSync(join(gpioRoot, "export"), "utf8").trim();
  if (n === "") return;
  const dir = join(gpioRoot, `gpio${n}`);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "direction"), "in\n");
  writeFileSync(join(dir, "value"), "0\n");
  writeFileSync(join(gpioRoot, "export"), "");
}

/** onoff's file protocol (export, direction, value, unexport) on the simulated tree. */
const SysfsGpio: OnoffClass = class implements OnoffGpio {
  static accessible = true;
  private readonly dir: string;
  constructor(n: number, dir: GpioDirection) {
    this.dir = join(gpioRoot, `gpio${n}`);
    if (!existsSync(this.dir)) {
      writeFileSync(join(gpioRoot, "export"), String(n));
      exporter();
    }
    writeFileSync(join(this.dir, "direction"), dir);
    if (dir === "high" || dir === "low") writeFileSync(join(this.dir, "value"), dir === "high" ? "1" : "0");
  }
  readSync(): GpioValue {
    return readFileSync(join(this.dir, "value"), "utf8").trim() === "1" ? 1 : 0;
  }
  writeSync(v: GpioValue): void {
    writeFileSync(join(this.dir, "value"), String(v));
  }
  watch(): void {}
  unwatch(): void {}
  unexport(): void {
    rmSync(this.dir, { recursive: true });
  }
};

const value = (n: number): string => readFileSync(join(gpioRoot, `gpio${n}`, "value"), "utf8").trim();

beforeEach(() => {
  sys = mkdtempSync(join(tmpdir(), "netrino-sysfs-"));
  gpioRoot = join(sys, "class", "gpio");
  ledsRoot = join(sys, "class", "leds");
  mkdirSync(gpioRoot, { recursive: true });
  mkdirSync(ledsRoot, { recursive: true });
  writeFileSync(join(gpioRoot, "export"), "");
  writeFileSync(join(gpioRoot, "unexport"), "");
});
afterEach(() => rmSync(sys, { recursive: true, force: true }));

describe("board GPIO through sysfs", () => {
  it("BeagleBone: banks found by controller address whatever their probe order and labels", () => {
    // Since 5.15 bank 0 may register last: labels and bases say nothing about the bank.
    chip(512, "gpio-0-31", 32, "4804c000.gpio");
    chip(544, "gpio-32-63", 32, "481ac000.gpio");
    chip(576, "gpio-64-95", 32, "481ae000.gpio");
    chip(608, "gpio-96-127", 32, "44e07000.gpio");
    led("beaglebone:green:usr0", 255);
    const g = openBoardGpio(BBB, { gpioRoot, ledsRoot: ledsRoot, Gpio: SysfsGpio });
    expect(g.backend.pins()).toContain(60); // P9_12 = GPIO1_28
    const p = g.backend.pin(60);
    p.setDirection("out");
    p.write(1);
    expect(value(512 + 28)).toBe("1"); // bank 1 (4804c000) is gpiochip512 here
    expect(p.read()).toBe(1);
    g.backend.pin(32 * 3 + 19).setDirection("out"); // P9_27 = GPIO3_19
    expect(existsSync(join(gpioRoot, `gpio${576 + 19}`))).toBe(true);
    expect(g.heartbeatName).toBe("LED beaglebone:green:usr0");
    expect(readFileSync(join(ledsRoot, "beaglebone:green:usr0", "trigger"), "utf8")).toBe("none");
    g.heartbeat!(1);
    expect(readFileSync(join(ledsRoot, "beaglebone:green:usr0", "brightness"), "utf8")).toBe("255");
    g.heartbeat!(0);
    expect(readFileSync(join(ledsRoot, "beaglebone:green:usr0", "brightness"), "utf8")).toBe("0");
    g.backend.close();
    expect(existsSync(join(gpioRoot, `gpio${512 + 28}`))).toBe(false);
  });

  it("BeagleBone without the usr0 LED class falls back to the LED's GPIO", () => {
    chip(512, "gpio-0-31", 32, "44e07000.gpio");
    chip(544, "gpio-32-63", 32, "4804c000.gpio");
    chip(576, "gpio-64-95", 32, "481ac000.gpio");
    chip(608, "gpio-96-127", 32, "481ae000.gpio");
    const g = openBoardGpio(BBB, { gpioRoot, ledsRoot, Gpio: SysfsGpio });
    expect(g.heartbeatName).toBe("GPIO USR0");
    g.heartbeat!(1);
    expect(value(544 + 21)).toBe("1");
  });

  it("Raspberry Pi 4: BCM numbers onto the pinctrl chip at 512, heartbeat on the ACT LED", () => {
    chip(512, "pinctrl-bcm2711", 58);
    chip(570, "raspberrypi-exp-gpio", 8);
    led("ACT");
    const g = openBackend("onoff", { board: "rpi4", boardOptions: { gpioRoot, ledsRoot, Gpio: SysfsGpio } });
    expect(g.backend.pins()).toHaveLength(RPI4.gpio.pins.length);
    g.backend.pin(17).setDirection("out");
    g.backend.pin(17).write(1);
    expect(value(529)).toBe("1");
    expect(g.heartbeatName).toBe("LED ACT");
  });

  it("names a missing sysfs GPIO, a missing chip, an unknown board or backend", () => {
    const opts = { gpioRoot: join(sys, "none"), ledsRoot, Gpio: SysfsGpio };
    expect(() => openBoardGpio(RPI4, opts)).toThrow(
      `sysfs GPIO is missing: ${join(sys, "none")} does not exist (kernel without CONFIG_GPIO_SYSFS, or /sys not mounted)`,
    );
    chip(512, "pinctrl-bcm2835", 54);
    expect(() => openBoardGpio(RPI4, { gpioRoot, ledsRoot, Gpio: SysfsGpio })).toThrow(
      'board rpi4: no GPIO chip "pinctrl-bcm2711" in',
    );
    expect(() => openBackend("onoff", { board: "rpi5" })).toThrow(
      /unknown board -- rpi5 \(boards: host, rpi3, rpi4, bbb, qemu-arm64, qemu-armhf\)/,
    );
    expect(() => openBackend("wiringpi")).toThrow(/unknown backend -- wiringpi/);
  });

  it("Pi 4 without an ACT LED in /sys/class/leds has no heartbeat (the kernel owns GPIO 42)", () => {
    chip(512, "pinctrl-bcm2711", 58);
    const g = openBoardGpio(RPI4, { gpioRoot, ledsRoot, Gpio: SysfsGpio });
    expect(g.heartbeat).toBeNull();
  });

  it("the manager blinks the board's LED from a kernel timer", async () => {
    chip(512, "pinctrl-bcm2711", 58);
    led("ACT");
    const g = openBoardGpio(RPI4, { gpioRoot, ledsRoot, Gpio: SysfsGpio });
    const clock = new ManualClock();
    const { kernel: k } = await boot({ clock });
    const timers = clock.pending;
    const started = new Promise<void>((resolve) => {
      k.spawn({
        name: "gpio-manager",
        main: async (t) => {
          const mgr = new GpioManager(t, g.backend);
          mgr.startHeartbeat(g.heartbeat!, 250);
          resolve();
          await mgr.serve(t);
          return 0;
        },
      });
    });
    await started;
    await settle(() => clock.pending > timers, "the heartbeat timer to be armed");
    const act = (): string => readFileSync(join(ledsRoot, "ACT", "brightness"), "utf8");
    const seen: string[] = [];
    for (let i = 0; i < 3; i++) {
      const before = act();
      clock.advance(250);
      await settle(() => act() !== before, "the heartbeat to toggle the ACT LED");
      seen.push(act());
    }
    expect(seen).toEqual(["1", "0", "1"]);
  });

  it("every board's pins have distinct names and numbers, on chips the board names", () => {
    for (const board of [BBB, RPI4]) {
      const names = board.gpio.pins.map((p) => p.name);
      const numbers = board.gpio.pins.map((p) => p.number);
      expect(new Set(names).size).toBe(names.length);
      expect(new Set(numbers).size).toBe(numbers.length);
    }
  });
});
