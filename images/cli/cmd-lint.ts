// `netrino lint FILE [-D NAME=VALUE]`: every problem, exit 1 on any error.
import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { analyzeBuildfile, hasErrors } from "../buildfile/lint.ts";
import { formatDiagnostics, summary } from "../buildfile/report.ts";
import { parseArgs, parseDefines } from "./args.ts";
import type { CliIo } from "./io.ts";

export const LINT_USAGE = "usage: netrino lint FILE [-D NAME=VALUE]...\n";

export function lintCommand(argv: readonly string[], io: CliIo): number {
  const args = parseArgs(argv, ["-D"], []);
  const defs = parseDefines(args.options.get("-D") ?? []);
  if (args.error || "error" in defs || args.positional.length !== 1) {
    io.stderr(
      `netrino lint: ${args.error ?? ("error" in defs ? defs.error : "expected one buildfile")}\n${LINT_USAGE}`,
    );
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
  });
  io.stdout(formatDiagnostics(diagnostics, source));
  if (diagnostics.length > 0) io.stderr(`${file}: ${summary(diagnostics)}\n`);
  return hasErrors(diagnostics) ? 1 : 0;
}
