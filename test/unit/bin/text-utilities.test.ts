import { beforeAll, describe, expect, it } from "vitest";
import { boot, sh, type Booted } from "./harness.ts";
import { echoText } from "../../../firmware/bin/echo.ts";
import { countChunk, formatCounts } from "../../../firmware/bin/wc.ts";
import { LastLines, normalizeTailArgs, parseTailCount } from "../../../firmware/bin/tail.ts";

let b: Booted;
const LINES = Array.from({ length: 15 }, (_, i) => `line ${i + 1}\n`).join("");
beforeAll(async () => {
  b = await boot();
});
const run = (argv: string[], stdin?: string) => sh(b.kernel, argv, { stdin });

describe("echo", () => {
  it("handles -n, -e and stops option parsing at the first word", () => {
    expect(echoText(["a", "b"])).toBe("a b\n");
    expect(echoText(["-n", "a"])).toBe("a");
    expect(echoText(["-e", "a\\tb"])).toBe("a\tb\n");
    expect(echoText(["a\\tb"])).toBe("a\\tb\n");
    expect(echoText(["-ne", "x\\c", "y"])).toBe("x");
    expect(echoText(["x", "-n"])).toBe("x -n\n");
    expect(echoText(["-q"])).toBe("-q\n");
  });
});

describe("cat, head, tail, wc, grep with stdin", () => {
  it("cat copies stdin", async () => {
    expect(await run(["cat"], "abc\n")).toEqual({ status: 0, stdout: "abc\n", stderr: "" });
    expect(await run(["cat", "-"], "x")).toMatchObject({ stdout: "x" });
  });
  it("head", async () => {
    expect((await run(["head"], LINES)).stdout).toBe(LINES.split("\n").slice(0, 10).join("\n") + "\n");
    expect((await run(["head", "-n", "2"], LINES)).stdout).toBe("line 1\nline 2\n");
    expect((await run(["head", "-3"], LINES)).stdout).toBe("line 1\nline 2\nline 3\n");
    expect(await run(["head", "-n", "x"], LINES)).toMatchObject({
      status: 1,
      stderr: expect.stringContaining("illegal line count -- x"),
    });
  });
  it("tail", async () => {
    expect((await run(["tail", "-n", "2"], LINES)).stdout).toBe("line 14\nline 15\n");
    expect((await run(["tail", "-2"], LINES)).stdout).toBe("line 14\nline 15\n");
    expect((await run(["tail", "+14"], LINES)).stdout).toBe("line 14\nline 15\n");
    expect(normalizeTailArgs(["-5", "f"])).toEqual(["-n", "5", "f"]);
    expect(parseTailCount("+3")).toEqual({ fromStart: true, n: 3 });
    const ring = new LastLines(2);
    for (const l of ["a", "b", "c"]) ring.push(l);
    expect(ring.lines()).toEqual(["b", "c"]);
  });
  it("wc", async () => {
    expect((await run(["wc"], "one two\nthree\n")).stdout).toBe("       2       3      14\n");
    expect((await run(["wc", "-l"], "a\nb\n")).stdout).toBe("       2\n");
    const c = { lines: 0, words: 0, bytes: 0 };
    const inWord = countChunk(new TextEncoder().encode("ab c"), c, false);
    countChunk(new TextEncoder().encode("d e\n"), c, inWord);
    expect(c).toEqual({ lines: 1, words: 3, bytes: 8 });
    expect(formatCounts(c, { l: true, w: false, c: true }, "f")).toBe("       1       8 f\n");
  });
  it("grep", async () => {
    const text = "alpha\nBeta\ngamma\nalphabet\n";
    expect(await run(["grep", "alpha"], text)).toEqual({
      status: 0,
      stdout: "alpha\nalphabet\n",
      stderr: "",
    });
    expect((await run(["grep", "-i", "beta"], text)).stdout).toBe("Beta\n");
    expect((await run(["grep", "-v", "a$"], text)).stdout).toBe("alphabet\n");
    expect((await run(["grep", "-n", "gam"], text)).stdout).toBe("3:gamma\n");
    expect((await run(["grep", "-c", "a"], text)).stdout).toBe("4\n");
    expect((await run(["grep", "-E", "^(Beta|gamma)$"], text)).stdout).toBe("Beta\ngamma\n");
    expect((await run(["grep", "-x", "alpha"], text)).stdout).toBe("alpha\n");
    expect((await run(["grep", "zzz"], text)).status).toBe(1);
    expect(await run(["grep", "a["], text)).toMatchObject({
      status: 2,
      stderr: "grep: brackets ([ ]) not balanced\n",
    });
    expect(await run(["grep"], text)).toMatchObject({
      status: 2,
      stderr: expect.stringMatching(/^usage: grep/),
    });
    expect(await run(["grep", "x", "/tmp/none"], text)).toMatchObject({
      status: 2,
      stderr: "grep: /tmp/none: No such file or directory\n",
    });
  });

  it("grep -A, -B, -C print context with -- between groups", async () => {
    const text = ["a", "x1", "b", "c", "d", "x2", "e", "f", "g", "h", "x3"].join("\n") + "\n";
    expect((await run(["grep", "-A", "1", "x"], text)).stdout).toBe("x1\nb\n--\nx2\ne\n--\nx3\n");
    expect((await run(["grep", "-B", "1", "-n", "x"], text)).stdout).toBe(
      "1-a\n2:x1\n--\n5-d\n6:x2\n--\n10-h\n11:x3\n",
    );
    // Overlapping context joins groups; no line is printed twice.
    expect((await run(["grep", "-C", "2", "x[12]"], text)).stdout).toBe("a\nx1\nb\nc\nd\nx2\ne\nf\n");
    expect((await run(["grep", "-c", "-C", "1", "x"], text)).stdout).toBe("3\n");
    expect(await run(["grep", "-A", "z", "x"], text)).toMatchObject({
      status: 2,
      stderr: "grep: z: invalid context length argument\n",
    });
  });
});
