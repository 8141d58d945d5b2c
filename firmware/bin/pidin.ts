// pidin: process and thread information, as QNX's pidin shows it.
import type { Program } from "../program.ts";
import { runUtility } from "./lib/errors.ts";
import { getopt, optionMap, UsageError } from "./lib/getopt.ts";
import { processViews, withOffsets } from "./lib/kernel-view.ts";
import { formatArgs, formatFds, formatMem, formatThreads } from "./lib/pidin-format.ts";

const USAGE = `pidin - display system information

usage: pidin [-p pid|name] [-P pid|name] [threads|arg|fds|mem|info]
Options:
 -p pid|name  only this process (a pid or a name)
 -P pid|name  same as -p
Views:
 threads  (default) pid tid name prio STATE Blocked, one line per thread
 arg      each process's arguments
 fds      each process's open file descriptors: fd, server pid, mode, offset, path
 mem      thread lines with code, data and stack sizes (- where the runtime cannot tell)
 info     the node: name, processes, threads, uptime
`;

const program: Program = {
  name: "pidin",
  usage: USAGE,
  main(ctx) {
    return runUtility(ctx.stderr, "pidin", USAGE, async () => {
      const parsed = getopt(ctx.argv.slice(1), "p:P:F:n:");
      const opts = optionMap(parsed);
      if (opts.has("n") && opts.get("n") !== ctx.kernel.hostname) {
        await ctx.stderr.write(`pidin: ${opts.get("n")}: remote nodes need Qnet (not running)\n`);
        return 1;
      }
      const view = parsed.operands[0] ?? "threads";
      if (parsed.operands.length > 1) throw new UsageError("");
      let procs = processViews(ctx.kernel, ctx.thread);
      const filter = opts.get("p") ?? opts.get("P");
      if (filter !== undefined) {
        procs = /^\d+$/.test(filter)
          ? procs.filter((p) => p.pid === Number(filter))
          : procs.filter((p) => p.name === filter || p.name.endsWith(`/${filter}`));
      }
      let lines: string[];
      switch (view) {
        case "threads":
        case "thread":
          lines = formatThreads(procs);
          break;
        case "arg":
        case "args":
          lines = formatArgs(procs);
          break;
        case "fds":
        case "fd":
          lines = formatFds(await withOffsets(ctx.thread, procs));
          break;
        case "mem":
          lines = formatMem(procs);
          break;
        case "info": {
          const all = processViews(ctx.kernel, ctx.thread);
          const up = Math.round((ctx.kernel.clock.wallTime() - ctx.kernel.bootTime) / 1000);
          lines = [
            `CPU:${process.arch} Release:${process.versions.node} FreeMem:- BootTime:${new Date(ctx.kernel.bootTime).toUTCString()}`,
            `Node:${ctx.kernel.hostname} Processes:${all.length} Threads:${all.reduce((n, p) => n + p.threads.length, 0)} Uptime:${up}s`,
          ];
          break;
        }
        default:
          throw new UsageError(`unknown view -- ${view}`);
      }
      await ctx.stdout.write(lines.join("\n") + "\n");
      return 0;
    });
  },
};
export default program;
