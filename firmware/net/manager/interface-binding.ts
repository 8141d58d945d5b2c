// One interface as io-pkt runs it: the driver's port, the stack's ifnet, the receive queue
// and the receive pulse. The port's frame callback is the "interrupt": it copies the frame
// once into a pool buffer, queues it, and sends a receive pulse at the interface's priority
// unless one is already on its way. A worker then drains a bounded batch and re-arms.
// Receive livelock: strict priority lets a flood keep the receive pulse busy for as long as it
// lasts, so a program below rx_prio reading the flood's datagrams never runs, its socket buffer
// overflows, and io-pkt pays for every frame it then drops there. As in Mogul and Ramakrishnan's
// livelock fix (feedback from the queue that overflows) and Linux's NAPI budget: once an
// interface has taken RX_TURN_BUDGET frames in a row while some socket buffer overflowed, its
// pulse is re-armed on the host's next event-loop turn, and the readers run in between. Without
// overflowing sockets nothing changes: the budget alone does not yield.
import { ETH_FRAME_OVERHEAD, type EthPort } from "../../../hal/eth/eth-port.ts";
import type { IfCounters, Ifnet } from "../stack/ifnet.ts";
import { pbufFree } from "../stack/pbuf.ts";
import type { Stack } from "../stack/stack.ts";
import type { DriverDetail } from "./module-descriptor.ts";
import { PULSE_RX } from "./pulse-codes.ts";
import { RxQueue } from "./rx-queue.ts";
import type { L2Workers } from "./workers.ts";

/** Frames a worker processes per receive pulse before it re-arms the pulse. */
export const RX_BATCH = 16;
/** Frames queued per interface before the driver drops (counted as input drops). */
export const RX_QUEUE_FRAMES = 1024;
/** Queue length at which a paused port is resumed (flow control with hysteresis). */
export const RX_RESUME_FRAMES = RX_QUEUE_FRAMES / 2;
/** Frames an interface takes up the stack in a row before readers of full sockets get a turn. */
export const RX_TURN_BUDGET = 256;

/**
 * Where an interface's received frames were lost before the stack saw them, bottom up: the
 * host interface, the host kernel's capture ring (a NIC's ring overrun), the port, our receive
 * queue, the buffer pool. nicinfo prints each; their sum is netstat -i's Idrop share below
 * the stack.
 */
export interface RxDrops {
  /** Dropped by the host interface before capture (pcap_stats ps_ifdrop). */
  hostIf: number;
  /** The host kernel's capture ring was full (pcap_stats ps_drop). */
  ring: number;
  /** The port could not hand the frame over (no handler, truncated capture). */
  port: number;
  /** io-pkt's receive queue for the interface was full. */
  queue: number;
  /** No packet buffer was free. */
  nobufs: number;
}

export class IfBinding {
  readonly slot: number;
  readonly ifp: Ifnet;
  readonly port: EthPort;
  /** Name of the module that attached it. */
  readonly module: string;
  /** priority= as the driver was given it (undefined: rx_prio). */
  readonly requestedPriority: number | undefined;
  /** The receive pulse priority in use (setPriority changes it). */
  priority: number;
  readonly details: () => DriverDetail[];
  private readonly onPriority: ((priority: number) => void) | undefined;
  /** mru=: the largest payload taken in (undefined: the MTU's limit, the port's). */
  readonly mru: number | undefined;
  /** Longest frame taken in under mru= (payload, header and one VLAN tag). */
  private readonly maxFrame: number;
  /** Frames dropped because the receive queue was full. */
  queueDrops = 0;
  /** Frames dropped because the buffer pool was empty. */
  nobufDrops = 0;
  /** Receive pulses sent (including re-arms). */
  pulses = 0;
  private readonly stack: Stack;
  private readonly workers: L2Workers;
  private readonly queue = new RxQueue(RX_QUEUE_FRAMES);
  private pulsePending = false;
  /** Whether the port was asked to stop receiving because the queue filled. */
  receivePaused = false;
  /** Times the queue filled and the port was paused. */
  pauses = 0;
  private closed = false;
  /** The port's frame callback, bound once (no closure per frame). */
  readonly onFrame: (frame: Uint8Array, len: number) => void;
  /** Frames drained since the queue was last empty or the last deferral (RX_TURN_BUDGET). */
  private turnFrames = 0;
  /** The socket layer's full-buffer drop count (0 without one), as of the last budget check. */
  private readonly rcvFullDrops: () => number;
  private rcvFullSeen = 0;
  /** Times the budget deferred the rest of the queue to the next turn. */
  deferrals = 0;
  private readonly nextTurn: (fn: () => void) => void;
  private readonly rearmBound = (): void => {
    if (this.queue.length !== 0 && !this.closed) this.arm();
    else this.pulsePending = false;
  };

  constructor(opts: {
    slot: number;
    ifp: Ifnet;
    port: EthPort;
    module: string;
    requestedPriority: number | undefined;
    priority: number;
    stack: Stack;
    workers: L2Workers;
    details?: () => DriverDetail[];
    onPriority?: (priority: number) => void;
    mru?: number;
    /** Runs `fn` on the host's next event-loop turn (default setImmediate). */
    nextTurn?: (fn: () => void) => void;
    /** Datagrams dropped so far at full socket buffers (the livelock feedback). */
    rcvFullDrops?: () => number;
  }) {
    this.slot = opts.slot;
    this.ifp = opts.ifp;
    this.port = opts.port;
    this.module = opts.module;
    this.requestedPriority = opts.requestedPriority;
    this.priority = opts.priority;
    this.stack = opts.stack;
    this.workers = opts.workers;
    this.details = opts.details ?? (() => []);
    this.onPriority = opts.onPriority;
    this.mru = opts.mru;
    this.maxFrame = opts.mru === undefined ? Number.POSITIVE_INFINITY : opts.mru + ETH_FRAME_OVERHEAD;
    this.onFrame = (frame, len) => this.receive(frame, len);
    this.nextTurn = opts.nextTurn ?? setImmediate;
    this.rcvFullDrops = opts.rcvFullDrops ?? (() => 0);
  }

  /** Sets the receive priority; the driver hears of a change. */
  setPriority(priority: number): void {
    if (priority === this.priority) return;
    this.priority = priority;
    this.onPriority?.(priority);
  }

  /** Driver context: one received frame (valid only during the call). */
  private receive(frame: Uint8Array, len: number): void {
    if (this.closed) return;
    const st = this.stack;
    const counters = this.ifp.counters;
    if (len > this.maxFrame) {
      counters.ierrors++; // longer than mru=: a receive error, as a NIC counts a giant
      return;
    }
    // A full queue is checked first so a flood's excess costs two increments, not a buffer.
    if (this.queue.length === this.queue.capacity) {
      this.queueDrops++;
      counters.ipackets++;
      counters.iqdrops++;
      this.pauseReceive();
      return;
    }
    const pb = len <= st.pool.dataSize ? st.pool.alloc() : st.pool.allocSize(len);
    if (pb === null) {
      // Same accounting as a frame the stack could not take in (Stack.input): netstat -s "no buffers".
      st.stats.ether.frames++;
      st.stats.ether.nobufs++;
      this.nobufDrops++;
      counters.ipackets++;
      counters.iqdrops++;
      return;
    }
    pb.bytes.set(len === frame.length ? frame : frame.subarray(0, len), pb.off);
    pb.len = len;
    this.queue.push(pb);
    if (this.queue.length === this.queue.capacity) this.pauseReceive();
    if (!this.pulsePending) this.arm();
  }

  private pauseReceive(): void {
    if (this.receivePaused) return;
    this.receivePaused = true;
    this.pauses++;
    this.port.pauseReceive?.();
  }

  private arm(): void {
    this.pulsePending = true;
    this.pulses++;
    if (!this.workers.pulse(this.priority, PULSE_RX, this.slot)) this.pulsePending = false;
  }

  /** Worker context: up to RX_BATCH frames up the stack; re-arms when frames remain. */
  drain(): number {
    this.pulsePending = false;
    let n = 0;
    const st = this.stack;
    const ifp = this.ifp;
    while (n < RX_BATCH) {
      const pb = this.queue.shift();
      if (pb === null) break;
      n++;
      if (this.closed) pbufFree(pb);
      else st.etherInput(ifp, pb);
    }
    // Resume below half, not at the first free slot, so the port is not toggled per frame.
    if (this.receivePaused && this.queue.length <= RX_RESUME_FRAMES) {
      this.receivePaused = false;
      this.port.resumeReceive?.();
    }
    if (this.queue.length !== 0 && !this.closed) {
      this.turnFrames += n;
      if (this.turnFrames < RX_TURN_BUDGET) this.arm();
      else {
        this.turnFrames = 0;
        // Did a socket buffer overflow while these frames went up the stack?
        const full = this.rcvFullDrops();
        const overflowed = full !== this.rcvFullSeen;
        this.rcvFullSeen = full;
        if (!overflowed) this.arm();
        else {
          // pulsePending stays true: the driver callback does not arm while the re-arm waits.
          this.pulsePending = true;
          this.deferrals++;
          this.nextTurn(this.rearmBound);
        }
      }
    } else this.turnFrames = 0;
    return n;
  }

  /** Receive losses below the stack, per place (the port's are as of its last report). */
  rxDrops(): RxDrops {
    const ps = this.port.stats();
    return {
      hostIf: ps.rxIfDrops,
      ring: ps.rxRingDrops,
      port: ps.rxDropped - ps.rxRingDrops - ps.rxIfDrops,
      queue: this.queueDrops,
      nobufs: this.nobufDrops,
    };
  }

  /**
   * The interface's counters as netstat -i and nicinfo report them: the stack's, with the
   * frames lost below the driver (host ring, host interface, port) added to the input drops,
   * as a NIC driver adds its missed-frame count to if_iqdrops. Our own queue and pool drops
   * are in the stack's iqdrops already.
   */
  counters(): IfCounters {
    const c = { ...this.ifp.counters };
    c.iqdrops += this.port.stats().rxDropped;
    return c;
  }

  get queued(): number {
    return this.queue.length;
  }

  /** Stops receiving; queued buffers go back to the pool. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.port.onFrame(() => {});
    this.port.onLink(() => {});
    for (let pb = this.queue.shift(); pb !== null; pb = this.queue.shift()) pbufFree(pb);
    this.port.close();
  }
}
