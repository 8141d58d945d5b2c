import { describe, expect, it } from "vitest";
import { History } from "../../../firmware/shell/history.ts";
import { LineEditor } from "../../../firmware/shell/line-editor.ts";
import type { Completer, ReadResult } from "../../../firmware/shell/line-editor.ts";

/** A terminal whose keyboard is a queue of chunks; everything written is kept. */
function term(
  chunks: (string | Uint8Array)[],
  opts: { history?: History; completer?: Completer; width?: number } = {},
) {
  const queue = chunks.map((c) => (typeof c === "string" ? new TextEncoder().encode(c) : c));
  let output = "";
  const ed = new LineEditor({
    io: {
      read: async () => queue.shift() ?? null,
      write: async (s) => {
        output += s;
      },
    },
    history: opts.history ?? new History(),
    completer: opts.completer,
  });
  ed.width = opts.width ?? 80;
  return {
    ed,
    get output() {
      return output;
    },
    async line(prompt = "$ "): Promise<ReadResult> {
      return ed.readLine(prompt);
    },
  };
}

describe("line editor", () => {
  it("reads a plain line and echoes it", async () => {
    const t = term(["echo hi\r"]);
    expect(await t.line()).toEqual({ kind: "line", line: "echo hi" });
    expect(t.output).toBe("$ echo hi\r\n");
  });

  it("treats CR LF as one Enter and keeps the rest of a pasted chunk", async () => {
    const t = term(["one\r\ntwo\n"]);
    expect(await t.line()).toEqual({ kind: "line", line: "one" });
    expect(await t.line()).toEqual({ kind: "line", line: "two" });
    expect(await t.line()).toEqual({ kind: "eof" });
  });

  it("moves with arrows, Home/End in every encoding, and inserts in the middle", async () => {
    const seqs = ["\x1b[H", "\x1b[1~", "\x1bOH", "\x01"];
    for (const home of seqs) {
      const t = term([`bc${home}a\x1b[F\x1bOFd\x1b[4~e\r`]);
      expect(await t.line()).toEqual({ kind: "line", line: "abcde" });
    }
    const t = term(["ac\x1b[Db\x1b[C\x1b[Cd\r"]);
    expect(await t.line()).toEqual({ kind: "line", line: "abcd" });
  });

  it("deletes: backspace (DEL and BS), Delete, Ctrl-D inside the line, Ctrl-H", async () => {
    const t = term(["abcx\x7fy\x08z\x01\x1b[3~\x04Q\r"]);
    expect(await t.line()).toEqual({ kind: "line", line: "Qcz" });
  });

  it("kills and yanks: Ctrl-K, Ctrl-U, Ctrl-W, Ctrl-Y", async () => {
    const t = term(["hello big world\x17\x17\x19\r", "abc def\x02\x02\x0b\r", "abc def\x02\x02\x15\r"]);
    // The second Ctrl-W replaces the kill buffer, so Ctrl-Y brings back only "big ".
    expect(await t.line()).toEqual({ kind: "line", line: "hello big " });
    expect(await t.line()).toEqual({ kind: "line", line: "abc d" });
    expect(await t.line()).toEqual({ kind: "line", line: "ef" });
  });

  it("Ctrl-B/Ctrl-F move, Ctrl-E ends, Ctrl-L redraws", async () => {
    const t = term(["ac\x02b\x06\x05d\x0c\r"]);
    expect(await t.line()).toEqual({ kind: "line", line: "abcd" });
    expect(t.output).toContain("\x1b[H\x1b[2J");
  });

  it("recalls history with up/down, restoring the line being typed", async () => {
    const h = new History();
    h.add("first");
    h.add("second");
    h.add("second");
    expect(h.length).toBe(2);
    const t = term(["draft\x1b[A\x1b[A\x1b[A\x1b[B\x1b[B\x1b[B\r", "\x1b[A\x1b[A\r"], { history: h });
    expect(await t.line()).toEqual({ kind: "line", line: "draft" });
    expect(await t.line()).toEqual({ kind: "line", line: "first" });
  });

  it("Ctrl-C cancels the line and prints ^C", async () => {
    const t = term(["some text\x03", "next\r"]);
    expect(await t.line()).toEqual({ kind: "interrupt" });
    expect(t.output).toBe("$ some text^C\r\n");
    expect(await t.line()).toEqual({ kind: "line", line: "next" });
  });

  it("Ctrl-D on an empty line is end of file", async () => {
    const t = term(["\x04"]);
    expect(await t.line()).toEqual({ kind: "eof" });
  });

  it("completes a unique candidate with a space, a directory with a slash", async () => {
    const completer: Completer = async (line, cursor) => {
      const start = line.lastIndexOf(" ", cursor - 1) + 1;
      const word = line.slice(start, cursor);
      return { start, candidates: ["ifconfig", "/tmp/", "/proc/"].filter((c) => c.startsWith(word)) };
    };
    const t = term(["ifc\t-a\r", "ls /t\tx\r"], { completer });
    expect(await t.line()).toEqual({ kind: "line", line: "ifconfig -a" });
    expect(await t.line()).toEqual({ kind: "line", line: "ls /tmp/x" });
  });

  it("extends the common prefix, then lists ambiguous candidates and redraws", async () => {
    const completer: Completer = async (line, cursor) => {
      const start = line.lastIndexOf(" ", cursor - 1) + 1;
      const word = line.slice(start, cursor);
      return { start, candidates: ["pidin", "ping", "pipe"].filter((c) => c.startsWith(word)) };
    };
    const t = term(["p\t", "\t", "n\t\r"], { completer });
    const r = await t.line();
    expect(r).toEqual({ kind: "line", line: "ping " });
    expect(t.output).toContain("pidin  ping   pipe\r\n$ pi");
  });

  it("rings the bell when nothing completes", async () => {
    const t = term(["zz\t\r"], { completer: async (_l, c) => ({ start: c, candidates: [] }) });
    expect(await t.line()).toEqual({ kind: "line", line: "zz" });
    expect(t.output).toContain("\x07");
  });

  it("wraps long lines onto the next row at the terminal width", async () => {
    const t = term(["abcdefgh\r"], { width: 10 });
    expect(await t.line()).toEqual({ kind: "line", line: "abcdefgh" });
    expect(t.output).toBe("$ abcdefgh\r\n\r\n");
    const t2 = term(["abcdefghij\x01X\r"], { width: 10 });
    expect(await t2.line()).toEqual({ kind: "line", line: "Xabcdefghij" });
    // Home from row 1 goes up one row, then right past the prompt.
    expect(t2.output).toContain("\x1b[1A\r\x1b[2C");
  });

  it("takes a 64 KiB line", async () => {
    const big = "x".repeat(65536);
    const t = term([big.slice(0, 30000), big.slice(30000) + "\r"]);
    const r = await t.line();
    expect(r.kind === "line" && r.line.length).toBe(65536);
  });

  it("redraws a pasted chunk once, however many edits in the middle it holds", async () => {
    // Home, then 4000 characters typed before the old text: one redraw, not one per key.
    const t = term(["abc\x01" + "y".repeat(4000) + "\r"], { width: 80 });
    const r = await t.line();
    expect(r).toEqual({ kind: "line", line: "y".repeat(4000) + "abc" });
    expect(t.output.length).toBeLessThan(3 * 4003);
  });

  it("survives binary garbage and unknown escape sequences", async () => {
    const garbage = new Uint8Array(4096);
    let seed = 12345;
    for (let i = 0; i < garbage.length; i++) {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      const b = seed & 0xff;
      // Keep Enter, Ctrl-C and Ctrl-D out so the line stays open.
      garbage[i] = b === 0x0d || b === 0x0a || b === 0x03 || b === 0x04 ? 0x20 : b;
    }
    const t = term([
      garbage,
      "\x1b[99;99;99Z\x1b[1;2;3;4;5;6;7;8;9;10;11;12;13;14;15;16;17;18q\x1bO\x1bX",
      "\x05\x15ok\r",
    ]);
    expect(await t.line()).toEqual({ kind: "line", line: "ok" });
  });
});
