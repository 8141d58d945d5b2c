// The console utilities at `netrino boot buildfiles/host.build` in a real terminal (tmux), as a
// person would use them: stty (settings, -echo hides typing), use, sloginfo, /proc reads, uname,
// date, uptime, $? and the BSD error of ls, and a shell that a 64 KiB paste or a burst of binary
// garbage does not wedge. Every wait is for text on the screen, never a fixed sleep.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hasCommand, requirement } from "../helpers/requirements.ts";
import { freeUdpPort, NetrinoConsole, PROMPT } from "./fixtures/netrino-console.ts";

const skip = requirement("console-tools", { tmux: hasCommand("tmux") });

/** Seeded bytes, deterministic run to run (a 32-bit LCG is plenty for line noise). */
function noise(seed: number, n: number, exclude: readonly number[]): Uint8Array {
  const out: number[] = [];
  let x = seed >>> 0;
  while (out.length < n) {
    x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
    const b = x >>> 24;
    if (!exclude.includes(b)) out.push(b);
  }
  return Uint8Array.from(out);
}

describe.skipIf(skip)("console tools", () => {
  let c: NetrinoConsole;

  beforeAll(async () => {
    c = await NetrinoConsole.boot(await freeUdpPort());
  });
  afterAll(() => c?.kill());

  /** After a paste or noise: Ctrl-C drops whatever is on the line, then `echo ok` must work. */
  async function expectResponsive(): Promise<void> {
    c.term.send("C-c");
    await c.term.waitFor(/\/ #\s*$/, 30_000);
    c.clearScrollback();
    c.term.type("echo ok");
    c.term.send("Enter");
    await c.term.waitFor(/\/ # echo ok\nok\n\/ #/, 30_000);
  }

  it("stty -a shows speed, size, modes and control characters", async () => {
    const out = await c.run("stty -a");
    expect(out).toMatch(/^speed \d+ baud; \d+ rows; \d+ columns;/m);
    expect(out).toMatch(/^lflags: .*\bicanon\b.*\bisig\b.*\becho\b/m);
    expect(out).toMatch(/^cflags: .*\bcs8\b/m);
    expect(out).toMatch(/intr = \^C;/);
    expect(out).toMatch(/susp = \^Z;/);
  });

  it("stty -echo hides what is typed, stty echo shows it again", async () => {
    expect(await c.run("stty -echo")).toBe("");
    expect(await c.run("stty -a")).toMatch(/^lflags: .*-echo\b/m);
    c.clearScrollback();
    let before = c.term.count(PROMPT);
    c.term.type("echo $((6*7))-hidden");
    c.term.send("Enter");
    let s = await c.term.waitForCount(PROMPT, before);
    // The command ran (its output shows) but its text never appeared.
    expect(s).toMatch(/^42-hidden$/m);
    expect(s).not.toContain("$((6*7))");
    before = c.term.count(PROMPT);
    c.term.type("stty echo");
    c.term.send("Enter");
    s = await c.term.waitForCount(PROMPT, before);
    expect(s).not.toContain("stty echo");
    expect(await c.run("echo $((6*7))-shown")).toBe("42-shown");
    expect(c.screen()).toContain(`${PROMPT} echo $((6*7))-shown`);
  });

  it("use ls prints the usage of ls", async () => {
    const out = await c.run("use ls");
    expect(out).toMatch(/^usage: ls /m);
    expect(out).toMatch(/^ -l /m);
  });

  it("sloginfo shows the boot entries", async () => {
    const out = await c.run("sloginfo");
    expect(out).toMatch(/^Time\s+Sev\s+Major\s+Minor\s+Args$/m);
    expect(out).toMatch(/booting image [0-9a-f]+ \(board host\)/);
    expect(out).toMatch(/tcpip starting/);
  });

  it("cat /proc/<pid>/status reads the shell's own process", async () => {
    const pid = await c.run("echo $$");
    expect(pid).toMatch(/^\d+$/);
    const out = await c.run(`cat /proc/${pid}/status`);
    expect(out).toMatch(/^name: (\S*\/)?ksh$/m);
    expect(out).toMatch(new RegExp(`^pid: ${pid}$`, "m"));
    expect(out).toMatch(/^threads: \d+$/m);
    expect(await c.run("ls -1 /proc")).toMatch(new RegExp(`^${pid}$`, "m"));
  });

  it("uname -a, date and uptime", async () => {
    expect(await c.run("uname -a")).toMatch(/^QNX node\d+ \S+ \S+ \S+/);
    const date = await c.run("date");
    expect(date).toMatch(/^[A-Z][a-z]{2} [A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d \S+ \d{4}$/);
    expect(date).toContain(String(new Date().getUTCFullYear()));
    expect(await c.run("uptime")).toMatch(/ up .+, \d+ processes$/);
  });

  it("$? is 1 after a failing command, and ls prints the BSD error", async () => {
    await c.run("false");
    expect(await c.run("echo $?")).toBe("1");
    expect(await c.run("ls /nope")).toBe("ls: /nope: No such file or directory");
    expect(await c.run("echo $?")).toBe("1");
    await c.run("true");
    expect(await c.run("echo $?")).toBe("0");
  });

  it("takes a pasted 64 KiB line whole", async () => {
    c.clearScrollback();
    const before = c.term.count(PROMPT);
    c.paste(new TextEncoder().encode("v=" + "x".repeat(65536)));
    c.term.send("Enter");
    await c.term.waitForCount(PROMPT, before, 60_000);
    c.clearScrollback();
    expect(await c.run("echo ${#v}", 60_000)).toBe("65536");
    await expectResponsive();
  }, 120_000);

  it("a burst of binary garbage does not wedge the shell", async () => {
    // Everything but Enter (CR, LF) and Ctrl-D, which would run or end the shell on purpose.
    for (let seed = 1; seed <= 4; seed++) {
      c.clearScrollback();
      c.paste(noise(seed, 4096, [0x04, 0x0a, 0x0d]));
      await expectResponsive();
    }
  }, 120_000);
});
