// cp: copy files (and with -R, directory trees).
import type { Program } from "../program.ts";
import { runUtility, warn } from "./lib/errors.ts";
import { isDirMode } from "./lib/file-mode.ts";
import { copyFile, copyTree, isInside, type WalkError } from "./lib/fs-walk.ts";
import { getopt } from "./lib/getopt.ts";
import { forEachTransfer } from "./lib/transfer-operands.ts";

const USAGE = `cp - copy files

usage: cp [-fRr] source target
       cp [-fRr] source ... directory
Options:
 -R, -r  copy directories and their contents recursively (symlinks are copied as links)
 -f      remove an existing target that cannot be opened for writing, then retry
`;

const program: Program = {
  name: "cp",
  usage: USAGE,
  main(ctx) {
    return runUtility(ctx.stderr, "cp", USAGE, async () => {
      const parsed = getopt(ctx.argv.slice(1), "fRr");
      const has = new Set(parsed.opts.map((o) => o.opt));
      const recursive = has.has("R") || has.has("r");
      return forEachTransfer(ctx, "cp", parsed.operands, async ({ source, src, dst }) => {
        try {
          const st = await ctx.fs.stat(src);
          if (isDirMode(st.mode)) {
            if (!recursive) {
              await ctx.stderr.write(`cp: ${source} is a directory (not copied).\n`);
              return false;
            }
            if (isInside(src, dst)) {
              await ctx.stderr.write(`cp: cannot copy ${source} into itself (${dst})\n`);
              return false;
            }
            const errors: WalkError[] = [];
            await copyTree(ctx.fs, src, dst, errors);
            for (const { path, error } of errors) await warn(ctx.stderr, "cp", path, error);
            return errors.length === 0;
          }
          if (src === dst) {
            await ctx.stderr.write(`cp: ${source} and ${dst} are identical (not copied).\n`);
            return false;
          }
          try {
            await copyFile(ctx.fs, src, dst, st.mode);
          } catch (e) {
            if (!has.has("f")) throw e;
            await ctx.fs.unlink(dst).catch(() => undefined);
            await copyFile(ctx.fs, src, dst, st.mode);
          }
          return true;
        } catch (e) {
          await warn(ctx.stderr, "cp", source, e);
          return false;
        }
      });
    });
  },
};
export default program;
