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
  let lastInline: { line: number; target: string } | undefined;
  while (!s.eof) {
    const line = parseLine(s, lastInline);
    if (line.kind === "file" && line.inline) lastInline = { line: line.pos.line, target: line.target.raw };
    lines.push(line);
    if (s.peek() === "\n") s.advance();
  }
  return { ast: { file, source, lines }, diagnostics };
}

function skipRestAsError(s: Scanner, message: string, hint?: string): void {
  const pos = s.pos();
  const rest = s.restOfLine();
  s.error("syntax", pos, rest.trimEnd().length, message, hint);
}

/** `[virtual=…] boot = { … }` (or `.bootstrap`): the bootstrap of a QNX image, not a file. */
export function isBootstrap(group: AttributeGroup | undefined): boolean {
  return group?.attrs.some((a) => a.name === "virtual" || a.name === "physical") ?? false;
}

function parseInlineFile(
  s: Scanner,
  line: { -readonly [K in keyof FileLine]: FileLine[K] },
  group: AttributeGroup | undefined,
  target: Word,
): void {
  const inline = s.inline();
  if (!inline) return;
  line.inline = inline;
  if (isBootstrap(group)) line.bootstrap = true;
  else if (isScriptFile(group, target)) {
    line.script = parseScript(s.file, s.text, inline.pos, inline.raw.length, s.diagnostics);
  }
  s.skipBlanks();
  if (!s.atLineEnd() && s.peek() !== "#") {
    const endLine = s.line;
    const pos = s.pos();
    const rest = s.restOfLine();
    s.error(
      "syntax",
      pos,
      rest.trimEnd().length,
      `Unexpected text after the inline file ${target.raw}, which ends here at line ${endLine}`,
      "an unescaped } inside an inline file ends it: write a literal } as \\}",
    );
  }
}

function parseLine(s: Scanner, lastInline: { line: number; target: string } | undefined): BuildfileLine {
  s.skipBlanks();
  const pos = s.pos();
  if (s.atLineEnd()) return { kind: "blank", pos };
  if (s.peek() === "#") return { kind: "comment", pos, text: s.comment() };
  if (s.peek() === "}") {
    skipRestAsError(
      s,
      "Unmatched '}'",
      lastInline
        ? `the inline file ${lastInline.target} (line ${lastInline.line}) was already ended by an unescaped }: write a literal } inside it as \\}`
        : "write a literal } inside an inline file as \\}",
    );
    return { kind: "blank", pos };
  }
  let group: AttributeGroup | undefined;
  if (s.peek() === "[") {
    group = s.attributeGroup();
    s.skipBlanks();
    if (s.atLineEnd()) return { kind: "attributes", pos, group };
    if (s.peek() === "#") return { kind: "attributes", pos, group, comment: s.comment() };
  }
  // `#` starts a comment only at the start of a word: `a#b` is one name.
  const target = s.word("=[]");
  if (!target) {
    skipRestAsError(s, `Expected a file name, found '${s.peek()}'`);
    return group ? { kind: "attributes", pos, group } : { kind: "blank", pos };
  }
  s.skipBlanks();
  const line: { -readonly [K in keyof FileLine]: FileLine[K] } = { kind: "file", pos, group, target };
  if (s.peek() === "=") {
    s.advance();
    s.skipBlanks();
    if (s.peek() === "{") parseInlineFile(s, line, group, target);
    else {
      const host = s.peek() === "#" ? undefined : s.word("");
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
    // mkifs: `/etc/rc {` … `}` is the same as `/etc/rc = {` … `}`.
    parseInlineFile(s, line, group, target);
  } else if (!s.atLineEnd() && s.peek() !== "#") {
    // mkifs: `target hostpath` (whitespace instead of `=`).
    const host = s.word("");
    if (host) line.host = host;
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
