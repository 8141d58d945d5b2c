// `netrino lint FILE [-D NAME=VALUE] [--strict] [--format text|json]`: every problem, exit 1
// on any error. --strict reports notes (accepted-and-ignored constructs) as warnings.
import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { analyzeBuildfile, hasErrors } from "../buildfile/lint.ts";
import { diagnosticsJson, formatDiagnostics, summary } from "../buildfile/report.ts";
import { parseArgs, parseDefines } from "./args.ts";
import type { CliIo } from "./io.ts";

export const LINT_USAGE = "usage: netrino lint FILE [-D NAME=VALUE]... [--strict] [--format text|json]\n";

export function lintCommand(argv: readonly string[], io: CliIo): number {
  const args = parseArgs(argv, ["-D", "--format"], ["--strict"]);
  const defs = parseDefines(args.options.get("-D") ?? []);
  const format = args.options.get("--format")?.at(-1) ?? "text";
  const problem =
    args.error ??
    ("error" in defs ? defs.error : undefined) ??
    (args.positional.length !== 1 ? "expected one buildfile" : undefined) ??
    (format !== "text" && format !== "json" ? `--format ${format}: use text or json` : undefined);
  if (problem !== undefined || "error" in defs) {
    io.stderr(`netrino lint: ${problem ?? "bad -D"}\n${LINT_USAGE}`);
    return 2;
  }
  const file = args.positional[0];
  let source: string;
  try {
    source = readFileSync(resolve(io.cwd, file), "utf8");
  } catch (e) {
    io.stderr(
      `netrino lint: ${file}: ${(e as NodeJS.ErrnoException).code === "ENOENT" ? "No such file or directory" : (e as Error).message}\n`,
    );
    return 1;
  }
  const { diagnostics } = analyzeBuildfile(source, file, {
    defines: defs.defines,
    env: io.env,
    // Host paths are relative to the buildfile, wherever the caller's cwd is.
    baseDir: dirname(resolve(io.cwd, file)),
    strict: args.flags.has("--strict"),
  });
  io.stdout(format === "json" ? diagnosticsJson(diagnostics) : formatDiagnostics(diagnostics, source));
  if (diagnostics.length > 0) io.stderr(`${file}: ${summary(diagnostics)}\n`);
  return hasErrors(diagnostics) ? 1 : 0;
}
