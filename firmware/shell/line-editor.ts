// Emacs-style line editing over a raw VT100/ANSI terminal: cursor movement, kill/yank, history,
// tab completion, multi-row wrapping. Bytes are decoded by a small escape-sequence state
// machine that swallows sequences it does not know, so line noise cannot wedge it.
import type { History } from "./history.ts";

export interface EditorIo {
  /** Raw bytes from the terminal; null at end of file. */
  read(): Promise<Uint8Array | null>;
  write(s: string): Promise<void>;
}

/** Candidates replace `line.slice(start, cursor)`; a candidate ending in `/` is a directory. */
export type Completer = (line: string, cursor: number) => Promise<{ start: number; candidates: string[] }>;

export type ReadResult = { kind: "line"; line: string } | { kind: "eof" } | { kind: "interrupt" };

/** Key actions the decoder produces. */
type Key =
  | { k: "char"; ch: string }
  | {
      k:
        | "enter"
        | "left"
        | "right"
        | "up"
        | "down"
        | "home"
        | "end"
        | "delete"
        | "backspace"
        | "killEnd"
        | "killStart"
        | "killWord"
        | "yank"
        | "clear"
        | "eof"
        | "interrupt"
        | "tab"
        | "wordLeft"
        | "wordRight"
        | "transpose";
    };

const MAX_SEQ = 16;
const MAX_LINE = 1 << 20;

const CONTROL: Record<number, Key["k"]> = {
  0x01: "home",
  0x02: "left",
  0x03: "interrupt",
  0x04: "eof",
  0x05: "end",
  0x06: "right",
  0x08: "backspace",
  0x09: "tab",
  0x0b: "killEnd",
  0x0c: "clear",
  0x0e: "down",
  0x10: "up",
  0x14: "transpose",
  0x15: "killStart",
  0x17: "killWord",
  0x19: "yank",
  0x7f: "backspace",
};

const CSI_FINAL: Record<string, Key["k"]> = {
  A: "up",
  B: "down",
  C: "right",
  D: "left",
  H: "home",
  F: "end",
};
const CSI_TILDE: Record<string, Key["k"]> = {
  "1": "home",
  "7": "home",
  "4": "end",
  "8": "end",
  "3": "delete",
};

/** Turns terminal characters into keys; keeps state across chunks. */
export class KeyDecoder {
  private state: "normal" | "esc" | "csi" | "ss3" = "normal";
  private params = "";
  private lastCR = false;

  /** Feeds one character; returns a key or null (partial or ignored sequence). */
  feed(ch: string): Key | null {
    const code = ch.codePointAt(0)!;
    switch (this.state) {
      case "esc":
        this.state = "normal";
        if (ch === "[") {
          this.state = "csi";
          this.params = "";
          return null;
        }
        if (ch === "O") {
          this.state = "ss3";
          return null;
        }
        if (ch === "b" || ch === "B") return { k: "wordLeft" };
        if (ch === "f" || ch === "F") return { k: "wordRight" };
        if (code === 0x7f || code === 0x08) return { k: "killWord" };
        if (code === 0x1b) {
          this.state = "esc";
          return null;
        }
        return null;
      case "ss3":
        this.state = "normal";
        return CSI_FINAL[ch] ? ({ k: CSI_FINAL[ch] } as Key) : null;
      case "csi":
        if (code >= 0x40 && code <= 0x7e) {
          this.state = "normal";
          if (ch === "~") {
            const k = CSI_TILDE[this.params.split(";")[0]];
            return k ? ({ k } as Key) : null;
          }
          // Modified arrows (ESC[1;5C) move by words.
          const mod = this.params.includes(";");
          if (mod && (ch === "C" || ch === "D")) return { k: ch === "C" ? "wordRight" : "wordLeft" };
          return CSI_FINAL[ch] ? ({ k: CSI_FINAL[ch] } as Key) : null;
        }
        if (code >= 0x20 && code <= 0x3f && this.params.length < MAX_SEQ) {
          this.params += ch;
          return null;
        }
        // Not a CSI byte, or an absurdly long sequence: drop it and start afresh.
        this.state = "normal";
        return null;
    }
    const wasCR = this.lastCR;
    this.lastCR = ch === "\r";
    if (ch === "\r") return { k: "enter" };
    if (ch === "\n") return wasCR ? null : { k: "enter" };
    if (code === 0x1b) {
      this.state = "esc";
      return null;
    }
    const ctl = CONTROL[code];
    if (ctl) return { k: ctl } as Key;
    if (code < 0x20 || (code >= 0x80 && code < 0xa0)) return null;
    return { k: "char", ch };
  }
}

/** Display width of a prompt: escape sequences take no room; only its last line counts. */
export function visibleLength(s: string): number {
  const last = s.slice(s.lastIndexOf("\n") + 1);
  return [...last.replace(/\x1b\[[0-9;?]*[ -/]*[@-~]/g, "").replace(/[\x00-\x1f]/g, "")].length;
}

export class LineEditor {
  private readonly io: EditorIo;
  private readonly history: History;
  private readonly completer: Completer | null;
  private readonly decoder = new KeyDecoder();
  private readonly utf8 = new TextDecoder("utf-8", { fatal: false });
  /** Characters read but not yet used (the rest of a pasted chunk). */
  private pending: string[] = [];
  private killRing = "";
  width = 80;
  /** Off while the terminal's echo is off (`stty -echo`): keys still edit the line, nothing is shown. */
  echo = true;

  // State of the line being edited.
  private buf: string[] = [];
  private pos = 0;
  private prompt = "";
  private promptLen = 0;
  private cursorRow = 0;
  private outBuf = "";
  /**
   * The line changed in a way only a redraw shows. The redraw waits until the output is
   * flushed (after a whole input chunk), so a pasted chunk with cursor motions in it costs
   * one redraw, not one per key (which made a 4 KiB paste quadratic).
   */
  private dirty = false;
  private dirtyFromTop = false;

  constructor(opts: { io: EditorIo; history: History; completer?: Completer }) {
    this.io = opts.io;
    this.history = opts.history;
    this.completer = opts.completer ?? null;
  }

  /** The line as edited so far (for tests). */
  get line(): string {
    return this.buf.join("");
  }

  get cursor(): number {
    return this.pos;
  }

  async readLine(prompt: string): Promise<ReadResult> {
    this.buf = [];
    this.pos = 0;
    this.prompt = prompt;
    this.promptLen = visibleLength(prompt);
    this.cursorRow = Math.floor(this.promptLen / this.cols());
    let histIndex = this.history.length;
    let saved = "";
    await this.io.write(prompt);
    for (;;) {
      if (this.pending.length === 0) {
        await this.flush();
        const chunk = await this.io.read();
        if (chunk === null) {
          const rest = this.utf8.decode();
          if (rest) this.pending.push(...rest);
          else {
            // End of input: a partial line is still a line.
            if (this.buf.length > 0) return this.accept();
            return { kind: "eof" };
          }
        } else this.pending = [...this.utf8.decode(chunk, { stream: true })];
      }
      const chars = this.pending;
      let i = 0;
      let result: ReadResult | null = null;
      let tab = false;
      for (; i < chars.length && !result && !tab; i++) {
        const key = this.decoder.feed(chars[i]);
        if (!key) continue;
        switch (key.k) {
          case "char":
            if (this.buf.length >= MAX_LINE) this.outBuf += "\x07";
            else this.insert(key.ch);
            break;
          case "enter":
            result = this.accept();
            break;
          case "interrupt":
            this.moveToEnd();
            this.outBuf += "^C\r\n";
            this.buf = [];
            result = { kind: "interrupt" };
            break;
          case "eof":
            if (this.buf.length === 0) result = { kind: "eof" };
            else if (this.pos < this.buf.length) this.deleteRange(this.pos, this.pos + 1);
            break;
          case "tab":
            tab = true;
            break;
          case "up":
          case "down": {
            const next = key.k === "up" ? histIndex - 1 : histIndex + 1;
            if (next < 0 || next > this.history.length) break;
            if (histIndex === this.history.length) saved = this.line;
            histIndex = next;
            this.buf = [...(next === this.history.length ? saved : (this.history.at(next) ?? ""))];
            this.pos = this.buf.length;
            this.refresh();
            break;
          }
          default:
            this.edit(key.k);
        }
      }
      this.pending = chars.slice(i);
      if (result) {
        await this.flush();
        // Without echo only the line break shows, so output does not run into the prompt.
        if (!this.echo && result.kind !== "eof") await this.io.write("\r\n");
        return result;
      }
      if (tab) {
        await this.flush();
        await this.complete();
      }
    }
  }

  private cols(): number {
    return this.width > 0 ? this.width : 80;
  }

  private accept(): ReadResult {
    this.moveToEnd();
    this.outBuf += "\r\n";
    const line = this.line;
    this.buf = [];
    this.pos = 0;
    return { kind: "line", line };
  }

  private async flush(): Promise<void> {
    this.settle();
    if (!this.outBuf) return;
    const s = this.outBuf;
    this.outBuf = "";
    if (this.echo) await this.io.write(s);
  }

  private insert(text: string): void {
    const chars = [...text];
    if (this.pos === this.buf.length) {
      // Fast path: typing at the end only echoes (keeps a 64 KiB paste linear).
      for (const c of chars) {
        this.buf.push(c);
        this.pos++;
        // A redraw is pending: it will show the character.
        if (this.dirty) continue;
        this.outBuf += c;
        const col = (this.promptLen + this.pos) % this.cols();
        if (col === 0) {
          this.outBuf += "\r\n";
          this.cursorRow++;
        }
      }
      return;
    }
    this.buf.splice(this.pos, 0, ...chars);
    this.pos += chars.length;
    this.refresh();
  }

  private deleteRange(from: number, to: number): string {
    const removed = this.buf.splice(from, to - from).join("");
    this.pos = from;
    this.refresh();
    return removed;
  }

  private wordStart(): number {
    let i = this.pos;
    while (i > 0 && this.buf[i - 1] === " ") i--;
    while (i > 0 && this.buf[i - 1] !== " ") i--;
    return i;
  }

  private wordEnd(): number {
    let i = this.pos;
    while (i < this.buf.length && this.buf[i] === " ") i++;
    while (i < this.buf.length && this.buf[i] !== " ") i++;
    return i;
  }

  private edit(k: Key["k"]): void {
    switch (k) {
      case "left":
        if (this.pos > 0) this.moveTo(this.pos - 1);
        break;
      case "right":
        if (this.pos < this.buf.length) this.moveTo(this.pos + 1);
        break;
      case "home":
        this.moveTo(0);
        break;
      case "end":
        this.moveTo(this.buf.length);
        break;
      case "wordLeft":
        this.moveTo(this.wordStart());
        break;
      case "wordRight":
        this.moveTo(this.wordEnd());
        break;
      case "backspace":
        if (this.pos > 0) this.deleteRange(this.pos - 1, this.pos);
        break;
      case "delete":
        if (this.pos < this.buf.length) this.deleteRange(this.pos, this.pos + 1);
        break;
      case "killEnd":
        if (this.pos < this.buf.length) this.killRing = this.deleteRange(this.pos, this.buf.length);
        break;
      case "killStart":
        if (this.pos > 0) this.killRing = this.deleteRange(0, this.pos);
        break;
      case "killWord": {
        const s = this.wordStart();
        if (s < this.pos) this.killRing = this.deleteRange(s, this.pos);
        break;
      }
      case "yank":
        if (this.killRing) this.insert(this.killRing);
        break;
      case "transpose":
        if (this.pos > 0 && this.buf.length > 1) {
          const p = this.pos === this.buf.length ? this.pos - 1 : this.pos;
          [this.buf[p - 1], this.buf[p]] = [this.buf[p], this.buf[p - 1]];
          this.pos = Math.min(p + 1, this.buf.length);
          this.refresh();
        }
        break;
      case "clear":
        this.outBuf += "\x1b[H\x1b[2J";
        this.cursorRow = 0;
        this.refresh(true);
        break;
    }
  }

  /** Moves the cursor by relative motions only (works on any VT100, no redraw). */
  private moveTo(target: number): void {
    if (this.dirty) {
      // The pending redraw puts the cursor at `pos`.
      this.pos = target;
      return;
    }
    const cols = this.cols();
    const from = this.promptLen + this.pos;
    const to = this.promptLen + target;
    const rowFrom = this.cursorRow;
    const rowTo = Math.floor(to / cols);
    if (rowTo < rowFrom) this.outBuf += `\x1b[${rowFrom - rowTo}A`;
    if (rowTo > rowFrom) this.outBuf += `\x1b[${rowTo - rowFrom}B`;
    const colFrom = rowTo === rowFrom ? from % cols : 0;
    const colTo = to % cols;
    if (rowTo !== rowFrom) this.outBuf += "\r" + (colTo > 0 ? `\x1b[${colTo}C` : "");
    else if (colTo > colFrom) this.outBuf += `\x1b[${colTo - colFrom}C`;
    else if (colTo < colFrom) this.outBuf += `\x1b[${colFrom - colTo}D`;
    this.cursorRow = rowTo;
    this.pos = target;
  }

  private moveToEnd(): void {
    // What follows (a line break, ^C) must come after the line as it is now.
    this.settle();
    if (this.pos !== this.buf.length) this.moveTo(this.buf.length);
  }

  /** Asks for a redraw of prompt and line (done once, when the output is flushed). */
  private refresh(fromTop = false): void {
    this.dirty = true;
    if (fromTop) this.dirtyFromTop = true;
  }

  /** Does the pending redraw, if any. */
  private settle(): void {
    if (!this.dirty) return;
    const fromTop = this.dirtyFromTop;
    this.dirty = false;
    this.dirtyFromTop = false;
    this.draw(fromTop);
  }

  /** Redraws prompt and line from the prompt's first row, then places the cursor. */
  private draw(fromTop: boolean): void {
    const cols = this.cols();
    // Rows count from the first row of the prompt's last line.
    if (!fromTop && this.cursorRow > 0) this.outBuf += `\x1b[${this.cursorRow}A`;
    const lastLine = this.prompt.slice(this.prompt.lastIndexOf("\n") + 1);
    this.outBuf += "\r\x1b[J" + lastLine + this.line;
    const total = this.promptLen + this.buf.length;
    let row = Math.floor(total / cols);
    if (total > 0 && total % cols === 0) this.outBuf += "\r\n";
    else if (total % cols === 0) row = 0;
    this.cursorRow = row;
    const target = this.pos;
    this.pos = this.buf.length;
    this.moveTo(target);
  }

  private async complete(): Promise<void> {
    if (!this.completer) return;
    const line = this.line;
    let res: { start: number; candidates: string[] };
    try {
      res = await this.completer(line, this.pos);
    } catch {
      res = { start: this.pos, candidates: [] };
    }
    const word = line.slice(res.start, this.pos);
    const cands = [...new Set(res.candidates)].sort();
    if (cands.length === 0) {
      this.outBuf += "\x07";
      await this.flush();
      return;
    }
    if (cands.length === 1) {
      const c = cands[0];
      this.replaceWord(res.start, c + (c.endsWith("/") ? "" : " "));
      await this.flush();
      return;
    }
    const prefix = commonPrefix(cands);
    if (prefix.length > word.length) {
      this.replaceWord(res.start, prefix);
      await this.flush();
      return;
    }
    // Ambiguous: list the names (the part after the last `/`) in columns, then redraw.
    const names = cands.map((c) => {
      const base = c.endsWith("/") ? c.slice(0, -1) : c;
      return base.slice(base.lastIndexOf("/") + 1) + (c.endsWith("/") ? "/" : "");
    });
    this.moveToEnd();
    this.outBuf += "\r\n" + formatColumns(names, this.cols());
    this.outBuf += this.prompt.slice(this.prompt.lastIndexOf("\n") + 1);
    this.cursorRow = Math.floor(this.promptLen / this.cols());
    const keep = this.pos;
    const all = this.buf;
    this.buf = [];
    this.pos = 0;
    this.insert(all.join(""));
    this.moveTo(keep);
    await this.flush();
  }

  private replaceWord(start: number, text: string): void {
    const tail = this.buf.slice(this.pos);
    if (tail.length === 0) {
      // Common case at the end of the line: erase back to start by retyping.
      const old = this.pos - start;
      this.buf.splice(start, old);
      this.pos = start;
      this.refreshOrAppend(text);
      return;
    }
    this.buf.splice(start, this.pos - start, ...text);
    this.pos = start + [...text].length;
    this.refresh();
  }

  private refreshOrAppend(text: string): void {
    this.refresh();
    this.insert(text);
  }
}

export function commonPrefix(list: string[]): string {
  if (list.length === 0) return "";
  let p = list[0];
  for (const s of list) {
    let i = 0;
    while (i < p.length && i < s.length && p[i] === s[i]) i++;
    p = p.slice(0, i);
  }
  return p;
}

/** Names in columns, filled top to bottom like ls; lines end with CR LF (raw mode). */
export function formatColumns(names: string[], width: number): string {
  const colWidth = Math.max(...names.map((n) => n.length)) + 2;
  const ncols = Math.max(1, Math.floor(width / colWidth));
  const nrows = Math.ceil(names.length / ncols);
  let out = "";
  for (let r = 0; r < nrows; r++) {
    let line = "";
    for (let c = 0; c < ncols; c++) {
      const n = names[c * nrows + r];
      if (n === undefined) continue;
      line += c === ncols - 1 || names[(c + 1) * nrows + r] === undefined ? n : n.padEnd(colWidth);
    }
    out += line + "\r\n";
  }
  return out;
}
