// Buildfile parser: the mkifs line grammar (attributes, files, inline files, comments) with
// the startup script parsed into commands. It never throws: it returns the tree it could
// build and every problem as a diagnostic.
import type { AttributeGroup, Buildfile, BuildfileLine, Diagnostic, FileLine, Word } from "./ast.ts";
import { Scanner } from "./scanner.ts";
import { parseScript } from "./script-parser.ts";

export interface ParseResult {
  readonly ast: Buildfile;
  readonly diagnostics: Diagnostic[];
}

/** Is this file line the startup script (`[+script] .script = { … }`)? */
export function isScriptFile(group: AttributeGroup | undefined, target: Word): boolean {
  if (group?.attrs.some((a) => a.name === "script" && a.form === "set")) return true;
  return target.text === ".script" || target.text.endsWith("/.script");
}

export function parseBuildfile(source: string, file = "<buildfile>"): ParseResult {
  const diagnostics: Diagnostic[] = [];
  const s = new Scanner(file, source, diagnostics);
  const lines: BuildfileLine[] = [];
  while (!s.eof) {
    lines.push(parseLine(s));
    if (s.peek() === "\n") s.advance();
  }
  return { ast: { file, source, lines }, diagnostics };
}

function skipRestAsError(s: Scanner, message: string, hint?: string): void {
  const pos = s.pos();
  const rest = s.restOfLine();
  s.error("syntax", pos, rest.trimEnd().length, message, hint);
}

function parseLine(s: Scanner): BuildfileLine {
  s.skipBlanks();
  const pos = s.pos();
  if (s.atLineEnd()) return { kind: "blank", pos };
  if (s.peek() === "#") return { kind: "comment", pos, text: s.comment() };
  let group: AttributeGroup | undefined;
  if (s.peek() === "[") {
    group = s.attributeGroup();
    s.skipBlanks();
    if (s.atLineEnd()) return { kind: "attributes", pos, group };
    if (s.peek() === "#") return { kind: "attributes", pos, group, comment: s.comment() };
  }
  const target = s.word("={#[]");
  if (!target) {
    skipRestAsError(s, `Expected a file name, found '${s.peek()}'`);
    return group ? { kind: "attributes", pos, group } : { kind: "blank", pos };
  }
  s.skipBlanks();
  const line: { -readonly [K in keyof FileLine]: FileLine[K] } = { kind: "file", pos, group, target };
  if (s.peek() === "=") {
    s.advance();
    s.skipBlanks();
    if (s.peek() === "{") {
      line.inline = s.inline();
      if (line.inline && isScriptFile(group, target)) {
        line.script = parseScript(s.file, s.text, line.inline.pos, line.inline.raw.length, s.diagnostics);
      }
    } else {
      const host = s.word("#");
      if (host) line.host = host;
      else {
        s.error(
          "syntax",
          s.pos(),
          1,
          "Expected a host path or '{' after '='",
          "write `target=hostpath` or `target = { contents }`",
        );
      }
    }
  } else if (s.peek() === "{") {
    s.error("syntax", s.pos(), 1, "Missing '=' before '{'", `write \`${target.raw} = { … }\``);
    line.inline = s.inline();
  }
  s.skipBlanks();
  if (s.peek() === "#") line.comment = s.comment();
  else if (!s.atLineEnd()) {
    skipRestAsError(
      s,
      "Unexpected text after the file",
      "one file per line; quote names that contain spaces",
    );
  }
  return line;
}
