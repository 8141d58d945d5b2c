// ShellOs on the real runtime: descriptors of the shell's process through ctx.fs (whose calls
// run on the process's thread mux, so in-shell pipeline members may block concurrently), pipes
// from the pipe manager, children through ctx.exec, signals through the kernel.
import { KernelError } from "../kernel/errno.ts";
import type { Process } from "../kernel/process.ts";
import type { Signal } from "../kernel/signals.ts";
import type { FileHandle, ProgramContext, Stream } from "../program.ts";
import * as C from "../resmgr/io-constants.ts";
import { PIPE_PATH } from "../resmgr/pipe.ts";
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
  const std: Record<number, Stream> = { 0: ctx.stdin, 1: ctx.stdout, 2: ctx.stderr };
  const handles = new Map<number, FileHandle>();
  // When stdio is not backed by kernel descriptors (a runtime embedding the shell with memory
  // streams), hold fds 0-2 with placeholders so pipes and files never take those numbers.
  let reserving: Promise<void> | null = null;
  const reserveStdio = (): Promise<void> =>
    (reserving ??= (async () => {
      const holes = [0, 1, 2].filter((fd) => ctx.process.fds.get(fd) === undefined);
      for (let i = 0; i < holes.length; i++) {
        const h = await ctx.fs.open("/dev/null", C.O_RDONLY).catch(() => ctx.fs.open(PIPE_PATH, C.O_RDONLY));
        if (h.fd > 2) {
          await h.close();
          break;
        }
      }
    })());
  const keep = (h: FileHandle): number => {
    handles.set(h.fd, h);
    return h.fd;
  };
  const handle = (fd: number): FileHandle => {
    const h = handles.get(fd);
    if (!h) throw new KernelError("EBADF");
    return h;
  };
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
    get ppid() {
      return ctx.process.parent?.pid ?? 0;
    },
    get hostname() {
      return ctx.kernel.hostname;
    },
    tty: ctx.stdin.tty,

    async exec(path: string, argv: string[], opts: ShellExecOptions): Promise<ShellProcess> {
      const p = await ctx.exec(path, argv, { fds: opts.fds, env: opts.env, cwd: opts.cwd, pgid: opts.pgid });
      return shellProcess(p);
    },
    async pipe(): Promise<[number, number]> {
      await reserveStdio();
      // pipe(2) as resmgr/pipe.ts does it: open the manager, then the write side by inode.
      const r = await ctx.fs.open(PIPE_PATH, C.O_RDONLY);
      try {
        const st = await r.stat();
        const w = await ctx.fs.open(`${PIPE_PATH}/${st.ino}`, C.O_WRONLY);
        return [keep(r), keep(w)];
      } catch (e) {
        await r.close();
        throw e;
      }
    },
    async open(path: string, mode: OpenMode): Promise<number> {
      await reserveStdio();
      return keep(await ctx.fs.open(path, OPEN_FLAGS[mode], 0o666));
    },
    async close(fd: number): Promise<void> {
      const h = handle(fd);
      handles.delete(fd);
      await h.close();
    },
    async read(fd: number, max: number): Promise<Uint8Array | null> {
      if (!handles.has(fd) && std[fd]) return std[fd].read(max);
      const data = await handle(fd).read(max);
      return data.byteLength === 0 ? null : data;
    },
    async write(fd: number, data: string | Uint8Array): Promise<void> {
      if (!handles.has(fd) && std[fd]) return std[fd].write(data);
      await handle(fd).write(data);
    },
    async unread(fd: number, bytes: number): Promise<void> {
      await handle(fd).seek(-bytes, C.SEEK_CUR);
    },
    async isRegularFile(fd: number): Promise<boolean> {
      // The inherited stdio streams are not stat-able here; treating them as pipes is always safe.
      const h = handles.get(fd);
      if (!h) return false;
      return (await h.stat().catch(() => null))?.isFile() ?? false;
    },
    now: () => ctx.kernel.clock.now(),
    isatty: (fd) => (!handles.has(fd) && std[fd]?.isatty) || false,
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
