// The GPIO chips the kernel exposes in /sys/class/gpio (root injectable for tests).
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

export const SYSFS_GPIO = "/sys/class/gpio";

export interface GpioChip {
  /** Directory name, "gpiochip512". */
  name: string;
  label: string;
  base: number;
  ngpio: number;
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
    chips.push({ name, label, base, ngpio });
  }
  return chips.sort((a, b) => a.base - b.base);
}
