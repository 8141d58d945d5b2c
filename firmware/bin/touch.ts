// touch: set modification and access times, creating missing files.
import { KernelError } from "../kernel/errno.ts";
import type { Program } from "../program.ts";
import { runUtility, warn } from "./lib/errors.ts";
import { getopt, UsageError } from "./lib/getopt.ts";
import { resolvePath } from "./lib/paths.ts";

const USAGE = `touch - change file access and modification times

usage: touch [-acm] file ...
Options:
 -a  change the access time only
 -c  do not create missing files
 -m  change the modification time only
`;

const program: Program = {
  name: "touch",
  usage: USAGE,
  main(ctx) {
    return runUtility(ctx.stderr, "touch", USAGE, async () => {
      const parsed = getopt(ctx.argv.slice(1), "acm");
      const has = new Set(parsed.opts.map((o) => o.opt));
      if (parsed.operands.length === 0) throw new UsageError("");
      const both = !has.has("a") && !has.has("m");
      const now = ctx.kernel.clock.wallTime();
      let status = 0;
      for (const operand of parsed.operands) {
        const path = resolvePath(ctx.cwd, operand);
        try {
          const st = await ctx.fs.stat(path).catch((e: unknown) => {
            if (e instanceof KernelError && e.errno === "ENOENT") return null;
            throw e;
          });
          if (!st) {
            if (has.has("c")) continue;
            await (await ctx.fs.open(path, "a", 0o666)).close();
            continue;
          }
          const atime = both || has.has("a") ? now : st.atimeMs;
          const mtime = both || has.has("m") ? now : st.mtimeMs;
          await ctx.fs.utimes(path, atime, mtime);
        } catch (e) {
          await warn(ctx.stderr, "touch", operand, e);
          status = 1;
        }
      }
      return status;
    });
  },
};
export default program;
