// Diagnostics as compilers print them: `file:line:col: error: message`, the source line, a
// caret under the problem, then a hint where one helps.
import type { Diagnostic } from "./ast.ts";

function sourceLine(source: string, offset: number): { text: string; start: number } {
  const start = source.lastIndexOf("\n", offset - 1) + 1;
  let end = source.indexOf("\n", offset);
  if (end < 0) end = source.length;
  return { text: source.slice(start, end).replace(/\r$/, ""), start };
}

export function formatDiagnostic(d: Diagnostic, source: string): string {
  const head = `${d.pos.file}:${d.pos.line}:${d.pos.col}: ${d.severity}: ${d.message}`;
  const { text } = sourceLine(source, Math.min(d.pos.offset, source.length));
  // Keep tabs in the padding so the caret lines up under tab-indented text.
  const before = text.slice(0, d.pos.col - 1).replace(/[^\t]/g, " ");
  const room = Math.max(1, Math.min(d.length, text.length - (d.pos.col - 1)));
  const caret = before + "^" + "~".repeat(room - 1);
  const lines = [head, text, caret];
  if (d.hint) lines.push(`  hint: ${d.hint}`);
  return lines.join("\n");
}

export function formatDiagnostics(ds: readonly Diagnostic[], source: string): string {
  return ds.map((d) => formatDiagnostic(d, source) + "\n").join("");
}

export function summary(ds: readonly Diagnostic[]): string {
  const count = (s: Diagnostic["severity"]) => ds.filter((d) => d.severity === s).length;
  const plural = (n: number, w: string) => `${n} ${w}${n === 1 ? "" : "s"}`;
  const notes = count("note");
  const text = `${plural(count("error"), "error")}, ${plural(count("warning"), "warning")}`;
  return notes > 0 ? `${text}, ${plural(notes, "note")}` : text;
}

/** One JSON object per diagnostic, for editors and CI (`netrino lint --format json`). */
export interface JsonDiagnostic {
  readonly file: string;
  readonly line: number;
  readonly column: number;
  readonly length: number;
  readonly severity: Diagnostic["severity"];
  readonly code: string;
  readonly message: string;
  readonly hint?: string;
}

export function diagnosticsJson(ds: readonly Diagnostic[]): string {
  const out: JsonDiagnostic[] = ds.map((d) => ({
    file: d.pos.file,
    line: d.pos.line,
    column: d.pos.col,
    length: d.length,
    severity: d.severity,
    code: d.code,
    message: d.message,
    ...(d.hint !== undefined ? { hint: d.hint } : {}),
  }));
  return JSON.stringify(out, null, 2) + "\n";
}
