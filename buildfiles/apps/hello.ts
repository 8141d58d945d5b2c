// hello: the example user program of README.md's buildfile. `netrino build` bundles it with
// esbuild into one module; the runtime runs its default export as a process.
import type { Program } from "netrino/program";

const USAGE = `hello - greet from this node

usage: hello [name]
`;

const program: Program = {
  name: "hello",
  usage: USAGE,
  async main(ctx) {
    if (ctx.argv.length > 2) {
      await ctx.stderr.write(USAGE);
      return 2;
    }
    const who = ctx.argv[1] ?? "world";
    await ctx.stdout.write(`hello, ${who}, from ${ctx.kernel.hostname} (pid ${ctx.process.pid})\n`);
    return 0;
  },
};
export default program;
