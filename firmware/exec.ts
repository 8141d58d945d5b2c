// Finding and starting programs (spawn on QNX): the path (or a name on PATH) is read through
// the path space; `#!builtin <name>` runs a built-in program, `#!/interp` runs an interpreter
// with the script, `//netrino:program` marks a bundled ES module whose default export is a
// Program. The child gets its descriptors by _IO_DUP before exec() returns, and runs with a
// ProgramContext (makeContext). A program that throws ends only itself: logged, status 1.
import { Buffer } from "node:buffer";
import { KernelError } from "./kernel/errno.ts";
import type { Kernel } from "./kernel/kernel.ts";
import type { Process } from "./kernel/process.ts";
import { SLOG_MAJOR, SLOG_SEVERITY } from "./kernel/slog.ts";
import type { Thread } from "./kernel/thread.ts";
import type { FdEntry } from "./kernel/fd-table.ts";
import { loadBuiltin } from "./bin/index.ts";
import type { ExecOptions, Program, ProgramContext } from "./program.ts";
import { makeSocketClient } from "./net/socket/client.ts";
import { mayAccess } from "./resmgr/attr.ts";
import * as client from "./resmgr/client.ts";
import { makeFsClient } from "./resmgr/fs-client.ts";
import * as C from "./resmgr/io-constants.ts";
import * as D from "./resmgr/devctl-codes.ts";
import { isatty, makeStream } from "./resmgr/stream.ts";
import { ThreadMux } from "./resmgr/thread-mux.ts";

/** First line of a bundled user program (`netrino build` writes it). */
export const BUNDLE_MARKER = "//netrino:program";
const BUILTIN_PREFIX = "#!builtin ";
/** How many `#!` interpreters may chain before ENOEXEC (Linux allows a few, too). */
const MAX_INTERP_DEPTH = 4;
const HEAD_BYTES = 512;

export interface LoadedProgram {
  program: Program;
  /** The path that was found (after the PATH search). */
  path: string;
  argv: string[];
}

/** Finds `name` on PATH (or takes it as a path when it has a slash). ENOENT when nowhere. */
export async function findOnPath(t: Thread, name: string, env: Record<string, string>): Promise<string> {
  if (name.includes("/")) return name;
  if (name === "") throw new KernelError("ENOENT");
  const dirs = (env.PATH ?? "/proc/boot:/bin:/usr/bin").split(":");
  let denied = false;
  for (const d of dirs) {
    const candidate = `${d === "" ? "." : d.replace(/\/+$/, "")}/${name}`;
    try {
      const st = await client.stat(t, candidate);
      if (!C.isRegMode(st.mode)) continue;
      if (!mayAccess({ uid: t.process.uid, gid: t.process.gid }, st, C.X_OK)) {
        denied = true;
        continue;
      }
      return candidate;
    } catch {
      // not here; next directory
    }
  }
  throw new KernelError(denied ? "EACCES" : "ENOENT");
}

async function readHead(t: Thread, path: string, max: number): Promise<Uint8Array> {
  const fd = await client.open(t, path, C.O_RDONLY);
  try {
    const parts: Uint8Array[] = [];
    let total = 0;
    while (total < max) {
      const chunk = await client.read(t, fd, Math.min(65536, max - total));
      if (chunk.byteLength === 0) break;
      parts.push(chunk);
      total += chunk.byteLength;
    }
    return Buffer.concat(parts);
  } finally {
    await client.close(t, fd);
  }
}

function isProgram(v: unknown): v is Program {
  return typeof v === "object" && v !== null && typeof (v as Program).main === "function";
}

/** Reads the file at `path` and works out which program it is. */
export async function loadProgram(
  t: Thread,
  path: string,
  argv: string[],
  depth = 0,
): Promise<LoadedProgram> {
  const st = await client.stat(t, path);
  if (C.isDirMode(st.mode)) throw new KernelError("EACCES", `${path}: is a directory`);
  if (!mayAccess({ uid: t.process.uid, gid: t.process.gid }, st, C.X_OK)) throw new KernelError("EACCES");
  const head = await readHead(t, path, HEAD_BYTES);
  const nl = head.indexOf(10);
  const first = new TextDecoder().decode(nl >= 0 ? head.subarray(0, nl) : head).replace(/\r$/, "");
  if (first.startsWith(BUILTIN_PREFIX)) {
    const name = first.slice(BUILTIN_PREFIX.length).trim();
    const program = await loadBuiltin(name);
    if (!program) throw new KernelError("ENOEXEC", `${path}: no built-in program "${name}"`);
    return { program, path, argv };
  }
  if (first.startsWith(BUNDLE_MARKER)) {
    const source = await readHead(t, path, Number.MAX_SAFE_INTEGER);
    let mod: { default?: unknown };
    try {
      const url = `data:text/javascript;base64,${Buffer.from(source).toString("base64")}`;
      mod = (await import(url)) as { default?: unknown };
    } catch (e) {
      throw new KernelError("ENOEXEC", `${path}: ${e instanceof Error ? e.message : String(e)}`);
    }
    if (!isProgram(mod.default)) throw new KernelError("ENOEXEC", `${path}: no Program as default export`);
    return { program: mod.default, path, argv };
  }
  if (first.startsWith("#!")) {
    if (depth >= MAX_INTERP_DEPTH) throw new KernelError("ENOEXEC", `${path}: too many interpreters`);
    const m = /^#!\s*(\S+)(?:\s+(.*))?$/.exec(first);
    if (!m) throw new KernelError("ENOEXEC");
    const interp = m[1] as string;
    const iargs = m[2] ? [m[2].trim()] : [];
    return loadProgram(t, interp, [interp, ...iargs, path, ...argv.slice(1)], depth + 1);
  }
  throw new KernelError("ENOEXEC", `${path}: Exec format error`);
}

/** Builds the ProgramContext of a process whose main thread is `t` (descriptors already in place). */
export async function makeContext(kernel: Kernel, t: Thread): Promise<ProgramContext> {
  const proc = t.process;
  const mux = new ThreadMux(t);
  const run = <T>(fn: (th: Thread) => Promise<T>): Promise<T> => mux.run(fn);
  // Through the mux: one thread has one message in flight at a time (a second MsgSend is EBUSY).
  const ttys = await Promise.all([0, 1, 2].map((fd) => run((th) => isatty(th, fd))));
  const controller = new AbortController();
  // SIGINT/SIGTERM/SIGKILL end the process (default action); host-side work the program
  // started (timers, sockets) hears about it through the signal.
  const off = proc.on((ev) => {
    if (ev !== "exited") return;
    off();
    controller.abort(new KernelError("EINTR", `terminated by ${proc.termSignal ?? "exit"}`));
  });
  const ctx: ProgramContext = {
    argv: proc.argv,
    env: proc.env,
    get cwd() {
      return proc.cwd;
    },
    set cwd(v: string) {
      proc.cwd = v;
    },
    thread: t,
    process: proc,
    kernel,
    fs: makeFsClient(t, run),
    sockets: makeSocketClient(run, proc.env),
    stdin: makeStream(run, 0, ttys[0]!),
    stdout: makeStream(run, 1, ttys[1]!),
    stderr: makeStream(run, 2, ttys[2]!),
    signal: controller.signal,
    exec: (path, argv, opts) => run((th) => exec(kernel, th, path, argv, opts)),
  };
  return ctx;
}

/** The descriptors a child gets: child fd → the parent's entry (close-on-exec ones skipped). */
function inheritedFds(parent: Process, map?: Map<number, number>): Map<number, FdEntry> {
  const out = new Map<number, FdEntry>();
  const pairs: [number, number][] = map ? [...map.entries()] : [0, 1, 2].map((fd) => [fd, fd]);
  for (const [childFd, parentFd] of pairs) {
    const e = parent.fds.get(parentFd);
    if (!e) continue;
    if (!map && e.cloexec) continue;
    out.set(childFd, e);
  }
  return out;
}

/** Runs a program's main, turning an exception into a logged error and status 1. */
async function runProgram(kernel: Kernel, program: Program, ctx: ProgramContext): Promise<number> {
  try {
    const status = await program.main(ctx);
    return typeof status === "number" ? status : 0;
  } catch (e) {
    const text = e instanceof Error ? (e.stack ?? e.message) : String(e);
    kernel.slog.log(
      SLOG_MAJOR.PROGRAM,
      0,
      SLOG_SEVERITY.ERROR,
      `${program.name}[${ctx.process.pid}]: uncaught exception: ${text}`,
      ctx.process.pid,
    );
    try {
      await ctx.stderr.write(`${program.name}: ${e instanceof Error ? e.message : String(e)}\n`);
    } catch {
      // stderr may be gone too
    }
    return 1;
  }
}

/**
 * Starts `path` (a path, or a name searched on PATH) as a child of `parentThread`'s process.
 * Resolves once the child holds its descriptors, so the parent may close its copies.
 */
export async function exec(
  kernel: Kernel,
  parentThread: Thread,
  path: string,
  argv: string[],
  opts: ExecOptions = {},
): Promise<Process> {
  const parent = parentThread.process;
  const env = opts.env ?? parent.env;
  const found = await findOnPath(parentThread, path, env);
  const loaded = await loadProgram(parentThread, found, argv.length ? argv : [path]);
  return spawnProgram(kernel, parent, loaded.program, {
    ...opts,
    env,
    name: loaded.path,
    argv: loaded.argv,
  });
}

/** A session leader makes its group the terminal's foreground group (no-op without a terminal). */
async function takeTerminal(t: Thread): Promise<void> {
  try {
    await client.devctl(t, 0, D.DCMD_CHR_TCSETPGRP, D.encodeInt32(t.process.pid));
  } catch {
    // stdin is not a terminal: the session has no controlling terminal
  }
}

/** Starts an already loaded program as a child of `parent` (boot uses it for built-ins too). */
export function spawnProgram(
  kernel: Kernel,
  parent: Process,
  program: Program,
  opts: ExecOptions & { name: string; argv: string[]; uid?: number; gid?: number },
): Promise<Process> {
  const fds = inheritedFds(parent, opts.fds);
  const argv = opts.argv0 !== undefined ? [opts.argv0, ...opts.argv.slice(1)] : opts.argv;
  return new Promise<Process>((resolve, reject) => {
    let started = false;
    const child = kernel.spawn({
      name: opts.name,
      argv,
      env: { ...(opts.env ?? parent.env) },
      cwd: opts.cwd ?? parent.cwd,
      uid: opts.uid,
      gid: opts.gid,
      parent,
      priority: opts.priority,
      pgid: opts.pgid,
      session: opts.session,
      main: async (t) => {
        try {
          for (const [fd, entry] of fds) {
            t.process.fds.set(fd, await client.dupEntry(t, parent.pid, entry));
          }
          if (opts.session) await takeTerminal(t);
        } catch (e) {
          reject(KernelError.from(e));
          return 127;
        }
        started = true;
        resolve(child);
        const ctx = await makeContext(kernel, t);
        return runProgram(kernel, program, ctx);
      },
    });
    void child.wait().then(() => {
      if (!started) reject(new KernelError("ESRCH", "the child ended before it started"));
    });
  });
}
