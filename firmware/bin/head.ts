// head: the first lines of each file.
import type { Program } from "../program.ts";
import { runUtility, warn } from "./lib/errors.ts";
import { getopt, optionMap, parseCount, UsageError } from "./lib/getopt.ts";
import { chunksOf, linesOf } from "./lib/input.ts";

const USAGE = `head - copy the first part of files

usage: head [-n count] [file ...]
Options:
 -n count  number of lines to copy (default 10); -count is accepted too
`;

/** `head -5` is the historical spelling of `head -n 5`. */
export function normalizeHeadArgs(args: readonly string[]): string[] {
  return args.length > 0 && /^-\d+$/.test(args[0]) ? ["-n", args[0].slice(1), ...args.slice(1)] : [...args];
}

const program: Program = {
  name: "head",
  usage: USAGE,
  main(ctx) {
    return runUtility(ctx.stderr, "head", USAGE, async () => {
      const parsed = getopt(normalizeHeadArgs(ctx.argv.slice(1)), "n:");
      const n = optionMap(parsed).get("n");
      const count = n === undefined ? 10 : parseCount(n, "line count");
      if (n !== undefined && count === 0) throw new UsageError(`illegal line count -- ${n}`);
      const operands = parsed.operands.length ? parsed.operands : ["-"];
      let status = 0;
      for (const [i, operand] of operands.entries()) {
        if (operands.length > 1) await ctx.stdout.write(`${i > 0 ? "\n" : ""}==> ${operand} <==\n`);
        try {
          let left = count;
          if (left > 0) {
            for await (const line of linesOf(chunksOf(ctx, operand))) {
              await ctx.stdout.write(line);
              if (--left === 0) break;
            }
          }
        } catch (e) {
          await warn(ctx.stderr, "head", operand, e);
          status = 1;
        }
      }
      return status;
    });
  },
};
export default program;
