// The job table: pipelines started by the shell, their processes and states, and the
// `jobs` / `Done` notice formats of ksh.
import type { ShellProcess } from "./os.ts";
import { SIGNALS } from "./signals.ts";

export interface JobProc {
  pid: number;
  proc: ShellProcess | null;
  /** Exit status once ended, else null. */
  status: number | null;
  stopped: boolean;
}

export type JobState = "running" | "stopped" | "done";

export class Job {
  /** 0 until the job enters the table. */
  id: number;
  readonly pgid: number | null;
  readonly procs: JobProc[];
  readonly text: string;
  /** Statuses of in-shell pipeline members (functions, builtins) when they end. */
  readonly internal: Promise<number>[] = [];
  notified = false;
  private listeners: (() => void)[] = [];

  constructor(id: number, pgid: number | null, procs: JobProc[], text: string) {
    this.id = id;
    this.pgid = pgid;
    this.procs = procs;
    this.text = text;
  }

  get state(): JobState {
    if (this.procs.some((p) => p.stopped && p.status === null)) return "stopped";
    if (this.procs.every((p) => p.status !== null)) return "done";
    return "running";
  }

  /** The job's status: that of its last member. */
  get status(): number {
    return this.procs[this.procs.length - 1]?.status ?? 0;
  }

  get lastPid(): number {
    return this.procs[this.procs.length - 1]?.pid ?? 0;
  }

  changed(): void {
    const ls = this.listeners;
    this.listeners = [];
    for (const l of ls) l();
  }

  /** Resolves when the job has ended or stopped. */
  async settle(): Promise<void> {
    while (this.state === "running") await new Promise<void>((r) => this.listeners.push(r));
  }

  /** Follows a process until it ends, recording stops and continues on the way. */
  watch(entry: JobProc): void {
    const proc = entry.proc;
    if (!proc) return;
    const loop = async (): Promise<void> => {
      for (;;) {
        let r;
        try {
          r = await proc.wait();
        } catch {
          r = { kind: "exited" as const, status: 127 };
        }
        if (r.kind === "exited") {
          entry.status = r.status;
          entry.stopped = false;
          this.changed();
          return;
        }
        entry.stopped = true;
        this.changed();
      }
    };
    void loop();
  }

  /** Marks stopped members as running again after SIGCONT. */
  continued(): void {
    for (const p of this.procs) p.stopped = false;
  }
}

export class JobTable {
  readonly jobs: Job[] = [];

  /** Puts a job in the table under the lowest free number. */
  adopt(job: Job): Job {
    let id = 1;
    while (this.jobs.some((j) => j.id === id)) id++;
    job.id = id;
    job.notified = false;
    this.jobs.push(job);
    return job;
  }

  remove(job: Job): void {
    const i = this.jobs.indexOf(job);
    if (i >= 0) this.jobs.splice(i, 1);
  }

  /** The current job (`%+`, `%%`): the newest stopped job, else the newest job. */
  current(): Job | undefined {
    const stopped = this.jobs.filter((j) => j.state === "stopped");
    return stopped[stopped.length - 1] ?? this.jobs[this.jobs.length - 1];
  }

  previous(): Job | undefined {
    const cur = this.current();
    const rest = this.jobs.filter((j) => j !== cur);
    return rest[rest.length - 1];
  }

  /** `%1`, `%+`, `%-`, `%%`, `%name`, `%?text`, or a pid. */
  find(spec: string): Job | undefined {
    if (!spec.startsWith("%")) {
      const pid = Number(spec);
      return this.jobs.find((j) => j.procs.some((p) => p.pid === pid));
    }
    const s = spec.slice(1);
    if (s === "" || s === "+" || s === "%") return this.current();
    if (s === "-") return this.previous();
    if (/^\d+$/.test(s)) return this.jobs.find((j) => j.id === Number(s));
    if (s.startsWith("?")) return this.jobs.find((j) => j.text.includes(s.slice(1)));
    return this.jobs.find((j) => j.text.startsWith(s));
  }

  /** `[1] + Running              sleep 100` */
  format(job: Job, withPids = false): string {
    const mark = job === this.current() ? "+" : job === this.previous() ? "-" : " ";
    const pid = withPids ? `${job.lastPid} ` : "";
    return `[${job.id}] ${mark} ${pid}${stateText(job).padEnd(20)} ${job.text}`;
  }

  /** Done/killed jobs not yet reported: their notice lines; they leave the table. */
  reap(): string[] {
    const lines: string[] = [];
    for (const job of this.jobs.slice()) {
      if (job.state !== "done") continue;
      if (!job.notified) lines.push(this.format(job));
      this.remove(job);
    }
    return lines;
  }
}

export function stateText(job: Job): string {
  const st = job.state;
  if (st === "running") return "Running";
  if (st === "stopped") return "Stopped";
  const s = job.status;
  if (s === 0) return "Done";
  if (s > 128) {
    const sig = SIGNALS.find(([, n]) => n === s - 128)?.[0];
    if (sig) return SIGNAL_TEXT[sig] ?? `Signal ${s - 128}`;
  }
  return `Done (${s})`;
}

const SIGNAL_TEXT: Record<string, string> = {
  INT: "Interrupt",
  TERM: "Terminated",
  KILL: "Killed",
  HUP: "Hangup",
  QUIT: "Quit",
  PIPE: "Broken pipe",
  SEGV: "Memory fault",
  ABRT: "Abort",
  USR1: "User signal 1",
  USR2: "User signal 2",
  ALRM: "Alarm clock",
};
