// ShellOs on the real runtime: descriptors of the shell's process through the resource-manager
// client, pipes from the pipe manager, children through ctx.exec, signals through the kernel.
import { KernelError } from "../kernel/errno.ts";
import type { Process } from "../kernel/process.ts";
import type { Signal } from "../kernel/signals.ts";
import type { ProgramContext, Stream } from "../program.ts";
import * as client from "../resmgr/client.ts";
import * as C from "../resmgr/io-constants.ts";
import { pipe } from "../resmgr/pipe.ts";
import type { OpenMode, ShellExecOptions, ShellOs, ShellProcess, ShellStat, WaitResult } from "./os.ts";

const OPEN_FLAGS: Record<OpenMode, number> = {
  r: C.O_RDONLY,
  w: C.O_WRONLY | C.O_CREAT | C.O_TRUNC,
  a: C.O_WRONLY | C.O_CREAT | C.O_APPEND,
  rw: C.O_RDWR | C.O_CREAT,
};

function asSignal(sig: string): Signal {
  return sig as Signal;
}

/** A child process as the job table sees it: exits, stops (and detaches, seen as an exit). */
function shellProcess(p: Process): ShellProcess {
  return {
    pid: p.pid,
    async wait(): Promise<WaitResult> {
      const ev = await p.waitChange();
      if (ev === "stopped") return { kind: "stopped", signal: "SIGTSTP" };
      if (ev === "detached") return { kind: "exited", status: 0 };
      return { kind: "exited", status: await p.wait() };
    },
    signal(sig: string): void {
      p.signal(asSignal(sig));
    },
  };
}

export function createRuntimeOs(ctx: ProgramContext): ShellOs {
  const t = ctx.thread;
  const std: Record<number, Stream> = { 0: ctx.stdin, 1: ctx.stdout, 2: ctx.stderr };
  const enc = new TextEncoder();
  return {
    get pid() {
      return ctx.process.pid;
    },
    get pgid() {
      return ctx.process.pgid;
    },
    get uid() {
      return ctx.process.uid;
    },
    get hostname() {
      return ctx.kernel.hostname;
    },
    tty: ctx.stdin.tty,

    async exec(path: string, argv: string[], opts: ShellExecOptions): Promise<ShellProcess> {
      const p = await ctx.exec(path, argv, { fds: opts.fds, env: opts.env, cwd: opts.cwd, pgid: opts.pgid });
      return shellProcess(p);
    },
    pipe: () => pipe(t),
    open: (path, mode) => client.open(t, path, OPEN_FLAGS[mode], 0o666),
    close: (fd) => client.close(t, fd),
    async read(fd: number, max: number): Promise<Uint8Array | null> {
      // The standard streams may be buffered by the runtime: read them through their Stream.
      if (std[fd]) return std[fd].read(max);
      const data = await client.read(t, fd, max);
      return data.byteLength === 0 ? null : data;
    },
    async write(fd: number, data: string | Uint8Array): Promise<void> {
      if (std[fd]) return std[fd].write(data);
      await client.write(t, fd, typeof data === "string" ? enc.encode(data) : data);
    },
    isatty: (fd) => std[fd]?.isatty ?? false,
    async stat(path: string): Promise<ShellStat | null> {
      try {
        const st = await ctx.fs.stat(path);
        return { isDirectory: st.isDirectory(), isFile: st.isFile(), mode: st.mode };
      } catch {
        return null;
      }
    },
    readdir: (path) => ctx.fs.readdir(path),
    readFile: (path) => ctx.fs.readFile(path, "utf8"),
    chdir(path: string): void {
      ctx.process.cwd = path;
    },
    onSignal(sig, handler): void {
      const s = asSignal(sig);
      if (handler === "ignore" || handler === "default") ctx.process.onSignal(s, handler);
      else ctx.process.onSignal(s, () => handler());
    },
    kill(pid: number, sig: string): void {
      const s = asSignal(sig);
      if (pid < 0) {
        if (ctx.kernel.signalGroup(-pid, s) === 0) throw new KernelError("ESRCH");
        return;
      }
      const p = ctx.kernel.procs.get(pid);
      if (!p) throw new KernelError("ESRCH");
      p.signal(s);
    },
    yieldNow: () => new Promise<void>((r) => setImmediate(r)),
  };
}
