// use: print a utility's usage message (QNX's `use`), from the built-in program table.
import type { Program } from "../program.ts";
import { runUtility } from "./lib/errors.ts";
import { getopt, UsageError } from "./lib/getopt.ts";
import { basename } from "./lib/paths.ts";
import { loadBuiltinProgram } from "./lib/builtin-lookup.ts";

const USAGE = `use - print a utility's usage message

usage: use utility
`;

const program: Program = {
  name: "use",
  usage: USAGE,
  main(ctx) {
    return runUtility(ctx.stderr, "use", USAGE, async () => {
      const { operands } = getopt(ctx.argv.slice(1), "");
      if (operands.length !== 1) throw new UsageError("");
      const name = basename(operands[0]);
      const found = await loadBuiltinProgram(name);
      if (!found) {
        await ctx.stderr.write(`use: no usage information for "${name}"\n`);
        return 1;
      }
      await ctx.stdout.write(found.usage.endsWith("\n") ? found.usage : found.usage + "\n");
      return 0;
    });
  },
};
export default program;
