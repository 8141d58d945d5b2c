// Tokenizer for the shell language. Pulled token by token by the parser, because here-document
// bodies start after the next newline and only the parser knows which `<<` are pending.
import type { ParamOp, Redir, Word, WordPart } from "./ast.ts";
import { IncompleteInput, ShellSyntaxError } from "./errors.ts";

/**
 * Finds the end of a `$(…)` body starting at `start` by parsing it as commands (so `case x in
 * a)` inside does not end it): returns the index just past the closing `)`. Set by parser.ts,
 * which imports this module (the lexer cannot import the parser back).
 */
export type SubstScanner = (src: string, start: number, line: number) => number;

export type Token =
  | { t: "word"; word: Word; raw: string; start: number; end: number; line: number }
  | { t: "op"; op: string; start: number; end: number; line: number }
  | { t: "ionum"; n: number; start: number; end: number; line: number }
  | { t: "nl"; start: number; end: number; line: number }
  | { t: "eof"; start: number; end: number; line: number };

const OPERATORS = [
  "<<-",
  "&&",
  "||",
  ";;",
  "<<",
  ">>",
  "<&",
  ">&",
  "<>",
  ">|",
  "|",
  "&",
  ";",
  "(",
  ")",
  "<",
  ">",
];
const META = new Set([" ", "\t", "\n", ";", "&", "|", "(", ")", "<", ">"]);
const SPECIAL_PARAMS = new Set(["?", "$", "!", "#", "@", "*", "-", "0"]);
const PARAM_OPS: ParamOp[] = [":-", ":=", ":?", ":+", "##", "%%", "-", "=", "?", "+", "#", "%"];

/** Where a run of parts stops, and how backslash and quotes behave inside it. */
interface PartMode {
  quoted: boolean;
  stop: (ch: string) => boolean;
}

export function isName(s: string): boolean {
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(s);
}

function isNameStart(ch: string): boolean {
  return (ch >= "a" && ch <= "z") || (ch >= "A" && ch <= "Z") || ch === "_";
}

function isNameChar(ch: string): boolean {
  return isNameStart(ch) || (ch >= "0" && ch <= "9");
}

export class Lexer {
  readonly src: string;
  pos = 0;
  line: number;
  private readonly pending: { redir: Redir; delim: string; strip: boolean }[] = [];

  /** How `$(…)` bodies are delimited; without one, parentheses are counted. */
  scanSubst: SubstScanner | null = null;

  constructor(src: string, firstLine = 1, start = 0, scanSubst: SubstScanner | null = null) {
    this.src = src;
    this.line = firstLine;
    this.pos = start;
    this.scanSubst = scanSubst;
  }

  /** The parser calls this for each `<<WORD`; the body is read after the next newline. */
  addHeredoc(redir: Redir, delimWord: Word): void {
    let delim = "";
    let quoted = false;
    for (const p of delimWord.parts) {
      if (p.k === "lit") {
        delim += p.text;
        if (p.quoted) quoted = true;
      } else if (p.k === "param") {
        delim += "$" + p.name;
      } else if (p.k === "tilde") {
        delim += "~" + p.user;
      }
    }
    redir.heredoc = { body: { parts: [], hasQuotes: false }, quoted };
    this.pending.push({ redir, delim, strip: redir.op === "<<-" });
  }

  get hasPendingHeredocs(): boolean {
    return this.pending.length > 0;
  }

  /** The whole input as the inside of a double-quoted string (prompts): `$x`, `$(…)` expand. */
  readTemplate(): Word {
    const parts: WordPart[] = [];
    this.readParts(parts, { quoted: true, stop: () => false }, { hasQuotes: false });
    return { parts, hasQuotes: true };
  }

  private incomplete(what: string): never {
    throw new IncompleteInput(what, this.line);
  }

  private skipBlanks(): void {
    const s = this.src;
    while (this.pos < s.length) {
      const ch = s[this.pos];
      if (ch === " " || ch === "\t" || ch === "\r") this.pos++;
      else if (ch === "\\" && s[this.pos + 1] === "\n") {
        this.pos += 2;
        this.line++;
      } else if (ch === "\\" && this.pos + 1 === s.length) {
        this.incomplete("line continuation");
      } else if (ch === "#") {
        while (this.pos < s.length && s[this.pos] !== "\n") this.pos++;
      } else break;
    }
  }

  next(): Token {
    this.skipBlanks();
    const s = this.src;
    const start = this.pos;
    const line = this.line;
    if (this.pos >= s.length) {
      if (this.pending.length > 0) this.incomplete(`here document '${this.pending[0].delim}' unclosed`);
      return { t: "eof", start, end: start, line };
    }
    const ch = s[this.pos];
    if (ch === "\n") {
      this.pos++;
      this.line++;
      this.readHeredocBodies();
      return { t: "nl", start, end: this.pos, line };
    }
    if (ch >= "0" && ch <= "9") {
      let j = this.pos;
      while (j < s.length && s[j] >= "0" && s[j] <= "9") j++;
      if ((s[j] === "<" || s[j] === ">") && j - this.pos <= 4) {
        const n = Number(s.slice(this.pos, j));
        this.pos = j;
        return { t: "ionum", n, start, end: j, line };
      }
    }
    for (const op of OPERATORS) {
      if (s.startsWith(op, this.pos)) {
        this.pos += op.length;
        return { t: "op", op, start, end: this.pos, line };
      }
    }
    const word = this.readWord();
    return { t: "word", word, raw: s.slice(start, this.pos), start, end: this.pos, line };
  }

  private readWord(): Word {
    const parts: WordPart[] = [];
    const s = this.src;
    if (s[this.pos] === "~") {
      let j = this.pos + 1;
      if (s[j] === "+" || s[j] === "-") j++;
      else while (j < s.length && (isNameChar(s[j]) || s[j] === "-" || s[j] === ".")) j++;
      if (j >= s.length || s[j] === "/" || META.has(s[j])) {
        parts.push({ k: "tilde", user: s.slice(this.pos + 1, j) });
        this.pos = j;
      }
    }
    const flags = { hasQuotes: false };
    this.readParts(parts, { quoted: false, stop: (c) => META.has(c) }, flags);
    return { parts, hasQuotes: flags.hasQuotes };
  }

  /** Reads parts until `mode.stop` matches (unquoted) or the input ends. */
  private readParts(parts: WordPart[], mode: PartMode, flags: { hasQuotes: boolean }): void {
    const s = this.src;
    let lit = "";
    const flush = (): void => {
      if (lit) parts.push({ k: "lit", text: lit, quoted: mode.quoted });
      lit = "";
    };
    while (this.pos < s.length) {
      const ch = s[this.pos];
      if (mode.stop(ch)) break;
      if (ch === "\\") {
        const nx = s[this.pos + 1];
        if (nx === undefined) {
          if (mode.quoted) {
            lit += ch;
            this.pos++;
            continue;
          }
          this.incomplete("line continuation");
        }
        if (nx === "\n") {
          this.pos += 2;
          this.line++;
          continue;
        }
        if (mode.quoted && !'$`"\\'.includes(nx)) {
          lit += ch;
          this.pos++;
          continue;
        }
        flush();
        parts.push({ k: "lit", text: nx, quoted: true });
        flags.hasQuotes = true;
        this.pos += 2;
        continue;
      }
      if (ch === "'" && !mode.quoted) {
        flush();
        const end = s.indexOf("'", this.pos + 1);
        if (end < 0) this.incomplete("unterminated quoted string");
        const text = s.slice(this.pos + 1, end);
        this.countLines(text);
        parts.push({ k: "lit", text, quoted: true });
        flags.hasQuotes = true;
        this.pos = end + 1;
        continue;
      }
      if (ch === '"' && !mode.quoted) {
        flush();
        this.pos++;
        const before = parts.length;
        this.readParts(parts, { quoted: true, stop: (c) => c === '"' }, flags);
        if (this.pos >= s.length) this.incomplete("unterminated quoted string");
        this.pos++;
        flags.hasQuotes = true;
        // An empty "" still has to make a (quoted, empty) field.
        if (parts.length === before) parts.push({ k: "lit", text: "", quoted: true });
        continue;
      }
      if (ch === "$") {
        const part = this.readDollar(mode.quoted);
        if (part) {
          flush();
          parts.push(part);
          continue;
        }
        lit += "$";
        this.pos++;
        continue;
      }
      if (ch === "`") {
        flush();
        parts.push({ k: "cmd", src: this.readBackquote(mode.quoted), quoted: mode.quoted });
        continue;
      }
      if (ch === "\n") this.line++;
      lit += ch;
      this.pos++;
    }
    flush();
  }

  private countLines(text: string): void {
    for (let i = text.indexOf("\n"); i >= 0; i = text.indexOf("\n", i + 1)) this.line++;
  }

  private readBackquote(quoted: boolean): string {
    const s = this.src;
    let i = this.pos + 1;
    let out = "";
    while (i < s.length && s[i] !== "`") {
      if (s[i] === "\\" && i + 1 < s.length && ("$`\\".includes(s[i + 1]) || (quoted && s[i + 1] === '"'))) {
        out += s[i + 1];
        i += 2;
        continue;
      }
      out += s[i++];
    }
    if (i >= s.length) this.incomplete("unterminated `");
    this.countLines(s.slice(this.pos, i));
    this.pos = i + 1;
    return out;
  }

  /** Index just past the `)` that closes a `$(` whose body starts at `i`. */
  private scanParens(i: number): number {
    const s = this.src;
    let depth = 1;
    while (i < s.length) {
      const ch = s[i];
      if (ch === "\\") i += 2;
      else if (ch === "'") {
        const e = s.indexOf("'", i + 1);
        if (e < 0) this.incomplete("unterminated quoted string");
        i = e + 1;
      } else if (ch === '"') {
        i++;
        while (i < s.length && s[i] !== '"') {
          if (s[i] === "\\") i += 2;
          else if (s[i] === "$" && s[i + 1] === "(") i = this.scanParens(i + 2);
          else i++;
        }
        if (i >= s.length) this.incomplete("unterminated quoted string");
        i++;
      } else if (ch === "(") {
        depth++;
        i++;
      } else if (ch === ")") {
        depth--;
        i++;
        if (depth === 0) return i;
      } else i++;
    }
    this.incomplete("unterminated $(");
  }

  /**
   * `(( … ))` in command position, the first `(` at `open`: the expression as a word, with the
   * lexer moved past `))`; null when the parentheses do not pair up that way (nested subshells).
   */
  readArithCommand(open: number): Word | null {
    const s = this.src;
    const end = this.scanParens(open + 1);
    if (s[end - 2] !== ")" || end - 2 < open + 2) return null;
    const inner = s.slice(open + 2, end - 2);
    const sub = new Lexer(inner, this.line, 0, this.scanSubst);
    const parts: WordPart[] = [];
    sub.readParts(parts, { quoted: true, stop: () => false }, { hasQuotes: false });
    this.countLines(s.slice(open, end));
    this.pos = end;
    return { parts, hasQuotes: true };
  }

  private readDollar(quoted: boolean): WordPart | null {
    const s = this.src;
    const nx = s[this.pos + 1];
    if (nx === undefined) return null;
    if (nx === "(" && s[this.pos + 2] === "(") {
      const bodyStart = this.pos + 3;
      // Scanning from the second `(` finds the `)` that closes the first one.
      const end = this.scanParens(this.pos + 2);
      if (s[end - 2] === ")" && end - 2 >= bodyStart) {
        const inner = s.slice(bodyStart, end - 2);
        const sub = new Lexer(inner, this.line, 0, this.scanSubst);
        const parts: WordPart[] = [];
        sub.readParts(parts, { quoted: true, stop: () => false }, { hasQuotes: false });
        this.countLines(s.slice(this.pos, end));
        this.pos = end;
        return { k: "arith", expr: { parts, hasQuotes: true }, quoted };
      }
      // Really `$( (…) … )`: a command substitution starting with a subshell.
    }
    if (nx === "(") {
      const end = this.scanSubst ? this.scanSubst(s, this.pos + 2, this.line) : this.scanParens(this.pos + 2);
      const src = s.slice(this.pos + 2, end - 1);
      this.countLines(src);
      this.pos = end;
      return { k: "cmd", src, quoted };
    }
    if (nx === "{") return this.readBraced(quoted);
    if (isNameStart(nx)) {
      let j = this.pos + 1;
      while (j < s.length && isNameChar(s[j])) j++;
      const name = s.slice(this.pos + 1, j);
      this.pos = j;
      return { k: "param", name, op: null, arg: null, length: false, quoted };
    }
    if ((nx >= "0" && nx <= "9") || SPECIAL_PARAMS.has(nx)) {
      this.pos += 2;
      return { k: "param", name: nx, op: null, arg: null, length: false, quoted };
    }
    return null;
  }

  private readBraced(quoted: boolean): WordPart {
    const s = this.src;
    let i = this.pos + 2;
    let length = false;
    if (s[i] === "#" && s[i + 1] !== "}" && s[i + 1] !== undefined) {
      length = true;
      i++;
    }
    let name: string;
    if (i < s.length && isNameStart(s[i])) {
      let j = i;
      while (j < s.length && isNameChar(s[j])) j++;
      name = s.slice(i, j);
      i = j;
    } else if (i < s.length && s[i] >= "0" && s[i] <= "9") {
      let j = i;
      while (j < s.length && s[j] >= "0" && s[j] <= "9") j++;
      name = s.slice(i, j);
      i = j;
    } else if (i < s.length && SPECIAL_PARAMS.has(s[i])) {
      name = s[i++];
    } else {
      if (i >= s.length) this.incomplete("unterminated ${");
      throw new ShellSyntaxError("bad substitution", this.line);
    }
    if (i >= s.length) this.incomplete("unterminated ${");
    if (s[i] === "}") {
      this.pos = i + 1;
      return { k: "param", name, op: null, arg: null, length, quoted };
    }
    if (length) throw new ShellSyntaxError("bad substitution", this.line);
    const op = PARAM_OPS.find((o) => s.startsWith(o, i));
    if (!op) throw new ShellSyntaxError("bad substitution", this.line);
    this.pos = i + op.length;
    const parts: WordPart[] = [];
    const flags = { hasQuotes: false };
    this.readParts(parts, { quoted, stop: (c) => c === "}" }, flags);
    if (this.pos >= s.length) this.incomplete("unterminated ${");
    this.pos++;
    return {
      k: "param",
      name,
      op,
      arg: { parts, hasQuotes: flags.hasQuotes || quoted },
      length: false,
      quoted,
    };
  }

  private readHeredocBodies(): void {
    const s = this.src;
    while (this.pending.length > 0) {
      const h = this.pending[0];
      let body = "";
      for (;;) {
        if (this.pos >= s.length) this.incomplete(`here document '${h.delim}' unclosed`);
        let e = s.indexOf("\n", this.pos);
        const complete = e >= 0;
        if (!complete) e = s.length;
        let lineText = s.slice(this.pos, e);
        if (h.strip) lineText = lineText.replace(/^\t+/, "");
        if (lineText === h.delim) {
          this.pos = complete ? e + 1 : e;
          this.line++;
          break;
        }
        // Without its newline the last line may still be followed by the delimiter.
        if (!complete) this.incomplete(`here document '${h.delim}' unclosed`);
        body += lineText + "\n";
        this.pos = e + 1;
        this.line++;
      }
      this.pending.shift();
      const doc = h.redir.heredoc!;
      if (doc.quoted) doc.body = { parts: [{ k: "lit", text: body, quoted: true }], hasQuotes: true };
      else {
        const sub = new Lexer(body, this.line, 0, this.scanSubst);
        const parts: WordPart[] = [];
        sub.readParts(parts, { quoted: true, stop: () => false }, { hasQuotes: false });
        doc.body = { parts, hasQuotes: true };
      }
    }
  }
}
