// Parser of the startup script body (`[+script] .script = { … }`): one command per line,
// `[modifiers] [VAR=val …] cmd args [&]`, a modifier group or `VAR=val` list alone on a line.
import type {
  AttributeGroup,
  Diagnostic,
  EnvAssignment,
  Script,
  ScriptLine,
  SourcePos,
  Word,
} from "./ast.ts";
import { Scanner } from "./scanner.ts";

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Parses `length` characters of `text` starting at `start` (the inside of the braces). */
export function parseScript(
  file: string,
  text: string,
  start: SourcePos,
  length: number,
  diagnostics: Diagnostic[],
): Script {
  const s = new Scanner(file, text, diagnostics, start, start.offset + length);
  const lines: ScriptLine[] = [];
  // A newline right after `{` is layout, not an empty script line.
  s.skipBlanks();
  if (s.peek() === "\n") s.advance();
  while (!s.eof) {
    const line = parseScriptLine(s);
    // The indentation before the closing brace is not a blank line.
    if (!(line.kind === "blank" && s.eof)) lines.push(line);
    if (s.peek() === "\n") s.advance();
  }
  return { lines };
}

function envAssignment(w: Word): EnvAssignment | undefined {
  if (w.quoted) return undefined;
  const eq = w.raw.indexOf("=");
  if (eq <= 0 || !ENV_NAME.test(w.raw.slice(0, eq))) return undefined;
  const name = w.raw.slice(0, eq);
  const rawValue = w.raw.slice(eq + 1);
  const value: Word = {
    text: w.text.slice(w.text.indexOf("=") + 1),
    raw: rawValue,
    pos: { ...w.pos, col: w.pos.col + eq + 1, offset: w.pos.offset + eq + 1 },
    quoted: rawValue.startsWith('"') || rawValue.startsWith("'"),
  };
  return { name, value, raw: w.raw, pos: w.pos };
}

/** A word in a script line; `VAR="a b"` is one word. */
function scriptWord(s: Scanner): Word | undefined {
  const pos = s.pos();
  const start = s.offset;
  let text = "";
  while (!s.atLineEnd()) {
    const c = s.peek();
    if (c === " " || c === "\t" || c === "\r") break;
    if (c === '"' || c === "'") {
      const part = s.word("", true);
      text += part?.text ?? "";
      continue;
    }
    const part = s.word("\"'");
    if (!part) break;
    text += part.text;
  }
  if (s.offset === start) return undefined;
  const raw = s.text.slice(start, s.offset);
  return { text, raw, pos, quoted: raw.startsWith('"') || raw.startsWith("'") };
}

function parseScriptLine(s: Scanner): ScriptLine {
  s.skipBlanks();
  const pos = s.pos();
  if (s.atLineEnd()) return { kind: "blank", pos };
  if (s.peek() === "#") return { kind: "comment", pos, text: s.comment() };
  let modifiers: AttributeGroup | undefined;
  if (s.peek() === "[") {
    modifiers = s.attributeGroup();
    s.skipBlanks();
    if (s.atLineEnd()) return { kind: "modifiers", pos, group: modifiers };
    if (s.peek() === "#") return { kind: "modifiers", pos, group: modifiers, comment: s.comment() };
  }
  const env: EnvAssignment[] = [];
  const argv: Word[] = [];
  let background = false;
  let comment: string | undefined;
  while (!s.atLineEnd()) {
    s.skipBlanks();
    if (s.atLineEnd()) break;
    if (s.peek() === "#") {
      comment = s.comment();
      break;
    }
    const w = scriptWord(s);
    if (!w) break;
    if (background) {
      s.error("syntax", w.pos, w.raw.length, "'&' must be the last word of the command");
      background = false;
    }
    if (w.raw === "&") {
      background = true;
      continue;
    }
    if (!w.quoted && /&&$/.test(w.raw)) {
      // `a && b` is shell syntax the startup script does not have.
      s.error("syntax", w.pos, w.raw.length, `Unexpected '${w.raw}': the startup script has no && or ||`);
      continue;
    }
    if (!w.quoted && w.raw.endsWith("&") && !w.raw.endsWith("\\&")) {
      // `cmd arg&` — the trailing & still means "run in the background".
      // It is the same word as `cmd arg &`, so an assignment stays an assignment.
      const trimmed: Word = { text: w.text.slice(0, -1), raw: w.raw.slice(0, -1), pos: w.pos, quoted: false };
      const assigned = argv.length === 0 ? envAssignment(trimmed) : undefined;
      if (assigned) env.push(assigned);
      else argv.push(trimmed);
      background = true;
      continue;
    }
    const assignment = argv.length === 0 ? envAssignment(w) : undefined;
    if (assignment) env.push(assignment);
    else argv.push(w);
  }
  if (argv.length === 0) {
    if (env.length > 0 && !modifiers && !background) return { kind: "env", pos, env, comment };
    if (env.length === 0 && !background && modifiers)
      return { kind: "modifiers", pos, group: modifiers, comment };
    s.error("syntax", pos, 1, background ? "'&' without a command" : "Modifiers need a command on this line");
    return env.length > 0 ? { kind: "env", pos, env, comment } : { kind: "blank", pos };
  }
  return { kind: "command", pos, modifiers, env, argv, background, comment };
}
