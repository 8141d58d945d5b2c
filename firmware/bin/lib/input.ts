// Reading a utility's inputs: file operands through the pathname space, `-` (or no operand)
// as standard input, in chunks so that endless devices (a serial port) stream.
import type { ProgramContext } from "../../program.ts";
import { resolvePath } from "./paths.ts";

const CHUNK = 16 * 1024;

/** The bytes of `operand` ("-" = stdin), chunk by chunk, stopping early when the program is signalled. */
export async function* chunksOf(ctx: ProgramContext, operand: string): AsyncGenerator<Uint8Array> {
  if (operand === "-") {
    while (!ctx.signal.aborted) {
      const c = await ctx.stdin.read(CHUNK);
      if (c === null) return;
      if (c.length) yield c;
    }
    return;
  }
  const fh = await ctx.fs.open(resolvePath(ctx.cwd, operand), "r");
  try {
    while (!ctx.signal.aborted) {
      const c = await fh.read(CHUNK);
      if (c.length === 0) return;
      yield c;
    }
  } finally {
    await fh.close();
  }
}

/** Lines of a chunk stream, each with its "\n" (the last one may lack it). */
export async function* linesOf(chunks: AsyncIterable<Uint8Array>): AsyncGenerator<string> {
  const decoder = new TextDecoder();
  let pending = "";
  for await (const c of chunks) {
    pending += decoder.decode(c, { stream: true });
    let nl: number;
    while ((nl = pending.indexOf("\n")) >= 0) {
      yield pending.slice(0, nl + 1);
      pending = pending.slice(nl + 1);
    }
  }
  pending += decoder.decode();
  if (pending) yield pending;
}

/** All of `operand` as text. */
export async function readText(ctx: ProgramContext, operand: string): Promise<string> {
  const parts: Uint8Array[] = [];
  for await (const c of chunksOf(ctx, operand)) parts.push(c);
  return new TextDecoder().decode(concat(parts));
}

export function concat(parts: readonly Uint8Array[]): Uint8Array {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
