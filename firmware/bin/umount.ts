// umount: ask the manager behind a path to unmount it (or, for io-pkt, unload a module).
import type { Program } from "../program.ts";
import { runUtility, warn } from "./lib/errors.ts";
import { getopt, UsageError } from "./lib/getopt.ts";
import { DCMD_UNMOUNT, encodeMountRequest } from "./lib/mount-request.ts";
import { resolvePath } from "./lib/paths.ts";

const USAGE = `umount - unmount a filesystem

usage: umount [-f] mountpoint ...
Options:
 -f  force: unmount even if files are open
The manager serving mountpoint receives the request; one that cannot unmount answers
"Function not supported".
`;

const program: Program = {
  name: "umount",
  usage: USAGE,
  main(ctx) {
    return runUtility(ctx.stderr, "umount", USAGE, async () => {
      const parsed = getopt(ctx.argv.slice(1), "fv");
      if (parsed.operands.length === 0) throw new UsageError("");
      const force = parsed.opts.some((o) => o.opt === "f");
      let status = 0;
      for (const operand of parsed.operands) {
        const dir = resolvePath(ctx.cwd, operand);
        try {
          await ctx.fs.devctl(dir, DCMD_UNMOUNT, encodeMountRequest({ dir, force }));
        } catch (e) {
          await warn(ctx.stderr, "umount", operand, e);
          status = 1;
        }
      }
      return status;
    });
  },
};
export default program;
