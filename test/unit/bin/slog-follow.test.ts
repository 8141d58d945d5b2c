import { describe, expect, it } from "vitest";
import { settle } from "../../helpers/wait.ts";
import { followSlog } from "../../../firmware/bin/lib/slog-follow.ts";
import { ManualClock } from "../../../firmware/kernel/clock.ts";
import { SystemLog } from "../../../firmware/kernel/slog.ts";
import type { ProgramContext } from "../../../firmware/program.ts";

/** Just the parts of a ProgramContext followSlog touches. */
function context(slog: SystemLog, signal: AbortSignal, out: string[]): ProgramContext {
  return {
    kernel: { slog },
    signal,
    stdout: {
      async write(d: string | Uint8Array) {
        out.push(String(d));
      },
    },
  } as unknown as ProgramContext;
}

describe("followSlog (sloginfo -w, slog2info -w)", () => {
  it("prints the new entries it selects, in order, until interrupted", async () => {
    const slog = new SystemLog(new ManualClock());
    slog.log(1, 0, 5, "before the follow");
    const abort = new AbortController();
    const out: string[] = [];
    const done = followSlog(
      context(slog, abort.signal, out),
      (e) => (e.severity <= 5 ? e.text : null),
      (t) => `> ${t}`,
    );
    slog.log(1, 0, 5, "first");
    slog.log(1, 0, 7, "too chatty");
    slog.log(1, 0, 2, "second");
    await settle(() => out.length === 2, "the first two lines");
    slog.log(1, 0, 3, "third");
    await settle(() => out.length === 3, "the third line");
    abort.abort();
    await done;
    slog.log(1, 0, 3, "after the end");
    expect(out).toEqual(["> first\n", "> second\n", "> third\n"]);
  });
});
