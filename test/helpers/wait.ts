// Waiting in tests without sleeping: a test waits for the event it is about (a frame arrived,
// a process detached, output was printed), never for a fixed time. A deadline remains only as
// a failsafe that turns a hang into a failure naming what never happened.

/** How long a wait may take before the test fails (generous: a loaded 2-core machine). */
export const DEADLINE_MS = 10_000;

/**
 * Something event sources poke. `notify()` wakes everyone waiting in `until`; an event
 * handler in a test calls it (a frame collector, a stream's "data", a socket's "message").
 */
export class Signal {
  private waiters: (() => void)[] = [];

  readonly notify = (): void => {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  };

  /** Resolves once `cond()` holds, re-checking at each notify; rejects after `ms` naming `what`. */
  until(cond: () => boolean, what: string, ms = DEADLINE_MS): Promise<void> {
    if (cond()) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== check);
        reject(new Error(`timed out after ${ms} ms waiting for ${what}`));
      }, ms);
      const check = (): void => {
        if (!cond()) return void this.waiters.push(check);
        clearTimeout(timer);
        resolve();
      };
      this.waiters.push(check);
    });
  }
}

/** One turn of the event loop: every promise job and every pending I/O callback run first. */
export function turn(): Promise<void> {
  return new Promise((r) => setImmediate(r));
}

/**
 * Resolves once `cond()` holds for in-process work that has no event of its own to wait on
 * (the kernel's scheduler runs on promise jobs): re-checks after each turn of the event loop
 * — no timer, no fixed delay — and rejects naming `what` after `ms`. `cond` may ask the
 * runtime itself (run a utility) and answer asynchronously.
 */
export async function settle(
  cond: () => boolean | Promise<boolean>,
  what: string,
  ms = DEADLINE_MS,
): Promise<void> {
  const end = performance.now() + ms;
  while (!(await cond())) {
    if (performance.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await turn();
  }
}
