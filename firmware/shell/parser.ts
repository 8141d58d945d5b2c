// Recursive-descent parser for the ksh subset: lists, and-or, pipelines, simple commands with
// redirections, compound commands and functions. Incomplete input raises IncompleteInput so the
// interactive shell can print PS2 and read on.
import type {
  ArithCommand,
  Assign,
  CondCommand,
  CondToken,
  Case,
  CaseItem,
  Command,
  For,
  FuncDef,
  Group,
  If,
  List,
  Loop,
  Redir,
  RedirOp,
  SimpleCommand,
  Subshell,
  Word,
  WordPart,
} from "./ast.ts";
import { plainText } from "./ast.ts";
import { IncompleteInput, ShellSyntaxError } from "./errors.ts";
import { isName, Lexer } from "./lexer.ts";
import type { Token } from "./lexer.ts";

const RESERVED = new Set([
  "if",
  "then",
  "else",
  "elif",
  "fi",
  "do",
  "done",
  "case",
  "esac",
  "while",
  "until",
  "for",
  "{",
  "}",
  "!",
  "function",
]);
/** `$($($(…)))` nests parsers; absurd nesting is a syntax error, not a stack overflow. */
const MAX_SUBST_DEPTH = 64;
const REDIR_OPS = new Set(["<", ">", ">>", ">|", "<>", "<&", ">&", "<<", "<<-"]);
/** Words that end a compound list (the caller decides which one it wanted). */
const LIST_END = new Set(["then", "else", "elif", "fi", "do", "done", "esac", "}"]);

export class Parser {
  private readonly lexer: Lexer;
  private readonly buf: Token[] = [];
  private lastEnd = 0;

  /** `depth`: how many `$(…)` this parser is nested in. */
  constructor(src: string, firstLine = 1, start = 0, depth = 0) {
    if (depth > MAX_SUBST_DEPTH) throw new ShellSyntaxError("$(…) nested too deeply", firstLine);
    this.lexer = new Lexer(src, firstLine, start, (s, at, line) =>
      new Parser(s, line, at, depth + 1).parseSubstitutionBody(),
    );
  }

  /** Parses the body of a `$(…)` that starts at the lexer's position; returns the index past `)`. */
  parseSubstitutionBody(): number {
    this.parseItems(false);
    this.skipNewlines();
    const t = this.next();
    if (t.t === "eof") throw new IncompleteInput("unterminated $(", t.line);
    if (t.t !== "op" || t.op !== ")") this.unexpected(t);
    return t.end;
  }

  get source(): string {
    return this.lexer.src;
  }

  private peek(n = 0): Token {
    while (this.buf.length <= n) this.buf.push(this.lexer.next());
    return this.buf[n];
  }

  private next(): Token {
    const t = this.peek();
    this.buf.shift();
    this.lastEnd = t.end;
    return t;
  }

  private describe(t: Token): string {
    if (t.t === "word") return t.raw;
    if (t.t === "op") return t.op;
    if (t.t === "ionum") return String(t.n);
    if (t.t === "nl") return "newline";
    return "end of file";
  }

  private unexpected(t: Token): never {
    if (t.t === "eof") throw new IncompleteInput("unexpected end of file", t.line);
    throw new ShellSyntaxError(`'${this.describe(t)}' unexpected`, t.line);
  }

  private keyword(t: Token): string | null {
    if (t.t !== "word") return null;
    const s = plainText(t.word);
    return s !== null && RESERVED.has(s) ? s : null;
  }

  private isKeyword(t: Token, kw: string): boolean {
    return t.t === "word" && plainText(t.word) === kw;
  }

  private expectKeyword(kw: string): void {
    const t = this.next();
    if (!this.isKeyword(t, kw)) this.unexpected(t);
  }

  private expectOp(op: string): void {
    const t = this.next();
    if (t.t !== "op" || t.op !== op) this.unexpected(t);
  }

  private skipNewlines(): void {
    while (this.peek().t === "nl") this.next();
  }

  /**
   * The next complete command line (everything up to an unnested newline), or null at the end
   * of the input. Scripts run line by line like ksh, so an error late in a file does not stop
   * the commands before it.
   */
  parseLine(): List | null {
    this.skipNewlines();
    if (this.peek().t === "eof") return null;
    const list = this.parseItems(true);
    const t = this.peek();
    if (t.t === "nl") this.next();
    else if (t.t !== "eof") this.unexpected(t);
    return list;
  }

  /** The whole input as one list. */
  parseAll(): List {
    const items: List["items"] = [];
    for (let l = this.parseLine(); l; l = this.parseLine()) items.push(...l.items);
    return { t: "list", items };
  }

  /** and-or lists separated by `;`/`&`; with `oneLine` stops at a newline, else spans them. */
  private parseItems(oneLine: boolean): List {
    const items: List["items"] = [];
    for (;;) {
      if (!oneLine) this.skipNewlines();
      const t = this.peek();
      if (t.t === "eof" || t.t === "nl") break;
      if (t.t === "op" && (t.op === ")" || t.op === ";;")) break;
      const kw = this.keyword(t);
      if (kw && LIST_END.has(kw)) break;
      const start = t.start;
      const cmd = this.parseAndOr();
      const text = this.source.slice(start, this.lastEnd).trim();
      const sep = this.peek();
      if (sep.t === "op" && (sep.op === ";" || sep.op === "&")) {
        this.next();
        items.push({ cmd, async: sep.op === "&", text });
        continue;
      }
      items.push({ cmd, async: false, text });
      if (sep.t === "nl" && !oneLine) continue;
      break;
    }
    return { t: "list", items };
  }

  /** A compound list that must be followed by one of `ends` (not consumed). */
  private parseCompoundList(ends: string[]): List {
    const list = this.parseItems(false);
    this.skipNewlines();
    const t = this.peek();
    const isEnd = ends.some((e) => this.isKeyword(t, e) || (t.t === "op" && t.op === e));
    if (!isEnd) this.unexpected(t);
    if (list.items.length === 0) this.unexpected(t);
    return list;
  }

  private parseAndOr(): Command {
    const first = this.parsePipeline();
    const rest: { op: "&&" | "||"; cmd: Command }[] = [];
    for (;;) {
      const t = this.peek();
      if (t.t !== "op" || (t.op !== "&&" && t.op !== "||")) break;
      this.next();
      this.skipNewlines();
      rest.push({ op: t.op, cmd: this.parsePipeline() });
    }
    return rest.length === 0 ? first : { t: "andor", first, rest };
  }

  private parsePipeline(): Command {
    let bang = false;
    if (this.isKeyword(this.peek(), "!")) {
      this.next();
      bang = true;
    }
    const cmds = [this.parseCommand()];
    for (;;) {
      const t = this.peek();
      if (t.t !== "op" || t.op !== "|") break;
      this.next();
      this.skipNewlines();
      cmds.push(this.parseCommand());
    }
    return cmds.length === 1 && !bang ? cmds[0] : { t: "pipeline", cmds, bang };
  }

  private parseCommand(): Command {
    const t = this.peek();
    const kw = this.keyword(t);
    if (kw) {
      switch (kw) {
        case "if":
          return this.withRedirs(this.parseIf());
        case "while":
        case "until":
          return this.withRedirs(this.parseLoop(kw === "until"));
        case "for":
          return this.withRedirs(this.parseFor());
        case "case":
          return this.withRedirs(this.parseCase());
        case "{": {
          this.next();
          const body = this.parseCompoundList(["}"]);
          this.expectKeyword("}");
          const group: Group = { t: "group", body, redirs: [] };
          return this.withRedirs(group);
        }
        case "function":
          return this.parseFunctionKeyword();
        default:
          this.unexpected(t);
      }
    }
    if (t.t === "op" && t.op === "(" && this.source[t.end] === "(" && this.buf.length === 1) {
      const expr = this.lexer.readArithCommand(t.start);
      if (expr) {
        this.buf.length = 0;
        this.lastEnd = this.lexer.pos;
        const cmd: ArithCommand = { t: "arith", expr, redirs: [] };
        return this.withRedirs(cmd);
      }
    }
    if (t.t === "word" && plainText(t.word) === "[[") return this.withRedirs(this.parseCond());
    if (t.t === "op" && t.op === "(") {
      this.next();
      const body = this.parseCompoundList([")"]);
      this.expectOp(")");
      const sub: Subshell = { t: "subshell", body, redirs: [] };
      return this.withRedirs(sub);
    }
    if (t.t === "word") {
      const t1 = this.peek(1);
      if (t1.t === "op" && t1.op === "(") {
        const name = plainText(t.word);
        if (name === null || !/^[A-Za-z_][A-Za-z0-9_.-]*$/.test(name)) this.unexpected(t1);
        this.next();
        this.next();
        this.expectOp(")");
        this.skipNewlines();
        return this.funcBody(name);
      }
    }
    return this.parseSimple();
  }

  /** `[[ … ]]`: the tokens up to `]]`; their meaning is worked out when it runs. */
  private parseCond(): CondCommand {
    const line = this.next().line;
    const tokens: CondToken[] = [];
    for (;;) {
      const t = this.next();
      if (t.t === "nl") continue;
      if (t.t === "eof") this.unexpected(t);
      if (t.t === "word") {
        const text = plainText(t.word);
        if (text === "]]") break;
        tokens.push({ word: t.word, text });
      } else if (t.t === "op" && ["&&", "||", "(", ")", "<", ">"].includes(t.op)) tokens.push({ op: t.op });
      else this.unexpected(t);
    }
    if (tokens.length === 0) throw new ShellSyntaxError("'[[' empty condition", line);
    return { t: "cond", tokens, redirs: [] };
  }

  private funcBody(name: string): FuncDef {
    const body = this.parseCommand();
    if (body.t === "simple")
      throw new ShellSyntaxError(`'${name}' function body must be a compound command`, 0);
    return { t: "func", name, body };
  }

  private parseFunctionKeyword(): FuncDef {
    this.next();
    const t = this.next();
    const name = t.t === "word" ? plainText(t.word) : null;
    if (name === null) this.unexpected(t);
    const p = this.peek();
    if (p.t === "op" && p.op === "(") {
      this.next();
      this.expectOp(")");
    }
    this.skipNewlines();
    return this.funcBody(name);
  }

  private withRedirs<C extends { redirs: Redir[] }>(cmd: C): C {
    for (;;) {
      const r = this.tryRedir();
      if (!r) return cmd;
      cmd.redirs.push(r);
    }
  }

  private tryRedir(): Redir | null {
    const t = this.peek();
    let fd: number | null = null;
    if (t.t === "ionum") {
      const op = this.peek(1);
      if (op.t !== "op" || !REDIR_OPS.has(op.op)) return null;
      fd = t.n;
      this.next();
    } else if (t.t !== "op" || !REDIR_OPS.has(t.op)) return null;
    const opTok = this.next();
    if (opTok.t !== "op") this.unexpected(opTok);
    const target = this.next();
    if (target.t !== "word") this.unexpected(target);
    const redir: Redir = { fd, op: opTok.op as RedirOp, target: target.word };
    if (redir.op === "<<" || redir.op === "<<-") this.lexer.addHeredoc(redir, target.word);
    return redir;
  }

  private parseSimple(): SimpleCommand {
    const first = this.peek();
    const cmd: SimpleCommand = { t: "simple", assigns: [], words: [], redirs: [], line: first.line };
    for (;;) {
      const r = this.tryRedir();
      if (r) {
        cmd.redirs.push(r);
        continue;
      }
      const t = this.peek();
      if (t.t !== "word") break;
      if (cmd.words.length === 0) {
        const a = asAssignment(t.word);
        if (a) {
          this.next();
          cmd.assigns.push(a);
          continue;
        }
      }
      this.next();
      cmd.words.push(t.word);
    }
    if (cmd.words.length === 0 && cmd.assigns.length === 0 && cmd.redirs.length === 0)
      this.unexpected(this.peek());
    return cmd;
  }

  private parseIf(): If {
    this.expectKeyword("if");
    const clauses: If["clauses"] = [];
    let otherwise: List | null = null;
    for (;;) {
      const cond = this.parseCompoundList(["then"]);
      this.expectKeyword("then");
      const body = this.parseCompoundList(["elif", "else", "fi"]);
      clauses.push({ cond, body });
      const t = this.next();
      if (this.isKeyword(t, "elif")) continue;
      if (this.isKeyword(t, "else")) {
        otherwise = this.parseCompoundList(["fi"]);
        this.expectKeyword("fi");
      }
      break;
    }
    return { t: "if", clauses, otherwise, redirs: [] };
  }

  private parseLoop(until: boolean): Loop {
    this.next();
    const cond = this.parseCompoundList(["do"]);
    const body = this.parseDoGroup();
    return { t: "loop", until, cond, body, redirs: [] };
  }

  private parseDoGroup(): List {
    this.expectKeyword("do");
    const body = this.parseCompoundList(["done"]);
    this.expectKeyword("done");
    return body;
  }

  private parseFor(): For {
    this.next();
    const nameTok = this.next();
    const name = nameTok.t === "word" ? plainText(nameTok.word) : null;
    if (name === null || !isName(name)) this.unexpected(nameTok);
    let words: Word[] | null = null;
    this.skipNewlines();
    if (this.isKeyword(this.peek(), "in")) {
      this.next();
      words = [];
      for (;;) {
        const t = this.peek();
        if (t.t !== "word") break;
        this.next();
        words.push(t.word);
      }
      const sep = this.next();
      if (!(sep.t === "nl" || (sep.t === "op" && sep.op === ";"))) this.unexpected(sep);
    } else {
      const t = this.peek();
      if (t.t === "op" && t.op === ";") this.next();
    }
    this.skipNewlines();
    return { t: "for", name, words, body: this.parseDoGroup(), redirs: [] };
  }

  private parseCase(): Case {
    this.next();
    const wt = this.next();
    if (wt.t !== "word") this.unexpected(wt);
    this.skipNewlines();
    this.expectKeyword("in");
    const items: CaseItem[] = [];
    for (;;) {
      this.skipNewlines();
      let t = this.peek();
      if (this.isKeyword(t, "esac")) {
        this.next();
        break;
      }
      if (t.t === "op" && t.op === "(") {
        this.next();
        t = this.peek();
      }
      const patterns: Word[] = [];
      for (;;) {
        const p = this.next();
        if (p.t !== "word") this.unexpected(p);
        patterns.push(p.word);
        const sep = this.next();
        if (sep.t === "op" && sep.op === "|") continue;
        if (sep.t === "op" && sep.op === ")") break;
        this.unexpected(sep);
      }
      const body = this.parseItems(false);
      this.skipNewlines();
      items.push({ patterns, body });
      const end = this.peek();
      if (end.t === "op" && end.op === ";;") {
        this.next();
        continue;
      }
      if (this.isKeyword(end, "esac")) {
        this.next();
        break;
      }
      this.unexpected(end);
    }
    return { t: "case", word: wt.word, items, redirs: [] };
  }
}

/** `NAME=value` as a leading word of a simple command. */
function asAssignment(w: Word): Assign | null {
  const p0 = w.parts[0];
  if (!p0 || p0.k !== "lit" || p0.quoted) return null;
  const eq = p0.text.indexOf("=");
  if (eq <= 0 || !isName(p0.text.slice(0, eq))) return null;
  const rest = p0.text.slice(eq + 1);
  const parts: WordPart[] = rest ? [{ ...p0, text: rest }, ...w.parts.slice(1)] : w.parts.slice(1);
  // `x=~/bin`: a tilde right after `=` expands too.
  const t = /^~([+-]|[A-Za-z0-9_.-]*)(?=\/|:|$)/.exec(rest);
  if (t && (t[0].length < rest.length || w.parts.length === 1)) {
    const after = rest.slice(t[0].length);
    parts.splice(0, 1, { k: "tilde", user: t[1] }, ...(after ? [{ ...p0, text: after }] : []));
  }
  return { name: p0.text.slice(0, eq), value: { parts, hasQuotes: w.hasQuotes } };
}

/** Parses a whole script; throws ShellSyntaxError / IncompleteInput. */
export function parse(src: string): List {
  return new Parser(src).parseAll();
}

/** Whether `src` is an unfinished command (open quote, `if` without `fi`, trailing `|`…). */
export function isIncomplete(src: string): boolean {
  try {
    parse(src);
    return false;
  } catch (e) {
    return e instanceof IncompleteInput;
  }
}
