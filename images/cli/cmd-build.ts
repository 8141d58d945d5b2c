// `netrino build FILE [-o OUT] [-D NAME=VALUE]...`: lint, then write the image atomically.
import { relative, resolve } from "node:path";
import { readFileSync } from "node:fs";
import { findBoard } from "../../boards/index.ts";
import { buildCard } from "../card/build-card.ts";
import { writeFileAtomic } from "../image/atomic-write.ts";
import { buildImage } from "../image/build.ts";
import { formatDiagnostics, summary } from "../buildfile/report.ts";
import { parseArgs, parseDefines } from "./args.ts";
import type { CliIo } from "./io.ts";
import { defaultCardPath, defaultImagePath, REPO_ROOT } from "./paths.ts";

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
  const outOption = args.options.get("-o")?.at(-1);
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
  const board = findBoard(result.analysis.resolved.board);
  if (board?.debian) {
    const out = resolve(io.cwd, outOption ?? defaultCardPath(path));
    try {
      const card = await buildCard({
        board,
        ifs: result.image,
        out,
        repoRoot: REPO_ROOT,
        epoch: sourceDateEpoch(io.env),
        env: io.env,
        log: (line) => io.stderr(`${line}\n`),
      });
      io.stdout(`${card.summary}\n`);
      return 0;
    } catch (e) {
      io.stderr(`netrino build: ${file}: ${(e as Error).message}\n`);
      return 1;
    }
  }
  const out = resolve(io.cwd, outOption ?? defaultImagePath(path));
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

function sourceDateEpoch(env: Readonly<Record<string, string | undefined>>): number {
  const v = env.SOURCE_DATE_EPOCH;
  return v && /^[0-9]+$/.test(v) ? Number(v) : 0;
}
