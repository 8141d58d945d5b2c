// echo: write the operands. Like BSD echo, options are only recognised as the first
// operands (`-n`, `-e`, `-E` and groups of them); anything else is printed as is.
import type { Program } from "../program.ts";
import { expandEscapes } from "./lib/escapes.ts";

const USAGE = `echo - write arguments to standard output

usage: echo [-neE] [string ...]
Options:
 -n  do not print the trailing newline
 -e  interpret backslash escapes (\\n \\t \\c \\0nnn \\xHH …)
 -E  do not interpret backslash escapes (default)
`;

/** What echo prints for `args` (argv without argv[0]). */
export function echoText(args: readonly string[]): string {
  let newline = true;
  let escapes = false;
  let i = 0;
  for (; i < args.length && /^-[neE]+$/.test(args[i]); i++) {
    for (const c of args[i].slice(1)) {
      if (c === "n") newline = false;
      else escapes = c === "e";
    }
  }
  let text = args.slice(i).join(" ");
  if (escapes) {
    const r = expandEscapes(text);
    if (r.stop) return r.text;
    text = r.text;
  }
  return newline ? text + "\n" : text;
}

const program: Program = {
  name: "echo",
  usage: USAGE,
  async main(ctx) {
    await ctx.stdout.write(echoText(ctx.argv.slice(1)));
    return 0;
  },
};
export default program;
