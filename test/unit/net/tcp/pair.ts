// Two TCP engines joined by a virtual wire with delay and seeded loss, duplication and reordering,
// driven by one virtual clock. Used for end-to-end transfers without sockets or sleeps.
import { seededRandom } from "../../../helpers/fuzz.ts";
import { ManualClock } from "../../../../firmware/kernel/clock.ts";
import { TimerService } from "../../../../firmware/net/stack/timers.ts";
import { TcpEngine } from "../../../../firmware/net/tcp/engine.ts";
import type { TcpConfig } from "../../../../firmware/net/tcp/config.ts";
import { LOCAL, REMOTE } from "./harness.ts";

export interface WireImpairment {
  delayMs: number;
  loss: number;
  duplicate: number;
  reorder: number;
  corrupt: number;
  seed: number;
}

interface InFlight {
  at: number;
  order: number;
  to: TcpEngine;
  src: number;
  dst: number;
  bytes: Uint8Array;
}

export class Pair {
  readonly clock = new ManualClock();
  private readonly timersA = new TimerService(this.clock);
  private readonly timersB = new TimerService(this.clock);
  readonly a: TcpEngine;
  readonly b: TcpEngine;
  private wire: InFlight[] = [];
  private order = 0;
  private readonly rand: () => number;
  delivered = 0;
  dropped = 0;

  readonly imp: WireImpairment;

  constructor(
    config: Partial<TcpConfig> = {},
    imp: WireImpairment = { delayMs: 1, loss: 0, duplicate: 0, reorder: 0, corrupt: 0, seed: 1 },
  ) {
    this.imp = imp;
    this.rand = seededRandom(imp.seed);
    const mk = (self: number, key: number): TcpEngine =>
      new TcpEngine({
        timers: self === LOCAL ? this.timersA : this.timersB,
        transmit: (src, dst, b, len) =>
          this.send(self === LOCAL ? this.b : this.a, src, dst, b.slice(0, len)),
        key: new Uint8Array(32).fill(key),
        config,
      });
    this.a = mk(LOCAL, 1);
    this.b = mk(REMOTE, 2);
  }

  private send(to: TcpEngine, src: number, dst: number, bytes: Uint8Array): void {
    const r = this.rand;
    if (r() < this.imp.loss) {
      this.dropped++;
      return;
    }
    let delay = this.imp.delayMs;
    if (r() < this.imp.reorder) delay += this.imp.delayMs * 2 * r();
    if (r() < this.imp.corrupt) bytes[Math.floor(r() * bytes.length)] ^= 0x5a;
    this.wire.push({ at: this.now + delay, order: this.order++, to, src, dst, bytes });
    if (r() < this.imp.duplicate)
      this.wire.push({ at: this.now + delay + 0.5, order: this.order++, to, src, dst, bytes: bytes.slice() });
  }

  get now(): number {
    return this.clock.now();
  }

  /** Runs until `done()` or `limitMs` of virtual time; returns the virtual time used. */
  run(done: () => boolean, limitMs = 600_000): number {
    const start = this.now;
    while (!done() && this.now - start < limitMs) {
      let nextWire = Infinity;
      let idx = -1;
      for (let i = 0; i < this.wire.length; i++) {
        const w = this.wire[i];
        if (w.at < nextWire || (w.at === nextWire && w.order < this.wire[idx].order)) {
          nextWire = w.at;
          idx = i;
        }
      }
      const ta = this.timersA.pending()[0]?.deadline ?? Infinity;
      const tb = this.timersB.pending()[0]?.deadline ?? Infinity;
      const next = Math.min(nextWire, ta, tb);
      if (next === Infinity) break;
      if (next > this.now) this.clock.advance(next - this.now);
      else if (next !== nextWire) this.clock.advance(0);
      if (next === nextWire) {
        const w = this.wire.splice(idx, 1)[0];
        this.delivered++;
        w.to.input(w.src, w.dst, w.bytes, 0, w.bytes.length);
      }
    }
    return this.now - start;
  }
}
