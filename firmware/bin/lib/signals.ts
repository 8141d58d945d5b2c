// `kill -l` and signal operands, on top of the kernel's QNX signal table.
import { parseSignal, SIGNALS, type Signal } from "../../kernel/signals.ts";

/** `TERM`, `SIGTERM`, `term` or `15` → "SIGTERM"; "0" → 0 (existence check); undefined if unknown. */
export function signalOperand(spec: string): Signal | 0 | undefined {
  if (spec === "0") return 0;
  const alias: Readonly<Record<string, string>> = { IO: "POLL", CLD: "CHLD", IOT: "ABRT" };
  const bare = spec.toUpperCase().replace(/^SIG/, "");
  return parseSignal(alias[bare] ?? spec);
}

/** `kill -l` body: names without SIG, space separated, wrapped to `width` columns like BSD. */
export function formatSignalList(width = 72): string {
  const lines: string[] = [];
  let line = "";
  for (const sig of Object.keys(SIGNALS) as Signal[]) {
    const name = sig.slice(3);
    if (line && line.length + 1 + name.length > width) {
      lines.push(line);
      line = "";
    }
    line = line ? `${line} ${name}` : name;
  }
  if (line) lines.push(line);
  return lines.join("\n") + "\n";
}

/** `kill -l 15` → "TERM"; also accepts an exit status above 128 as ksh does (143 → TERM). */
export function signalNameOf(num: number): string | undefined {
  const n = num > 128 ? num - 128 : num;
  const entry = (Object.entries(SIGNALS) as Array<[Signal, number]>).find(([, v]) => v === n);
  return entry?.[0].slice(3);
}

/**
 * The exit status of a utility that stops because it was signalled: 128 + the signal number,
 * as a shell reports a process killed by it. The signal is the AbortSignal's reason when the
 * runtime gives one ("SIGINT"); otherwise SIGINT is assumed.
 */
export function interruptedStatus(signal: AbortSignal): number {
  const reason: unknown = signal.reason;
  const sig = typeof reason === "string" ? parseSignal(reason) : undefined;
  return 128 + SIGNALS[sig ?? "SIGINT"];
}
