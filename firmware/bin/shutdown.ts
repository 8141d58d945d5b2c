// shutdown: stop the runtime (every process gets SIGTERM, then SIGKILL). Root only.
import type { Program } from "../program.ts";
import { runUtility, warn } from "./lib/errors.ts";
import { getopt, UsageError } from "./lib/getopt.ts";
import { SLOG_MAJOR, SLOG_SEVERITY } from "../kernel/slog.ts";

const USAGE = `shutdown - shut down the system

usage: shutdown [-q]
Options:
 -q  quiet: do not print "Shutting down"
Every process gets SIGTERM, then SIGKILL; then the runtime ends.
`;

const program: Program = {
  name: "shutdown",
  usage: USAGE,
  main(ctx) {
    return runUtility(ctx.stderr, "shutdown", USAGE, async () => {
      const parsed = getopt(ctx.argv.slice(1), "qbS:");
      if (parsed.operands.length) throw new UsageError("");
      if (ctx.process.uid !== 0) {
        await warn(ctx.stderr, "shutdown", null, "Operation not permitted");
        return 1;
      }
      if (!parsed.opts.some((o) => o.opt === "q")) await ctx.stdout.write("Shutting down\n");
      ctx.kernel.slog.log(
        SLOG_MAJOR.KERNEL,
        0,
        SLOG_SEVERITY.NOTICE,
        `shutdown by pid ${ctx.process.pid}`,
        ctx.process.pid,
      );
      // Not awaited: shutdown terminates this process too; the kernel finishes on its own.
      void ctx.kernel.shutdown();
      return 0;
    });
  },
};
export default program;
