// sleep: suspend for a time (the thread shows NANOSLEEP in pidin).
import { KernelError } from "../kernel/errno.ts";
import type { Program } from "../program.ts";
import { runUtility } from "./lib/errors.ts";
import { UsageError } from "./lib/getopt.ts";
import { interruptedStatus } from "./lib/signals.ts";

const USAGE = `sleep - suspend execution for an interval

usage: sleep seconds
seconds may have a fraction (0.5) and a suffix: s, m (minutes), h (hours), d (days).
`;

const UNIT_MS: Readonly<Record<string, number>> = {
  "": 1000,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
};

/** `1.5` → 1500, `2m` → 120000; undefined when not a valid interval. */
export function parseInterval(text: string): number | undefined {
  const m = /^(\d+(?:\.\d*)?|\.\d+)([smhd]?)$/.exec(text);
  return m ? Math.round(Number(m[1]) * UNIT_MS[m[2]]) : undefined;
}

const program: Program = {
  name: "sleep",
  usage: USAGE,
  main(ctx) {
    return runUtility(ctx.stderr, "sleep", USAGE, async () => {
      const args = ctx.argv.slice(1).filter((a, i) => !(i === 0 && a === "--"));
      if (args.length === 0) throw new UsageError("");
      let total = 0;
      for (const a of args) {
        const ms = parseInterval(a);
        if (ms === undefined) throw new UsageError(`invalid time interval: ${a}`);
        total += ms;
      }
      try {
        await ctx.thread.sleep(total);
      } catch (e) {
        // A caught SIGINT/SIGTERM ends the sleep early (EINTR): exit as the signal would have.
        // The kernel interrupts the call before running the handler, so let it run first.
        if (!(e instanceof KernelError && e.errno === "EINTR")) throw e;
        if (!ctx.signal.aborted) await ctx.thread.sleep(0).catch(() => undefined);
        return interruptedStatus(ctx.signal);
      }
      return 0;
    });
  },
};
export default program;
