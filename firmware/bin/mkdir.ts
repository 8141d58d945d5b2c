// mkdir: make directories.
import { KernelError } from "../kernel/errno.ts";
import type { FsClient, Program } from "../program.ts";
import { runUtility, warn } from "./lib/errors.ts";
import { isDirMode } from "./lib/file-mode.ts";
import { getopt, optionMap, UsageError } from "./lib/getopt.ts";
import { resolvePath } from "./lib/paths.ts";

const USAGE = `mkdir - make directories

usage: mkdir [-p] [-m mode] directory ...
Options:
 -p       create missing parent directories; an existing directory is not an error
 -m mode  permission bits of the new directories, in octal (default 0777 less the umask)
`;

/** mkdir -p: every missing component, in order; an existing directory is fine. */
export async function makePath(fs: FsClient, path: string, mode: number): Promise<void> {
  const parts = path.split("/").filter(Boolean);
  let p = "";
  for (const part of parts) {
    p += `/${part}`;
    try {
      await fs.mkdir(p, { mode });
    } catch (e) {
      // An existing directory is fine whatever the manager answered (EEXIST, or EBUSY for a
      // mount point such as /tmp, EROFS for imagefs).
      const st = await fs.stat(p).catch(() => null);
      if (!st) throw e;
      if (!isDirMode(st.mode)) throw new KernelError("ENOTDIR");
    }
  }
}

const program: Program = {
  name: "mkdir",
  usage: USAGE,
  main(ctx) {
    return runUtility(ctx.stderr, "mkdir", USAGE, async () => {
      const parsed = getopt(ctx.argv.slice(1), "pm:");
      const opts = optionMap(parsed);
      if (parsed.operands.length === 0) throw new UsageError("");
      const m = opts.get("m");
      if (m !== undefined && !/^[0-7]{1,4}$/.test(m)) throw new UsageError(`invalid file mode: ${m}`);
      const mode = m === undefined ? 0o777 : Number.parseInt(m, 8);
      let status = 0;
      for (const operand of parsed.operands) {
        const path = resolvePath(ctx.cwd, operand);
        try {
          if (opts.has("p")) await makePath(ctx.fs, path, mode);
          else await ctx.fs.mkdir(path, { mode });
        } catch (e) {
          await warn(ctx.stderr, "mkdir", operand, e);
          status = 1;
        }
      }
      return status;
    });
  },
};
export default program;
