// Simulated GPIO pins for tests and for `npm start` on a host without GPIO. Tests drive
// input levels with `drive` (edges fire watchers synchronously) and read outputs with `level`.
import { KernelError } from "../../firmware/kernel/errno.ts";
import {
  edgeFires,
  isOutput,
  type GpioBackend,
  type GpioDirection,
  type GpioEdge,
  type GpioPin,
  type GpioValue,
} from "./gpio-backend.ts";
import { lineOf, type GpioPinMap } from "./pin-map.ts";

interface SimPin {
  dir: GpioDirection;
  edge: GpioEdge;
  value: GpioValue;
  watchers: Set<(v: GpioValue) => void>;
}

export class MockGpio implements GpioBackend {
  /** Only these pins exist when a map is given; any name does otherwise. */
  private readonly map: GpioPinMap | null;
  private readonly pins = new Map<string, SimPin>();
  /** Input levels set by `drive` before the pin was opened. */
  private readonly preset = new Map<string, GpioValue>();

  constructor(map: GpioPinMap | null = null) {
    this.map = map;
  }

  open(pin: GpioPin, dir: GpioDirection, edge: GpioEdge = "none"): void {
    const key = this.key(pin);
    const old = this.pins.get(key);
    const value: GpioValue =
      dir === "high" ? 1 : dir === "low" ? 0 : (old?.value ?? this.preset.get(key) ?? 0);
    this.pins.set(key, { dir, edge, value, watchers: old?.watchers ?? new Set() });
  }

  read(pin: GpioPin): GpioValue {
    return this.get(pin).value;
  }

  write(pin: GpioPin, value: GpioValue): void {
    const p = this.get(pin);
    if (!isOutput(p.dir)) throw new KernelError("EPERM", `GPIO ${String(pin)} is an input`);
    p.value = value ? 1 : 0;
  }

  watch(pin: GpioPin, cb: (value: GpioValue) => void): () => void {
    const p = this.get(pin);
    if (p.edge === "none") throw new KernelError("EINVAL", `GPIO ${String(pin)} was opened without an edge`);
    p.watchers.add(cb);
    return () => void p.watchers.delete(cb);
  }

  unexport(pin: GpioPin): void {
    this.pins.delete(this.key(pin));
  }

  close(): void {
    this.pins.clear();
  }

  // --- the test's side ---

  /** Sets the level seen on an input pin; watchers run for edges the pin listens to. */
  drive(pin: GpioPin, value: GpioValue): void {
    const key = this.key(pin);
    const p = this.pins.get(key);
    if (!p) {
      this.preset.set(key, value);
      return;
    }
    if (isOutput(p.dir)) throw new KernelError("EBUSY", `GPIO ${String(pin)} is an output`);
    const prev = p.value;
    p.value = value;
    if (edgeFires(p.edge, prev, value)) for (const w of [...p.watchers]) w(value);
  }

  /** The level an output pin drives, or undefined when the pin is not open. */
  level(pin: GpioPin): GpioValue | undefined {
    return this.pins.get(this.key(pin))?.value;
  }

  isOpen(pin: GpioPin): boolean {
    return this.pins.has(this.key(pin));
  }

  private key(pin: GpioPin): string {
    if (this.map) lineOf(pin, this.map); // ENOENT for a pin the board does not have
    return String(pin);
  }

  private get(pin: GpioPin): SimPin {
    const p = this.pins.get(this.key(pin));
    if (!p) throw new KernelError("EBADF", `GPIO ${String(pin)} is not open`);
    return p;
  }
}
