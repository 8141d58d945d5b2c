// Simulated GPIO pins (board `host`, tests): levels live in memory; `inject` plays the part of
// the outside world driving an input pin, and edges fire synchronously like an interrupt.
import { KernelError } from "../kernel/errno.ts";
import type { GpioBackend, GpioDirection, GpioEdge, GpioLevel, GpioPin } from "./gpio-backend.ts";

interface Watcher {
  edge: GpioEdge;
  fn: (level: GpioLevel) => void;
}

class SimPin implements GpioPin {
  readonly pin: number;
  level: GpioLevel = 0;
  dir: GpioDirection = "in";
  readonly watchers = new Set<Watcher>();

  constructor(pin: number) {
    this.pin = pin;
  }

  read(): GpioLevel {
    return this.level;
  }

  write(level: GpioLevel): void {
    if (this.dir !== "out") throw new KernelError("EPERM", `gpio ${this.pin} is an input`);
    this.set(level);
  }

  direction(): GpioDirection {
    return this.dir;
  }

  setDirection(d: GpioDirection): void {
    this.dir = d;
  }

  watch(edge: GpioEdge, fn: (level: GpioLevel) => void): () => void {
    const w: Watcher = { edge, fn };
    this.watchers.add(w);
    return () => this.watchers.delete(w);
  }

  set(level: GpioLevel): void {
    if (level === this.level) return;
    this.level = level;
    for (const w of [...this.watchers]) {
      if (w.edge === "both" || (w.edge === "rising") === (level === 1)) w.fn(level);
    }
  }
}

export class SimGpioBackend implements GpioBackend {
  readonly name = "sim";
  private readonly map = new Map<number, SimPin>();

  constructor(pins: readonly number[]) {
    for (const p of pins) this.map.set(p, new SimPin(p));
  }

  pins(): readonly number[] {
    return [...this.map.keys()].sort((a, b) => a - b);
  }

  pin(n: number): GpioPin {
    return this.get(n);
  }

  /** The outside world drives an input pin to `level` (edges fire if it changed). */
  inject(n: number, level: GpioLevel): void {
    const p = this.get(n);
    if (p.dir !== "in") throw new KernelError("EPERM", `gpio ${n} is an output`);
    p.set(level);
  }

  close(): void {
    for (const p of this.map.values()) p.watchers.clear();
  }

  private get(n: number): SimPin {
    const p = this.map.get(n);
    if (!p) throw new KernelError("ENOENT", `no gpio ${n}`);
    return p;
  }
}
