// A process whose stdin/stdout is a netrino console (a `netrino boot` node, a `netrino qemu`
// guest): tests wait for what it prints, never for a fixed time.
import { spawn, type ChildProcess } from "node:child_process";

export class ConsoleProcess {
  readonly proc: ChildProcess;
  output = "";
  private marks = 0;
  readonly exited: Promise<number | null>;

  constructor(args: readonly string[], cwd: string) {
    this.proc = spawn(process.execPath, args, { cwd, stdio: ["pipe", "pipe", "pipe"] });
    this.proc.stdout?.on("data", (b: Buffer) => (this.output += b.toString("utf8")));
    this.proc.stderr?.on("data", (b: Buffer) => (this.output += b.toString("utf8")));
    this.exited = new Promise((resolve) => this.proc.on("exit", resolve));
  }

  /** Resolves on output (after `from`) matching `pattern`, or fails with what the console shows. */
  async waitFor(pattern: string | RegExp, timeoutMs = 30_000, from = 0): Promise<string> {
    const found = (): boolean => {
      const s = this.output.slice(from);
      return typeof pattern === "string" ? s.includes(pattern) : pattern.test(s);
    };
    await new Promise<void>((resolve, reject) => {
      const check = (): void => {
        if (found()) return done(resolve);
        if (this.proc.exitCode !== null) done(() => reject(this.failure(pattern, "the process ended")));
      };
      const timer = setTimeout(() => done(() => reject(this.failure(pattern, "timed out"))), timeoutMs);
      const done = (f: () => void): void => {
        clearTimeout(timer);
        this.proc.stdout?.off("data", check);
        this.proc.stderr?.off("data", check);
        this.proc.off("exit", check);
        f();
      };
      this.proc.stdout?.on("data", check);
      this.proc.stderr?.on("data", check);
      this.proc.on("exit", check);
      check();
    });
    return this.output.slice(from);
  }

  private failure(pattern: string | RegExp, why: string): Error {
    return new Error(`${why} waiting for ${String(pattern)}; the console shows:\n${this.output}`);
  }

  /** Runs a command line on the console and returns what it printed. */
  async run(line: string, timeoutMs = 20_000, eol = "\n"): Promise<string> {
    const from = this.output.length;
    const n = ++this.marks;
    // The console echoes the line: END""n is printed as ENDn only by the shell's echo.
    this.proc.stdin?.write(`${line}; echo END""${n}${eol}`);
    const end = new RegExp(`^END${n}\\r?$`, "m");
    const out = await this.waitFor(end, timeoutMs, from);
    const start = out.indexOf("\n") + 1;
    return out.slice(start, out.search(end));
  }

  stop(): void {
    if (this.proc.exitCode === null) this.proc.kill("SIGTERM");
  }
}
