// kill: send a signal to processes (or, with a negative pid, to a process group).
import { KernelError } from "../kernel/errno.ts";
import type { Program } from "../program.ts";
import { runUtility, warn } from "./lib/errors.ts";
import { UsageError } from "./lib/getopt.ts";
import { formatSignalList, signalNameOf, signalOperand } from "./lib/signals.ts";
import type { Signal } from "../kernel/signals.ts";

const USAGE = `kill - terminate or signal processes

usage: kill [-s signal_name] pid ...
       kill -l [exit_status]
       kill -signal_name pid ...
       kill -signal_number pid ...
Options:
 -l          list the signal names (or the name of the signal behind an exit status)
 -s signal   send this signal (a name such as TERM or SIGKILL, or a number)
The default signal is TERM. A pid of -N names process group N (write -- before it).
`;

/** Splits kill's operands into the signal and the pids (exported for the tests). */
export function parseKillArgs(args: readonly string[]): {
  list: boolean;
  signal: Signal | 0;
  pids: string[];
} {
  let sig: Signal | 0 = "SIGTERM";
  let i = 0;
  const bad = (s: string) =>
    new UsageError(`unknown signal ${s}; valid signals:\n${formatSignalList().trimEnd()}`);
  if (args[0] === "-l") return { list: true, signal: 0, pids: args.slice(1) };
  if (args[0] === "-s" || args[0] === "-n") {
    if (args.length < 2) throw new UsageError(`option requires an argument -- ${args[0].slice(1)}`);
    const s = signalOperand(args[1]);
    if (s === undefined) throw bad(args[1]);
    sig = s;
    i = 2;
  } else if (args[0] !== undefined && args[0].length > 1 && args[0].startsWith("-") && args[0] !== "--") {
    // -TERM, -SIGKILL or -9 (a number right after kill is a signal, as in every shell's kill).
    const s = signalOperand(args[0].slice(1));
    if (s === undefined) throw bad(args[0].slice(1));
    sig = s;
    i = 1;
  }
  if (args[i] === "--") i++;
  const pids = args.slice(i);
  if (pids.length === 0) throw new UsageError("");
  return { list: false, signal: sig, pids };
}

const program: Program = {
  name: "kill",
  usage: USAGE,
  main(ctx) {
    return runUtility(ctx.stderr, "kill", USAGE, async () => {
      const { list, signal, pids } = parseKillArgs(ctx.argv.slice(1));
      if (list) {
        if (pids.length === 0) {
          await ctx.stdout.write(formatSignalList());
          return 0;
        }
        for (const s of pids) {
          const name = /^\d+$/.test(s) ? signalNameOf(Number(s)) : undefined;
          if (name === undefined) throw new UsageError(`unknown signal ${s}`);
          await ctx.stdout.write(`${name}\n`);
        }
        return 0;
      }
      let status = 0;
      const me = ctx.process;
      for (const spec of pids) {
        if (!/^-?\d+$/.test(spec)) {
          await warn(ctx.stderr, "kill", spec, "illegal process id");
          status = 1;
          continue;
        }
        const n = Number(spec);
        const targets =
          n < 0
            ? ctx.kernel.processGroup(-n)
            : [ctx.kernel.procs.get(n)].filter((p) => p !== undefined && !p.exited);
        try {
          if (targets.length === 0) throw new KernelError("ESRCH");
          for (const p of targets) {
            if (me.uid !== 0 && me.uid !== p!.uid) throw new KernelError("EPERM");
            if (p === ctx.kernel.procnto) throw new KernelError("EPERM");
          }
          if (signal !== 0) for (const p of targets) p!.signal(signal);
        } catch (e) {
          await warn(ctx.stderr, "kill", spec, e);
          status = 1;
        }
      }
      return status;
    });
  },
};
export default program;
