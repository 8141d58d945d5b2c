// uptime: how long the runtime has been up, BSD style.
import type { Program } from "../program.ts";
import { runUtility } from "./lib/errors.ts";
import { strftime } from "./lib/date-format.ts";
import { getopt, UsageError } from "./lib/getopt.ts";

const USAGE = `uptime - show how long the system has been running

usage: uptime
Prints the time, the time since boot and the number of processes.
`;

const plural = (n: number, word: string): string =>
  `${n} ${word}${n === 1 ? "" : word.endsWith("s") ? "es" : "s"}`;

/** BSD's spelling: `up 42 secs`, `up 5 mins`, `up 2:03`, `up 3 days, 2:03`, `up 1 day, 7 mins`. */
export function formatUp(ms: number): string {
  const secs = Math.max(0, Math.floor(ms / 1000));
  const days = Math.floor(secs / 86400);
  const hours = Math.floor((secs % 86400) / 3600);
  const mins = Math.floor((secs % 3600) / 60);
  if (secs < 60) return `up ${plural(secs, "sec")}`;
  let out = "up ";
  if (days > 0) out += `${plural(days, "day")}, `;
  if (hours > 0) out += `${hours}:${String(mins).padStart(2, "0")}`;
  else out += plural(mins, "min");
  return out;
}

const program: Program = {
  name: "uptime",
  usage: USAGE,
  main(ctx) {
    return runUtility(ctx.stderr, "uptime", USAGE, async () => {
      if (getopt(ctx.argv.slice(1), "").operands.length) throw new UsageError("");
      const now = ctx.kernel.clock.wallTime();
      const procs = [...ctx.kernel.procs.values()].filter((p) => !p.exited).length;
      const clock = strftime("%l:%M%p", now, ctx.env.TZ === "UTC");
      await ctx.stdout.write(
        `${clock}  ${formatUp(now - ctx.kernel.bootTime)}, ${plural(procs, "process")}\n`,
      );
      return 0;
    });
  },
};
export default program;
