// Waiting for a path to exist (a manager registered it), as waitfor and `on -w` do: stat every
// 100 ms until it succeeds or the time is up.
import type { ProgramContext } from "../../program.ts";

export const POLL_MS = 100;

/** Null once `path` exists; the last stat error when `seconds` ran out (or on a signal). */
export async function waitForPath(ctx: ProgramContext, path: string, seconds: number): Promise<unknown> {
  const deadline = ctx.kernel.clock.now() + seconds * 1000;
  while (true) {
    try {
      await ctx.fs.stat(path);
      return null;
    } catch (e) {
      if (ctx.kernel.clock.now() >= deadline || ctx.signal.aborted) return e;
    }
    await ctx.thread.sleep(Math.min(POLL_MS, Math.max(1, deadline - ctx.kernel.clock.now())));
  }
}
