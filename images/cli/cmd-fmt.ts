// `netrino fmt FILE... [--check]`: rewrites buildfiles in the canonical layout; with --check
// only reports which files would change (exit 1), for CI.
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { writeFileAtomic } from "../image/atomic-write.ts";
import { formatBuildfile } from "../buildfile/format.ts";
import { parseBuildfile } from "../buildfile/parser.ts";
import { formatDiagnostics } from "../buildfile/report.ts";
import { parseArgs } from "./args.ts";
import type { CliIo } from "./io.ts";

export const FMT_USAGE = "usage: netrino fmt FILE... [--check]\n";

export function fmtCommand(argv: readonly string[], io: CliIo): number {
  const args = parseArgs(argv, [], ["--check"]);
  if (args.error || args.positional.length === 0) {
    io.stderr(`netrino fmt: ${args.error ?? "expected a buildfile"}\n${FMT_USAGE}`);
    return 2;
  }
  const check = args.flags.has("--check");
  let status = 0;
  for (const file of args.positional) {
    const path = resolve(io.cwd, file);
    let source: string;
    try {
      source = readFileSync(path, "utf8");
    } catch {
      io.stderr(`netrino fmt: ${file}: No such file or directory\n`);
      status = 1;
      continue;
    }
    const { ast, diagnostics } = parseBuildfile(source, file);
    if (diagnostics.length > 0) {
      // Formatting a file that does not parse could lose text: refuse.
      io.stderr(formatDiagnostics(diagnostics, source));
      io.stderr(`netrino fmt: ${file}: not formatted (syntax errors)\n`);
      status = 1;
      continue;
    }
    const formatted = formatBuildfile(ast);
    if (formatted === source) continue;
    if (check) {
      io.stdout(`${file}: not formatted\n`);
      status = 1;
    } else {
      writeFileAtomic(path, new TextEncoder().encode(formatted));
      io.stdout(`${file}: formatted\n`);
    }
  }
  return status;
}
