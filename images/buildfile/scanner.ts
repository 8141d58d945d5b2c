// Character scanner shared by the buildfile parser and the startup-script parser: tracks
// line/column, reads words (bare or quoted), attribute groups and inline `{ … }` bodies.
// It never throws; problems are pushed onto `diagnostics`.
import type { Attribute, AttributeGroup, Diagnostic, InlineContents, SourcePos, Word } from "./ast.ts";
import { addError } from "./diagnostic.ts";

export const ATTRIBUTE_NAME = /^[A-Za-z_][A-Za-z0-9_.-]*$/;

export class Scanner {
  readonly file: string;
  readonly text: string;
  readonly end: number;
  readonly diagnostics: Diagnostic[];
  offset: number;
  line: number;
  col: number;

  constructor(file: string, text: string, diagnostics: Diagnostic[], start?: SourcePos, end?: number) {
    this.file = file;
    this.text = text;
    this.diagnostics = diagnostics;
    this.offset = start?.offset ?? 0;
    this.line = start?.line ?? 1;
    this.col = start?.col ?? 1;
    this.end = end ?? text.length;
  }

  pos(): SourcePos {
    return { file: this.file, line: this.line, col: this.col, offset: this.offset };
  }

  get eof(): boolean {
    return this.offset >= this.end;
  }

  peek(ahead = 0): string {
    const i = this.offset + ahead;
    return i < this.end ? this.text[i] : "";
  }

  advance(): string {
    const c = this.text[this.offset++];
    if (c === "\n") {
      this.line++;
      this.col = 1;
    } else {
      this.col++;
    }
    return c;
  }

  error(code: string, pos: SourcePos, length: number, message: string, hint?: string): void {
    addError(this.diagnostics, code, pos, length, message, hint);
  }

  /** Skips spaces, tabs and carriage returns, not newlines. */
  skipBlanks(): void {
    while (!this.eof) {
      const c = this.peek();
      if (c !== " " && c !== "\t" && c !== "\r") break;
      this.advance();
    }
  }

  atLineEnd(): boolean {
    return this.eof || this.peek() === "\n";
  }

  /** Consumes the rest of the line (not the newline); returns it. */
  restOfLine(): string {
    const start = this.offset;
    while (!this.atLineEnd()) this.advance();
    return this.text.slice(start, this.offset);
  }

  /** `# text` up to the end of the line; returns the text after `#`. */
  comment(): string {
    this.advance();
    return this.restOfLine().replace(/\s+$/, "");
  }

  /**
   * A word: a quoted string ("…" or, when `singleQuotes`, '…') or a run of characters up to
   * whitespace or one of `stops`. A backslash escapes the next character in both forms.
   */
  word(stops: string, singleQuotes = false): Word | undefined {
    const pos = this.pos();
    const start = this.offset;
    const q = this.peek();
    if (q === '"' || (singleQuotes && q === "'")) {
      this.advance();
      let text = "";
      while (!this.eof && this.peek() !== q && this.peek() !== "\n") {
        if (this.peek() === "\\" && q === '"' && this.offset + 1 < this.end && this.peek(1) !== "\n") {
          this.advance();
        }
        text += this.advance();
      }
      if (this.peek() !== q) {
        this.error("syntax", pos, this.offset - start, `Unterminated string: missing closing ${q}`);
      } else {
        this.advance();
      }
      return { text, raw: this.text.slice(start, this.offset), pos, quoted: true };
    }
    let text = "";
    while (!this.eof) {
      const c = this.peek();
      if (c === " " || c === "\t" || c === "\r" || c === "\n" || stops.includes(c)) break;
      if (c === "\\" && this.offset + 1 < this.end && this.peek(1) !== "\n") this.advance();
      text += this.advance();
    }
    if (this.offset === start) return undefined;
    return { text, raw: this.text.slice(start, this.offset), pos, quoted: false };
  }

  /** After the opening `[`: items until `]` on the same line. */
  attributeGroup(): AttributeGroup {
    const pos = this.pos();
    this.advance(); // [
    const attrs: Attribute[] = [];
    for (;;) {
      this.skipBlanks();
      if (this.atLineEnd()) {
        this.error("syntax", pos, this.offset - pos.offset, "Missing ']' at the end of the attribute list");
        break;
      }
      if (this.peek() === "]") {
        this.advance();
        break;
      }
      const before = this.offset;
      const attr = this.attribute();
      if (attr) attrs.push(attr);
      // Every round must consume input, whatever the characters (a guard against hangs).
      if (this.offset === before) this.advance();
    }
    return { attrs, pos };
  }

  private attribute(): Attribute | undefined {
    const pos = this.pos();
    const start = this.offset;
    const conditional = this.peek() === "?";
    if (conditional) this.advance();
    let form: Attribute["form"] = "value";
    if (this.peek() === "+" || this.peek() === "-") form = this.advance() === "+" ? "set" : "clear";
    const nameStart = this.offset;
    while (!this.eof && /[A-Za-z0-9_.-]/.test(this.peek())) this.advance();
    const name = this.text.slice(nameStart, this.offset);
    let value: Word | undefined;
    if (this.peek() === "=" && form === "value") {
      this.advance();
      value = this.word("]") ?? { text: "", raw: "", pos: this.pos(), quoted: false };
    }
    const stray = this.peek();
    if (
      stray !== "" &&
      stray !== " " &&
      stray !== "\t" &&
      stray !== "\r" &&
      stray !== "\n" &&
      stray !== "]"
    ) {
      // Skip to the next separator so one bad character gives one diagnostic.
      const badPos = this.pos();
      this.advance();
      while (!this.atLineEnd() && !/[\s\]]/.test(this.peek())) this.advance();
      this.error("syntax", badPos, this.offset - badPos.offset, `Unexpected '${stray}' in attribute`);
      return undefined;
    }
    if (name === "" || !ATTRIBUTE_NAME.test(name)) {
      this.error("syntax", pos, Math.max(1, this.offset - start), "Expected an attribute name");
      return undefined;
    }
    if (form === "value" && value === undefined) {
      // A bare `name` is shorthand for `+name` (mkifs accepts both for booleans).
      form = "set";
    }
    return { name, form, value, conditional, raw: this.text.slice(start, this.offset), pos };
  }

  /** After the opening `{`: up to the matching unescaped `}` (may span lines). */
  inline(): InlineContents | undefined {
    const open = this.pos();
    this.advance(); // {
    const pos = this.pos();
    const start = this.offset;
    while (!this.eof) {
      const c = this.peek();
      if (c === "\\" && this.offset + 1 < this.end) {
        // mkifs: a backslash escapes whatever follows (`\}`, `\{`, `\\`, `\"`).
        this.advance();
        this.advance();
        continue;
      }
      if (c === "$" && this.peek(1) === "{") {
        // `${VAR}` (build-time substitution, or shell syntax in a file) does not close the body.
        let k = 2;
        while (this.offset + k < this.end && !"}\n".includes(this.peek(k))) k++;
        if (this.peek(k) === "}") {
          for (let j = 0; j <= k; j++) this.advance();
          continue;
        }
      }
      if (c === "}") {
        const raw = this.text.slice(start, this.offset);
        this.advance();
        return { raw, pos };
      }
      this.advance();
    }
    this.error("syntax", open, 1, "Unterminated inline file: missing '}'", "write a literal } as \\}");
    return { raw: this.text.slice(start, this.offset), pos };
  }
}

/** Drops every escaping backslash, as mkifs does: `\}` → `}`, `\\` → `\`, `\"` → `"`. */
export function unescapeInline(raw: string): string {
  return raw.replace(/\\([\s\S])/g, "$1");
}

/**
 * The bytes of an inline file. Escapes are dropped (`unescapeInline`); a newline right after
 * `{` and the indentation before the closing `}` are layout. A one-line file (`{ hello }`)
 * is its text without the blanks around it, ending in a newline.
 */
export function inlineText(raw: string): string {
  if (!raw.includes("\n")) {
    const one = raw.replace(/^[ \t]+|[ \t\r]+$/g, "");
    return one === "" ? "" : unescapeInline(one) + "\n";
  }
  let text = raw;
  if (text.startsWith("\r\n")) text = text.slice(2);
  else if (text.startsWith("\n")) text = text.slice(1);
  // The indentation before the closing brace is layout, not content.
  const lastNl = text.lastIndexOf("\n");
  if (lastNl >= 0 && /^[ \t]*$/.test(text.slice(lastNl + 1))) text = text.slice(0, lastNl + 1);
  return unescapeInline(text);
}
