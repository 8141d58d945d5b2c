// Job control at the console of `netrino boot buildfiles/host.build` in a real terminal (tmux):
// Ctrl-Z stops the foreground job, `jobs`, `bg`, `fg`, Ctrl-C, `&` with its `[n] pid` line and
// the Done notice, `kill %n`. Every wait is for text on the screen, never a fixed sleep.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hasCommand, requirement } from "../helpers/requirements.ts";
import { freeUdpPort, NetrinoConsole, PROMPT } from "./fixtures/netrino-console.ts";

const skip = requirement("job-control", { tmux: hasCommand("tmux") });

describe.skipIf(skip)("job control at the console", () => {
  let c: NetrinoConsole;

  beforeAll(async () => {
    c = await NetrinoConsole.boot(await freeUdpPort());
  });
  afterAll(() => c?.kill());

  /**
   * Sends `key` until `pattern` shows. Nothing on the screen says a job has started, and on a
   * loaded machine a key that comes while the shell is still starting it is not the job's to
   * take, so the key is sent again every second.
   */
  async function pressUntil(key: string, pattern: RegExp, timeoutMs = 30_000): Promise<string> {
    const started = Date.now();
    for (;;) {
      c.term.send(key);
      const s = await c.term.waitFor(pattern, 1000).catch(() => null);
      if (s !== null) return s;
      if (Date.now() - started > timeoutMs) throw new Error(`${key} had no effect:\n${c.screen()}`);
    }
  }

  it("Ctrl-Z stops sleep 100 and jobs lists it as stopped", async () => {
    c.start("sleep 100");
    await c.term.waitFor(`${PROMPT} sleep 100`);
    const s = await pressUntil("C-z", /\[1\] \+ Stopped\s+sleep 100/);
    expect(s).toContain("^Z");
    await c.term.waitFor(/Stopped\s+sleep 100\n\/ #/);
    expect(await c.run("jobs")).toMatch(/^\[1\] \+ Stopped\s+sleep 100$/);
  });

  it("bg lets the stopped job run in the background", async () => {
    expect(await c.run("bg")).toBe("[1] sleep 100 &");
    expect(await c.run("jobs")).toMatch(/^\[1\] \+ Running\s+sleep 100$/);
  });

  it("fg brings it back and Ctrl-C ends it", async () => {
    c.start("fg");
    // fg names the job it resumes, then the job owns the terminal.
    await c.term.waitFor(/\/ # fg\nsleep 100\n/);
    const before = c.term.count(PROMPT);
    await pressUntil("C-c", /\^C\n\/ #/);
    await c.term.waitForCount(PROMPT, before);
    // A job killed by SIGINT reports 128 + 2.
    expect(await c.run("echo $?")).toBe("130");
    expect(await c.run("jobs")).toBe("");
  }, 60_000);

  it("sleep 1 & prints [1] and its pid, then a Done notice at a later prompt", async () => {
    const out = await c.run("sleep 1 &");
    const pid = /^\[1\] (\d+)$/.exec(out)?.[1];
    expect(pid, out).toBeDefined();
    // $! is the pid the shell printed.
    expect(await c.run("echo $!")).toBe(pid);
    // A longer foreground sleep outlasts the job on the runtime's own clock; the notice comes
    // before the first prompt after the job ended (`wait` would reap it without one).
    await c.run("sleep 2");
    await c.run("");
    expect(c.screen()).toMatch(/\[1\] [+-] Done\s+sleep 1/);
    expect(await c.run("jobs")).toBe("");
  }, 60_000);

  it("kill %1 terminates a background job", async () => {
    expect(await c.run("sleep 100 &")).toMatch(/^\[1\] \d+$/);
    expect(await c.run("jobs")).toMatch(/^\[1\] \+ Running\s+sleep 100$/);
    await c.run("kill %1");
    // The shell reports the end at the next prompt.
    const deadline = Date.now() + 20_000;
    while (!/\[1\] [+-] Terminated\s+sleep 100/.test(c.screen())) {
      if (Date.now() > deadline) throw new Error(`no Terminated notice:\n${c.screen()}`);
      await c.run("");
    }
    expect(await c.run("jobs")).toBe("");
    expect(await c.run("kill %1")).toBe("ksh: kill: %1: no such job");
  }, 60_000);
});
