// cat: concatenate files (or standard input) to standard output.
import type { Program } from "../program.ts";
import { runUtility, warn } from "./lib/errors.ts";
import { getopt } from "./lib/getopt.ts";
import { chunksOf } from "./lib/input.ts";

const USAGE = `cat - concatenate and print files

usage: cat [-u] [file ...]
Options:
 -u  unbuffered output (always the case here)
A file operand of - means standard input.
`;

const program: Program = {
  name: "cat",
  usage: USAGE,
  main(ctx) {
    return runUtility(ctx.stderr, "cat", USAGE, async () => {
      const { operands } = getopt(ctx.argv.slice(1), "u");
      let status = 0;
      for (const operand of operands.length ? operands : ["-"]) {
        try {
          for await (const chunk of chunksOf(ctx, operand)) await ctx.stdout.write(chunk);
        } catch (e) {
          await warn(ctx.stderr, "cat", operand, e);
          status = 1;
        }
        if (ctx.signal.aborted) return 1;
      }
      return status;
    });
  },
};
export default program;
