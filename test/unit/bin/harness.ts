// Runs utilities for real: a kernel with ramfs at /tmp, each program in its own process with
// the FsClient bound to its thread, stdio captured in memory.
import { Kernel } from "../../../firmware/kernel/kernel.ts";
import type { Clock } from "../../../firmware/kernel/clock.ts";
import { KernelError } from "../../../firmware/kernel/errno.ts";
import type { Process } from "../../../firmware/kernel/process.ts";
import { Ramfs } from "../../../firmware/fs/ramfs.ts";
import { makeContext } from "../../../firmware/exec.ts";
import { startManager } from "../../../firmware/resmgr/start-manager.ts";
import type { Program, ProgramContext, Stream, TtyControl } from "../../../firmware/program.ts";
import { loadBuiltinProgram } from "../../../firmware/bin/lib/builtin-lookup.ts";

export interface Booted {
  kernel: Kernel;
  ramfs: Ramfs;
}

export async function boot(opts: { clock?: Clock; hostname?: string } = {}): Promise<Booted> {
  const kernel = new Kernel({ clock: opts.clock, nodeName: opts.hostname ?? "testnode" });
  let ramfs: Ramfs | null = null;
  await startManager(kernel, { name: "ramfs" }, (rm) => {
    ramfs = new Ramfs(rm);
    ramfs.mount("/tmp");
  });
  return { kernel, ramfs: ramfs as unknown as Ramfs };
}

export interface RunOptions {
  stdin?: string | Uint8Array;
  uid?: number;
  cwd?: string;
  env?: Record<string, string>;
  tty?: TtyControl;
  /** Called with the process once it exists (to signal it, inspect it). */
  onStart?: (p: Process) => void;
  /** Called at each write to stdout (1) or stderr (2), so a test can wait for a line. */
  onOutput?: (fd: 1 | 2, text: string) => void;
}

export interface RunResult {
  status: number;
  stdout: string;
  stderr: string;
}

function memoryOut(
  fd: 1 | 2,
  sink: string[],
  tty?: TtyControl,
  onOutput?: (fd: 1 | 2, text: string) => void,
): Stream {
  const dec = new TextDecoder();
  return {
    fd,
    isatty: tty !== undefined,
    tty,
    async write(d) {
      const text = typeof d === "string" ? d : dec.decode(d);
      sink.push(text);
      onOutput?.(fd, text);
    },
    async read() {
      throw new KernelError("EBADF");
    },
    async readLine() {
      throw new KernelError("EBADF");
    },
  };
}

function memoryIn(data: string | Uint8Array, tty?: TtyControl): Stream {
  let bytes = typeof data === "string" ? new TextEncoder().encode(data) : data;
  return {
    fd: 0,
    isatty: tty !== undefined,
    tty,
    async write() {
      throw new KernelError("EBADF");
    },
    async read(max = 16384) {
      if (bytes.length === 0) return null;
      const c = bytes.subarray(0, max);
      bytes = bytes.subarray(c.length);
      return c;
    },
    async readLine() {
      if (bytes.length === 0) return null;
      const text = new TextDecoder().decode(bytes);
      const nl = text.indexOf("\n");
      const line = nl < 0 ? text : text.slice(0, nl);
      bytes = bytes.subarray(new TextEncoder().encode(nl < 0 ? text : text.slice(0, nl + 1)).length);
      return line;
    },
  };
}

/** Runs `program` with `argv` in a new process; resolves when it exits. */
export function run(k: Kernel, program: Program, argv: string[], o: RunOptions = {}): Promise<RunResult> {
  const out: string[] = [];
  const err: string[] = [];
  return new Promise((resolve, reject) => {
    const p = k.spawn({
      name: program.name,
      argv,
      env: o.env ?? { PATH: "/bin" },
      cwd: o.cwd ?? "/",
      uid: o.uid ?? 0,
      gid: 0,
      main: async (t) => {
        // The runtime's own context (fs with its thread multiplexer, signal wiring), with
        // stdio replaced by memory streams and exec limited to the built-in table.
        const base = await makeContext(k, t);
        const ctx: ProgramContext = {
          ...base,
          cwd: t.process.cwd,
          stdin: memoryIn(o.stdin ?? "", o.tty),
          stdout: memoryOut(1, out, o.tty, o.onOutput),
          stderr: memoryOut(2, err, undefined, o.onOutput),
          exec: async (path, args, opts) => {
            const child = await loadBuiltinProgram(path.slice(path.lastIndexOf("/") + 1));
            if (!child) throw new KernelError("ENOENT");
            let proc: Process | null = null;
            void run(k, child, args, { env: opts?.env, cwd: opts?.cwd, onStart: (c) => (proc = c) }).then(
              (r) => {
                out.push(r.stdout);
                err.push(r.stderr);
              },
            );
            return proc as unknown as Process;
          },
        };
        return program.main(ctx);
      },
    });
    o.onStart?.(p);
    p.wait().then((status) => resolve({ status, stdout: out.join(""), stderr: err.join("") }), reject);
  });
}

/** Runs the built-in utility named by argv[0]. */
export async function sh(k: Kernel, argv: string[], o: RunOptions = {}): Promise<RunResult> {
  const program = await loadBuiltinProgram(argv[0]);
  if (!program) throw new Error(`no utility ${argv[0]}`);
  return run(k, program, argv, o);
}
