// io-pkt: the network manager. Parses the reference command line, starts the stack with its
// L2 workers, loads the -d drivers and -p protocols/filters, registers its paths under the
// tcpip prefix, detaches (so the startup script goes on to `waitfor /dev/socket`), and then
// serves control requests until it is terminated.
import { availableParallelism } from "node:os";
import { KernelError } from "../kernel/errno.ts";
import { SLOG_SEVERITY } from "../kernel/slog.ts";
import type { Program, ProgramContext } from "../program.ts";
import { ResourceManager } from "../resmgr/resmgr.ts";
import { IO_PKT_USAGE, parseIoPktArgs, type IoPktArgs } from "./manager/command-line.ts";
import { IoPkt, loadFailureText } from "./manager/io-pkt-core.ts";
import { moduleBaseName } from "./manager/module-loader.ts";
import { registerPaths } from "./manager/path-server.ts";
import { applyTcpipOptions, defaultTcpipOptions } from "./manager/tcpip-options.ts";

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

async function loadAll(ctx: ProgramContext, io: IoPkt, args: IoPktArgs): Promise<void> {
  const todo = [
    ...args.drivers.map((d) => ({ cls: "driver" as const, ...d })),
    ...args.protocols
      .filter((p) => moduleBaseName(p.name) !== "tcpip")
      .map((p) => ({ cls: "protocol" as const, ...p })),
  ];
  for (const m of todo) {
    try {
      await io.loadModule(m.cls, m.name, m.options);
    } catch (e) {
      // io-pkt keeps running without the module, as QNX's does; loadModule logged the error,
      // and stderr shows it on the startup script's console too.
      await ctx.stderr.write(`io-pkt: ${loadFailureText(m.cls, m.name, e)}\n`).catch(() => {});
    }
  }
}

const program: Program = {
  name: "io-pkt",
  usage: IO_PKT_USAGE,
  async main(ctx) {
    let args: IoPktArgs;
    try {
      args = parseIoPktArgs(ctx.argv.slice(1));
    } catch (e) {
      await ctx.stderr.write(`io-pkt: ${message(e)}\n${IO_PKT_USAGE}`);
      return 1;
    }
    const tcpip = defaultTcpipOptions();
    const notes: string[] = [];
    for (const p of args.protocols)
      if (moduleBaseName(p.name) === "tcpip") notes.push(...applyTcpipOptions(tcpip, p.options));
    const t = ctx.thread;
    t.name = "io-pkt main";
    try {
      t.setPriority(args.priority);
    } catch (e) {
      await ctx.stderr.write(`io-pkt: ${message(e)}\n`);
      return 1;
    }
    let rm: ResourceManager;
    let io: IoPkt;
    try {
      rm = new ResourceManager(t);
      io = new IoPkt(
        t,
        {
          ...tcpip,
          instance: args.instance,
          threads: args.threads ?? availableParallelism(),
          verbose: args.verbose,
        },
        ctx,
      );
      io.resmgr = rm;
      registerPaths(rm, io);
    } catch (e) {
      const text =
        e instanceof KernelError && e.errno === "EEXIST"
          ? `${message(e)} (another io-pkt with this prefix?)`
          : message(e);
      await ctx.stderr.write(`io-pkt: ${text}\n`);
      return 1;
    }
    for (const n of notes) {
      io.log(SLOG_SEVERITY.WARNING, n);
      if (args.verbose) await ctx.stderr.write(`io-pkt: ${n}\n`).catch(() => {});
    }
    await loadAll(ctx, io, args);
    ctx.signal.addEventListener("abort", () => void io.shutdown(), { once: true });
    // The main thread is one of the resource-manager threads; threads_min counts it.
    // threads_max caps the pool as it grows under load, with QNX's warning at the ceiling.
    rm.start(Math.max(0, tcpip.threadsMin - 1), {
      maxThreads: tcpip.threadsMax,
      onExhausted: () => io.log(SLOG_SEVERITY.WARNING, 'Threads exhausted. See "threads_max" option'),
    });
    ctx.process.detach();
    await rm.loop(t);
    await io.shutdown();
    return 0;
  },
};

export default program;
