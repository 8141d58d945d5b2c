// Loss, duplication and delay for virtual wires, decided per frame from a seeded RNG so a
// test that sets the same seed sees the same frames lost.
import { KernelError } from "../../firmware/kernel/errno.ts";
import { seededRng, type Rng } from "./seeded-rng.ts";

export interface ImpairmentOptions {
  /** Probability in [0, 1] that a frame is lost. */
  loss?: number;
  /** Probability in [0, 1] that a delivered frame arrives twice. */
  duplicate?: number;
  /** Fixed one-way delay in milliseconds (0: deliver as soon as possible). */
  delayMs?: number;
  /** Extra uniformly random delay in [0, jitterMs) milliseconds; may reorder frames. */
  jitterMs?: number;
  /** RNG seed (default 1). */
  seed?: number;
}

export class Impairment {
  readonly loss: number;
  readonly duplicate: number;
  readonly delayMs: number;
  readonly jitterMs: number;
  readonly seed: number;
  private readonly rng: Rng;

  constructor(opts: ImpairmentOptions = {}) {
    this.loss = probability("loss", opts.loss ?? 0);
    this.duplicate = probability("duplicate", opts.duplicate ?? 0);
    this.delayMs = nonNegative("delay", opts.delayMs ?? 0);
    this.jitterMs = nonNegative("jitter", opts.jitterMs ?? 0);
    this.seed = opts.seed ?? 1;
    this.rng = seededRng(this.seed);
  }

  /** True when nothing is impaired: the wire can take its fast path. */
  get isClean(): boolean {
    return this.loss === 0 && this.duplicate === 0 && this.delayMs === 0 && this.jitterMs === 0;
  }

  /** How many copies of the next frame arrive: 0 (lost), 1, or 2 (duplicated). */
  copies(): number {
    if (this.loss > 0 && this.rng() < this.loss) return 0;
    if (this.duplicate > 0 && this.rng() < this.duplicate) return 2;
    return 1;
  }

  /** Delay for the next copy, in milliseconds. */
  delay(): number {
    return this.jitterMs > 0 ? this.delayMs + this.rng() * this.jitterMs : this.delayMs;
  }
}

function probability(what: string, p: number): number {
  if (!(p >= 0 && p <= 1)) throw new KernelError("EINVAL", `${what} must be between 0 and 1, not ${p}`);
  return p;
}

function nonNegative(what: string, ms: number): number {
  if (!(ms >= 0 && Number.isFinite(ms))) throw new KernelError("EINVAL", `${what} must be ≥ 0 ms, not ${ms}`);
  return ms;
}
