// sloginfo: the system log, as the classic slogger's viewer prints it.
import type { Program } from "../program.ts";
import { runUtility } from "./lib/errors.ts";
import { getopt, optionMap, UsageError } from "./lib/getopt.ts";
import { followSlog } from "./lib/slog-follow.ts";
import { formatSloginfo, SLOGINFO_HEADER } from "./lib/slog-format.ts";
import type { SlogEntry } from "../kernel/slog.ts";

const USAGE = `sloginfo - display the system log

usage: sloginfo [-cw] [-s severity] [-m major]
Options:
 -c           clear the log after printing it
 -m major     only entries with this major code
 -s severity  only entries of this severity or more severe (0 shutdown … 7 debug2)
 -w           wait for new entries and print them as they arrive (until interrupted)
`;

function parseNumber(text: string, what: string, max = Number.MAX_SAFE_INTEGER): number {
  if (!/^\d+$/.test(text) || Number(text) > max) throw new UsageError(`invalid ${what} -- ${text}`);
  return Number(text);
}

const program: Program = {
  name: "sloginfo",
  usage: USAGE,
  main(ctx) {
    return runUtility(ctx.stderr, "sloginfo", USAGE, async () => {
      const opts = optionMap(getopt(ctx.argv.slice(1), "cws:m:"));
      const sev = opts.has("s") ? parseNumber(opts.get("s")!, "severity", 7) : 7;
      const major = opts.has("m") ? parseNumber(opts.get("m")!, "major code") : undefined;
      const wanted = (e: SlogEntry) => e.severity <= sev && (major === undefined || e.major === major);
      const line = (e: SlogEntry) => formatSloginfo({ ...e, timeMs: e.time }, false);
      const slog = ctx.kernel.slog;
      const lines = slog.entries().filter(wanted).map(line);
      await ctx.stdout.write([SLOGINFO_HEADER, ...lines].join("\n") + "\n");
      if (opts.has("c")) slog.clear();
      if (!opts.has("w")) return 0;
      await followSlog(ctx, (e) => (wanted(e) ? e : null), line);
      return 0;
    });
  },
};
export default program;
