// `netrino boot buildfiles/host.build` in a real terminal (tmux), used as a person would.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { join } from "node:path";
import { hasCommand, requirement } from "../helpers/requirements.ts";
import { TmuxSession } from "./tmux-session.ts";

const ROOT = join(import.meta.dirname, "..", "..");
// capture-pane drops trailing blanks, so the prompt is matched without its space.
const PROMPT = "/ #";
const skip = requirement("boot-pty", { tmux: hasCommand("tmux") });

describe.skipIf(skip)("boot on a pty", () => {
  let t: TmuxSession;

  beforeAll(async () => {
    t = new TmuxSession(
      "node images/cli/netrino.js boot buildfiles/host.build; echo NETRINO-EXIT=$?; sleep 60",
      {
        cwd: ROOT,
        env: { TERM: "xterm" },
      },
    );
    await t.waitFor(PROMPT, 45_000);
  });
  afterAll(() => t?.kill());

  /** Types a command line and waits for the next prompt. */
  async function run(line: string): Promise<string> {
    const before = t.count(PROMPT);
    t.type(line);
    t.send("Enter");
    const s = await t.waitForCount(PROMPT, before);
    const echoed = `${PROMPT} ${line}`;
    return s.slice(s.lastIndexOf(echoed) + echoed.length, s.lastIndexOf(PROMPT)).trim();
  }

  it("shows the welcome message and a prompt", () => {
    expect(t.screen()).toContain("Welcome to netrino");
  });

  it("runs a pipeline", async () => {
    expect(await run("echo hello | cat")).toBe("hello");
  });

  it("redirects into /tmp and back", async () => {
    expect(await run("echo saved > /tmp/e2e.txt; cat < /tmp/e2e.txt")).toBe("saved");
  });

  it("lists /proc/boot", async () => {
    const out = await run("ls /proc/boot");
    expect(out).toMatch(/ksh/);
    expect(out).toMatch(/devc-ser/);
  });

  it("pidin shows the processes", async () => {
    const out = await run("pidin");
    expect(out).toMatch(/pid\s+tid\s+name/);
    expect(out).toMatch(/devc-ser/);
    expect(out).toMatch(/ksh/);
  });

  it("completes a path with Tab", async () => {
    const before = t.count(PROMPT);
    t.type("ls /proc/bo");
    t.send("Tab");
    await t.waitFor(`${PROMPT} ls /proc/boot/`);
    t.send("C-u");
    t.send("Enter");
    await t.waitForCount(PROMPT, before);
  });

  it("recalls history with Up", async () => {
    await run("echo recall-me");
    const before = t.count(PROMPT);
    t.send("Up");
    await t.waitFor(/\/ # echo recall-me\s*$/);
    t.send("Enter");
    await t.waitForCount(PROMPT, before);
    expect(t.screen().split("\nrecall-me").length - 1).toBeGreaterThanOrEqual(2);
  });

  it("interrupts sleep 100 with Ctrl-C", async () => {
    const before = t.count(PROMPT);
    t.type("sleep 100");
    t.send("Enter");
    await t.waitFor(`${PROMPT} sleep 100`);
    // Nothing on the screen says sleep has started; on a loaded machine a Ctrl-C that comes
    // while the shell is still starting it is not sleep's to take, so it is sent again each
    // second. Either way the prompt must be back long before sleep's 100 s are up.
    const started = Date.now();
    while (t.count(PROMPT) <= before) {
      if (Date.now() - started > 20_000) throw new Error(`Ctrl-C did not interrupt:\n${t.screen()}`);
      t.send("C-c");
      await t.waitForCount(PROMPT, before, 1000).catch(() => undefined);
    }
    expect(t.screen()).toContain("^C");
  });

  it("exit ends the runtime with the shell's status", async () => {
    await run("true");
    t.type("exit");
    t.send("Enter");
    const s = await t.waitFor(/NETRINO-EXIT=\d+/);
    expect(s).toContain("NETRINO-EXIT=0");
  });
});
