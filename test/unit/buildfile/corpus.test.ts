// The buildfile corpus (test/corpus): one file per construct family plus board-style
// buildfiles in the layout of public QNX BSPs. For each: the exact lint output, the image
// listing `netrino dump` prints, and the exact bytes of every inline file. Expectations live
// in test/corpus/expected; `UPDATE_CORPUS=1` rewrites them (review the diff before committing).
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { analyzeBuildfile } from "../../../images/buildfile/lint.ts";
import { formatDiagnostics } from "../../../images/buildfile/report.ts";
import { dumpImage } from "../../../images/image/dump.ts";
import { buildImage } from "../../../images/image/build.ts";
import { readImage } from "../../../images/image/reader.ts";

export const CORPUS_DIR = join(import.meta.dirname, "../../corpus");
const EXPECTED = join(CORPUS_DIR, "expected");
const UPDATE = process.env.UPDATE_CORPUS === "1";

export function corpusFiles(): string[] {
  return readdirSync(CORPUS_DIR)
    .filter((f) => f.endsWith(".build"))
    .sort();
}

/** Lint as `netrino lint` prints it, with the file named relative to the corpus. */
function lintText(name: string, strict: boolean): string {
  const source = readFileSync(join(CORPUS_DIR, name), "utf8");
  const { diagnostics } = analyzeBuildfile(source, name, { env: {}, baseDir: CORPUS_DIR, strict });
  const text = formatDiagnostics(diagnostics, source).replaceAll(CORPUS_DIR, "<corpus>");
  return text || "(clean)\n";
}

/** The dump's entry table and script; the header (size, checksum) is the image format's business. */
async function listing(name: string): Promise<{ dump: string; inline: Record<string, string> }> {
  const built = await buildImage(join(CORPUS_DIR, name), { env: {}, sourceDateEpoch: 0 });
  if (!built.image) return { dump: "(not built: the buildfile has errors)\n", inline: {} };
  const image = readImage(built.image, name);
  const dump = dumpImage(image, name);
  const inline: Record<string, string> = {};
  for (const e of built.analysis.resolved.entries) {
    if (e.source.kind !== "inline") continue;
    const entry = image.entries.find((x) => x.path === e.target);
    inline[e.target] = new TextDecoder().decode(entry ? image.fileData(entry) : new Uint8Array());
  }
  return { dump: dump.slice(dump.indexOf("Mode ")), inline };
}

function check(file: string, actual: string): void {
  const path = join(EXPECTED, file);
  if (UPDATE || !existsSync(path)) {
    mkdirSync(EXPECTED, { recursive: true });
    writeFileSync(path, actual);
    if (!UPDATE) throw new Error(`${file} was missing: written; review it and run again`);
  }
  expect(actual).toBe(readFileSync(path, "utf8"));
}

describe("buildfile corpus", () => {
  it("has at least 30 buildfiles", () => {
    expect(corpusFiles().length).toBeGreaterThanOrEqual(30);
  });

  it.each(corpusFiles())("%s: lint, strict lint, image listing and inline bytes", async (name) => {
    const base = name.replace(/\.build$/, "");
    check(`${base}.lint`, lintText(name, false));
    check(`${base}.strict.lint`, lintText(name, true));
    const { dump, inline } = await listing(name);
    check(`${base}.dump`, dump);
    if (Object.keys(inline).length > 0) check(`${base}.inline.json`, JSON.stringify(inline, null, 2) + "\n");
  });
});
