// A board's GPIO pins as (chip label, line) pairs, and their translation to the sysfs GPIO
// numbers onoff needs. On current kernels a chip's base is assigned at boot (often ≥ 512),
// so the number is the base read from /sys/class/gpio/gpiochipN/base plus the line.
import { KernelError } from "../../firmware/kernel/errno.ts";
import type { GpioPin } from "./gpio-backend.ts";
import type { GpioChip } from "./sysfs-chips.ts";

export interface GpioLine {
  /** The chip's label ("pinctrl-bcm2711"), controller device ("44e07000.gpio") or gpiochipN. */
  chip: string;
  line: number;
}

/** Board pin name → line. Boards define this in boards/<board>. */
export type GpioPinMap = Readonly<Record<string, GpioLine>>;

/** The line for a pin: a name from the map, or "chiplabel:line" spelled out. ENOENT otherwise. */
export function lineOf(pin: GpioPin, map: GpioPinMap): GpioLine {
  const name = String(pin);
  const named = Object.hasOwn(map, name) ? map[name] : undefined;
  if (named) return named;
  const colon = name.lastIndexOf(":");
  if (colon > 0 && /^\d+$/.test(name.slice(colon + 1))) {
    return { chip: name.slice(0, colon), line: Number(name.slice(colon + 1)) };
  }
  throw new KernelError("ENOENT", `no GPIO pin "${name}" on this board`);
}

/** The sysfs GPIO number of a line, given the chips present. ENODEV/ERANGE name the problem. */
export function sysfsNumber(line: GpioLine, chips: readonly GpioChip[]): number {
  const chip =
    chips.find((c) => c.label === line.chip) ??
    chips.find((c) => c.device === line.chip) ??
    chips.find((c) => c.name === line.chip);
  if (!chip) {
    const have = chips.map((c) => c.label).join(", ") || "none";
    throw new KernelError("ENODEV", `no GPIO chip labelled "${line.chip}" (chips: ${have})`);
  }
  if (!Number.isInteger(line.line) || line.line < 0 || line.line >= chip.ngpio) {
    throw new KernelError("ERANGE", `line ${line.line} is outside ${chip.label} (0..${chip.ngpio - 1})`);
  }
  return chip.base + line.line;
}
