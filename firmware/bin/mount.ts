// mount: list what is registered in the pathname space, or ask a manager to mount something.
import { KernelError } from "../kernel/errno.ts";
import type { Program, ProgramContext } from "../program.ts";
import { errorDetail, runUtility, warn } from "./lib/errors.ts";
import { getopt, optionMap, UsageError } from "./lib/getopt.ts";
import { DCMD_MOUNT, encodeMountRequest, mountTypePath } from "./lib/mount-request.ts";
import { resolvePath } from "./lib/paths.ts";

const USAGE = `mount - mount a filesystem or load a manager module

usage: mount
       mount -T type [-r] [-o options] [special] [mountpoint]
Options:
 -T type     the manager type (io-pkt, io-pkt1 …); -t is accepted too
 -o options  comma separated options, passed to the manager unchanged
 -r          read-only
Without arguments, lists the pathname space: manager, path, type.
Examples: mount -T io-pkt devnp-vwire.so       mount -T io-pkt -o prefix=/alt lsm-qnet.so
`;

const program: Program = {
  name: "mount",
  usage: USAGE,
  main(ctx) {
    return runUtility(ctx.stderr, "mount", USAGE, async () => {
      const parsed = getopt(ctx.argv.slice(1), "T:t:o:rv");
      const opts = optionMap(parsed);
      const type = opts.get("T") ?? opts.get("t");
      if (type === undefined) {
        if (parsed.operands.length) throw new UsageError("");
        const lines = ctx.kernel.paths.registrations().map((r) => {
          const p = ctx.kernel.procs.get(r.pid);
          return `${p ? p.name : `pid ${r.pid}`} on ${r.prefix} type ${r.type}`;
        });
        await ctx.stdout.write(lines.map((l) => l + "\n").join(""));
        return 0;
      }
      if (parsed.operands.length > 2 || !/^[\w.-]+$/.test(type)) throw new UsageError("");
      const [special = "", dir = ""] = parsed.operands;
      const request = encodeMountRequest({
        special,
        dir: dir ? resolvePath(ctx.cwd, dir) : "",
        options: opts.get("o") ?? "",
        readOnly: opts.has("r"),
      });
      try {
        await ctx.fs.devctl(mountTypePath(type, ctx.env), DCMD_MOUNT, request);
      } catch (e) {
        // ENOENT from the manager itself (an unknown module) is not a missing manager.
        const path = mountTypePath(type, ctx.env);
        if (e instanceof KernelError && e.errno === "ENOENT" && !(await exists(ctx, path))) {
          await ctx.stderr.write(`mount: no manager for type ${type} (${path} not found)\n`);
          return 1;
        }
        // The manager's reason (a bad module option, a missing host interface) is the useful part.
        await warn(ctx.stderr, "mount", special || type, errorDetail(e));
        return 1;
      }
      return 0;
    });
  },
};
export default program;

async function exists(ctx: ProgramContext, path: string): Promise<boolean> {
  try {
    await ctx.fs.stat(path);
    return true;
  } catch {
    return false;
  }
}
