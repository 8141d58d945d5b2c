// which: where in $PATH a utility is. Exit 0 if every name was found, 1 otherwise.
import type { Program } from "../program.ts";
import { runUtility } from "./lib/errors.ts";
import { getopt, UsageError } from "./lib/getopt.ts";
import { isDirMode } from "./lib/file-mode.ts";
import { resolvePath } from "./lib/paths.ts";

const USAGE = `which - locate a program file in the path

usage: which [-as] program ...
Options:
 -a  print every match in $PATH, not only the first
 -s  silent: exit status only
`;

const program: Program = {
  name: "which",
  usage: USAGE,
  main(ctx) {
    return runUtility(ctx.stderr, "which", USAGE, async () => {
      const parsed = getopt(ctx.argv.slice(1), "as");
      if (parsed.operands.length === 0) throw new UsageError("");
      const all = parsed.opts.some((o) => o.opt === "a");
      const silent = parsed.opts.some((o) => o.opt === "s");
      const dirs = (ctx.env.PATH ?? "/bin:/usr/bin:/proc/boot").split(":");
      const executable = async (path: string): Promise<boolean> => {
        const st = await ctx.fs.stat(path).catch(() => null);
        return st !== null && !isDirMode(st.mode) && (st.mode & 0o111) !== 0;
      };
      let status = 0;
      for (const name of parsed.operands) {
        const candidates = name.includes("/")
          ? [resolvePath(ctx.cwd, name)]
          : dirs.map((d) => resolvePath(ctx.cwd, `${d || "."}/${name}`));
        let found = 0;
        for (const path of candidates) {
          if (!(await executable(path))) continue;
          found++;
          if (!silent) await ctx.stdout.write(`${name.includes("/") ? name : path}\n`);
          if (!all) break;
        }
        if (found === 0) {
          status = 1;
          if (!silent) await ctx.stderr.write(`which: no ${name} in (${dirs.join(":")})\n`);
        }
      }
      return status;
    });
  },
};
export default program;
