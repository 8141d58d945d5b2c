// POSIX getopt(3) for utilities: "la" flags, "n:" options with an argument, option groups
// (`-la`), attached or separate arguments (`-n5`, `-n 5`), `--` ends options and so does the
// first operand (POSIX order, as on QNX and BSD; `ls dir -l` lists a file named `-l`).

export interface ParsedOptions {
  /** Options in command-line order; flags have value "". */
  opts: Array<{ opt: string; value: string }>;
  operands: string[];
}

/** A command-line mistake; the utility prints `message` and its usage, then exits 1 (or 2). */
export class UsageError extends Error {
  override readonly name = "UsageError";
}

/** Parses `args` (argv without argv[0]) against a getopt option string such as "lad1n:". */
export function getopt(args: readonly string[], optstring: string): ParsedOptions {
  const opts: ParsedOptions["opts"] = [];
  let i = 0;
  for (; i < args.length; i++) {
    const arg = args[i];
    if (arg === "--") {
      i++;
      break;
    }
    if (arg.length < 2 || arg[0] !== "-") break;
    for (let j = 1; j < arg.length; j++) {
      const c = arg[j];
      const at = c === ":" ? -1 : optstring.indexOf(c);
      if (at < 0) throw new UsageError(`illegal option -- ${c}`);
      if (optstring[at + 1] !== ":") {
        opts.push({ opt: c, value: "" });
        continue;
      }
      if (j + 1 < arg.length) {
        opts.push({ opt: c, value: arg.slice(j + 1) });
      } else if (i + 1 < args.length) {
        opts.push({ opt: c, value: args[++i] });
      } else {
        throw new UsageError(`option requires an argument -- ${c}`);
      }
      break;
    }
  }
  return { opts, operands: args.slice(i) };
}

/** The set of flags seen (last value wins for options with an argument). */
export function optionMap(parsed: ParsedOptions): Map<string, string> {
  const m = new Map<string, string>();
  for (const { opt, value } of parsed.opts) m.set(opt, value);
  return m;
}

/** Parses a non-negative decimal count such as `head -n 10`; throws UsageError otherwise. */
export function parseCount(text: string, what: string): number {
  if (!/^\+?\d+$/.test(text)) throw new UsageError(`illegal ${what} -- ${text}`);
  return Number.parseInt(text, 10);
}
