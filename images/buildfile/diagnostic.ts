// How every buildfile pass records a finding: one Diagnostic, underlining at least one
// character so an empty token still gets a caret.
import type { Diagnostic, Severity, SourcePos } from "./ast.ts";

export type Report = (
  d: Diagnostic[],
  code: string,
  pos: SourcePos,
  length: number,
  message: string,
  hint?: string,
) => void;

function reporter(severity: Severity): Report {
  return (d, code, pos, length, message, hint) =>
    d.push({ severity, code, pos, length: Math.max(1, length), message, hint });
}

export const addError: Report = reporter("error");
export const addWarning: Report = reporter("warning");
export const addNote: Report = reporter("note");
