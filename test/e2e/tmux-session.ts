// Drives a program in a real terminal (tmux on its own socket, so only our server is
// touched): send keys, wait for text on the screen, kill the server at the end.
import { spawnSync } from "node:child_process";
import { uniqueName } from "../helpers/requirements.ts";

export class TmuxSession {
  readonly socket = uniqueName("netrino");

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
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const s = this.screen();
      if (typeof pattern === "string" ? s.includes(pattern) : pattern.test(s)) return s;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${String(pattern)}; screen:\n${s}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /** How many times `text` appears on the screen (to wait for a new prompt). */
  count(text: string): number {
    return this.screen().split(text).length - 1;
  }

  /** Waits until `text` appears more than `before` times; returns the screen. */
  async waitForCount(text: string, before: number, timeoutMs = 20_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const s = this.screen();
      if (s.split(text).length - 1 > before) return s;
      if (Date.now() > deadline) throw new Error(`timed out waiting for another ${text}; screen:\n${s}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  kill(): void {
    this.tmux("kill-server");
  }
}
