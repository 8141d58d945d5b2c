// rm: remove files, and with -r directory trees.
import { KernelError } from "../kernel/errno.ts";
import type { Program } from "../program.ts";
import { runUtility, warn } from "./lib/errors.ts";
import { isDirMode } from "./lib/file-mode.ts";
import { removeTree, type WalkError } from "./lib/fs-walk.ts";
import { getopt, UsageError } from "./lib/getopt.ts";
import { basename, resolvePath } from "./lib/paths.ts";

const USAGE = `rm - remove files

usage: rm [-fRrv] file ...
Options:
 -f      ignore files that do not exist; never fail because of them
 -R, -r  remove directories and their contents recursively
 -v      print each operand as it is removed
`;

const isMissing = (e: unknown): boolean => e instanceof KernelError && e.errno === "ENOENT";

const program: Program = {
  name: "rm",
  usage: USAGE,
  main(ctx) {
    return runUtility(ctx.stderr, "rm", USAGE, async () => {
      const parsed = getopt(ctx.argv.slice(1), "fiRrv");
      const has = new Set(parsed.opts.map((o) => o.opt));
      const force = has.has("f");
      const recursive = has.has("R") || has.has("r");
      if (parsed.operands.length === 0) {
        if (force) return 0;
        throw new UsageError("");
      }
      let status = 0;
      for (const operand of parsed.operands) {
        const b = basename(operand);
        if (b === "." || b === "..") {
          await ctx.stderr.write(`rm: "." and ".." may not be removed\n`);
          status = 1;
          continue;
        }
        const path = resolvePath(ctx.cwd, operand);
        try {
          const st = await ctx.fs.lstat(path);
          if (isDirMode(st.mode)) {
            if (!recursive) {
              await warn(ctx.stderr, "rm", operand, "is a directory");
              status = 1;
              continue;
            }
            const errors: WalkError[] = [];
            await removeTree(ctx.fs, path, errors);
            for (const { path: p, error } of errors) {
              if (force && isMissing(error)) continue;
              await warn(ctx.stderr, "rm", p, error);
              status = 1;
            }
          } else {
            await ctx.fs.unlink(path);
          }
          if (has.has("v")) await ctx.stdout.write(`${operand}\n`);
        } catch (e) {
          if (force && isMissing(e)) continue;
          await warn(ctx.stderr, "rm", operand, e);
          status = 1;
        }
      }
      return status;
    });
  },
};
export default program;
