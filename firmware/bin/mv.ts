// mv: rename files; across managers (EXDEV) it copies and then removes the source.
import { KernelError } from "../kernel/errno.ts";
import type { Program } from "../program.ts";
import { runUtility, warn } from "./lib/errors.ts";
import { copyTree, isInside, removeTree, type WalkError } from "./lib/fs-walk.ts";
import { getopt } from "./lib/getopt.ts";
import { forEachTransfer } from "./lib/transfer-operands.ts";

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
      return forEachTransfer(ctx, "mv", parsed.operands, async ({ source, src, dst }) => {
        if (src !== dst && isInside(src, dst)) {
          await ctx.stderr.write(`mv: cannot rename ${source} to a subdirectory of itself, ${dst}\n`);
          return false;
        }
        try {
          await ctx.fs.rename(src, dst);
          return true;
        } catch (e) {
          if (!(e instanceof KernelError && e.errno === "EXDEV")) {
            await warn(ctx.stderr, "mv", `rename ${source} to ${dst}`, e);
            return false;
          }
        }
        const errors: WalkError[] = [];
        await copyTree(ctx.fs, src, dst, errors);
        if (errors.length === 0) await removeTree(ctx.fs, src, errors);
        for (const { path, error } of errors) await warn(ctx.stderr, "mv", path, error);
        return errors.length === 0;
      });
    });
  },
};
export default program;
