// `netrino build FILE [-o OUT] [-D NAME=VALUE]...`: lint, then write the image atomically.
import { relative, resolve } from "node:path";
import { readFileSync } from "node:fs";
import { writeFileAtomic } from "../image/atomic-write.ts";
import { buildImage } from "../image/build.ts";
import { formatDiagnostics, summary } from "../buildfile/report.ts";
import { parseArgs, parseDefines } from "./args.ts";
import type { CliIo } from "./io.ts";
import { defaultImagePath } from "./paths.ts";

export const BUILD_USAGE = "usage: netrino build FILE [-o OUT] [-D NAME=VALUE]...\n";

export async function buildCommand(argv: readonly string[], io: CliIo): Promise<number> {
  const args = parseArgs(argv, ["-o", "-D"], []);
  const defs = parseDefines(args.options.get("-D") ?? []);
  if (args.error || "error" in defs || args.positional.length !== 1) {
    io.stderr(
      `netrino build: ${args.error ?? ("error" in defs ? defs.error : "expected one buildfile")}\n${BUILD_USAGE}`,
    );
    return 2;
  }
  const file = args.positional[0];
  const path = resolve(io.cwd, file);
  const out = resolve(io.cwd, args.options.get("-o")?.at(-1) ?? defaultImagePath(path));
  let result;
  try {
    result = await buildImage(path, { defines: defs.defines, env: io.env });
  } catch (e) {
    io.stderr(
      `netrino build: ${file}: ${(e as NodeJS.ErrnoException).code === "ENOENT" ? "No such file or directory" : (e as Error).message}\n`,
    );
    return 1;
  }
  if (result.diagnostics.length > 0) {
    const source = readFileSync(path, "utf8");
    const shown = result.diagnostics.map((d) => ({ ...d, pos: { ...d.pos, file } }));
    io.stderr(formatDiagnostics(shown, source));
  }
  if (!result.image) {
    io.stderr(`netrino build: ${file}: ${summary(result.diagnostics)}; image not written\n`);
    return 1;
  }
  try {
    writeFileAtomic(out, result.image);
  } catch (e) {
    io.stderr(`netrino build: cannot write ${out}: ${(e as Error).message}\n`);
    return 1;
  }
  const shownOut = relative(io.cwd, out) || out;
  const entries = result.analysis.resolved.entries.length;
  io.stdout(
    `${shownOut}: ${result.image.length} bytes, ${entries} entries, board ${result.analysis.resolved.board}\n`,
  );
  return 0;
}
