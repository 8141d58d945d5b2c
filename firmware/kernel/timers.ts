// Kernel timers (TimerCreate/TimerSettime/TimerDestroy): each fires a sigevent, usually a
// pulse at a chosen priority, once or periodically. They belong to a process and die with it.
import type { TimerHandle } from "./clock.ts";
import { KernelError } from "./errno.ts";
import { deliverEvent } from "./ipc.ts";
import type { Kernel } from "./kernel.ts";
import type { Process } from "./process.ts";
import type { SigEvent } from "./types.ts";

interface KTimer {
  id: number;
  owner: Process;
  event: SigEvent;
  handle: TimerHandle | null;
  intervalMs: number;
  overruns: number;
}

export class TimerTable {
  private readonly kernel: Kernel;
  private readonly timers = new Map<number, KTimer>();
  private nextId = 1;

  constructor(kernel: Kernel) {
    this.kernel = kernel;
  }

  get count(): number {
    return this.timers.size;
  }

  create(owner: Process, event: SigEvent): number {
    const id = this.nextId++;
    this.timers.set(id, { id, owner, event, handle: null, intervalMs: 0, overruns: 0 });
    owner.timers.add(id);
    return id;
  }

  /** Arms (initialMs > 0) or disarms (initialMs = 0) the timer; intervalMs > 0 repeats it. */
  settime(owner: Process, id: number, initialMs: number, intervalMs: number): void {
    const t = this.own(owner, id);
    if (initialMs < 0 || intervalMs < 0) throw new KernelError("EINVAL", "negative timer value");
    this.disarm(t);
    t.intervalMs = intervalMs;
    if (initialMs > 0) this.arm(t, initialMs);
  }

  destroy(owner: Process, id: number): void {
    const t = this.own(owner, id);
    this.disarm(t);
    this.timers.delete(id);
    owner.timers.delete(id);
  }

  destroyAll(owner: Process): void {
    for (const id of owner.timers) {
      const t = this.timers.get(id);
      if (t) {
        this.disarm(t);
        this.timers.delete(id);
      }
    }
    owner.timers.clear();
  }

  private own(owner: Process, id: number): KTimer {
    const t = this.timers.get(id);
    if (!t || t.owner !== owner) throw new KernelError("EINVAL", `no timer ${id}`);
    return t;
  }

  private arm(t: KTimer, ms: number): void {
    t.handle = this.kernel.clock.setTimer(ms, () => {
      t.handle = null;
      if (t.intervalMs > 0) this.arm(t, t.intervalMs);
      try {
        deliverEvent(t.owner, t.event);
      } catch (err) {
        t.overruns++;
        this.kernel.slog.log(
          1,
          0,
          3,
          `timer ${t.id} of pid ${t.owner.pid}: ${(err as Error).message}`,
          t.owner.pid,
        );
      }
    });
  }

  private disarm(t: KTimer): void {
    if (t.handle) {
      this.kernel.clock.clearTimer(t.handle);
      t.handle = null;
    }
  }
}
