// slog2info: the system log in slogger2's layout (time with milliseconds, buffer set, level).
import type { Program } from "../program.ts";
import { runUtility } from "./lib/errors.ts";
import { getopt, optionMap } from "./lib/getopt.ts";
import { followSlog } from "./lib/slog-follow.ts";
import { formatSlog2info, type LogRecord } from "./lib/slog-format.ts";
import { recordOf } from "./lib/slog-view.ts";

const USAGE = `slog2info - display the system log (slogger2 format)

usage: slog2info [-cw] [-b buffer-set]
Options:
 -b name  only entries logged by processes of this name (the buffer set)
 -c       clear the log after printing it
 -w       wait for new entries and print them as they arrive (until interrupted)
`;

const program: Program = {
  name: "slog2info",
  usage: USAGE,
  main(ctx) {
    return runUtility(ctx.stderr, "slog2info", USAGE, async () => {
      const opts = optionMap(getopt(ctx.argv.slice(1), "cwb:"));
      const set = opts.get("b");
      const wanted = (r: LogRecord) => set === undefined || r.source === set;
      const slog = ctx.kernel.slog;
      const records = slog
        .entries()
        .map((e) => recordOf(ctx.kernel, e))
        .filter(wanted);
      if (records.length)
        await ctx.stdout.write(records.map((r) => formatSlog2info(r, false)).join("\n") + "\n");
      if (opts.has("c")) slog.clear();
      if (!opts.has("w")) return 0;
      await followSlog(
        ctx,
        (e) => {
          const r = recordOf(ctx.kernel, e);
          return wanted(r) ? r : null;
        },
        (r) => formatSlog2info(r, false),
      );
      return 0;
    });
  },
};
export default program;
