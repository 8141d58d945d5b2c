// Bundles a user program (`/bin/myapp = apps/myapp.ts`) into one ES module with esbuild.
// The first line `//netrino:program` marks it for the runtime's program loader; its default
// export is a Program (firmware/program.ts).
import { build } from "esbuild";
import { relative } from "node:path";

export const PROGRAM_MARKER = "//netrino:program";

export async function bundleProgram(entry: string, baseDir: string): Promise<Uint8Array> {
  const result = await build({
    entryPoints: [entry],
    bundle: true,
    format: "esm",
    platform: "node",
    target: "node20",
    write: false,
    minify: false,
    legalComments: "none",
    logLevel: "silent",
    // Paths in comments are relative to the buildfile: the same bytes on every machine.
    absWorkingDir: baseDir,
    banner: { js: PROGRAM_MARKER },
  });
  const out = result.outputFiles[0];
  if (!out) throw new Error(`esbuild produced no output for ${relative(baseDir, entry)}`);
  return out.contents;
}
