// date: print the date and time (`+format` with strftime conversions, -u for UTC).
import type { Program } from "../program.ts";
import { runUtility } from "./lib/errors.ts";
import { defaultDate, strftime } from "./lib/date-format.ts";
import { getopt, optionMap, UsageError } from "./lib/getopt.ts";

const USAGE = `date - display the date and time

usage: date [-u] [-r seconds] [+format]
Options:
 -u          use UTC instead of the local time zone
 -r seconds  show this time (seconds since the Epoch) instead of now
+format uses strftime conversions: %Y %m %d %H %M %S %a %b %e %j %s %T %F %Z %z %% …
Setting the clock is not supported (the runtime uses the host's or board's clock).
`;

const program: Program = {
  name: "date",
  usage: USAGE,
  main(ctx) {
    return runUtility(ctx.stderr, "date", USAGE, async () => {
      const parsed = getopt(ctx.argv.slice(1), "ur:");
      const opts = optionMap(parsed);
      const utc = opts.has("u") || ctx.env.TZ === "UTC" || ctx.env.TZ === "UTC0";
      let ms = ctx.kernel.clock.wallTime();
      const r = opts.get("r");
      if (r !== undefined) {
        if (!/^-?\d+$/.test(r)) throw new UsageError(`invalid seconds -- ${r}`);
        ms = Number(r) * 1000;
      }
      if (parsed.operands.length > 1) throw new UsageError("");
      const operand = parsed.operands[0];
      if (operand !== undefined && !operand.startsWith("+")) {
        await ctx.stderr.write("date: setting the time is not supported\n");
        return 1;
      }
      const text = operand === undefined ? defaultDate(ms, utc) : strftime(operand.slice(1), ms, utc);
      await ctx.stdout.write(text + "\n");
      return 0;
    });
  },
};
export default program;
