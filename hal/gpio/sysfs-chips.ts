// The GPIO chips the kernel exposes in /sys/class/gpio (root injectable for tests).
import { readdirSync, readFileSync, realpathSync } from "node:fs";
import { basename, join } from "node:path";

export const SYSFS_GPIO = "/sys/class/gpio";

export interface GpioChip {
  /** Directory name, "gpiochip512". */
  name: string;
  label: string;
  base: number;
  ngpio: number;
  /** The controller device behind it ("44e07000.gpio"), from the `device` link; null without one. */
  device: string | null;
}

/** Every readable gpiochip* entry, ordered by base; [] when sysfs GPIO is absent. */
export function readGpioChips(root: string = SYSFS_GPIO): GpioChip[] {
  let entries: string[];
  try {
    entries = readdirSync(root);
  } catch {
    return [];
  }
  const chips: GpioChip[] = [];
  for (const name of entries) {
    if (!/^gpiochip\d+$/.test(name)) continue;
    const read = (attr: string): string | null => {
      try {
        return readFileSync(join(root, name, attr), "utf8").trim();
      } catch {
        return null;
      }
    };
    const label = read("label");
    const base = Number(read("base"));
    const ngpio = Number(read("ngpio"));
    if (label === null || !Number.isInteger(base) || !Number.isInteger(ngpio)) continue;
    let device: string | null = null;
    try {
      device = basename(realpathSync(join(root, name, "device")));
    } catch {
      // no device link (a simulated tree, an old kernel)
    }
    chips.push({ name, label, base, ngpio, device });
  }
  return chips.sort((a, b) => a.base - b.base);
}
