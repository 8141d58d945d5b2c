// rmdir: remove empty directories.
import type { Program } from "../program.ts";
import { runUtility, warn } from "./lib/errors.ts";
import { getopt, UsageError } from "./lib/getopt.ts";
import { dirname, resolvePath } from "./lib/paths.ts";

const USAGE = `rmdir - remove empty directories

usage: rmdir [-p] directory ...
Options:
 -p  also remove each parent directory that becomes empty
`;

const program: Program = {
  name: "rmdir",
  usage: USAGE,
  main(ctx) {
    return runUtility(ctx.stderr, "rmdir", USAGE, async () => {
      const parsed = getopt(ctx.argv.slice(1), "p");
      const parents = parsed.opts.length > 0;
      if (parsed.operands.length === 0) throw new UsageError("");
      let status = 0;
      for (const operand of parsed.operands) {
        let name = operand.replace(/(.)\/+$/, "$1");
        while (true) {
          try {
            await ctx.fs.rmdir(resolvePath(ctx.cwd, name));
          } catch (e) {
            await warn(ctx.stderr, "rmdir", name, e);
            status = 1;
            break;
          }
          if (!parents) break;
          const up = dirname(name);
          if (up === name || up === "." || up === "/") break;
          name = up;
        }
      }
      return status;
    });
  },
};
export default program;
