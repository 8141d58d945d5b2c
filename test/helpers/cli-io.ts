// A CliIo that collects what a netrino command prints (stdout and stderr in order).
import type { CliIo } from "../../images/cli/io.ts";

export function captureIo(cwd: string): CliIo & { text(): string; clear(): void } {
  const out: string[] = [];
  return {
    stdout: (t) => void out.push(t),
    stderr: (t) => void out.push(t),
    cwd,
    env: {},
    text: () => out.join(""),
    clear: () => void (out.length = 0),
  };
}
