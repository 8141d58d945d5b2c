// `netrino fmt`: one canonical layout for buildfiles. Comments are kept; blank lines are
// collapsed to one; attribute groups get single spaces; `target=host` without spaces,
// `target = {` for inline files; script lines indented by four spaces. The contents of
// ordinary inline files are kept byte for byte (they are file data). Idempotent.
import type { AttributeGroup, Buildfile, BuildfileLine, Script, ScriptLine } from "./ast.ts";

const INDENT = "    ";

function group(g: AttributeGroup | undefined): string {
  return g ? `[${g.attrs.map((a) => a.raw).join(" ")}]` : "";
}

function withComment(text: string, comment: string | undefined): string {
  if (comment === undefined) return text;
  return text === "" ? `#${comment}` : `${text}  #${comment}`;
}

function scriptLine(l: ScriptLine): string {
  switch (l.kind) {
    case "blank":
      return "";
    case "comment":
      return `#${l.text}`;
    case "modifiers":
      return withComment(group(l.group), l.comment);
    case "env":
      return withComment(l.env.map((e) => e.raw).join(" "), l.comment);
    case "command": {
      const parts = [group(l.modifiers), ...l.env.map((e) => e.raw), ...l.argv.map((w) => w.raw)].filter(
        Boolean,
      );
      return withComment(parts.join(" ") + (l.background ? " &" : ""), l.comment);
    }
  }
}

function collapseBlanks(lines: string[]): string[] {
  const out: string[] = [];
  for (const l of lines) {
    if (l === "" && (out.length === 0 || out[out.length - 1] === "")) continue;
    out.push(l);
  }
  while (out.length && out[out.length - 1] === "") out.pop();
  return out;
}

function script(s: Script): string {
  const body = collapseBlanks(s.lines.map(scriptLine)).map((l) => (l === "" ? "" : INDENT + l));
  return body.length ? `{\n${body.join("\n")}\n}` : "{\n}";
}

function line(l: BuildfileLine): string {
  switch (l.kind) {
    case "blank":
      return "";
    case "comment":
      return `#${l.text}`;
    case "attributes":
      return withComment(group(l.group), l.comment);
    case "file": {
      let text = l.group ? group(l.group) + " " : "";
      text += l.target.raw;
      if (l.script) text += " = " + script(l.script);
      else if (l.inline) text += ` = {${l.inline.raw}}`;
      else if (l.host) text += `=${l.host.raw}`;
      return withComment(text, l.comment);
    }
  }
}

export function formatBuildfile(ast: Buildfile): string {
  const lines = collapseBlanks(ast.lines.map(line));
  return lines.length ? lines.join("\n") + "\n" : "";
}
