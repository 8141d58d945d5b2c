// GPIO through the `onoff` package (Linux sysfs GPIO). Board pin names go through the pin
// map to (chip label, line), then through /sys/class/gpio/gpiochip*/{label,base} to the
// sysfs number onoff wants. onoff (and its native epoll) is loaded on first use.
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { KernelError } from "../../firmware/kernel/errno.ts";
import {
  isOutput,
  type GpioBackend,
  type GpioDirection,
  type GpioEdge,
  type GpioPin,
  type GpioValue,
} from "./gpio-backend.ts";
import { lineOf, sysfsNumber, type GpioPinMap } from "./pin-map.ts";
import { readGpioChips, SYSFS_GPIO, type GpioChip } from "./sysfs-chips.ts";

/** The part of onoff's Gpio class used here. */
export interface OnoffGpio {
  readSync(): GpioValue;
  writeSync(v: GpioValue): void;
  watch(cb: (err: Error | null | undefined, value: GpioValue) => void): void;
  unwatch(cb?: (err: Error | null | undefined, value: GpioValue) => void): void;
  unexport(): void;
}

export interface OnoffClass {
  new (gpio: number, direction: GpioDirection, edge?: GpioEdge): OnoffGpio;
  accessible: boolean;
}

export interface OnoffBackendOptions {
  /** /sys/class/gpio, injectable for tests. */
  sysfsRoot?: string;
  /** onoff's Gpio class, injectable for tests. */
  Gpio?: OnoffClass;
}

interface OpenPin {
  gpio: OnoffGpio;
  dir: GpioDirection;
  number: number;
}

export class OnoffBackend implements GpioBackend {
  private readonly map: GpioPinMap;
  private readonly root: string;
  private readonly injected: OnoffClass | undefined;
  private chips: GpioChip[] | null = null;
  private readonly openPins = new Map<string, OpenPin>();

  constructor(map: GpioPinMap, opts: OnoffBackendOptions = {}) {
    this.map = map;
    this.root = opts.sysfsRoot ?? SYSFS_GPIO;
    this.injected = opts.Gpio;
  }

  /** The sysfs number a pin maps to on this machine (what `gpio` prints with -v). */
  numberOf(pin: GpioPin): number {
    this.chips ??= readGpioChips(this.root);
    if (this.chips.length === 0) throw missingSysfs(this.root);
    return sysfsNumber(lineOf(pin, this.map), this.chips);
  }

  open(pin: GpioPin, dir: GpioDirection, edge: GpioEdge = "none"): void {
    const key = String(pin);
    const number = this.numberOf(pin);
    const Gpio = this.gpioClass();
    this.openPins.get(key)?.gpio.unexport();
    this.openPins.delete(key);
    let gpio: OnoffGpio;
    try {
      gpio = new Gpio(number, dir, edge);
    } catch (e) {
      throw sysfsError(`GPIO ${key} (sysfs ${number})`, e);
    }
    this.openPins.set(key, { gpio, dir, number });
  }

  read(pin: GpioPin): GpioValue {
    const p = this.get(pin);
    try {
      return p.gpio.readSync();
    } catch (e) {
      throw sysfsError(`GPIO ${String(pin)}`, e);
    }
  }

  write(pin: GpioPin, value: GpioValue): void {
    const p = this.get(pin);
    if (!isOutput(p.dir)) throw new KernelError("EPERM", `GPIO ${String(pin)} is an input`);
    try {
      p.gpio.writeSync(value ? 1 : 0);
    } catch (e) {
      throw sysfsError(`GPIO ${String(pin)}`, e);
    }
  }

  watch(pin: GpioPin, cb: (value: GpioValue) => void): () => void {
    const p = this.get(pin);
    const listener = (err: Error | null | undefined, value: GpioValue): void => {
      if (!err) cb(value);
    };
    p.gpio.watch(listener);
    return () => p.gpio.unwatch(listener);
  }

  unexport(pin: GpioPin): void {
    const key = String(pin);
    const p = this.openPins.get(key);
    if (!p) return;
    this.openPins.delete(key);
    p.gpio.unwatch();
    p.gpio.unexport();
  }

  close(): void {
    for (const key of [...this.openPins.keys()]) this.unexport(key);
  }

  private get(pin: GpioPin): OpenPin {
    const p = this.openPins.get(String(pin));
    if (!p) throw new KernelError("EBADF", `GPIO ${String(pin)} is not open`);
    return p;
  }

  private gpioClass(): OnoffClass {
    if (this.injected) return this.injected;
    // onoff writes to its own constant /sys/class/gpio/ (no path option): another root can
    // only be served by an injected Gpio class that speaks the same files (tests).
    if (this.root !== SYSFS_GPIO)
      throw new KernelError("EINVAL", `onoff only drives ${SYSFS_GPIO}, not ${this.root}`);
    let Gpio: OnoffClass;
    try {
      Gpio = (createRequire(import.meta.url)("onoff") as { Gpio: OnoffClass }).Gpio;
    } catch (e) {
      throw new KernelError("ENOSYS", `onoff: cannot load: ${(e as Error).message}`);
    }
    if (!Gpio.accessible) throw new KernelError("ENOSYS", `sysfs GPIO is not available (${SYSFS_GPIO})`);
    return Gpio;
  }
}

/** ENOSYS naming why there are no GPIO chips to map pins onto. */
export function missingSysfs(root: string): KernelError {
  return new KernelError(
    "ENOSYS",
    existsSync(root)
      ? `sysfs GPIO has no chips in ${root} (no GPIO controller driver loaded?)`
      : `sysfs GPIO is missing: ${root} does not exist (kernel without CONFIG_GPIO_SYSFS, or /sys not mounted)`,
  );
}

function sysfsError(what: string, e: unknown): KernelError {
  const err = e as NodeJS.ErrnoException;
  const m = err?.message ?? String(e);
  if (err?.code === "EACCES" || /EACCES|permission/i.test(m)) {
    return new KernelError("EACCES", `${what}: permission denied (root or the gpio group)`);
  }
  if (err?.code === "EBUSY" || /EBUSY/.test(m))
    return new KernelError("EBUSY", `${what}: in use by a kernel driver`);
  if (err?.code === "EINVAL" || /EINVAL/.test(m)) return new KernelError("EINVAL", `${what}: ${m}`);
  return new KernelError("EIO", `${what}: ${m}`);
}
