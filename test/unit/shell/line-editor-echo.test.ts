// `stty -echo` at the prompt: the editor still edits the line but shows only the prompt and
// the line break (what readline does with the terminal's echo off, e.g. for a password).
import { describe, expect, it } from "vitest";
import { History } from "../../../firmware/shell/history.ts";
import { LineEditor } from "../../../firmware/shell/line-editor.ts";

function silentEditor(chunks: string[]) {
  const queue = chunks.map((c) => new TextEncoder().encode(c));
  let output = "";
  const ed = new LineEditor({
    io: {
      read: async () => queue.shift() ?? null,
      write: async (s) => {
        output += s;
      },
    },
    history: new History(),
    completer: async (_line, cursor) => ({ start: cursor, candidates: [] }),
  });
  ed.echo = false;
  return {
    ed,
    get output() {
      return output;
    },
  };
}

describe("line editor with echo off", () => {
  it("returns the edited line but shows only the prompt and a line break", async () => {
    const t = silentEditor(["secreX\x7ft\x1b[Dx\r"]);
    expect(await t.ed.readLine("pw: ")).toEqual({ kind: "line", line: "secrext" });
    expect(t.output).toBe("pw: \r\n");
  });

  it("shows nothing of Tab, Ctrl-U or Ctrl-L either", async () => {
    const t = silentEditor(["ab\t\x15\x0ccd\r"]);
    expect(await t.ed.readLine("$ ")).toEqual({ kind: "line", line: "cd" });
    expect(t.output).toBe("$ \r\n");
  });

  it("echoes again once echo is back on", async () => {
    const t = silentEditor(["hidden\r", "shown\r"]);
    await t.ed.readLine("$ ");
    t.ed.echo = true;
    expect(await t.ed.readLine("$ ")).toEqual({ kind: "line", line: "shown" });
    expect(t.output).toBe("$ \r\n$ shown\r\n");
  });
});
