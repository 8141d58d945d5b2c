// The console shell on /dev/ser1 backed by one end of a socat pty pair; this test is the
// person at the other end of the serial line.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { spawn, type ChildProcess } from "node:child_process";
import {
  closeSync,
  existsSync,
  mkdtempSync,
  openSync,
  rmSync,
  writeSync,
  createReadStream,
  type ReadStream,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { hasCommand, requirement } from "../helpers/requirements.ts";
import { Signal } from "../helpers/wait.ts";
import { printed } from "../net/lib/netns.ts";

const ROOT = join(import.meta.dirname, "..", "..");
const skip = requirement("serial-socat", { socat: hasCommand("socat") });

/** Pokes the waits below: bytes on the serial line or the host's log, the runtime's exit. */
const changed = new Signal();

async function until(cond: () => boolean, what: string, timeoutMs = 20_000, show = () => ""): Promise<void> {
  try {
    await changed.until(cond, what, timeoutMs);
  } catch (e) {
    throw new Error(`${e instanceof Error ? e.message : String(e)}\n${show()}`);
  }
}

describe.skipIf(skip)("shell on a serial line (socat pty pair)", () => {
  let dir: string;
  let socat: ChildProcess;
  let runtime: ChildProcess;
  let peerFd = -1;
  let peer: ReadStream;
  let seen = "";
  let exitCode: number | null = null;

  const type = (text: string) => writeSync(peerFd, text);

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "netrino-ser-"));
    const board = join(dir, "board");
    const user = join(dir, "user");
    socat = spawn("socat", ["-d", "-d", `pty,raw,echo=0,link=${board}`, `pty,raw,echo=0,link=${user}`], {
      stdio: ["ignore", "ignore", "pipe"],
    });
    // Both ptys (and their links) exist once socat says it moves data between them.
    await printed(socat, /starting data transfer loop/, 15_000);
    expect(existsSync(board) && existsSync(user)).toBe(true);
    peerFd = openSync(user, "r+");
    peer = createReadStream("", { fd: peerFd, autoClose: false });
    peer.on("data", (b) => {
      seen += b.toString("utf8");
      changed.notify();
    });
    peer.on("error", () => undefined);
    runtime = spawn(
      process.execPath,
      ["images/cli/netrino.js", "boot", "test/e2e/fixtures/serial.build", "--console", board],
      { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] },
    );
    let log = "";
    runtime.stdout?.on("data", (b) => (log += b));
    runtime.stderr?.on("data", (b) => (log += b));
    runtime.on("exit", (code) => {
      exitCode = code;
      changed.notify();
    });
    await until(
      () => seen.includes("/ #"),
      "the prompt on the serial line",
      30_000,
      () => `serial: ${seen}\nhost: ${log}`,
    );
  });

  afterAll(() => {
    runtime?.kill("SIGTERM");
    peer?.destroy();
    if (peerFd >= 0) closeSync(peerFd);
    socat?.kill("SIGTERM");
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("shows the script's output after reopen, then the prompt", () => {
    expect(seen).toContain("serial console ready");
  });

  it("echoes what is typed and runs it, CR NL on output", async () => {
    seen = "";
    type("echo over-the-wire\r");
    await until(
      () => /\r\nover-the-wire\r\n/.test(seen),
      "the command's output",
      10_000,
      () => seen,
    );
    expect(seen).toContain("echo over-the-wire");
  });

  it("stty shows the line settings", async () => {
    seen = "";
    type("stty\r");
    await until(
      () => seen.includes("115200") || seen.includes("speed"),
      "stty output",
      10_000,
      () => seen,
    );
  });

  it("shutdown ends the runtime cleanly", async () => {
    type("shutdown\r");
    await until(
      () => exitCode !== null,
      "the runtime to exit",
      10_000,
      () => seen,
    );
    expect(exitCode).toBe(0);
  });
});
