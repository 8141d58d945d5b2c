// Adapts a hal/gpio backend (pins opened with a direction and an edge, named as the board
// names them) to the manager's per-pin view (/dev/gpio/<number>). Each pin is opened for
// both edges; the adapter filters per watcher, so several clients can watch different edges.
import type { GpioBackend as HalGpio, GpioPin as HalPin } from "../../hal/gpio/gpio-backend.ts";
import type { GpioBackend, GpioDirection, GpioEdge, GpioLevel, GpioPin } from "./gpio-backend.ts";

class HalPinView implements GpioPin {
  readonly pin: number;
  private readonly hal: HalGpio;
  private readonly id: HalPin;
  private dir: GpioDirection = "in";

  constructor(hal: HalGpio, pin: number, id: HalPin) {
    this.hal = hal;
    this.pin = pin;
    this.id = id;
    hal.open(id, "in", "both");
  }

  read(): GpioLevel {
    return this.hal.read(this.id);
  }

  write(level: GpioLevel): void {
    this.hal.write(this.id, level);
  }

  direction(): GpioDirection {
    return this.dir;
  }

  setDirection(d: GpioDirection): void {
    // An output starts at its current level, so switching direction does not glitch the pin.
    this.hal.open(
      this.id,
      d === "in" ? "in" : this.hal.read(this.id) ? "high" : "low",
      d === "in" ? "both" : "none",
    );
    this.dir = d;
  }

  watch(edge: GpioEdge, fn: (level: GpioLevel) => void): () => void {
    return this.hal.watch(this.id, (v) => {
      if (edge === "both" || (edge === "rising") === (v === 1)) fn(v);
    });
  }
}

/** `pins` maps the manager's pin numbers to the board's pin names (default: the number itself). */
export function fromHal(hal: HalGpio, pins: ReadonlyMap<number, HalPin>, name = "hal"): GpioBackend {
  const views = new Map<number, HalPinView>();
  return {
    name,
    pins: () => [...pins.keys()].sort((a, b) => a - b),
    pin(n: number): GpioPin {
      let v = views.get(n);
      if (!v) {
        const id = pins.get(n);
        if (id === undefined) throw new Error(`no gpio ${n}`);
        v = new HalPinView(hal, n, id);
        views.set(n, v);
      }
      return v;
    },
    close: () => hal.close(),
  };
}
