// cp: copy files (and with -R, directory trees).
import type { Program } from "../program.ts";
import { runUtility, warn } from "./lib/errors.ts";
import { isDirMode } from "./lib/file-mode.ts";
import { copyFile, copyTree, destinationFor, isInside, type WalkError } from "./lib/fs-walk.ts";
import { getopt, UsageError } from "./lib/getopt.ts";
import { resolvePath } from "./lib/paths.ts";

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
      if (parsed.operands.length < 2) throw new UsageError("");
      const sources = parsed.operands.slice(0, -1);
      const target = parsed.operands[parsed.operands.length - 1];
      const targetPath = resolvePath(ctx.cwd, target);
      const targetStat = await ctx.fs.stat(targetPath).catch(() => null);
      if (sources.length > 1 && !(targetStat && isDirMode(targetStat.mode))) {
        await warn(ctx.stderr, "cp", target, "Not a directory");
        return 1;
      }
      let status = 0;
      for (const source of sources) {
        const src = resolvePath(ctx.cwd, source);
        const dst = await destinationFor(ctx.fs, src, targetPath);
        try {
          const st = await ctx.fs.stat(src);
          if (isDirMode(st.mode)) {
            if (!recursive) {
              await ctx.stderr.write(`cp: ${source} is a directory (not copied).\n`);
              status = 1;
              continue;
            }
            if (isInside(src, dst)) {
              await ctx.stderr.write(`cp: cannot copy ${source} into itself (${dst})\n`);
              status = 1;
              continue;
            }
            const errors: WalkError[] = [];
            await copyTree(ctx.fs, src, dst, errors);
            for (const { path, error } of errors) await warn(ctx.stderr, "cp", path, error);
            if (errors.length) status = 1;
            continue;
          }
          if (src === dst) {
            await ctx.stderr.write(`cp: ${source} and ${dst} are identical (not copied).\n`);
            status = 1;
            continue;
          }
          try {
            await copyFile(ctx.fs, src, dst, st.mode);
          } catch (e) {
            if (!has.has("f")) throw e;
            await ctx.fs.unlink(dst).catch(() => undefined);
            await copyFile(ctx.fs, src, dst, st.mode);
          }
        } catch (e) {
          await warn(ctx.stderr, "cp", source, e);
          status = 1;
        }
      }
      return status;
    });
  },
};
export default program;
