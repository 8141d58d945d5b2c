// An LED the kernel's LED class owns (/sys/class/leds/<name>; root injectable for tests):
// leds-gpio claims its line, so sysfs GPIO cannot export it. Opening stops the kernel's
// trigger (heartbeat, mmc0 …) so the runtime alone drives the brightness.
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { KernelError } from "../../firmware/kernel/errno.ts";
import type { GpioValue } from "./gpio-backend.ts";

export const SYSFS_LEDS = "/sys/class/leds";

export class SysfsLed {
  readonly name: string;
  private readonly dir: string;
  private readonly on: string;

  private constructor(root: string, name: string) {
    this.name = name;
    this.dir = join(root, name);
    const max = Number(readFileSync(join(this.dir, "max_brightness"), "utf8").trim());
    this.on = String(Number.isInteger(max) && max > 0 ? max : 1);
  }

  /** The first of `names` present under `root`, or null when none is. */
  static find(names: readonly string[], root: string = SYSFS_LEDS): SysfsLed | null {
    for (const name of names) {
      try {
        const led = new SysfsLed(root, name);
        led.attr("trigger", "none");
        return led;
      } catch (e) {
        if (e instanceof KernelError && e.errno === "EACCES") throw e;
        // absent: try the next name
      }
    }
    return null;
  }

  write(level: GpioValue): void {
    this.attr("brightness", level ? this.on : "0");
  }

  private attr(file: string, value: string): void {
    try {
      writeFileSync(join(this.dir, file), value);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === "EACCES" || code === "EPERM")
        throw new KernelError("EACCES", `LED ${this.name}: permission denied writing ${file} (root)`);
      throw new KernelError("EIO", `LED ${this.name}: ${file}: ${(e as Error).message}`);
    }
  }
}
