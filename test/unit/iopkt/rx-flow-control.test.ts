// IfBinding's receive path under a flood: a full queue pauses the port and costs no buffer,
// the port resumes once the workers drained the queue below half, and each dropped frame is
// counted once per counter meaning (queue full vs. no buffers).
import { beforeEach, describe, expect, it } from "vitest";
import { ManualClock } from "../../../firmware/kernel/clock.ts";
import {
  IfBinding,
  RX_BATCH,
  RX_QUEUE_FRAMES,
  RX_RESUME_FRAMES,
  RX_TURN_BUDGET,
} from "../../../firmware/net/manager/interface-binding.ts";
import type { L2Workers } from "../../../firmware/net/manager/workers.ts";
import type { Ifnet } from "../../../firmware/net/stack/ifnet.ts";
import { Stack } from "../../../firmware/net/stack/stack.ts";
import { emptyStats, type EthPort, type FrameHandler } from "../../../hal/eth/eth-port.ts";

class PausablePort implements EthPort {
  readonly name = "fake0";
  readonly mac = Uint8Array.of(2, 0, 0, 0, 0, 1);
  readonly mtu = 1500;
  readonly linkUp = true;
  paused = false;
  pauseCalls = 0;
  resumeCalls = 0;
  /** What the host reported below the port (pcap_stats) and the port's own drops. */
  host = { ring: 0, ifdrop: 0, own: 0 };
  onFrame(_cb: FrameHandler): void {}
  onLink(): void {}
  send(): boolean {
    return true;
  }
  stats() {
    const h = this.host;
    return {
      ...emptyStats(),
      rxRingDrops: h.ring,
      rxIfDrops: h.ifdrop,
      rxDropped: h.ring + h.ifdrop + h.own,
    };
  }
  close(): void {}
  pauseReceive(): void {
    this.paused = true;
    this.pauseCalls++;
  }
  resumeReceive(): void {
    this.paused = false;
    this.resumeCalls++;
  }
}

/** Records pulses instead of sending them; the test drains by hand. */
function fakeWorkers(): { workers: L2Workers; pulses: number[] } {
  const pulses: number[] = [];
  const workers = { pulse: (prio: number) => (pulses.push(prio), true) } as unknown as L2Workers;
  return { workers, pulses };
}

const FRAME = new Uint8Array(60).fill(0xab);

describe("IfBinding receive flow control", () => {
  let stack: Stack;
  let ifp: Ifnet;
  let port: PausablePort;
  let b: IfBinding;

  function bind(poolBuffers?: number, more: Partial<ConstructorParameters<typeof IfBinding>[0]> = {}): void {
    stack = new Stack({ clock: new ManualClock(), poolBuffers });
    ifp = stack.attach({ mac: 0x020000000001, output: () => {} });
    port = new PausablePort();
    b = new IfBinding({
      slot: 0,
      ifp,
      port,
      module: "test",
      requestedPriority: 10,
      priority: 10,
      stack,
      workers: fakeWorkers().workers,
      ...more,
    });
  }

  beforeEach(() => bind());

  it("pauses the port when the queue fills and resumes it below half", () => {
    for (let i = 0; i < RX_QUEUE_FRAMES; i++) b.onFrame(FRAME, FRAME.length);
    expect(b.queued).toBe(RX_QUEUE_FRAMES);
    expect(port.paused).toBe(true);
    expect(port.pauseCalls).toBe(1);
    // Frames the current dispatch still delivers are dropped without another pause call.
    for (let i = 0; i < 10; i++) b.onFrame(FRAME, FRAME.length);
    expect(port.pauseCalls).toBe(1);
    expect(b.queueDrops).toBe(10);
    let drained = 0;
    while (b.queued > RX_RESUME_FRAMES + RX_BATCH) {
      drained += b.drain();
      expect(port.paused).toBe(true);
    }
    while (port.paused) drained += b.drain();
    expect(b.queued).toBeLessThanOrEqual(RX_RESUME_FRAMES);
    expect(drained).toBeGreaterThanOrEqual(RX_QUEUE_FRAMES - RX_RESUME_FRAMES);
    expect(port.resumeCalls).toBe(1);
    expect(b.pauses).toBe(1);
  });

  it("counts a queue-full drop as a queue drop and an input drop, never as 'no buffers'", () => {
    for (let i = 0; i < RX_QUEUE_FRAMES + 5; i++) b.onFrame(FRAME, FRAME.length);
    expect(b.queueDrops).toBe(5);
    expect(ifp.counters.iqdrops).toBe(5);
    expect(ifp.counters.ipackets).toBe(5); // the queued ones are counted by ether_input
    expect(stack.stats.ether.nobufs).toBe(0);
    expect(stack.stats.ether.frames).toBe(0);
    // The drop path takes no buffer from the pool.
    expect(stack.pool.inUse).toBe(RX_QUEUE_FRAMES);
  });

  it("counts an exhausted pool as 'no buffers' and an input drop, not as a queue drop", () => {
    bind(8);
    for (let i = 0; i < 12; i++) b.onFrame(FRAME, FRAME.length);
    expect(b.queued).toBe(8);
    expect(b.queueDrops).toBe(0);
    expect(stack.stats.ether.nobufs).toBe(4);
    expect(ifp.counters.iqdrops).toBe(4);
    expect(port.paused).toBe(false);
  });

  it("copies only the first len bytes of a longer buffer", () => {
    const big = new Uint8Array(2000).fill(7);
    b.onFrame(big, 64);
    expect(b.queued).toBe(1);
    expect(stack.pool.inUse).toBe(1);
  });

  it("reports every receive loss by place and adds the host's to the input drops", () => {
    bind(RX_QUEUE_FRAMES + 8);
    for (let i = 0; i < RX_QUEUE_FRAMES + 6; i++) b.onFrame(FRAME, FRAME.length);
    port.host = { ring: 1000, ifdrop: 2, own: 3 };
    expect(b.rxDrops()).toEqual({ hostIf: 2, ring: 1000, port: 3, queue: 6, nobufs: 0 });
    const c = b.counters();
    expect(c.iqdrops).toBe(6 + 1000 + 2 + 3);
    // The stack's own record is left alone: the host's part is added where it is reported.
    expect(ifp.counters.iqdrops).toBe(6);
    // Every frame that reached the port is either queued or counted as dropped.
    expect(b.queued + b.rxDrops().queue + b.rxDrops().nobufs).toBe(RX_QUEUE_FRAMES + 6);
  });

  it("counts pool exhaustion in the breakdown as nobufs", () => {
    bind(8);
    for (let i = 0; i < 12; i++) b.onFrame(FRAME, FRAME.length);
    expect(b.rxDrops()).toEqual({ hostIf: 0, ring: 0, port: 0, queue: 0, nobufs: 4 });
    expect(b.counters().iqdrops).toBe(4);
  });

  it("yields to the next event-loop turn after RX_TURN_BUDGET frames in a row while sockets overflow", () => {
    const { workers, pulses } = fakeWorkers();
    const turns: (() => void)[] = [];
    let fullDrops = 0;
    bind(undefined, { workers, nextTurn: (fn) => turns.push(fn), rcvFullDrops: () => fullDrops });
    for (let i = 0; i < RX_QUEUE_FRAMES; i++) b.onFrame(FRAME, FRAME.length);
    expect(pulses.length).toBe(1);
    // No socket overflows: a budget's worth of frames goes by, and the pulse is re-armed as ever.
    let drained = 0;
    while (drained < RX_TURN_BUDGET) drained += b.drain();
    expect(turns.length).toBe(0);
    expect(pulses.length).toBe(RX_TURN_BUDGET / RX_BATCH + 1);
    // A socket overflows during the next budget: its end waits for the next turn.
    fullDrops = 7;
    drained = 0;
    while (turns.length === 0) drained += b.drain();
    expect(drained).toBe(RX_TURN_BUDGET);
    expect(b.deferrals).toBe(1);
    // No pulse now, and a frame arriving meanwhile does not arm one either.
    const sent = pulses.length;
    b.onFrame(FRAME, FRAME.length);
    expect(pulses.length).toBe(sent);
    // The next turn re-arms; with no new overflow, the next budget does not yield.
    turns.shift()?.();
    expect(pulses.length).toBe(sent + 1);
    while (b.queued > 0) b.drain();
    expect(turns.length).toBe(0);
    expect(b.deferrals).toBe(1);
  });
});
