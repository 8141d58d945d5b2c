// SIGINT at the prompt: a Ctrl-C typed in the moment the terminal is cooked between two
// prompts reaches the shell as a signal, not as a key. The editor abandons the line and its
// type-ahead as the key would (the e2e garbage paste hung on this), and a caught signal that
// ends a read early (EINTR) does not end the editor.
import { describe, expect, it } from "vitest";
import { KernelError } from "../../../firmware/kernel/errno.ts";
import { History } from "../../../firmware/shell/history.ts";
import { LineEditor } from "../../../firmware/shell/line-editor.ts";

/** An editor whose reads are answered by the test: each read waits for `next`. */
function scriptedEditor() {
  let output = "";
  let answer: ((v: Uint8Array | null) => void) | null = null;
  let fail: ((e: unknown) => void) | null = null;
  let readsStarted = 0;
  const ed = new LineEditor({
    io: {
      read: () =>
        new Promise<Uint8Array | null>((res, rej) => {
          readsStarted++;
          answer = res;
          fail = rej;
        }),
      write: async (s) => {
        output += s;
      },
    },
    history: new History(),
  });
  const waitRead = async (n: number) => {
    while (readsStarted < n) await Promise.resolve();
  };
  return {
    ed,
    waitRead,
    type: (s: string) => answer?.(new TextEncoder().encode(s)),
    interruptRead: () => fail?.(new KernelError("EINTR")),
    get output() {
      return output;
    },
  };
}

describe("line editor interrupted by a signal", () => {
  it("abandons the line and the rest of a pasted chunk", async () => {
    const t = scriptedEditor();
    const line = t.ed.readLine("$ ");
    await t.waitRead(1);
    t.type("abc\x03rest of the paste");
    // The ^C key ends this line; the signal arrives before the next prompt reads on.
    expect(await line).toEqual({ kind: "interrupt" });
    t.ed.interrupt();
    expect(await t.ed.readLine("$ ")).toEqual({ kind: "interrupt" });
    expect(t.output).toBe("$ abc^C\r\n$ ^C\r\n");
    // The next line starts clean: the type-ahead went with the interrupt.
    const next = t.ed.readLine("$ ");
    await t.waitRead(2);
    t.type("ok\r");
    expect(await next).toEqual({ kind: "line", line: "ok" });
  });

  it("a signal during the read (EINTR) ends the line when it was SIGINT, and is retried otherwise", async () => {
    const t = scriptedEditor();
    const line = t.ed.readLine("$ ");
    await t.waitRead(1);
    t.type("ab");
    await t.waitRead(2);
    // SIGWINCH-like: the read is interrupted but nobody asked to abandon the line.
    t.interruptRead();
    await t.waitRead(3);
    t.ed.interrupt();
    t.interruptRead();
    expect(await line).toEqual({ kind: "interrupt" });
    expect(t.output).toBe("$ ab^C\r\n");
  });

  it("a half-read escape sequence does not swallow the next line's keys", async () => {
    const t = scriptedEditor();
    const line = t.ed.readLine("$ ");
    await t.waitRead(1);
    t.type("x\x1b[1");
    await t.waitRead(2);
    t.ed.interrupt();
    t.interruptRead();
    expect(await line).toEqual({ kind: "interrupt" });
    const next = t.ed.readLine("$ ");
    await t.waitRead(3);
    t.type("A\r");
    expect(await next).toEqual({ kind: "line", line: "A" });
  });
});
