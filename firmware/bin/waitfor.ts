// waitfor: wait until a path exists (a manager registered it), polling every 100 ms.
import type { Program } from "../program.ts";
import { errorText, runUtility } from "./lib/errors.ts";
import { getopt, UsageError } from "./lib/getopt.ts";
import { resolvePath } from "./lib/paths.ts";
import { waitForPath } from "./lib/wait-path.ts";

const USAGE = `waitfor - wait for a pathname to exist

usage: waitfor pathname [seconds]
Polls every 100 ms; gives up after seconds (default 5, fractions allowed) with
  Unable to access "pathname" (errno)
and exit status 1.
`;

const program: Program = {
  name: "waitfor",
  usage: USAGE,
  main(ctx) {
    return runUtility(ctx.stderr, "waitfor", USAGE, async () => {
      const { operands } = getopt(ctx.argv.slice(1), "");
      if (operands.length < 1 || operands.length > 2) throw new UsageError("");
      const seconds = operands[1] === undefined ? 5 : Number(operands[1]);
      if (!Number.isFinite(seconds) || seconds < 0) throw new UsageError(`invalid timeout -- ${operands[1]}`);
      const path = resolvePath(ctx.cwd, operands[0]);
      const last = await waitForPath(ctx, path, seconds);
      if (last === null) return 0;
      await ctx.stderr.write(`Unable to access "${operands[0]}" (${errorText(last)})\n`);
      return 1;
    });
  },
};
export default program;
