// The TextMate grammar tokenizes every shipped buildfile with the scopes editors rely on.
import { readFileSync, readdirSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import * as oniguruma from "vscode-oniguruma";
import * as textmate from "vscode-textmate";

const require = createRequire(import.meta.url);
const ROOT = join(import.meta.dirname, "../../..");
const EXTENSION = join(ROOT, "editors/vscode");
const GRAMMAR = join(EXTENSION, "syntaxes/buildfile.tmLanguage.json");

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

  it("the VS Code extension contributes the language, its configuration and this grammar", () => {
    const pkg = JSON.parse(readFileSync(join(EXTENSION, "package.json"), "utf8"));
    const [lang] = pkg.contributes.languages;
    const [grammar] = pkg.contributes.grammars;
    expect(lang.extensions).toContain(".build");
    expect(grammar).toMatchObject({ language: lang.id, scopeName: "source.buildfile" });
    expect(join(EXTENSION, grammar.path)).toBe(GRAMMAR);
    const config = JSON.parse(readFileSync(join(EXTENSION, lang.configuration), "utf8"));
    expect(config.comments.lineComment).toBe("#");
  });

  const corpus = join(ROOT, "test/corpus");
  // A buildfile with a syntax error (an unmatched }) has no well-defined end state.
  const wellFormed = readdirSync(corpus).filter(
    (f) =>
      f.endsWith(".build") &&
      !readFileSync(join(corpus, "expected", f.replace(/\.build$/, ".lint")), "utf8").includes(": error:"),
  );
  it.each(wellFormed)("corpus %s: every line tokenizes, and the top level resumes after each block", (f) => {
    const lines = tokenize(g, readFileSync(join(corpus, f), "utf8"));
    expect(lines[0][0][1]).toContain("comment.line.number-sign.buildfile");
    // The last non-empty line is never left inside an inline file, script or bootstrap.
    const last = lines.filter((l) => l.length > 0 && l.some(([t]) => t.trim() !== "")).at(-1)!;
    const closing = last.filter(([t]) => t.trim() !== "").at(-1)!;
    expect(
      closing[1].some(
        (s) =>
          s.startsWith("punctuation.section") ||
          s.startsWith("entity") ||
          s.startsWith("string.unquoted.host") ||
          s.startsWith("punctuation.definition.attributes"),
      ),
    ).toBe(true);
  });

  it("mkifs forms: inline files without =, escapes, bootstrap blocks, target and host path", () => {
    const lines = tokenize(
      g,
      [
        "[virtual=x86_64,bios] boot = {",
        "    startup-x86 -v",
        "}",
        "/etc/rc {",
        "a \\} still inside",
        "}",
        "/bin/tool host/tool.bin",
        "/a#b=x",
      ].join("\n"),
    );
    expect(lines[1].every(([, s]) => s.includes("meta.bootstrap.buildfile"))).toBe(true);
    expect(scopesOf(lines, "-v")).toContain("variable.parameter.option.buildfile");
    expect(scopesOf(lines, "\\}")).toContain("constant.character.escape.buildfile");
    expect(scopesOf(lines, " still inside")).toContain("string.unquoted.inline.buildfile");
    expect(scopesOf(lines, "host/tool.bin")).toContain("string.unquoted.host-path.buildfile");
    expect(scopesOf(lines, "/bin/tool")).not.toContain("string.unquoted.inline.buildfile");
    expect(lines[7].some(([, s]) => s.some((x) => x.startsWith("comment")))).toBe(false);
  });

  it("a ${VAR} inside the script does not end it", () => {
    const lines = tokenize(g, "[+script] .script = {\n    display_msg ${A:-b}\n    waitfor /x\n}\n/a=b");
    expect(scopesOf(lines, "A")).toContain("variable.other.readwrite.buildfile");
    expect(scopesOf(lines, "waitfor")).toContain("meta.script.buildfile");
    expect(scopesOf(lines, "/a")).not.toContain("meta.script.buildfile");
  });
});
