// Drives a program in a real terminal (tmux on its own socket, so only our server is
// touched): send keys, wait for text on the screen, kill the server at the end. Waits are
// woken by the pane's output (tmux pipe-pane appends it to a file we watch), not by polling.
import { spawnSync } from "node:child_process";
import { rmSync, watch, writeFileSync, type FSWatcher } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { uniqueName } from "../helpers/requirements.ts";
import { Signal } from "../helpers/wait.ts";

export class TmuxSession {
  readonly socket = uniqueName("netrino");
  /** Notified whenever the pane printed something. */
  private readonly output = new Signal();
  private readonly outFile = join(tmpdir(), `${this.socket}.pane`);
  private readonly watcher: FSWatcher;

  constructor(
    command: string,
    opts: { cwd: string; cols?: number; rows?: number; env?: Record<string, string> },
  ) {
    const env = { ...process.env, ...opts.env };
    const r = spawnSync(
      "tmux",
      [
        "-L",
        this.socket,
        "-f",
        "/dev/null",
        "new-session",
        "-d",
        "-c",
        opts.cwd,
        "-x",
        String(opts.cols ?? 120),
        "-y",
        String(opts.rows ?? 40),
        command,
      ],
      { cwd: opts.cwd, env, encoding: "utf8" },
    );
    if (r.status !== 0) throw new Error(`tmux: ${r.stderr}`);
    writeFileSync(this.outFile, "");
    this.watcher = watch(this.outFile, this.output.notify);
    this.tmux("pipe-pane", "-O", `cat >> '${this.outFile}'`);
  }

  private tmux(...args: string[]): string {
    return spawnSync("tmux", ["-L", this.socket, ...args], { encoding: "utf8" }).stdout ?? "";
  }

  /** Keys as tmux names them ("Enter", "C-c", "Up", "Tab") or literal text. */
  send(...keys: string[]): void {
    this.tmux("send-keys", ...keys);
  }

  /** Literal text (no key-name lookup). */
  type(text: string): void {
    this.tmux("send-keys", "-l", text);
  }

  /** The whole scrollback and the visible screen ("-S -": a window would let old prompts scroll out). */
  screen(): string {
    return this.tmux("capture-pane", "-p", "-S", "-");
  }

  /** Waits until `pattern` is on the screen; returns the screen. */
  async waitFor(pattern: RegExp | string, timeoutMs = 20_000): Promise<string> {
    let s = "";
    const found = (): boolean => {
      s = this.screen();
      return typeof pattern === "string" ? s.includes(pattern) : pattern.test(s);
    };
    await this.until(found, String(pattern), timeoutMs);
    return s;
  }

  /** Re-checks `cond` whenever the pane prints; fails with the screen after `timeoutMs`. */
  private async until(cond: () => boolean, what: string, timeoutMs: number): Promise<void> {
    try {
      await this.output.until(cond, what, timeoutMs);
    } catch (e) {
      throw new Error(`${e instanceof Error ? e.message : String(e)}; screen:\n${this.screen()}`);
    }
  }

  /** How many times `text` appears on the screen (to wait for a new prompt). */
  count(text: string): number {
    return this.screen().split(text).length - 1;
  }

  /** Waits until `text` appears more than `before` times; returns the screen. */
  async waitForCount(text: string, before: number, timeoutMs = 20_000): Promise<string> {
    let s = "";
    await this.until(() => (s = this.screen()).split(text).length - 1 > before, `another ${text}`, timeoutMs);
    return s;
  }

  kill(): void {
    this.tmux("kill-server");
    this.watcher.close();
    rmSync(this.outFile, { force: true });
  }
}
