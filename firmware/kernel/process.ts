// A process: pid, credentials, descriptors, threads, channels, connections and timers,
// with signals and an exit status. When it ends, the kernel releases everything it held.
import type { Channel, Connection } from "./channel.ts";
import { KernelError } from "./errno.ts";
import { FdTable } from "./fd-table.ts";
import type { Kernel } from "./kernel.ts";
import { checkPriority } from "./priority-bitmap.ts";
import { SIGNALS, defaultAction, type Signal } from "./signals.ts";
import { Thread } from "./thread.ts";
import type { SigEvent } from "./types.ts";

export type SignalHandler = (sig: Signal) => void;

/** What a parent (or a shell's job table) is told about a child. */
export type ProcessEvent = "exited" | "stopped" | "continued" | "detached";

export interface ProcessInit {
  pid: number;
  name: string;
  argv: string[];
  env: Record<string, string>;
  cwd: string;
  uid: number;
  gid: number;
  parent: Process | null;
  priority: number;
  pgid?: number;
  sid?: number;
}

function startThread(job: { t: Thread; fn: (t: Thread) => unknown }): void {
  const { t, fn } = job;
  const k = t.kernel;
  if (t.process.exited) return;
  const cur = k.current;
  if (cur && cur.state === "RUNNING") cur.state = "READY";
  k.current = t;
  t.state = "RUNNING";
  let result: unknown;
  try {
    result = fn(t);
  } catch (err) {
    t.process.threadEnded(t, err, true);
    return;
  }
  Promise.resolve(result).then(
    (v) => t.process.threadEnded(t, v, false),
    (err: unknown) => t.process.threadEnded(t, err, true),
  );
}

export class Process {
  readonly kernel: Kernel;
  readonly pid: number;
  name: string;
  argv: string[];
  env: Record<string, string>;
  cwd: string;
  uid: number;
  gid: number;
  parent: Process | null;
  readonly children = new Set<Process>();
  /** Process group and session, for job control on terminals. */
  pgid: number;
  sid: number;
  readonly priority: number;
  readonly startTime: number;
  readonly threads = new Map<number, Thread>();
  readonly fds = new FdTable();
  readonly channels = new Map<number, Channel>();
  readonly connections = new Map<number, Connection>();
  readonly timers = new Set<number>();
  /**
   * For a process on another node that sends to us over Qnet (a "virtual" client the
   * transport made): its node's nd in our table, and our nd in its table. 0 for local ones.
   */
  nd = 0;
  srcnd = 0;
  /** Set for such a virtual client: sigevents for it travel back to its node. */
  netEvents: ((event: SigEvent) => void) | null = null;
  exitStatus: number | null = null;
  /** The signal that ended the process, if one did. */
  termSignal: Signal | null = null;
  exited = false;
  stopped = false;
  detached = false;
  /** @internal Wake-ups held while the process is stopped. */
  parked: Thread[] = [];
  /** @internal */ nextChid = 1;
  /** @internal */ nextCoid = 1;
  private nextTid = 1;
  private readonly handlers = new Map<Signal, SignalHandler | "ignore">();
  private readonly listeners = new Set<(ev: ProcessEvent, p: Process) => void>();
  private readonly exitWaiters: ((status: number) => void)[] = [];
  private mainThread: Thread | null = null;

  constructor(kernel: Kernel, init: ProcessInit) {
    this.kernel = kernel;
    this.pid = init.pid;
    this.name = init.name;
    this.argv = init.argv;
    this.env = init.env;
    this.cwd = init.cwd;
    this.uid = init.uid;
    this.gid = init.gid;
    this.parent = init.parent;
    this.priority = init.priority;
    this.pgid = init.pgid ?? init.parent?.pgid ?? init.pid;
    this.sid = init.sid ?? init.parent?.sid ?? init.pid;
    this.startTime = kernel.clock.now();
  }

  get state(): "running" | "stopped" | "zombie" {
    return this.exited ? "zombie" : this.stopped ? "stopped" : "running";
  }

  /** Creates a thread; it starts through the scheduler at its priority. The first one is main. */
  createThread(fn: (t: Thread) => unknown, opts: { priority?: number; name?: string } = {}): Thread {
    if (this.exited) throw new KernelError("ESRCH", `process ${this.pid} has ended`);
    const prio = opts.priority ?? this.priority;
    if (!checkPriority(prio)) throw new KernelError("EINVAL", `priority ${prio} out of range 0-255`);
    const t = new Thread(this.kernel, this, this.nextTid++, prio, opts.name ?? "");
    this.threads.set(t.tid, t);
    if (!this.mainThread) this.mainThread = t;
    this.kernel.scheduler.post(prio, startThread, { t, fn });
    return t;
  }

  /** @internal A thread's function returned (or threw). Main returning ends the process. */
  threadEnded(t: Thread, result: unknown, failed: boolean): void {
    if (this.exited) return;
    if (failed) {
      const err = result as Error;
      const text = err instanceof Error ? (err.stack ?? err.message) : String(err);
      this.kernel.slog.log(
        8,
        0,
        2,
        `${this.name}[${this.pid}] tid ${t.tid}: uncaught exception: ${text}`,
        this.pid,
      );
      this.exit(1);
      return;
    }
    if (t === this.mainThread) {
      this.exit(typeof result === "number" ? result : 0);
      return;
    }
    t.abandon();
    this.threads.delete(t.tid);
  }

  /** Installs a handler ("ignore", a function, or "default" to restore the default action). */
  onSignal(sig: Signal, handler: SignalHandler | "ignore" | "default"): void {
    if (sig === "SIGKILL" || sig === "SIGSTOP")
      throw new KernelError("EINVAL", `${sig} cannot be caught or ignored`);
    if (handler === "default") this.handlers.delete(sig);
    else this.handlers.set(sig, handler);
  }

  signal(sig: Signal): void {
    // procnto is the kernel: a group signal (every top-level process is in its group 1) or a
    // stray kill must not end it and reap the runtime's own process.
    if (this.exited || this === this.kernel.procnto) return;
    if (sig === "SIGKILL") {
      this.terminate(sig);
      return;
    }
    if (sig === "SIGCONT") this.resumeFromStop();
    const h = this.handlers.get(sig);
    if (h === "ignore") return;
    if (h) {
      // A caught signal runs the handler at the process's priority (as if delivered to the
      // main thread), then interrupts blocking calls, which fail with EINTR (POSIX order).
      this.kernel.scheduler.post(this.priority, (s: Signal) => this.runHandler(h, s), sig);
      return;
    }
    switch (defaultAction(sig)) {
      case "terminate":
        this.terminate(sig);
        return;
      case "stop":
        this.stop();
        return;
      default:
        return;
    }
  }

  private runHandler(h: SignalHandler, sig: Signal): void {
    if (this.exited) return;
    try {
      h(sig);
    } catch (err) {
      this.kernel.slog.log(
        8,
        0,
        2,
        `${this.name}[${this.pid}]: signal handler failed: ${String(err)}`,
        this.pid,
      );
    }
    // The handler has run: now the interrupted calls return EINTR (unless it ended us).
    if (this.exited) return;
    for (const t of this.threads.values()) t.interrupt();
  }

  private terminate(sig: Signal): void {
    this.termSignal = sig;
    this.exit(128 + SIGNALS[sig]);
  }

  private stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    for (const t of this.threads.values()) if (!t.blocked && t.state !== "DEAD") t.state = "STOPPED";
    this.emit("stopped");
    this.parent?.signal("SIGCHLD");
  }

  private resumeFromStop(): void {
    if (!this.stopped) return;
    this.stopped = false;
    const parked = this.parked;
    this.parked = [];
    for (const t of parked) t.unpark();
    for (const t of this.threads.values()) if (t.state === "STOPPED") t.state = "READY";
    this.emit("continued");
  }

  /** procmgr_daemon: the parent stops waiting for us; we go on under procnto. */
  detach(): void {
    if (this.detached || this.exited) return;
    this.detached = true;
    this.emit("detached");
    const parent = this.parent;
    if (parent && parent !== this.kernel.procnto) {
      parent.children.delete(this);
      this.parent = this.kernel.procnto;
      this.kernel.procnto.children.add(this);
    }
  }

  /** Ends the process now with `status`, releasing everything it holds. */
  exit(status: number): void {
    if (this.exited) return;
    this.exited = true;
    this.exitStatus = status;
    this.kernel.reap(this);
    for (const w of this.exitWaiters.splice(0)) w(status);
    this.emit("exited");
    this.parent?.signal("SIGCHLD");
  }

  /** Resolves with the exit status when the process ends. */
  wait(): Promise<number> {
    if (this.exited) return Promise.resolve(this.exitStatus as number);
    return new Promise((resolve) => this.exitWaiters.push(resolve));
  }

  /** Resolves at the next change worth a job table's attention: exit, stop or detach. */
  waitChange(): Promise<ProcessEvent> {
    if (this.exited) return Promise.resolve("exited");
    return new Promise((resolve) => {
      const l = (ev: ProcessEvent): void => {
        if (ev === "continued") return;
        this.listeners.delete(l);
        resolve(ev);
      };
      this.listeners.add(l);
    });
  }

  on(listener: (ev: ProcessEvent, p: Process) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private emit(ev: ProcessEvent): void {
    for (const l of [...this.listeners]) l(ev, this);
  }
}
