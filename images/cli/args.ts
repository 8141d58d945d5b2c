// A small getopt for the netrino subcommands: `-o OUT`, `-oOUT`, `-D NAME=VALUE`, `--check`.

export interface ParsedArgs {
  readonly positional: string[];
  readonly options: Map<string, string[]>;
  readonly flags: Set<string>;
  readonly error?: string;
}

/** `withValue`: options that take a value (`-o`, `-D`); `flags`: options that do not. */
export function parseArgs(
  argv: readonly string[],
  withValue: readonly string[],
  flags: readonly string[],
): ParsedArgs {
  const positional: string[] = [];
  const options = new Map<string, string[]>();
  const seen = new Set<string>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--") {
      positional.push(...argv.slice(i + 1));
      break;
    }
    if (!a.startsWith("-") || a === "-") {
      positional.push(a);
      continue;
    }
    if (flags.includes(a)) {
      seen.add(a);
      continue;
    }
    const opt = withValue.find((o) => a === o || (a.startsWith(o) && o.length === 2));
    if (!opt) return { positional, options, flags: seen, error: `unknown option ${a}` };
    const value = a.length > opt.length ? a.slice(opt.length) : argv[++i];
    if (value === undefined)
      return { positional, options, flags: seen, error: `option ${opt} requires an argument` };
    options.set(opt, [...(options.get(opt) ?? []), value]);
  }
  return { positional, options, flags: seen };
}

/** `-D NAME=VALUE` list → record; returns an error for a malformed definition. */
export function parseDefines(
  list: readonly string[],
): { defines: Record<string, string> } | { error: string } {
  const defines: Record<string, string> = {};
  for (const d of list) {
    const m = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/s.exec(d);
    if (!m) return { error: `-D ${d}: expected NAME=VALUE` };
    defines[m[1]] = m[2];
  }
  return { defines };
}
