// The L2 workers: `-t n` threads RECEIVE-blocked on io-pkt's event channel. Receive and
// timer events arrive there as pulses; the kernel queues pulses by priority (FIFO within
// one), and a worker that takes one floats to its priority, so the highest-priority
// interface is always serviced first. Each pulse is bounded work (a batch of frames, or one
// timer); a queue with frames left re-arms its pulse at the back of its priority.
//
// The stack context: a worker handles a pulse synchronously, from taking it to the end of
// the batch, so exactly one worker at a time runs the upper layers — the JavaScript turn is
// the lock, and the worker that serviced the "hardware" queue processes its frames up the
// stack directly, with no hand-off (as io-pkt's workers take the stack context).
import { KernelError } from "../../kernel/errno.ts";
import type { Thread } from "../../kernel/thread.ts";
import { CHF } from "../../kernel/types.ts";
import { PULSE_QUIT, PULSE_RX, PULSE_TIMER } from "./pulse-codes.ts";

export interface WorkerHandlers {
  /** Processes up to a batch of frames of interface `slot`; returns the frames handled. */
  rx(slot: number): number;
  /** Runs stack timer `id`. */
  timer(id: number): void;
}

export interface WorkerStats {
  thread: Thread;
  role: "l2";
  pulses: number;
  frames: number;
}

export class L2Workers {
  readonly chid: number;
  /** The connection pulses are sent on (the process's own connection to its event channel). */
  readonly coid: number;
  readonly stats: WorkerStats[] = [];
  private readonly owner: Thread;
  private readonly handlers: WorkerHandlers;
  private stopped = false;
  /** Pulses that could not be sent (process gone). */
  lost = 0;

  /** `owner` is the io-pkt thread that creates the channel; it also sends pulses for interrupt-like callbacks. */
  constructor(owner: Thread, handlers: WorkerHandlers) {
    this.owner = owner;
    this.handlers = handlers;
    // Fixed-priority channels do not float; ours must, so no CHF_FIXED_PRIORITY.
    this.chid = owner.ChannelCreate(CHF.COID_DISCONNECT);
    this.coid = owner.ConnectAttach(0, owner.process.pid, this.chid);
  }

  /** Starts `n` workers named as pidin shows them: io-pkt#0x00, io-pkt#0x01 … */
  start(n: number, priority: number): void {
    for (let i = 0; i < n; i++) {
      const name = `io-pkt#0x${i.toString(16).padStart(2, "0")}`;
      const t = this.owner.process.createThread((th) => this.loop(th, s), { name, priority });
      const s: WorkerStats = { thread: t, role: "l2", pulses: 0, frames: 0 };
      this.stats.push(s);
    }
  }

  get count(): number {
    return this.stats.length;
  }

  /**
   * Sends a pulse from outside any io-pkt thread (a driver's receive callback, a host timer):
   * the kernel-side equivalent of an interrupt event. False if io-pkt is gone.
   */
  pulse(priority: number, code: number, value: number): boolean {
    if (this.stopped) return false;
    try {
      this.owner.interruptPulse(this.coid, priority, code, value);
      return true;
    } catch {
      this.lost++;
      return false;
    }
  }

  stop(): void {
    if (this.stopped) return;
    for (let i = 0; i < this.stats.length; i++) this.pulse(255, PULSE_QUIT, 0);
    this.stopped = true;
  }

  private async loop(t: Thread, s: WorkerStats): Promise<void> {
    for (;;) {
      let r;
      try {
        r = await t.MsgReceive(this.chid);
      } catch (e) {
        if (e instanceof KernelError && e.errno === "EINTR") continue;
        return;
      }
      const p = r.pulse;
      if (p === undefined) {
        // Nobody should send messages here; refuse them rather than leave the client blocked.
        t.MsgError(r.rcvid, "ENOSYS");
        continue;
      }
      s.pulses++;
      if (p.code === PULSE_RX) s.frames += this.handlers.rx(p.value);
      else if (p.code === PULSE_TIMER) this.handlers.timer(p.value);
      else if (p.code === PULSE_QUIT) return;
    }
  }
}
