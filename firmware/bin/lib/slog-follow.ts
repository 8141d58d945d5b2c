// `-w` of the log viewers: print each new log entry as it arrives, until the program is
// interrupted. Entries are queued as the log hands them over so a slow terminal loses none.
import type { SlogEntry } from "../../kernel/slog.ts";
import type { ProgramContext } from "../../program.ts";

/** Prints `format(item)` for every new entry `select` turns into an item (null: skip it). */
export async function followSlog<T>(
  ctx: ProgramContext,
  select: (e: SlogEntry) => T | null,
  format: (item: T) => string,
): Promise<void> {
  const queue: T[] = [];
  let wake: (() => void) | null = null;
  const unsubscribe = ctx.kernel.slog.subscribe((e) => {
    const item = select(e);
    if (item === null) return;
    queue.push(item);
    wake?.();
  });
  const aborted = new Promise<void>((r) => ctx.signal.addEventListener("abort", () => r(), { once: true }));
  try {
    while (!ctx.signal.aborted) {
      if (queue.length === 0) {
        await Promise.race([new Promise<void>((r) => (wake = r)), aborted]);
        wake = null;
        continue;
      }
      await ctx.stdout.write(format(queue.shift()!) + "\n");
    }
  } finally {
    unsubscribe();
  }
}
