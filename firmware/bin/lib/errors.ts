// How utilities report failures: BSD style, `prog: operand: strerror`, on stderr.
import { KernelError, strerror } from "../../kernel/errno.ts";
import type { Errno } from "../../kernel/errno.ts";
import type { Stream } from "../../program.ts";
import { UsageError } from "./getopt.ts";

/** The strerror text for an error: "No such file or directory" for ENOENT. */
export function errorText(e: unknown): string {
  if (e instanceof KernelError) return strerror(e.errno);
  if (e instanceof Error) return e.message;
  return String(e);
}

/**
 * errorText plus the server's own explanation when it gave one: `Invalid argument (Option mtu
 * requires an argument)`. For utilities whose server knows more than an errno can say.
 */
export function errorDetail(e: unknown): string {
  const text = errorText(e);
  return e instanceof KernelError && !e.message.includes(text) ? `${text} (${e.message})` : text;
}

/** The errno name of an error, or undefined when it is not errno-shaped. */
export function errnoOf(e: unknown): Errno | undefined {
  return e instanceof KernelError ? e.errno : undefined;
}

/** Writes `prog: subject: reason` (or `prog: reason` without a subject) to stderr. */
export async function warn(stderr: Stream, prog: string, subject: string | null, e: unknown): Promise<void> {
  const reason = typeof e === "string" ? e : errorText(e);
  await stderr.write(subject === null ? `${prog}: ${reason}\n` : `${prog}: ${subject}: ${reason}\n`);
}

/**
 * Runs a utility's body: a UsageError prints `prog: reason` and the usage text and exits with
 * `usageStatus` (1 as on BSD, 2 for grep); any other escaped error prints `prog: reason`, exit 1.
 */
export async function runUtility(
  stderr: Stream,
  prog: string,
  usage: string,
  body: () => Promise<number>,
  usageStatus = 1,
): Promise<number> {
  try {
    return await body();
  } catch (e) {
    if (e instanceof UsageError) {
      if (e.message) await stderr.write(`${prog}: ${e.message}\n`);
      await stderr.write(`${usageLine(usage)}\n`);
      return usageStatus;
    }
    await warn(stderr, prog, null, e);
    return 1;
  }
}

/** The `usage:` lines of a usage text (what BSD tools print after a usage error). */
export function usageLine(usage: string): string {
  const lines = usage.split("\n");
  const at = lines.findIndex((l) => l.startsWith("usage:"));
  if (at < 0) return `usage: ${lines[0] ?? ""}`;
  let end = at + 1;
  while (end < lines.length && lines[end].startsWith("       ")) end++;
  return lines.slice(at, end).join("\n");
}
