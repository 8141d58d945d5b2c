// The buildfile syntax tree. Every node keeps where it came from (file, line, col; 1-based)
// so the linter can point at it and the formatter can rewrite the file without losing
// comments.

export interface SourcePos {
  readonly file: string;
  readonly line: number;
  readonly col: number;
  /** Offset into the source text (0-based). */
  readonly offset: number;
}

/** A note is something accepted and ignored; `--strict` reports notes as warnings. */
export type Severity = "error" | "warning" | "note";

export interface Diagnostic {
  readonly severity: Severity;
  /** Stable identifier of the check (`syntax`, `unknown-attribute` …); tests key on it. */
  readonly code: string;
  readonly pos: SourcePos;
  /** Characters to underline from `pos` (at least 1). */
  readonly length: number;
  readonly message: string;
  readonly hint?: string;
}

/** A name or value as written, with quotes and escapes resolved. */
export interface Word {
  readonly text: string;
  /** Exactly as in the source (quotes included): the formatter reuses it. */
  readonly raw: string;
  readonly pos: SourcePos;
  readonly quoted: boolean;
}

/** `+name`, `-name`, `name=value`, each optionally prefixed with `?` (set only if unset). */
export interface Attribute {
  readonly name: string;
  readonly form: "set" | "clear" | "value";
  readonly value?: Word;
  readonly conditional: boolean;
  readonly raw: string;
  readonly pos: SourcePos;
}

export interface AttributeGroup {
  readonly attrs: Attribute[];
  readonly pos: SourcePos;
}

export interface InlineContents {
  /** Text between the braces with `\}` kept, as written. */
  readonly raw: string;
  /** Position of the first character after `{`. */
  readonly pos: SourcePos;
}

export interface AttributeLine {
  readonly kind: "attributes";
  readonly pos: SourcePos;
  readonly group: AttributeGroup;
  readonly comment?: string;
}

export interface FileLine {
  readonly kind: "file";
  readonly pos: SourcePos;
  readonly group?: AttributeGroup;
  readonly target: Word;
  readonly host?: Word;
  readonly inline?: InlineContents;
  /** `[virtual=…] boot = { … }`: a QNX bootstrap block (parsed, not a file here). */
  readonly bootstrap?: boolean;
  /** Parsed startup script when this file is the script. */
  readonly script?: Script;
  readonly comment?: string;
}

export interface CommentLine {
  readonly kind: "comment";
  readonly pos: SourcePos;
  /** Text after `#`. */
  readonly text: string;
}

export interface BlankLine {
  readonly kind: "blank";
  readonly pos: SourcePos;
}

export type BuildfileLine = AttributeLine | FileLine | CommentLine | BlankLine;

export interface Buildfile {
  readonly file: string;
  readonly source: string;
  readonly lines: BuildfileLine[];
}

// --- the startup script -------------------------------------------------------------------

export interface EnvAssignment {
  readonly name: string;
  readonly value: Word;
  readonly raw: string;
  readonly pos: SourcePos;
}

/** `[pri=10 +session] VAR=x cmd args &` — a command with its modifiers and environment. */
export interface ScriptCommand {
  readonly kind: "command";
  readonly pos: SourcePos;
  readonly modifiers?: AttributeGroup;
  readonly env: EnvAssignment[];
  readonly argv: Word[];
  readonly background: boolean;
  readonly comment?: string;
}

/** A line of only `VAR=val`: sets the environment of every later command. */
export interface ScriptEnvLine {
  readonly kind: "env";
  readonly pos: SourcePos;
  readonly env: EnvAssignment[];
  readonly comment?: string;
}

/** A modifier group alone on a line: applies to every later command. */
export interface ScriptModifierLine {
  readonly kind: "modifiers";
  readonly pos: SourcePos;
  readonly group: AttributeGroup;
  readonly comment?: string;
}

export type ScriptLine = ScriptCommand | ScriptEnvLine | ScriptModifierLine | CommentLine | BlankLine;

export interface Script {
  readonly lines: ScriptLine[];
}
