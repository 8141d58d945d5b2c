// The operands of cp and mv: `source target`, or `source ... directory`, and the walk over
// the sources with each one's destination.
import type { ProgramContext } from "../../program.ts";
import { warn } from "./errors.ts";
import { isDirMode } from "./file-mode.ts";
import { destinationFor } from "./fs-walk.ts";
import { UsageError } from "./getopt.ts";
import { resolvePath } from "./paths.ts";

export interface Transfer {
  /** The operand as typed (for messages). */
  source: string;
  /** Resolved source path. */
  src: string;
  /** Where it goes: the target, or target/basename when the target is a directory. */
  dst: string;
}

/**
 * Splits the operands into sources and target and calls `each` for every source in order;
 * the exit status is 1 when any call returned false. Fewer than two operands is a usage
 * error; several sources with a target that is not a directory print
 * `prog: target: Not a directory` and exit 1 before anything is done.
 */
export async function forEachTransfer(
  ctx: ProgramContext,
  prog: string,
  operands: readonly string[],
  each: (t: Transfer) => Promise<boolean>,
): Promise<number> {
  if (operands.length < 2) throw new UsageError("");
  const sources = operands.slice(0, -1);
  const target = operands[operands.length - 1];
  const targetPath = resolvePath(ctx.cwd, target);
  const targetStat = await ctx.fs.stat(targetPath).catch(() => null);
  if (sources.length > 1 && !(targetStat && isDirMode(targetStat.mode))) {
    await warn(ctx.stderr, prog, target, "Not a directory");
    return 1;
  }
  let status = 0;
  for (const source of sources) {
    const src = resolvePath(ctx.cwd, source);
    // Looked up per source, after the previous ones were done, as the loop always did.
    const dst = await destinationFor(ctx.fs, src, targetPath);
    if (!(await each({ source, src, dst }))) status = 1;
  }
  return status;
}
