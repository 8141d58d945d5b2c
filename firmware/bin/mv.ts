// mv: rename files; across managers (EXDEV) it copies and then removes the source.
import { KernelError } from "../kernel/errno.ts";
import type { Program } from "../program.ts";
import { runUtility, warn } from "./lib/errors.ts";
import { isDirMode } from "./lib/file-mode.ts";
import { copyTree, destinationFor, isInside, removeTree, type WalkError } from "./lib/fs-walk.ts";
import { getopt, UsageError } from "./lib/getopt.ts";
import { resolvePath } from "./lib/paths.ts";

const USAGE = `mv - move (rename) files

usage: mv [-f] source target
       mv [-f] source ... directory
Options:
 -f  do not prompt (mv never prompts here; accepted for compatibility)
`;

const program: Program = {
  name: "mv",
  usage: USAGE,
  main(ctx) {
    return runUtility(ctx.stderr, "mv", USAGE, async () => {
      const parsed = getopt(ctx.argv.slice(1), "fi");
      if (parsed.operands.length < 2) throw new UsageError("");
      const sources = parsed.operands.slice(0, -1);
      const target = parsed.operands[parsed.operands.length - 1];
      const targetPath = resolvePath(ctx.cwd, target);
      const targetStat = await ctx.fs.stat(targetPath).catch(() => null);
      if (sources.length > 1 && !(targetStat && isDirMode(targetStat.mode))) {
        await warn(ctx.stderr, "mv", target, "Not a directory");
        return 1;
      }
      let status = 0;
      for (const source of sources) {
        const src = resolvePath(ctx.cwd, source);
        const dst = await destinationFor(ctx.fs, src, targetPath);
        if (src !== dst && isInside(src, dst)) {
          await ctx.stderr.write(`mv: cannot rename ${source} to a subdirectory of itself, ${dst}\n`);
          status = 1;
          continue;
        }
        try {
          await ctx.fs.rename(src, dst);
        } catch (e) {
          if (!(e instanceof KernelError && e.errno === "EXDEV")) {
            await warn(ctx.stderr, "mv", `rename ${source} to ${dst}`, e);
            status = 1;
            continue;
          }
          const errors: WalkError[] = [];
          await copyTree(ctx.fs, src, dst, errors);
          if (errors.length === 0) await removeTree(ctx.fs, src, errors);
          for (const { path, error } of errors) await warn(ctx.stderr, "mv", path, error);
          if (errors.length) status = 1;
        }
      }
      return status;
    });
  },
};
export default program;
