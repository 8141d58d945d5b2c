// env: print the environment, or run a utility with a changed one.
import type { Program } from "../program.ts";
import { errnoOf, runUtility, warn } from "./lib/errors.ts";
import { getopt } from "./lib/getopt.ts";

const USAGE = `env - set the environment for a command

usage: env [-i] [-u name] [name=value ...] [utility [argument ...]]
Options:
 -i       start from an empty environment
 -u name  remove name from the environment
Without a utility, the resulting environment is printed, one name=value per line.
`;

const program: Program = {
  name: "env",
  usage: USAGE,
  main(ctx) {
    return runUtility(ctx.stderr, "env", USAGE, async () => {
      let args = ctx.argv.slice(1);
      let clear = false;
      if (args[0] === "-") {
        clear = true;
        args = args.slice(1);
      }
      const parsed = getopt(args, "iu:");
      const env: Record<string, string> =
        clear || parsed.opts.some((o) => o.opt === "i") ? {} : { ...ctx.env };
      for (const o of parsed.opts) if (o.opt === "u") delete env[o.value];
      let i = 0;
      for (; i < parsed.operands.length; i++) {
        const a = parsed.operands[i];
        const eq = a.indexOf("=");
        if (eq <= 0) break;
        env[a.slice(0, eq)] = a.slice(eq + 1);
      }
      const command = parsed.operands.slice(i);
      if (command.length === 0) {
        const lines = Object.entries(env).map(([k, v]) => `${k}=${v}\n`);
        await ctx.stdout.write(lines.join(""));
        return 0;
      }
      try {
        const child = await ctx.exec(command[0], command, { env, cwd: ctx.cwd });
        return await child.wait();
      } catch (e) {
        await warn(ctx.stderr, "env", command[0], e);
        return errnoOf(e) === "ENOENT" ? 127 : 126;
      }
    });
  },
};
export default program;
