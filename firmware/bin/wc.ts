// wc: count lines, words and bytes.
import type { Program } from "../program.ts";
import { runUtility, warn } from "./lib/errors.ts";
import { getopt } from "./lib/getopt.ts";
import { chunksOf } from "./lib/input.ts";

const USAGE = `wc - word, line and byte count

usage: wc [-clw] [file ...]
Options:
 -c  count bytes
 -l  count lines (newline characters)
 -w  count words (runs of non-space characters)
Without options all three are printed, in the order lines, words, bytes.
`;

export interface Counts {
  lines: number;
  words: number;
  bytes: number;
}

/** Counts a chunk, carrying whether the previous chunk ended inside a word. */
export function countChunk(c: Uint8Array, into: Counts, inWord: boolean): boolean {
  into.bytes += c.length;
  for (let i = 0; i < c.length; i++) {
    const b = c[i];
    if (b === 0x0a) into.lines++;
    const space = b === 0x20 || (b >= 0x09 && b <= 0x0d);
    if (!space && !inWord) into.words++;
    inWord = !space;
  }
  return inWord;
}

/** BSD layout: each selected count right-aligned in 8 columns, then the name. */
export function formatCounts(c: Counts, which: { l: boolean; w: boolean; c: boolean }, name: string): string {
  let out = "";
  if (which.l) out += String(c.lines).padStart(8);
  if (which.w) out += String(c.words).padStart(8);
  if (which.c) out += String(c.bytes).padStart(8);
  return name ? `${out} ${name}\n` : `${out}\n`;
}

const program: Program = {
  name: "wc",
  usage: USAGE,
  main(ctx) {
    return runUtility(ctx.stderr, "wc", USAGE, async () => {
      const parsed = getopt(ctx.argv.slice(1), "clw");
      const set = new Set(parsed.opts.map((o) => o.opt));
      const which = set.size
        ? { l: set.has("l"), w: set.has("w"), c: set.has("c") }
        : { l: true, w: true, c: true };
      const total: Counts = { lines: 0, words: 0, bytes: 0 };
      let status = 0;
      const operands = parsed.operands.length ? parsed.operands : ["-"];
      for (const operand of operands) {
        const counts: Counts = { lines: 0, words: 0, bytes: 0 };
        try {
          let inWord = false;
          for await (const c of chunksOf(ctx, operand)) inWord = countChunk(c, counts, inWord);
        } catch (e) {
          await warn(ctx.stderr, "wc", operand, e);
          status = 1;
          continue;
        }
        total.lines += counts.lines;
        total.words += counts.words;
        total.bytes += counts.bytes;
        await ctx.stdout.write(formatCounts(counts, which, operand === "-" ? "" : operand));
      }
      if (operands.length > 1) await ctx.stdout.write(formatCounts(total, which, "total"));
      return status;
    });
  },
};
export default program;
