// A thread blocks in one kernel call at a time, but a program's JavaScript may await a read
// on stdin while it writes to stdout. The mux runs each call on the program's main thread
// when that one is free (so pidin shows `cat` REPLY-blocked on its server, as QNX does), and
// otherwise on a worker thread of the same process, created on demand and kept for reuse.
import type { Process } from "../kernel/process.ts";
import type { Thread } from "../kernel/thread.ts";

type Job = (t: Thread) => Promise<void>;

class Worker {
  readonly thread: Thread;
  private readonly jobs: Job[] = [];
  private wake: (() => void) | null = null;

  constructor(process: Process, name: string) {
    this.thread = process.createThread((t) => this.loop(t), { name });
  }

  private async loop(t: Thread): Promise<void> {
    for (;;) {
      const job = this.jobs.shift();
      if (job) {
        await job(t);
        continue;
      }
      // Idle: waiting for work, like a pool thread on a condition variable.
      await t.waitFor("CONDVAR", "", new Promise<void>((r) => (this.wake = r)));
    }
  }

  run<T>(fn: (t: Thread) => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.jobs.push((t) => fn(t).then(resolve, reject));
      const w = this.wake;
      this.wake = null;
      w?.();
    });
  }
}

export class ThreadMux {
  readonly main: Thread;
  private mainBusy = false;
  private readonly idle: Worker[] = [];
  private workers = 0;

  constructor(main: Thread) {
    this.main = main;
  }

  async run<T>(fn: (t: Thread) => Promise<T>): Promise<T> {
    if (!this.mainBusy && !this.main.blocked) {
      this.mainBusy = true;
      try {
        return await fn(this.main);
      } finally {
        this.mainBusy = false;
      }
    }
    const w = this.idle.pop() ?? new Worker(this.main.process, `io-${++this.workers}`);
    try {
      return await w.run(fn);
    } finally {
      this.idle.push(w);
    }
  }
}
