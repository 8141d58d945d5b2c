// ln: make hard links (-P, the default) or symbolic links (-s).
import type { Program } from "../program.ts";
import { runUtility, warn } from "./lib/errors.ts";
import { isDirMode } from "./lib/file-mode.ts";
import { getopt, UsageError } from "./lib/getopt.ts";
import { basename, joinPath, resolvePath } from "./lib/paths.ts";

const USAGE = `ln - make links

usage: ln [-fPs] source [target]
       ln [-fPs] source ... directory
Options:
 -f  remove an existing target first
 -P  make a hard link to the source itself, even if it is a symbolic link (default)
 -s  make symbolic links; the source text is stored as given
Without target, the link is made in the current directory under the source's name.
`;

const program: Program = {
  name: "ln",
  usage: USAGE,
  main(ctx) {
    return runUtility(ctx.stderr, "ln", USAGE, async () => {
      const parsed = getopt(ctx.argv.slice(1), "fPsLhn");
      const has = new Set(parsed.opts.map((o) => o.opt));
      const ops = parsed.operands;
      if (ops.length === 0) throw new UsageError("");
      const sources = ops.length === 1 ? ops : ops.slice(0, -1);
      const target = ops.length === 1 ? "." : ops[ops.length - 1];
      const targetPath = resolvePath(ctx.cwd, target);
      const tst = await ctx.fs.stat(targetPath).catch(() => null);
      const intoDir = tst !== null && isDirMode(tst.mode) && !(has.has("n") && ops.length === 2);
      if (sources.length > 1 && !intoDir) {
        await warn(ctx.stderr, "ln", target, "Not a directory");
        return 1;
      }
      let status = 0;
      for (const source of sources) {
        const linkPath = intoDir ? joinPath(targetPath, basename(source)) : targetPath;
        const shown = intoDir ? joinPath(target, basename(source)) : target;
        try {
          if (has.has("f")) await ctx.fs.unlink(linkPath).catch(() => undefined);
          if (has.has("s")) await ctx.fs.symlink(source, linkPath);
          else await ctx.fs.link(resolvePath(ctx.cwd, source), linkPath);
        } catch (e) {
          await warn(ctx.stderr, "ln", shown, e);
          status = 1;
        }
      }
      return status;
    });
  },
};
export default program;
