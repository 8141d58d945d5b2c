// The TextMate grammar tokenizes every shipped buildfile with the scopes editors rely on.
import { readFileSync, readdirSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import * as oniguruma from "vscode-oniguruma";
import * as textmate from "vscode-textmate";

const require = createRequire(import.meta.url);
const ROOT = join(import.meta.dirname, "../../..");
const GRAMMAR = join(ROOT, "images/buildfile/buildfile.tmLanguage.json");

async function loadGrammar(): Promise<textmate.IGrammar> {
  const wasm = readFileSync(require.resolve("vscode-oniguruma/release/onig.wasm"));
  await oniguruma.loadWASM(wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.byteLength));
  const registry = new textmate.Registry({
    onigLib: Promise.resolve({
      createOnigScanner: (p: string[]) => new oniguruma.OnigScanner(p),
      createOnigString: (s: string) => new oniguruma.OnigString(s),
    }),
    loadGrammar: async () => textmate.parseRawGrammar(readFileSync(GRAMMAR, "utf8"), GRAMMAR),
  });
  const g = await registry.loadGrammar("source.buildfile");
  if (!g) throw new Error("grammar did not load");
  return g;
}

/** Every token as [text, scopes], line by line. */
function tokenize(g: textmate.IGrammar, text: string): Array<Array<[string, string[]]>> {
  let stack = textmate.INITIAL;
  return text.split("\n").map((line) => {
    const r = g.tokenizeLine(line, stack);
    stack = r.ruleStack;
    return r.tokens.map((t): [string, string[]] => [line.slice(t.startIndex, t.endIndex), t.scopes]);
  });
}

function scopesOf(lines: Array<Array<[string, string[]]>>, text: string): string[] {
  for (const l of lines) for (const [t, s] of l) if (t === text) return s;
  return [];
}

describe("buildfile TextMate grammar", async () => {
  const g = await loadGrammar();
  const files = readdirSync(join(ROOT, "buildfiles")).filter((f) => f.endsWith(".build"));

  it.each(files)("%s: comments, attributes, script built-ins, variables, and the file list", (f) => {
    const src = readFileSync(join(ROOT, "buildfiles", f), "utf8");
    const lines = tokenize(g, src);
    expect(lines[0][0][1]).toContain("comment.line.number-sign.buildfile");
    expect(scopesOf(lines, "board")).toContain("entity.other.attribute-name.buildfile");
    expect(scopesOf(lines, "waitfor")).toEqual(
      expect.arrayContaining(["meta.script.buildfile", "support.function.builtin.buildfile"]),
    );
    expect(scopesOf(lines, "PATH")).toContain("variable.other.env.buildfile");
    expect(scopesOf(lines, "&")).toContain("keyword.operator.background.buildfile");
    // After the script closes we are back at the top level.
    const linkLine = lines.find((l) => l.some(([t]) => t === "/bin/sh"))!;
    const sh = linkLine.find(([t]) => t === "/bin/sh")!;
    expect(sh[1]).toContain("entity.name.filename.buildfile");
    expect(sh[1]).not.toContain("meta.script.buildfile");
    expect(scopesOf(lines, "/proc/boot/ksh")).toContain("string.unquoted.host-path.buildfile");
    // Inline files are data.
    expect(scopesOf(lines, "127.0.0.1\tlocalhost")).toContain("string.unquoted.inline.buildfile");
  });

  it("a ${VAR} inside the script does not end it", () => {
    const lines = tokenize(g, "[+script] .script = {\n    display_msg ${A:-b}\n    waitfor /x\n}\n/a=b");
    expect(scopesOf(lines, "A")).toContain("variable.other.readwrite.buildfile");
    expect(scopesOf(lines, "waitfor")).toContain("meta.script.buildfile");
    expect(scopesOf(lines, "/a")).not.toContain("meta.script.buildfile");
  });
});
