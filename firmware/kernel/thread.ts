// A thread: a task with a tid, a priority and a state, and the kernel calls it makes
// (as libc makes them on behalf of the calling thread). Blocking calls return promises
// that the kernel settles through the scheduler, at the priority the thread runs at.
import { KernelError, type Errno } from "./errno.ts";
import type { TimerHandle } from "./clock.ts";
import type { PendingSend } from "./channel.ts";
import type { Kernel } from "./kernel.ts";
import type { Process } from "./process.ts";
import { checkPriority } from "./priority-bitmap.ts";
import * as ipc from "./ipc.ts";
import type { MsgReceiveOptions, MsgSendOptions, Received, Reply, SigEvent, ThreadState } from "./types.ts";

/**
 * Undoes a blocked thread's membership of a wait queue. A module-level function plus its
 * argument, not a closure: blocking calls are the hot path, and a closure per call costs.
 */
export type CancelWait<A> = (arg: A, t: Thread) => void;

export interface BlockOptions<A> {
  timeoutMs?: number;
  cancel?: CancelWait<A>;
  cancelArg?: A;
  interruptible?: boolean;
}

/** The options of a call made without any (shared: no empty object per message). */
const NO_OPTIONS: Readonly<MsgSendOptions & MsgReceiveOptions> = Object.freeze({});

function clearSleepTimer(handle: { h: TimerHandle | null }, t: Thread): void {
  if (handle.h) t.kernel.clock.clearTimer(handle.h);
}

/** Runs a woken thread's continuation: the one place where a blocked call returns. */
function resumeThread(t: Thread): void {
  t.resume();
}

export class Thread {
  readonly tid: number;
  readonly process: Process;
  readonly kernel: Kernel;
  name: string;
  /** Priority the thread was created with or set to (SchedSet). */
  basePriority: number;
  /** Priority it runs at now (floated to a client's while serving its message). */
  priority: number;
  state: ThreadState = "READY";
  /** What the thread is blocked on, formatted only when someone asks (pidin). */
  private blockedOnValue: string | number = "";
  /** Counts of kernel calls made, for pidin and tests. */
  kernelCalls = 0;
  /** @internal The local message this thread sent and has no answer to yet (SEND or REPLY). */
  sending: PendingSend | null = null;
  /** @internal The PendingSend this thread reuses for every local MsgSend. */
  sendSlot: PendingSend | null = null;
  /** @internal The last message this thread received (the usual target of its MsgReply). */
  lastReceived: PendingSend | null = null;
  /** @internal Receive buffer size of the MsgReceive in progress. */
  recvBufSize = Number.MAX_SAFE_INTEGER;

  /** The blocked call's promise settlers (null when not blocked). */
  private resolveWait: ((v: unknown) => void) | null = null;
  private rejectWait: ((e: Error) => void) | null = null;
  /** One executor per thread, not a closure per blocking call. */
  private readonly takeSettlers = (resolve: (v: unknown) => void, reject: (e: Error) => void): void => {
    this.resolveWait = resolve;
    this.rejectWait = reject;
  };
  private wakeValue: unknown = undefined;
  private wakeError: Error | null = null;
  private timeout: TimerHandle | null = null;
  /** Undoes the thread's membership of a wait queue when it is unblocked early. */
  private cancelWait: CancelWait<unknown> | null = null;
  private cancelArg: unknown = undefined;
  private interruptible = false;
  /** Set while a wake-up is posted to the scheduler and not yet run. */
  private wakePending = false;

  constructor(kernel: Kernel, process: Process, tid: number, priority: number, name: string) {
    this.kernel = kernel;
    this.process = process;
    this.tid = tid;
    this.basePriority = priority;
    this.priority = priority;
    this.name = name;
  }

  get blocked(): boolean {
    return this.resolveWait !== null && !this.wakePending;
  }

  /** What pidin prints in its "Blocked" column (a pid, a chid, a path …). */
  get blockedOn(): string {
    return typeof this.blockedOnValue === "string" ? this.blockedOnValue : String(this.blockedOnValue);
  }

  set blockedOn(v: string) {
    this.blockedOnValue = v;
  }

  // ---- blocking machinery (used by ipc.ts, timers and the process) ----

  /** @internal Blocks the thread in `state` until woken, failed, interrupted or timed out. */
  block<T, A = unknown>(state: ThreadState, blockedOn: string, opts: BlockOptions<A> = {}): Promise<T> {
    return this.park<T, A>(state, blockedOn, opts.timeoutMs, opts.cancel, opts.cancelArg, opts.interruptible);
  }

  /**
   * @internal `block` with positional arguments: the message path calls it twice per round
   * trip, and an options object per call is garbage the collector then has to chase.
   */
  park<T, A = unknown>(
    state: ThreadState,
    blockedOn: string | number,
    timeoutMs?: number,
    cancel?: CancelWait<A>,
    cancelArg?: A,
    interruptible = true,
  ): Promise<T> {
    if (this.resolveWait) throw new KernelError("EBUSY", `thread ${this.tid} is already blocked`);
    this.state = state;
    this.blockedOnValue = blockedOn;
    this.cancelWait = (cancel as CancelWait<unknown> | undefined) ?? null;
    this.cancelArg = cancelArg;
    this.interruptible = interruptible;
    if (this.kernel.current === this) this.kernel.current = null;
    const p = new Promise<unknown>(this.takeSettlers) as Promise<T>;
    if (timeoutMs !== undefined && timeoutMs >= 0) {
      this.timeout = this.kernel.clock.setTimer(timeoutMs, () => {
        this.timeout = null;
        this.unblockEarly("ETIMEDOUT");
      });
    }
    return p;
  }

  /** @internal Makes the thread READY; its call returns `value` when the scheduler runs it at `prio`. */
  wake(value: unknown, prio = this.priority): void {
    this.ready(value, null, prio, false);
  }

  /**
   * @internal `wake` from the thread that runs now and hands the CPU over (MsgSend to a
   * waiting server, MsgReply): when nothing else is ready the woken thread resumes at once
   * instead of after a scheduler turn (see Scheduler.postSettle).
   */
  handOff(value: unknown, prio = this.priority): void {
    this.ready(value, null, prio, true);
  }

  /** @internal Makes the thread READY; its call fails with `err`. */
  fail(err: Error, prio = this.priority): void {
    this.ready(undefined, err, prio, false);
  }

  private ready(value: unknown, err: Error | null, prio: number, handOff: boolean): void {
    if (!this.resolveWait || this.wakePending) return;
    this.clearTimeout();
    this.cancelWait = null;
    this.cancelArg = undefined;
    this.wakeValue = value;
    this.wakeError = err;
    this.post(prio, handOff);
  }

  private post(prio: number, handOff: boolean): void {
    this.wakePending = true;
    this.state = "READY";
    if (handOff) this.kernel.scheduler.postSettle(prio, resumeThread, this);
    else this.kernel.scheduler.post(prio, resumeThread, this);
  }

  /** @internal Signal delivery: unblocks an interruptible call with EINTR. */
  interrupt(): boolean {
    if (!this.resolveWait || this.wakePending || !this.interruptible) return false;
    this.unblockEarly("EINTR");
    return true;
  }

  /** @internal The process died: the pending call never returns. */
  abandon(): void {
    this.clearTimeout();
    this.runCancel();
    this.resolveWait = null;
    this.rejectWait = null;
    this.wakePending = false;
    this.state = "DEAD";
    this.blockedOnValue = "";
  }

  /** @internal Called by the scheduler. */
  resume(): void {
    this.wakePending = false;
    const resolve = this.resolveWait;
    const reject = this.rejectWait as (e: Error) => void;
    if (!resolve) return;
    if (this.process.stopped) {
      // A stopped process (SIGSTOP/SIGTSTP) does not run until SIGCONT re-posts it.
      this.wakePending = true;
      this.state = "STOPPED";
      this.process.parked.push(this);
      return;
    }
    this.resolveWait = null;
    this.rejectWait = null;
    const cur = this.kernel.current;
    if (cur && cur !== this && cur.state === "RUNNING") cur.state = "READY";
    this.kernel.current = this;
    this.state = "RUNNING";
    this.blockedOnValue = "";
    if (this.wakeError) {
      const e = this.wakeError;
      this.wakeError = null;
      reject(e);
    } else {
      const v = this.wakeValue;
      this.wakeValue = undefined;
      resolve(v);
    }
  }

  /** @internal Re-posts a parked wake-up after SIGCONT. */
  unpark(): void {
    this.wakePending = false;
    if (this.resolveWait) this.post(this.priority, false);
  }

  private unblockEarly(errno: Errno): void {
    this.runCancel();
    this.fail(new KernelError(errno));
  }

  private runCancel(): void {
    const cancel = this.cancelWait;
    const arg = this.cancelArg;
    this.cancelWait = null;
    this.cancelArg = undefined;
    cancel?.(arg, this);
  }

  private clearTimeout(): void {
    if (this.timeout) {
      this.kernel.clock.clearTimer(this.timeout);
      this.timeout = null;
    }
  }

  private enter(): void {
    if (this.process.exited) throw new KernelError("ESRCH", `process ${this.process.pid} has ended`);
    this.kernelCalls++;
  }

  // ---- kernel calls ----

  ChannelCreate(flags = 0): number {
    this.enter();
    return ipc.channelCreate(this.kernel, this.process, flags);
  }

  ChannelDestroy(chid: number): void {
    this.enter();
    ipc.channelDestroy(this.kernel, this.process, chid);
  }

  ConnectAttach(nd: number, pid: number, chid: number, flags = 0): number {
    this.enter();
    return ipc.connectAttach(this.kernel, this.process, nd, pid, chid, flags);
  }

  ConnectDetach(coid: number): void {
    this.enter();
    ipc.connectDetach(this.kernel, this.process, coid, this.priority);
  }

  /** Sends `msg` and waits for the reply data (MsgSend). */
  MsgSend(coid: number, msg: Uint8Array, opts?: MsgSendOptions): Promise<Uint8Array> {
    // Resolves with the data itself (no async wrapper): the caller's continuation then runs
    // in the same scheduler slice as the reply, which is most of a round trip's cost.
    // Errors are still rejections, never synchronous throws.
    try {
      this.enter();
      return ipc.msgSendData(this.kernel, this, coid, msg, opts ?? NO_OPTIONS);
    } catch (err) {
      return Promise.reject(err);
    }
  }

  /** Like MsgSend, with the server's status (MsgReply's second argument) as well. */
  MsgSendReply(coid: number, msg: Uint8Array, opts?: MsgSendOptions): Promise<Reply> {
    this.enter();
    return ipc.msgSend(this.kernel, this, coid, msg, opts ?? NO_OPTIONS);
  }

  MsgReceive(chid: number, opts?: MsgReceiveOptions): Promise<Received> {
    this.enter();
    return ipc.msgReceive(this.kernel, this, chid, opts ?? NO_OPTIONS);
  }

  MsgReply(rcvid: number, status: number, data?: Uint8Array): void {
    this.enter();
    ipc.msgReply(this.kernel, this, rcvid, status, data);
  }

  MsgError(rcvid: number, errno: Errno, message?: string): void {
    this.enter();
    ipc.msgError(this.kernel, this, rcvid, new KernelError(errno, message));
  }

  MsgRead(rcvid: number, offset: number, len: number): Uint8Array {
    this.enter();
    return ipc.msgRead(this.kernel, this, rcvid, offset, len);
  }

  MsgWrite(rcvid: number, data: Uint8Array, offset: number): number {
    this.enter();
    return ipc.msgWrite(this.kernel, this, rcvid, data, offset);
  }

  MsgSendPulse(coid: number, priority: number, code: number, value: number): void {
    this.enter();
    ipc.msgSendPulse(this.kernel, this.process, coid, priority, code, value);
  }

  /**
   * @internal MsgSendPulse on this thread's connection from an interrupt-like host callback (a
   * driver's receive, a host timer), while no thread runs: see ipc.deliverPulse.
   */
  interruptPulse(coid: number, priority: number, code: number, value: number): void {
    this.enter();
    ipc.msgSendPulse(this.kernel, this.process, coid, priority, code, value, true);
  }

  MsgDeliverEvent(rcvid: number, event: SigEvent): void {
    this.enter();
    ipc.msgDeliverEvent(this.kernel, rcvid, event);
  }

  TimerCreate(event: SigEvent): number {
    this.enter();
    return this.kernel.timers.create(this.process, event);
  }

  TimerSettime(id: number, initialMs: number, intervalMs = 0): void {
    this.enter();
    this.kernel.timers.settime(this.process, id, initialMs, intervalMs);
  }

  TimerDestroy(id: number): void {
    this.enter();
    this.kernel.timers.destroy(this.process, id);
  }

  /** Sleeps in state NANOSLEEP; a caught signal ends it early with EINTR. */
  sleep(ms: number): Promise<void> {
    this.enter();
    const handle: { h: TimerHandle | null } = { h: null };
    const p = this.block<void, { h: TimerHandle | null }>("NANOSLEEP", "", {
      cancel: clearSleepTimer,
      cancelArg: handle,
    });
    handle.h = this.kernel.clock.setTimer(ms, () => {
      handle.h = null;
      this.wake(undefined);
    });
    return p;
  }

  /**
   * Waits for a promise that is not a kernel call (hardware I/O, a host API) while showing
   * `state` in pidin. The thread is READY again through the scheduler at its priority.
   */
  async waitFor<T>(state: ThreadState, blockedOn: string, work: Promise<T>): Promise<T> {
    this.enter();
    const p = this.block<T>(state, blockedOn, { interruptible: false });
    work.then(
      (v) => this.wake(v),
      (e: unknown) => this.fail(e instanceof Error ? e : new Error(String(e))),
    );
    return p;
  }

  /** SchedSet: changes the base priority (and the current one when not floated above it). */
  setPriority(prio: number): void {
    if (!checkPriority(prio)) throw new KernelError("EINVAL", `priority ${prio} out of range 0-255`);
    this.basePriority = prio;
    this.priority = prio;
  }
}
