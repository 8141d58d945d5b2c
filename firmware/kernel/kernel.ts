// One Kernel per runtime instance (per simulated node): the scheduler, the process table,
// the pathname space, timers and the system log. Nothing lives at module level, so several
// kernels in one Node.js process never see each other unless a network transport links them.
import { SystemClock, type Clock } from "./clock.ts";
import type { Connection, RemoteLink } from "./channel.ts";
import { KernelError } from "./errno.ts";
import { destroyChannel, detachConnection } from "./ipc.ts";
import { PathSpace, type RemoteResolution } from "./pathspace.ts";
import { PRIORITY_DEFAULT, checkPriority } from "./priority-bitmap.ts";
import { Process } from "./process.ts";
import { Scheduler } from "./scheduler.ts";
import { SLOG_MAJOR, SLOG_SEVERITY, SystemLog } from "./slog.ts";
import type { Thread } from "./thread.ts";
import { TimerTable } from "./timers.ts";

/** What Qnet provides: connections to channels on other nodes (nd ≠ 0). */
export interface NetTransport {
  attach(nd: number, pid: number, chid: number, client: Process): RemoteLink;
  /** netmgr_strtond for a /net entry: our nd for node `name` (0 = this node); ENOENT when unknown. */
  nodeNd(name: string): number | Promise<number>;
  /** Asks node `nd`'s path manager, as a MsgSend by `t`, which managers serve `path` there. */
  resolvePath(t: Thread, nd: number, path: string, follow: boolean): Promise<RemoteResolution>;
}

export interface SpawnOptions {
  name: string;
  argv?: string[];
  env?: Record<string, string>;
  cwd?: string;
  uid?: number;
  gid?: number;
  parent?: Process;
  /** Default: the parent's priority, else 10. */
  priority?: number;
  /** "new" makes the process leader of a new process group. */
  pgid?: number | "new";
  /** Leader of a new session (and of a new process group). */
  session?: boolean;
  /** The main thread; its return value is the exit status. */
  main: (t: Thread) => Promise<number | void> | number | void;
}

export interface KernelCounts {
  channels: number;
  connections: number;
}

export class Kernel {
  readonly clock: Clock;
  readonly scheduler: Scheduler;
  readonly procs = new Map<number, Process>();
  readonly paths = new PathSpace();
  readonly slog: SystemLog;
  readonly timers: TimerTable;
  readonly counts: KernelCounts = { channels: 0, connections: 0 };
  /** @internal Server-side connection ids → connections (rcvids are derived from them). */
  readonly scoids = new Map<number, Connection>();
  /** @internal */ nextScoid = 1;
  /** The process that is the kernel itself (pid 1), parent of orphans. */
  readonly procnto: Process;
  /** The thread whose code runs now (for pidin's RUNNING), or null. */
  current: Thread | null = null;
  private hostnameValue: string;
  /** Called when the host name changes (Qnet renames the node). */
  readonly hostnameWatchers = new Set<(name: string) => void>();
  /** Node descriptor of this node as other nodes see it; nd 0 always means "here". */
  localNd = 0;
  netTransport: NetTransport | null = null;
  /**
   * Processes of other nodes with connections to our channels (Qnet's virtual clients,
   * outside `procs`: they have pids of their own node). Kept so a dying server fails them.
   */
  readonly netClients = new Set<Process>();
  /**
   * Per-runtime singletons of higher layers, by name (e.g. the in-process Ethernet hubs), so
   * that no layer needs module-level state to share something within one runtime.
   */
  readonly services = new Map<string, unknown>();
  readonly bootTime: number;
  private nextPid = 1;
  private down = false;
  private readonly shutdownHooks: (() => Promise<void> | void)[] = [];

  constructor(opts: { clock?: Clock; nodeName?: string; sliceMs?: number; slogCapacity?: number } = {}) {
    this.clock = opts.clock ?? new SystemClock();
    this.hostnameValue = opts.nodeName ?? "localhost";
    this.slog = new SystemLog(this.clock, opts.slogCapacity ?? 4096);
    this.scheduler = new Scheduler({
      sliceMs: opts.sliceMs,
      onError: (err) =>
        this.slog.log(SLOG_MAJOR.KERNEL, 0, SLOG_SEVERITY.ERROR, `scheduler: uncaught error: ${String(err)}`),
    });
    this.timers = new TimerTable(this);
    this.bootTime = this.clock.wallTime();
    this.procnto = new Process(this, {
      pid: this.nextPid++,
      name: "procnto-smp-instr",
      argv: ["procnto-smp-instr"],
      env: {},
      cwd: "/",
      uid: 0,
      gid: 0,
      parent: null,
      priority: 0,
    });
    this.procs.set(this.procnto.pid, this.procnto);
  }

  get hostname(): string {
    return this.hostnameValue;
  }

  set hostname(name: string) {
    this.hostnameValue = name;
    for (const w of this.hostnameWatchers) w(name);
  }

  get isDown(): boolean {
    return this.down;
  }

  /** Starts a process with one (main) thread running `opts.main`. */
  spawn(opts: SpawnOptions): Process {
    if (this.down) throw new KernelError("ESHUTDOWN", "the runtime is shutting down");
    const parent = opts.parent ?? this.procnto;
    const priority = opts.priority ?? (parent === this.procnto ? PRIORITY_DEFAULT : parent.priority);
    if (!checkPriority(priority)) throw new KernelError("EINVAL", `priority ${priority} out of range 0-255`);
    const pid = this.nextPid++;
    const p = new Process(this, {
      pid,
      name: opts.name,
      argv: opts.argv ?? [opts.name],
      env: { ...(opts.env ?? parent.env) },
      cwd: opts.cwd ?? parent.cwd,
      uid: opts.uid ?? parent.uid,
      gid: opts.gid ?? parent.gid,
      parent,
      priority,
      pgid: opts.pgid === "new" || opts.session ? pid : opts.pgid,
      sid: opts.session ? pid : undefined,
    });
    this.procs.set(pid, p);
    parent.children.add(p);
    p.createThread((t) => opts.main(t), { priority });
    return p;
  }

  /** Processes in a process group (job control). */
  processGroup(pgid: number): Process[] {
    return [...this.procs.values()].filter((p) => p.pgid === pgid && !p.exited && p !== this.procnto);
  }

  /** Sends `sig` to every process of a group (what a terminal does on Ctrl-C). */
  signalGroup(pgid: number, sig: Parameters<Process["signal"]>[0]): number {
    const group = this.processGroup(pgid);
    for (const p of group) p.signal(sig);
    return group.length;
  }

  /** @internal Releases everything an ended process held. */
  reap(p: Process): void {
    for (const t of p.threads.values()) t.abandon();
    if (this.current?.process === p) this.current = null;
    for (const ch of [...p.channels.values()]) destroyChannel(this, ch);
    for (const conn of [...p.connections.values()]) detachConnection(this, conn, p.priority);
    this.timers.destroyAll(p);
    p.fds.clear();
    this.paths.detachAll(p.pid);
    for (const child of p.children) {
      child.parent = this.procnto;
      this.procnto.children.add(child);
    }
    p.children.clear();
    p.parent?.children.delete(p);
    this.procs.delete(p.pid);
  }

  /** Runs `hook` during shutdown, before processes are killed (sync the log, restore the terminal). */
  onShutdown(hook: () => Promise<void> | void): void {
    this.shutdownHooks.push(hook);
  }

  /** Terminates every process (SIGTERM, then SIGKILL after `graceMs`) and stops the scheduler. */
  async shutdown(graceMs = 500): Promise<void> {
    if (this.down) return;
    this.slog.log(SLOG_MAJOR.KERNEL, 0, SLOG_SEVERITY.SHUTDOWN, "shutdown requested");
    for (const hook of this.shutdownHooks.splice(0)) {
      try {
        await hook();
      } catch (err) {
        this.slog.log(SLOG_MAJOR.KERNEL, 0, SLOG_SEVERITY.ERROR, `shutdown hook failed: ${String(err)}`);
      }
    }
    const victims = [...this.procs.values()].filter((p) => p !== this.procnto);
    for (const p of victims) p.signal("SIGTERM");
    const all = Promise.all(victims.map((p) => p.wait()));
    let timer: ReturnType<Clock["setTimer"]> | null = null;
    const grace = new Promise<void>((r) => (timer = this.clock.setTimer(graceMs, r)));
    await Promise.race([all, grace]);
    if (timer) this.clock.clearTimer(timer);
    for (const p of victims) p.signal("SIGKILL");
    this.down = true;
    this.scheduler.stop();
  }
}
