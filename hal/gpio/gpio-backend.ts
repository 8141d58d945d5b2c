// The GPIO interface the runtime's gpio driver uses. Pins are named as the board names them
// ("GPIO17", "P8_12", "LED0") through the board's pin map; see pin-map.ts.

export type GpioDirection = "in" | "out" | "high" | "low"; // high/low: output with that initial level
export type GpioEdge = "none" | "rising" | "falling" | "both";
export type GpioValue = 0 | 1;
/** A board pin name, or "chiplabel:line" for a line the board map does not name. */
export type GpioPin = string | number;

export interface GpioBackend {
  /** Exports and configures a pin. Opening an open pin again reconfigures it. */
  open(pin: GpioPin, dir: GpioDirection, edge?: GpioEdge): void;
  read(pin: GpioPin): GpioValue;
  /** EPERM on an input pin. */
  write(pin: GpioPin, value: GpioValue): void;
  /** Calls `cb` with the new value on each edge the pin was opened for; returns the unwatch. */
  watch(pin: GpioPin, cb: (value: GpioValue) => void): () => void;
  /** Releases one pin (its watchers stop). */
  unexport(pin: GpioPin): void;
  /** Releases every pin. */
  close(): void;
}

export function isOutput(dir: GpioDirection): boolean {
  return dir !== "in";
}

/** Whether an edge setting reports a change from `prev` to `next`. */
export function edgeFires(edge: GpioEdge, prev: GpioValue, next: GpioValue): boolean {
  if (prev === next || edge === "none") return false;
  return edge === "both" || (edge === "rising" ? next === 1 : next === 0);
}
