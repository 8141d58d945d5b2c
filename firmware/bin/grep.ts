// grep: print lines that match a pattern. Exit 0 if a line matched, 1 if none, 2 on error.
import type { Program } from "../program.ts";
import { runUtility, warn } from "./lib/errors.ts";
import { getopt, UsageError } from "./lib/getopt.ts";
import { chunksOf, linesOf } from "./lib/input.ts";
import { compileGrepPattern, RegexSyntaxError } from "./lib/posix-regex.ts";

const USAGE = `grep - search files for a pattern

usage: grep [-cEFhilnqsvx] [-A num] [-B num] [-C num] [-e pattern] [pattern] [file ...]
Options:
 -A  print num lines of trailing context after each match
 -B  print num lines of leading context before each match
 -C  print num lines of context before and after each match
 -c  print only a count of matching lines per file
 -E  pattern is an extended regular expression (as egrep)
 -F  pattern is a fixed string
 -e  the pattern (for patterns starting with -); may be repeated
 -h  never print file names
 -i  ignore case
 -l  print only the names of files with a match
 -n  prefix each line with its line number
 -q  quiet: exit status only
 -s  no messages about missing or unreadable files
 -v  select lines that do not match
 -x  match whole lines only
`;

const program: Program = {
  name: "grep",
  usage: USAGE,
  main(ctx) {
    return runUtility(
      ctx.stderr,
      "grep",
      USAGE,
      async () => {
        const parsed = getopt(ctx.argv.slice(1), "cEFhilnqsvxe:A:B:C:");
        const f = new Set(parsed.opts.map((o) => o.opt));
        let after = 0;
        let before = 0;
        for (const o of parsed.opts) {
          if (o.opt !== "A" && o.opt !== "B" && o.opt !== "C") continue;
          if (!/^\d+$/.test(o.value)) {
            await ctx.stderr.write(`grep: ${o.value}: invalid context length argument\n`);
            return 2;
          }
          const n = Number(o.value);
          if (o.opt !== "B") after = n;
          if (o.opt !== "A") before = n;
        }
        const context = (after > 0 || before > 0) && !f.has("c") && !f.has("l") && !f.has("q");
        /** Whether any line was printed yet (a "--" goes between separate groups). */
        let printedAny = false;
        const patterns = parsed.opts.filter((o) => o.opt === "e").map((o) => o.value);
        const operands = [...parsed.operands];
        if (patterns.length === 0) {
          const p = operands.shift();
          if (p === undefined) throw new UsageError("");
          patterns.push(p);
        }
        let regexes: RegExp[];
        try {
          regexes = patterns
            .flatMap((p) => p.split("\n"))
            .map((p) =>
              compileGrepPattern(p, {
                extended: f.has("E"),
                fixed: f.has("F"),
                ignoreCase: f.has("i"),
                wholeLine: f.has("x"),
              }),
            );
        } catch (e) {
          if (e instanceof RegexSyntaxError) {
            await ctx.stderr.write(`grep: ${e.message}\n`);
            return 2;
          }
          throw e;
        }
        const files = operands.length ? operands : ["-"];
        const showName = files.length > 1 && !f.has("h");
        let matchedAny = false;
        let status = 0;
        for (const file of files) {
          const label = file === "-" ? "(standard input)" : file;
          let count = 0;
          let lineNo = 0;
          // Context: the last `before` lines not printed, trailing lines still owed, and the
          // number of the last line printed (to know when a "--" separates two groups).
          const held: Array<{ no: number; line: string }> = [];
          let owed = 0;
          let lastPrinted = 0;
          const emit = async (no: number, line: string, sep: string): Promise<void> => {
            if (context && printedAny && no !== lastPrinted + 1) await ctx.stdout.write("--\n");
            const prefix = `${showName ? `${label}${sep}` : ""}${f.has("n") ? `${no}${sep}` : ""}`;
            await ctx.stdout.write(`${prefix}${line}\n`);
            printedAny = true;
            lastPrinted = no;
          };
          try {
            for await (const raw of linesOf(chunksOf(ctx, file))) {
              lineNo++;
              const line = raw.endsWith("\n") ? raw.slice(0, -1) : raw;
              if (regexes.some((r) => r.test(line)) === f.has("v")) {
                if (!context) continue;
                if (owed > 0) {
                  owed--;
                  await emit(lineNo, line, "-");
                } else if (before > 0) {
                  held.push({ no: lineNo, line });
                  if (held.length > before) held.shift();
                }
                continue;
              }
              count++;
              matchedAny = true;
              if (f.has("q")) return 0;
              if (f.has("l")) break;
              if (f.has("c")) continue;
              for (const h of held) await emit(h.no, h.line, "-");
              held.length = 0;
              await emit(lineNo, line, ":");
              owed = after;
            }
          } catch (e) {
            if (!f.has("s")) await warn(ctx.stderr, "grep", file, e);
            status = 2;
            continue;
          }
          if (f.has("l") && count > 0) await ctx.stdout.write(`${label}\n`);
          else if (f.has("c")) await ctx.stdout.write(`${showName ? `${label}:` : ""}${count}\n`);
        }
        return status === 2 && !matchedAny ? 2 : matchedAny ? 0 : 1;
      },
      2,
    );
  },
};
export default program;
