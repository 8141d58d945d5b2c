// The shell's syntax tree. Words keep their quoting so expansion can tell literal `*` from a
// glob and "$@" from $@; commands mirror the POSIX grammar that ksh extends.

/** One piece of a word; `quoted` parts never undergo field splitting or globbing. */
export type WordPart =
  | { k: "lit"; text: string; quoted: boolean }
  | { k: "tilde"; user: string }
  | { k: "param"; name: string; op: ParamOp | null; arg: Word | null; length: boolean; quoted: boolean }
  | { k: "cmd"; src: string; quoted: boolean }
  | { k: "arith"; expr: Word; quoted: boolean };

/** `${x:-d}` and friends; the `#`/`%` forms remove a pattern from the value. */
export type ParamOp = ":-" | "-" | ":=" | "=" | ":?" | "?" | ":+" | "+" | "#" | "##" | "%" | "%%";

export interface Word {
  parts: WordPart[];
  /** True when any part was quoted: an empty quoted word still makes one field. */
  hasQuotes: boolean;
}

export type RedirOp = "<" | ">" | ">>" | ">|" | "<>" | "<&" | ">&" | "<<" | "<<-";

export interface Redir {
  /** The descriptor redirected; null means the operator's default (0 for `<`, 1 for `>`). */
  fd: number | null;
  op: RedirOp;
  target: Word;
  /** Here-document body (filled in when the lexer reaches it); unquoted bodies expand. */
  heredoc?: { body: Word; quoted: boolean };
}

export interface Assign {
  name: string;
  value: Word;
}

export interface SimpleCommand {
  t: "simple";
  assigns: Assign[];
  words: Word[];
  redirs: Redir[];
  line: number;
}

export interface Pipeline {
  t: "pipeline";
  cmds: Command[];
  bang: boolean;
}

export interface AndOr {
  t: "andor";
  first: Command;
  rest: { op: "&&" | "||"; cmd: Command }[];
}

export interface List {
  t: "list";
  items: { cmd: Command; async: boolean; text: string }[];
}

export interface Subshell {
  t: "subshell";
  body: List;
  redirs: Redir[];
}

export interface Group {
  t: "group";
  body: List;
  redirs: Redir[];
}

export interface If {
  t: "if";
  clauses: { cond: List; body: List }[];
  otherwise: List | null;
  redirs: Redir[];
}

export interface Loop {
  t: "loop";
  until: boolean;
  cond: List;
  body: List;
  redirs: Redir[];
}

export interface For {
  t: "for";
  name: string;
  /** null: iterate over "$@". */
  words: Word[] | null;
  body: List;
  redirs: Redir[];
}

export interface CaseItem {
  patterns: Word[];
  body: List;
}

export interface Case {
  t: "case";
  word: Word;
  items: CaseItem[];
  redirs: Redir[];
}

export interface FuncDef {
  t: "func";
  name: string;
  body: Command;
}

/** `(( expr ))`: status 0 when the expression is non-zero. */
export interface ArithCommand {
  t: "arith";
  expr: Word;
  redirs: Redir[];
}

/** A token of `[[ … ]]`: an operator (`&&` `||` `(` `)` `<` `>`) or a word (`!` and `-f` are words). */
export type CondToken = { op: string } | { word: Word; text: string | null };

/** `[[ … ]]`: tests on unsplit, unglobbed words; the right side of `==`/`!=` is a pattern. */
export interface CondCommand {
  t: "cond";
  tokens: CondToken[];
  redirs: Redir[];
}

export type Command =
  | SimpleCommand
  | Pipeline
  | AndOr
  | List
  | Subshell
  | Group
  | If
  | Loop
  | For
  | Case
  | FuncDef
  | ArithCommand
  | CondCommand;

export function literalWord(text: string, quoted = false): Word {
  return { parts: [{ k: "lit", text, quoted }], hasQuotes: quoted };
}

/** The word's text if it is a plain unquoted literal (keywords, names), else null. */
export function plainText(w: Word): string | null {
  if (w.hasQuotes) return null;
  let s = "";
  for (const p of w.parts) {
    if (p.k !== "lit" || p.quoted) return null;
    s += p.text;
  }
  return s;
}
