// A middleware EthPort: wraps any driver's port (pcap, UDP, a hub's) and runs its received
// and its transmitted frames through two independent ImpairedPaths (impairment.ts), each with
// its own seeded RNG and delay queue. The driver above and the port below see an ordinary
// EthPort; the counters of what was done are in `impairmentCounters()`.
import type { Clock } from "../../firmware/kernel/clock.ts";
import {
  ETH_FRAME_OVERHEAD,
  isSendableLength,
  type EthPort,
  type EthStats,
  type FrameHandler,
  type LinkHandler,
} from "./eth-port.ts";
import { ImpairedPath, type ImpairmentCounters, type ImpairmentOptions } from "./impairment.ts";

export interface ImpairedPortOptions {
  /** Impairment of received frames (undefined: received frames pass untouched). */
  rx?: ImpairmentOptions;
  /** Impairment of transmitted frames (undefined: sent frames pass untouched). */
  tx?: ImpairmentOptions;
  clock: Clock;
}

export class ImpairedEthPort implements EthPort {
  readonly inner: EthPort;
  readonly rx: ImpairedPath | null;
  readonly tx: ImpairedPath | null;
  pauseReceive?: () => void;
  resumeReceive?: () => void;
  private handler: FrameHandler | null = null;
  private readonly deliverBound = (buf: Uint8Array, len: number): void => this.handler?.(buf, len);

  constructor(inner: EthPort, opts: ImpairedPortOptions) {
    this.inner = inner;
    const size = inner.mtu + ETH_FRAME_OVERHEAD;
    this.rx = opts.rx ? new ImpairedPath(opts.rx, opts.clock, this.deliverBound, size) : null;
    this.tx = opts.tx
      ? new ImpairedPath(opts.tx, opts.clock, (buf, len) => void inner.send(buf, len), size)
      : null;
    if (inner.pauseReceive && inner.resumeReceive) {
      this.pauseReceive = () => inner.pauseReceive?.();
      this.resumeReceive = () => inner.resumeReceive?.();
    }
  }

  get name(): string {
    return this.inner.name;
  }

  get mac(): Uint8Array {
    return this.inner.mac;
  }

  get mtu(): number {
    return this.inner.mtu;
  }

  get linkUp(): boolean {
    return this.inner.linkUp;
  }

  onFrame(cb: FrameHandler): void {
    this.handler = cb;
    const rx = this.rx;
    this.inner.onFrame(rx === null ? cb : (frame, len) => rx.push(frame, len, null));
  }

  onLink(cb: LinkHandler): void {
    this.inner.onLink(cb);
  }

  /** A frame the port below would refuse is refused now (and counted there); an accepted one
   * may still be lost on the impaired path, as on a real wire. */
  send(frame: Uint8Array, len: number = frame.length): boolean {
    const tx = this.tx;
    if (tx === null || !this.inner.linkUp || len > frame.length || !isSendableLength(len, this.mtu)) {
      return this.inner.send(frame, len);
    }
    tx.push(frame, len, null);
    return true;
  }

  stats(): EthStats {
    return this.inner.stats();
  }

  impairmentCounters(): { rx: ImpairmentCounters | null; tx: ImpairmentCounters | null } {
    return {
      rx: this.rx === null ? null : { ...this.rx.counters },
      tx: this.tx === null ? null : { ...this.tx.counters },
    };
  }

  /** Resolves once no frame waits in either delay queue. */
  async idle(): Promise<void> {
    await this.rx?.idle();
    await this.tx?.idle();
  }

  close(): void {
    this.rx?.clear();
    this.tx?.clear();
    this.handler = null;
    this.inner.close();
  }
}

/** nicinfo's line for one direction: "loss 3% … seed 7: 1000 frames, 31 lost, …". */
export function describeImpairedPath(path: ImpairedPath<null> | null): string {
  if (path === null) return "none";
  const c = path.counters;
  return (
    `${path.impairment.describe()}: ${c.frames} frames, ${c.dropped} lost, ${c.duplicated} duplicated, ` +
    `${c.reordered} reordered, ${c.corrupted} corrupted, ${c.delayed} delayed, ${c.overflow} overflow`
  );
}
