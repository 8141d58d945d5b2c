// An in-process virtual Ethernet wire: a hub that repeats every frame to every other
// attached port, for tests and for several simulated nodes in one process.
//
// Delivery is asynchronous: `send` copies the frame into a pooled buffer and queues it; the
// queue is drained in a microtask (bounded batches, then setImmediate so a ping-pong between
// two nodes cannot starve the event loop). Receivers therefore never run inside the sender's
// `send` call — no re-entrancy, no unbounded recursion — and frames arrive in send order.
// An impaired hub runs every frame through one ImpairedPath (impairment.ts, the same fault
// injector drivers wrap their ports with): its delay queue is served by a timer of the
// injectable Clock, so tests with a ManualClock decide when delayed frames arrive.
import { SystemClock, type Clock } from "../../firmware/kernel/clock.ts";
import { KernelError } from "../../firmware/kernel/errno.ts";
import { ETH_FRAME_OVERHEAD } from "./eth-port.ts";
import { EthPortBase } from "./eth-port-base.ts";
import { FramePool } from "./frame-pool.ts";
import { ImpairedPath, Impairment, type ImpairmentOptions } from "./impairment.ts";
import { localMac } from "./mac.ts";

export interface VirtualWireOptions {
  name?: string;
  /** MTU of every port on the wire (default 1500). */
  mtu?: number;
  clock?: Clock;
  impairment?: ImpairmentOptions;
}

/** Frames delivered per drain before yielding to the event loop. */
const DRAIN_BATCH = 256;

export class VirtualWire {
  readonly name: string;
  readonly mtu: number;
  private readonly clock: Clock;
  private path: ImpairedPath<VirtualWirePort> | null;
  private readonly pool: FramePool;
  private readonly attached: VirtualWirePort[] = [];
  private nextIndex = 0;
  // The delivery queue as parallel arrays: no object per frame.
  private qBuf: Uint8Array[] = [];
  private qLen: number[] = [];
  private qFrom: VirtualWirePort[] = [];
  private qHead = 0;
  private drainScheduled = false;
  private idleWaiters: (() => void)[] = [];
  private closed = false;
  private readonly drainBound = (): void => this.drain();

  constructor(opts: VirtualWireOptions = {}) {
    this.name = opts.name ?? "vwire0";
    this.mtu = opts.mtu ?? 1500;
    this.clock = opts.clock ?? new SystemClock();
    this.pool = new FramePool(this.mtu + ETH_FRAME_OVERHEAD);
    this.path = this.impairedPath(opts.impairment);
  }

  /** Plugs a new port into the hub. The MAC defaults to a stable locally administered one. */
  attach(opts: { mac?: Uint8Array; name?: string } = {}): VirtualWirePort {
    if (this.closed) throw new KernelError("ENODEV", `virtual wire ${this.name} is closed`);
    const index = this.nextIndex++;
    const mac = opts.mac ?? localMac(hashName(this.name) + index);
    const port = new VirtualWirePort(this, opts.name ?? `vwire:${this.name}/${index}`, mac, this.mtu);
    this.attached.push(port);
    return port;
  }

  /** Changes loss/duplication/delay for frames sent from now on. */
  setImpairment(opts: ImpairmentOptions): void {
    this.path?.clear();
    this.path = this.impairedPath(opts);
  }

  /** What the hub's impairment did so far (null: the hub is clean). */
  get impairment(): ImpairedPath<VirtualWirePort> | null {
    return this.path;
  }

  get ports(): readonly VirtualWirePort[] {
    return this.attached;
  }

  /** Resolves once every queued and delayed frame has been delivered. */
  idle(): Promise<void> {
    if (this.isIdle()) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Detaches every port; frames still queued are discarded. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const p of [...this.attached]) p.close();
    this.qBuf = [];
    this.qLen = [];
    this.qFrom = [];
    this.qHead = 0;
    this.path?.clear();
    this.wakeIdle();
  }

  /** @internal called by a port's send. */
  transmit(from: VirtualWirePort, frame: Uint8Array, len: number): void {
    if (this.path === null) this.enqueue(from, this.pool.copyOf(frame, len), len);
    else this.path.push(frame, len, from);
  }

  /** @internal called by a port's close. */
  detach(port: VirtualWirePort): void {
    const i = this.attached.indexOf(port);
    if (i >= 0) this.attached.splice(i, 1);
  }

  private impairedPath(opts: ImpairmentOptions | undefined): ImpairedPath<VirtualWirePort> | null {
    const imp = new Impairment(opts);
    if (imp.isClean) return null;
    const path = new ImpairedPath<VirtualWirePort>(
      imp,
      this.clock,
      (buf, len, from) => this.enqueue(from, this.pool.copyOf(buf, len), len),
      this.mtu + ETH_FRAME_OVERHEAD,
    );
    return path;
  }

  private enqueue(from: VirtualWirePort, buf: Uint8Array, len: number): void {
    this.qBuf.push(buf);
    this.qLen.push(len);
    this.qFrom.push(from);
    if (!this.drainScheduled) {
      this.drainScheduled = true;
      queueMicrotask(this.drainBound);
    }
  }

  private drain(): void {
    // drainScheduled stays true while draining: frames sent by receivers join this queue
    // instead of scheduling another microtask (which could loop without ever yielding).
    let budget = DRAIN_BATCH;
    while (this.qHead < this.qBuf.length && budget-- > 0) {
      const i = this.qHead++;
      const buf = this.qBuf[i]!;
      const len = this.qLen[i]!;
      const from = this.qFrom[i]!;
      const ports = this.attached;
      for (let p = 0; p < ports.length; p++) {
        const port = ports[p]!;
        if (port !== from) port.deliver(buf, len);
      }
      this.pool.give(buf);
    }
    if (this.qHead < this.qBuf.length) {
      // Drop the delivered head so a queue that never empties does not grow.
      this.qBuf.splice(0, this.qHead);
      this.qLen.splice(0, this.qHead);
      this.qFrom.splice(0, this.qHead);
      this.qHead = 0;
      setImmediate(this.drainBound);
      return;
    }
    this.drainScheduled = false;
    this.qBuf.length = 0;
    this.qLen.length = 0;
    this.qFrom.length = 0;
    this.qHead = 0;
    this.wakeIdle();
  }

  private isIdle(): boolean {
    return this.qHead >= this.qBuf.length && (this.path === null || this.path.pending === 0);
  }

  private wakeIdle(): void {
    if (!this.isIdle() && !this.closed) return;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const w of waiters) w();
  }
}

export class VirtualWirePort extends EthPortBase {
  readonly name: string;
  readonly mac: Uint8Array;
  readonly mtu: number;
  private readonly wire: VirtualWire;
  private carrier = true;
  private open = true;

  constructor(wire: VirtualWire, name: string, mac: Uint8Array, mtu: number) {
    super();
    this.wire = wire;
    this.name = name;
    this.mac = mac;
    this.mtu = mtu;
  }

  get linkUp(): boolean {
    return this.open && this.carrier;
  }

  send(frame: Uint8Array, len: number = frame.length): boolean {
    if (!this.mayTransmit(frame, len, this.linkUp)) return false;
    this.countTransmitted(len);
    this.wire.transmit(this, frame, len);
    return true;
  }

  /** Simulates pulling (false) or plugging (true) the cable of this port. */
  setLink(up: boolean): void {
    if (!this.open || up === this.carrier) return;
    this.carrier = up;
    this.linkHandler?.(up);
  }

  close(): void {
    if (!this.open) return;
    this.open = false;
    this.wire.detach(this);
    this.dropHandlers();
  }

  /** @internal called by the wire for each frame from another port. */
  deliver(buf: Uint8Array, len: number): void {
    if (!this.carrier) return;
    this.handOver(buf, len, true);
  }
}

/** FNV-1a of the wire name: different wires get different default MACs. */
function hashName(name: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 0x01000193) >>> 0;
  return h & 0xffff00;
}
