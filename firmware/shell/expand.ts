// Word expansion: tilde, parameters, command substitution, arithmetic, field splitting and
// pathname expansion, in the POSIX order. Quoted text is never split or globbed.
import type { Word, WordPart } from "./ast.ts";
import { evalArith } from "./arith.ts";
import { ShellError } from "./errors.ts";
import { escapePattern, expandPathname, hasGlob, removePattern } from "./glob.ts";
import type { ShellOs } from "./os.ts";

/** What expansion needs from the shell state (implemented by Shell). */
export interface ExpandHost {
  readonly os: ShellOs;
  readonly cwd: string;
  getVar(name: string): string | undefined;
  setVar(name: string, value: string): void;
  /** $0, $1…, $#, $?, $$, $!, $-, $@, $* (undefined when unset). */
  special(name: string): string | undefined;
  positionalParams(): string[];
  commandSubst(src: string): Promise<string>;
  readonly nounset: boolean;
  readonly noglob: boolean;
}

interface Field {
  text: string;
  pattern: string;
  /** A field exists once anything was put in it, even an empty quoted string. */
  exists: boolean;
  globbable: boolean;
}

const DEFAULT_IFS = " \t\n";

class FieldBuilder {
  readonly fields: Field[] = [];
  cur: Field = { text: "", pattern: "", exists: false, globbable: false };
  private readonly ifs: string;

  constructor(ifs: string) {
    this.ifs = ifs;
  }

  /** Literal or quoted text: joins the current field. */
  add(text: string, quoted: boolean): void {
    this.cur.text += text;
    if (quoted) this.cur.pattern += escapePattern(text);
    else {
      this.cur.pattern += text;
      if (hasGlob(text)) this.cur.globbable = true;
    }
    this.cur.exists = true;
  }

  /** The unquoted result of an expansion: split on IFS. */
  addSplit(text: string): void {
    if (this.ifs === "") {
      if (text) this.add(text, false);
      return;
    }
    let piece = "";
    for (let i = 0; i < text.length; i++) {
      const c = text[i];
      if (!this.ifs.includes(c)) {
        piece += c;
        continue;
      }
      if (piece) this.add(piece, false);
      piece = "";
      const white = c === " " || c === "\t" || c === "\n";
      // A non-white IFS character delimits even an empty field; white runs are one break.
      if (!white) this.cur.exists = true;
      this.breakField();
    }
    if (piece) this.add(piece, false);
  }

  breakField(): void {
    if (this.cur.exists) this.fields.push(this.cur);
    this.cur = { text: "", pattern: "", exists: false, globbable: false };
  }

  finish(): Field[] {
    this.breakField();
    return this.fields;
  }
}

async function paramValue(host: ExpandHost, name: string): Promise<string | undefined> {
  if (/^\d+$/.test(name) || "?$!#-@*".includes(name)) return host.special(name);
  return host.getVar(name);
}

/** Expands a word to one string: no splitting, no globbing (assignments, here-docs, case word). */
export async function expandString(word: Word, host: ExpandHost): Promise<string> {
  let s = "";
  for (const p of word.parts) s += await partString(p, host);
  return s;
}

/** Expands to a pattern: quoted characters are escaped so they match literally. */
export async function expandPattern(word: Word, host: ExpandHost): Promise<string> {
  let s = "";
  for (const p of word.parts) {
    const v = await partString(p, host);
    s += p.k === "lit" && !p.quoted ? v : "quoted" in p && p.quoted ? escapePattern(v) : v;
  }
  return s;
}

async function partString(p: WordPart, host: ExpandHost): Promise<string> {
  switch (p.k) {
    case "lit":
      return p.text;
    case "tilde":
      return tilde(p.user, host);
    case "param": {
      const v = await expandParam(p, host);
      if (Array.isArray(v)) return v.join(" ");
      return v;
    }
    case "cmd":
      return host.commandSubst(p.src);
    case "arith":
      return String(evalArith(await expandString(p.expr, host), arithVars(host)));
  }
}

export function arithVars(host: ExpandHost): {
  get(n: string): string | undefined;
  set(n: string, v: string): void;
} {
  return { get: (n) => host.getVar(n), set: (n, v) => host.setVar(n, v) };
}

function tilde(user: string, host: ExpandHost): string {
  if (user === "") return host.getVar("HOME") ?? "/";
  if (user === "+") return host.getVar("PWD") ?? host.cwd;
  if (user === "-") return host.getVar("OLDPWD") ?? "~-";
  if (user === "root") return "/root";
  return "~" + user;
}

/** A parameter's expansion; `"$@"` yields the list of positional parameters. */
async function expandParam(
  p: Extract<WordPart, { k: "param" }>,
  host: ExpandHost,
): Promise<string | string[]> {
  const { name, op } = p;
  if (p.length) {
    if (name === "@" || name === "*") return String(host.positionalParams().length);
    const v = await paramValue(host, name);
    if (v === undefined && host.nounset) throw new ShellError(`${name}: parameter not set`, 1, true);
    return String([...(v ?? "")].length);
  }
  if (name === "@" && p.quoted && op === null) return host.positionalParams();
  const value = await paramValue(host, name);
  const isSet = value !== undefined;
  const nonNull = isSet && value !== "";
  if (op === null) {
    if (!isSet && host.nounset && name !== "@" && name !== "*")
      throw new ShellError(`${name}: parameter not set`, 1, true);
    return value ?? "";
  }
  const arg = async (): Promise<string> => (p.arg ? expandString(p.arg, host) : "");
  switch (op) {
    case ":-":
      return nonNull ? value : arg();
    case "-":
      return isSet ? value : arg();
    case ":=":
    case "=": {
      if (op === ":=" ? nonNull : isSet) return value!;
      const v = await arg();
      if (!/^[A-Za-z_]/.test(name)) throw new ShellError(`${name}: bad substitution`);
      host.setVar(name, v);
      return v;
    }
    case ":?":
    case "?": {
      if (op === ":?" ? nonNull : isSet) return value!;
      const msg = await arg();
      throw new ShellError(
        `${name}: ${msg || (isSet ? "parameter null" : "parameter null or not set")}`,
        1,
        true,
      );
    }
    case ":+":
      return nonNull ? arg() : "";
    case "+":
      return isSet ? arg() : "";
    default: {
      const pat = p.arg ? await expandPattern(p.arg, host) : "";
      return removePattern(value ?? "", pat, op);
    }
  }
}

/** Full expansion of command words: fields after splitting and pathname expansion. */
export async function expandWords(words: Word[], host: ExpandHost): Promise<string[]> {
  const ifs = host.getVar("IFS") ?? DEFAULT_IFS;
  const out: string[] = [];
  for (const w of words) {
    const fb = new FieldBuilder(ifs);
    for (const p of w.parts) {
      if (p.k === "lit") fb.add(p.text, p.quoted);
      else if (p.k === "tilde") fb.add(tilde(p.user, host), true);
      else if (p.k === "param") {
        const v = await expandParam(p, host);
        if (Array.isArray(v)) {
          // "$@": one field per parameter; the first and last join the text around them.
          v.forEach((arg, i) => {
            if (i > 0) fb.breakField();
            fb.add(arg, true);
          });
        } else if (p.quoted) fb.add(v, true);
        else if (p.name === "*" || p.name === "@") {
          for (const arg of host.positionalParams()) {
            fb.addSplit(arg);
            fb.breakField();
          }
        } else fb.addSplit(v);
      } else {
        const v = await partString(p, host);
        if (p.quoted) fb.add(v, true);
        else fb.addSplit(v);
      }
    }
    for (const f of fb.finish()) {
      if (f.globbable && !host.noglob && hasGlob(f.pattern)) {
        const matches = await expandPathname(f.pattern, host.cwd, host.os);
        if (matches.length > 0) {
          out.push(...matches);
          continue;
        }
        out.push(f.text);
        continue;
      }
      out.push(f.text);
    }
  }
  return out;
}
