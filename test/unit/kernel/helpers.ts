// Shared helpers for the kernel suites: letting the scheduler drain, gates that hold a
// thread at a known point, and byte helpers. Time always comes from a ManualClock.
import { Kernel, ManualClock, type Thread } from "../../../firmware/kernel/index.ts";

/** A fresh kernel on a ManualClock (timers only fire on `clock.advance`). */
export function manualKernel(): { k: Kernel; clock: ManualClock } {
  const clock = new ManualClock();
  return { k: new Kernel({ clock }), clock };
}

/**
 * Lets the scheduler and the event loop run until no work is queued: several event-loop
 * turns (the scheduler yields to the loop between slices), bounded so a bug cannot spin.
 */
export async function settle(k: Kernel, minTurns = 4): Promise<void> {
  for (let i = 0; i < 10_000 && (i < minTurns || k.scheduler.pending > 0); i++) {
    await new Promise<void>((r) => setImmediate(r));
  }
}

/** A promise to hold a thread's code at a known point until the test opens it. */
export function gate(): { wait: Promise<void>; open: () => void } {
  let open!: () => void;
  const wait = new Promise<void>((r) => (open = r));
  return { wait, open };
}

/** Settles a promise into a value or the errno it failed with (for expect()). */
export async function outcome<T>(p: Promise<T>): Promise<{ ok: T } | { errno: string }> {
  try {
    return { ok: await p };
  } catch (err) {
    return { errno: (err as { errno?: string }).errno ?? String(err) };
  }
}

export function bytes(...v: number[]): Uint8Array {
  return Uint8Array.from(v);
}

export function text(s: string): Uint8Array {
  return new TextEncoder().encode(s);
}

export function str(b: Uint8Array): string {
  return new TextDecoder().decode(b);
}

/**
 * Spawns a process that creates a channel (with `flags`) and then runs `serve` on it.
 * Resolves once the channel exists, with the process and the chid.
 */
export async function startServer(
  k: Kernel,
  serve: (t: Thread, chid: number) => Promise<number | void> | number | void,
  opts: { name?: string; flags?: number; priority?: number } = {},
): Promise<{ proc: ReturnType<Kernel["spawn"]>; chid: number; thread: () => Thread }> {
  let chid = -1;
  let thread: Thread | null = null;
  const proc = k.spawn({
    name: opts.name ?? "server",
    priority: opts.priority,
    main: (t) => {
      thread = t;
      chid = t.ChannelCreate(opts.flags ?? 0);
      return serve(t, chid);
    },
  });
  await settle(k);
  if (chid < 0) throw new Error("server did not start");
  return { proc, chid, thread: () => thread as unknown as Thread };
}
