// The kernel's log entries as the viewers' records, with the logging process's name.
import type { Kernel } from "../../kernel/kernel.ts";
import type { SlogEntry } from "../../kernel/slog.ts";
import type { LogRecord } from "./slog-format.ts";
import { basename } from "./paths.ts";

export function recordOf(kernel: Kernel, e: SlogEntry): LogRecord {
  const p = kernel.procs.get(e.pid);
  return {
    timeMs: e.time,
    major: e.major,
    minor: e.minor,
    severity: e.severity,
    text: e.text,
    pid: e.pid,
    source: p ? basename(p.name) : e.pid === 0 ? "procnto" : undefined,
  };
}
