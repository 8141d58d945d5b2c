// hostname: print the node's name, or (as root) set it.
import { KernelError } from "../kernel/errno.ts";
import type { Program } from "../program.ts";
import { runUtility, warn } from "./lib/errors.ts";
import { getopt, UsageError } from "./lib/getopt.ts";

const USAGE = `hostname - get or set the name of this node

usage: hostname [-s] [name]
Options:
 -s  print the name up to the first dot
Setting the name needs root. The name is also this node's Qnet name: no "/" allowed.
`;

const program: Program = {
  name: "hostname",
  usage: USAGE,
  main(ctx) {
    return runUtility(ctx.stderr, "hostname", USAGE, async () => {
      const parsed = getopt(ctx.argv.slice(1), "s");
      if (parsed.operands.length > 1) throw new UsageError("");
      const name = parsed.operands[0];
      if (name === undefined) {
        const h = ctx.kernel.hostname;
        await ctx.stdout.write(`${parsed.opts.length ? h.split(".")[0] : h}\n`);
        return 0;
      }
      try {
        if (ctx.process.uid !== 0) throw new KernelError("EPERM");
        if (name === "" || name.includes("/") || name.length > 255) throw new KernelError("EINVAL");
        ctx.kernel.hostname = name;
      } catch (e) {
        await warn(ctx.stderr, "hostname", null, e);
        return 1;
      }
      return 0;
    });
  },
};
export default program;
