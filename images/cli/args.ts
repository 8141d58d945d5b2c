// The netrino subcommands' options (`-o OUT`, `-oOUT`, `-D NAME=VALUE`, `--check`), parsed
// by Node's util.parseArgs; this file only adapts its result and errors to the CLI's shape.
import { parseArgs as parseNodeArgs, type ParseArgsConfig } from "node:util";

export interface ParsedArgs {
  readonly positional: string[];
  readonly options: Map<string, string[]>;
  readonly flags: Set<string>;
  readonly error?: string;
}

/**
 * `withValue`: options that take a value, each a dash and one letter (`-o`, `-D`), given
 * any number of times; `flags`: long options that do not (`--check`).
 */
export function parseArgs(
  argv: readonly string[],
  withValue: readonly string[],
  flags: readonly string[],
): ParsedArgs {
  const config: NonNullable<ParseArgsConfig["options"]> = {};
  for (const o of withValue) {
    // `-D` has a one-letter short form; `--format` is long only.
    config[o.replace(/^-+/, "")] = o.startsWith("--")
      ? { type: "string", multiple: true }
      : { type: "string", short: o.slice(1), multiple: true };
  }
  for (const f of flags) config[f.slice(2)] = { type: "boolean" };
  try {
    const { values, positionals } = parseNodeArgs({
      args: [...argv],
      options: config,
      allowPositionals: true,
      strict: true,
    });
    const options = new Map<string, string[]>();
    for (const o of withValue) {
      const v = values[o.replace(/^-+/, "")];
      if (Array.isArray(v))
        options.set(
          o,
          v.filter((x): x is string => typeof x === "string"),
        );
    }
    return {
      positional: positionals,
      options,
      flags: new Set(flags.filter((f) => values[f.slice(2)] === true)),
    };
  } catch (err) {
    return { positional: [], options: new Map(), flags: new Set(), error: describe(err, argv) };
  }
}

/** util.parseArgs's errors, in the words the CLI has always used. */
function describe(err: unknown, argv: readonly string[]): string {
  const code = (err as { code?: string }).code;
  const message = err instanceof Error ? err.message : String(err);
  if (code === "ERR_PARSE_ARGS_UNKNOWN_OPTION") {
    const opt = /'([^']+)'/.exec(message)?.[1] ?? argv.find((a) => a.startsWith("-")) ?? "";
    return `unknown option ${opt}`;
  }
  if (code === "ERR_PARSE_ARGS_INVALID_OPTION_VALUE") {
    const opt = /'(-\w)/.exec(message)?.[1] ?? "";
    return `option ${opt} requires an argument`;
  }
  return message;
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
