// tail: the last lines of a file; -f keeps reading as the file grows.
import type { Program, ProgramContext } from "../program.ts";
import { runUtility, warn } from "./lib/errors.ts";
import { getopt, optionMap, UsageError } from "./lib/getopt.ts";
import { chunksOf, linesOf } from "./lib/input.ts";
import { resolvePath } from "./lib/paths.ts";

const USAGE = `tail - copy the last part of a file

usage: tail [-f] [-n count] [file ...]
Options:
 -n count   the last count lines (default 10); +count starts at line count; -count is accepted
 -f         after the end, keep reading as the file grows (until interrupted)
`;

const FOLLOW_POLL_MS = 250;

/** `tail -5` / `tail +5` are the historical spellings of `tail -n 5` / `tail -n +5`. */
export function normalizeTailArgs(args: readonly string[]): string[] {
  return args.length > 0 && /^[-+]\d+$/.test(args[0])
    ? ["-n", args[0].startsWith("+") ? args[0] : args[0].slice(1), ...args.slice(1)]
    : [...args];
}

/** `10` → the last 10 lines; `+10` → from line 10 on. */
export function parseTailCount(text: string): { fromStart: boolean; n: number } {
  const m = /^([+-]?)(\d+)$/.exec(text);
  if (!m) throw new UsageError(`illegal offset -- ${text}`);
  return { fromStart: m[1] === "+", n: Number.parseInt(m[2], 10) };
}

/** Keeps the last `n` lines of a stream in a ring. */
export class LastLines {
  private readonly ring: string[] = [];
  private readonly n: number;
  constructor(n: number) {
    this.n = n;
  }
  push(line: string): void {
    if (this.n === 0) return;
    if (this.ring.length === this.n) this.ring.shift();
    this.ring.push(line);
  }
  lines(): readonly string[] {
    return this.ring;
  }
}

async function tailOne(ctx: ProgramContext, operand: string, count: { fromStart: boolean; n: number }) {
  const keep = new LastLines(count.fromStart ? 0 : count.n);
  let lineNo = 0;
  for await (const line of linesOf(chunksOf(ctx, operand))) {
    lineNo++;
    if (count.fromStart) {
      if (lineNo >= count.n) await ctx.stdout.write(line);
    } else {
      keep.push(line);
    }
  }
  for (const line of keep.lines()) await ctx.stdout.write(line);
}

/** -f: read on from the end every FOLLOW_POLL_MS until SIGINT/SIGTERM. */
async function follow(ctx: ProgramContext, operand: string): Promise<void> {
  const fh = await ctx.fs.open(resolvePath(ctx.cwd, operand), "r");
  try {
    let pos = (await fh.stat()).size;
    while (!ctx.signal.aborted) {
      const c = await fh.read(16 * 1024, pos);
      if (c.length > 0) {
        pos += c.length;
        await ctx.stdout.write(c);
        continue;
      }
      try {
        await ctx.thread.sleep(FOLLOW_POLL_MS);
      } catch {
        return; // EINTR: interrupted by a signal
      }
    }
  } finally {
    await fh.close();
  }
}

const program: Program = {
  name: "tail",
  usage: USAGE,
  main(ctx) {
    return runUtility(ctx.stderr, "tail", USAGE, async () => {
      const parsed = getopt(normalizeTailArgs(ctx.argv.slice(1)), "fn:");
      const opts = optionMap(parsed);
      const count = parseTailCount(opts.get("n") ?? "10");
      const operands = parsed.operands.length ? parsed.operands : ["-"];
      let status = 0;
      for (const [i, operand] of operands.entries()) {
        if (operands.length > 1) await ctx.stdout.write(`${i > 0 ? "\n" : ""}==> ${operand} <==\n`);
        try {
          await tailOne(ctx, operand, count);
        } catch (e) {
          await warn(ctx.stderr, "tail", operand, e);
          status = 1;
        }
      }
      const last = operands[operands.length - 1];
      if (opts.has("f") && status === 0 && last !== "-") await follow(ctx, last);
      return status;
    });
  },
};
export default program;
