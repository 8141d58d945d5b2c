// What the GPIO manager needs from the pins below it. hal/gpio provides the real backends
// (onoff with the board's chip-base mapping, a mock); sim-backend.ts is the software one.

export type GpioLevel = 0 | 1;
export type GpioDirection = "in" | "out";
export type GpioEdge = "rising" | "falling" | "both";

export interface GpioPin {
  readonly pin: number;
  read(): GpioLevel;
  /** Drives an output pin; EPERM-shaped error for an input pin is the backend's choice. */
  write(level: GpioLevel): void;
  direction(): GpioDirection;
  setDirection(d: GpioDirection): void;
  /** Calls `fn` with the new level on each edge of the given kind; returns the stop function. */
  watch(edge: GpioEdge, fn: (level: GpioLevel) => void): () => void;
}

export interface GpioBackend {
  readonly name: string;
  /** The pin numbers this board offers (the board's GPIO map). */
  pins(): readonly number[];
  /** The pin; throws for a pin the board does not have. */
  pin(n: number): GpioPin;
  close(): void;
}
