// The GPIO of a board from boards/: its pins through onoff (or the mock) as /dev/gpio/<number>,
// and its heartbeat LED — the kernel's LED where /sys/class/leds has it, else the pin the
// board declares. Roots are injectable so tests run against a simulated sysfs tree.
import type { Board } from "../../boards/board.ts";
import { MockGpio } from "../../hal/gpio/mock-gpio.ts";
import { OnoffBackend, missingSysfs, type OnoffClass } from "../../hal/gpio/onoff-gpio.ts";
import type { GpioPinMap } from "../../hal/gpio/pin-map.ts";
import { readGpioChips, SYSFS_GPIO } from "../../hal/gpio/sysfs-chips.ts";
import { SysfsLed, SYSFS_LEDS } from "../../hal/gpio/sysfs-led.ts";
import { KernelError } from "../kernel/errno.ts";
import type { GpioBackend, GpioLevel } from "./gpio-backend.ts";
import { fromHal } from "./hal-adapter.ts";

export interface BoardGpioOptions {
  /** /sys/class/gpio and /sys/class/leds (tests give a temp tree). */
  gpioRoot?: string;
  ledsRoot?: string;
  /** onoff's Gpio class, for a simulated tree (onoff itself only knows /sys/class/gpio). */
  Gpio?: OnoffClass;
  /** "mock": the board's pins simulated (MockGpio) instead of onoff. */
  backend?: "onoff" | "mock";
}

export interface BoardGpio {
  backend: GpioBackend;
  /** Lights or darkens the heartbeat LED; null when the board has none (or none was found). */
  heartbeat: ((level: GpioLevel) => void) | null;
  /** Where the heartbeat goes, for the log ("LED ACT", "GPIO USR0"). */
  heartbeatName: string | null;
}

export function boardPinMap(board: Board): GpioPinMap {
  return Object.fromEntries(board.gpio.pins.map((p) => [p.name, { chip: p.chip, line: p.line }]));
}

/** Opens a board's GPIO; ENOSYS names a missing sysfs GPIO before any pin is touched. */
export function openBoardGpio(board: Board, opts: BoardGpioOptions = {}): BoardGpio {
  const kind = opts.backend ?? board.gpio.backend;
  const map = boardPinMap(board);
  const gpioRoot = opts.gpioRoot ?? SYSFS_GPIO;
  if (kind === "onoff") {
    const chips = readGpioChips(gpioRoot);
    if (chips.length === 0) throw missingSysfs(gpioRoot);
    // Every chip the board names must be there: a wrong kernel or DT shows at start, not on first use.
    for (const chip of new Set(board.gpio.pins.map((p) => p.chip)))
      if (!chips.some((c) => c.label === chip || c.device === chip || c.name === chip))
        throw new KernelError(
          "ENODEV",
          `board ${board.name}: no GPIO chip "${chip}" in ${gpioRoot} (chips: ${chips.map((c) => c.label).join(", ")})`,
        );
  }
  const hal =
    kind === "onoff" ? new OnoffBackend(map, { sysfsRoot: gpioRoot, Gpio: opts.Gpio }) : new MockGpio(map);
  const pins = new Map(board.gpio.pins.map((p) => [p.number, p.name] as const));
  const backend = fromHal(hal, pins, kind);

  const hb = board.gpio.heartbeat;
  if (!hb) return { backend, heartbeat: null, heartbeatName: null };
  const led = kind === "onoff" ? SysfsLed.find(hb.leds, opts.ledsRoot ?? SYSFS_LEDS) : null;
  if (led) return { backend, heartbeat: (l) => led.write(l), heartbeatName: `LED ${led.name}` };
  const pinName = hb.pin;
  const pin = pinName === undefined ? undefined : board.gpio.pins.find((p) => p.name === pinName);
  if (!pin) return { backend, heartbeat: null, heartbeatName: null };
  const view = backend.pin(pin.number);
  view.setDirection("out");
  return { backend, heartbeat: (l) => view.write(l), heartbeatName: `GPIO ${pin.name}` };
}
