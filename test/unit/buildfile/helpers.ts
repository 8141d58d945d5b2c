// Shared fixtures for the buildfile tests: a temporary directory with a host file and a
// wrapper that analyzes a buildfile text as if it were a file there.
import { mkdtempSync, mkdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { analyzeBuildfile, type Analysis } from "../../../images/buildfile/lint.ts";

export function fixtureDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "netrino-bf-"));
  writeFileSync(join(dir, "real.txt"), "hello\n");
  mkdirSync(join(dir, "tree/sub"), { recursive: true });
  writeFileSync(join(dir, "tree/a.txt"), "a");
  writeFileSync(join(dir, "tree/sub/b.txt"), "b");
  writeFileSync(join(dir, "app.ts"), 'export default { name: "app", usage: "app", main: () => 0 };\n');
  return dir;
}

/**
 * A buildfile with a startup script of `lines` (script line i is file line i + 1), then `rest`
 * (starting at line lines.length + 3), then the programs the script usually needs.
 */
export function withScript(lines: string[], rest = ""): string {
  return [
    "[+script] .script = {",
    ...lines.map((l) => "    " + l),
    "}",
    rest,
    "[type=builtin] devc-ser",
    "[type=builtin] io-pkt",
    "[type=builtin] ksh",
  ].join("\n");
}

export function analyze(source: string, dir: string, defines: Record<string, string> = {}): Analysis {
  return analyzeBuildfile(source, join(dir, "test.build"), { defines, env: {} });
}
