// An in-memory ShellOs for interpreter tests: a tiny file system, pipes with reference-counted
// ends, and "external" programs written as async functions over the child's descriptors.
import type {
  OpenMode,
  ShellExecOptions,
  ShellOs,
  ShellProcess,
  ShellStat,
  WaitResult,
} from "../../../firmware/shell/os.ts";
import { KernelLikeError } from "./kernel-like-error.ts";

interface Pipe {
  chunks: Uint8Array[];
  readers: number;
  writers: number;
  wake: (() => void)[];
}

type Handle =
  | { kind: "file"; path: string; pos: number; mode: OpenMode; refs: number }
  | { kind: "pipe-r"; pipe: Pipe; refs: number }
  | { kind: "pipe-w"; pipe: Pipe; refs: number }
  | { kind: "sink"; name: string; refs: number }
  | { kind: "source"; data: Uint8Array; pos: number; refs: number };

export interface FakeChild {
  argv: string[];
  env: Record<string, string>;
  cwd: string;
  pid: number;
  pgid: number;
  read(fd: number): Promise<string | null>;
  readAll(fd: number): Promise<string>;
  write(fd: number, s: string): Promise<void>;
  /** Resolves with a signal name when the child is signalled. */
  signalled(): Promise<string>;
}

export type FakeProgram = (c: FakeChild) => Promise<number>;

const enc = new TextEncoder();
const dec = new TextDecoder();

export class FakeOs implements ShellOs {
  readonly pid = 100;
  readonly pgid = 100;
  readonly uid = 0;
  readonly ppid = 1;
  /** The fake clock behind $SECONDS, in milliseconds. */
  clockMs = 0;
  readonly hostname = "localhost";
  readonly tty = undefined;
  readonly files = new Map<string, { dir: boolean; data: string; mode: number }>();
  readonly programs = new Map<string, FakeProgram>();
  readonly sinks = new Map<string, string>();
  readonly execLog: { path: string; argv: string[]; env: Record<string, string>; pgid?: number | "new" }[] =
    [];
  readonly killLog: { pid: number; sig: string }[] = [];
  cwd = "/";
  private readonly fds = new Map<number, Handle>();
  private nextPid = 200;
  private readonly children = new Map<number, { pgid: number; sigWaiters: ((s: string) => void)[] }>();

  constructor(stdin = "") {
    this.fds.set(0, { kind: "source", data: enc.encode(stdin), pos: 0, refs: 1 });
    this.fds.set(1, { kind: "sink", name: "stdout", refs: 1 });
    this.fds.set(2, { kind: "sink", name: "stderr", refs: 1 });
    this.sinks.set("stdout", "");
    this.sinks.set("stderr", "");
    this.mkdir("/");
    this.mkdir("/bin");
    this.mkdir("/tmp");
  }

  get stdout(): string {
    return this.sinks.get("stdout")!;
  }

  get stderr(): string {
    return this.sinks.get("stderr")!;
  }

  mkdir(path: string): void {
    this.files.set(path, { dir: true, data: "", mode: 0o40755 });
  }

  writeFileSync(path: string, data: string, mode = 0o100644): void {
    this.files.set(path, { dir: false, data, mode });
  }

  /** Installs a program at /bin/<name>. */
  program(name: string, fn: FakeProgram): void {
    this.programs.set(`/bin/${name}`, fn);
    this.writeFileSync(`/bin/${name}`, "#!builtin " + name, 0o100755);
  }

  private alloc(h: Handle): number {
    let fd = 3;
    while (this.fds.has(fd)) fd++;
    this.fds.set(fd, h);
    return fd;
  }

  private handle(fd: number): Handle {
    const h = this.fds.get(fd);
    if (!h) throw new KernelLikeError("EBADF", "Bad file descriptor");
    return h;
  }

  async exec(path: string, argv: string[], opts: ShellExecOptions): Promise<ShellProcess> {
    this.execLog.push({ path, argv, env: opts.env, pgid: opts.pgid });
    const prog = this.programs.get(path);
    if (!prog) throw new KernelLikeError("ENOENT", "No such file or directory");
    const pid = this.nextPid++;
    const pgid = opts.pgid === "new" || opts.pgid === undefined ? pid : opts.pgid;
    const table = new Map<number, Handle>();
    for (const [child, parent] of opts.fds) {
      const h = this.handle(parent);
      this.addRef(h);
      table.set(child, h);
    }
    const rec = { pgid, sigWaiters: [] as ((s: string) => void)[] };
    this.children.set(pid, rec);
    const state: { result: WaitResult | null; waiters: ((r: WaitResult) => void)[] } = {
      result: null,
      waiters: [],
    };
    const child: FakeChild = {
      argv,
      env: opts.env,
      cwd: opts.cwd,
      pid,
      pgid,
      read: async (fd) => {
        const h = table.get(fd);
        if (!h) return null;
        const data = await this.readHandle(h, 65536);
        return data ? dec.decode(data) : null;
      },
      readAll: async (fd) => {
        let s = "";
        for (let d = await child.read(fd); d !== null; d = await child.read(fd)) s += d;
        return s;
      },
      write: async (fd, s) => {
        const h = table.get(fd);
        if (h) await this.writeHandle(h, s);
      },
      signalled: () => new Promise((r) => rec.sigWaiters.push(r)),
    };
    const finish = (status: number): void => {
      for (const h of table.values()) this.release(h);
      table.clear();
      this.children.delete(pid);
      state.result = { kind: "exited", status };
      for (const w of state.waiters.splice(0)) w(state.result);
    };
    void Promise.resolve()
      .then(() => prog(child))
      .then(finish, () => finish(1));
    const proc: ShellProcess = {
      pid,
      wait: () =>
        state.result
          ? Promise.resolve(state.result)
          : new Promise<WaitResult>((r) => {
              state.waiters.push(r);
            }),
      signal: (sig) => this.kill(pid, sig),
    };
    // Stops are reported through the same waiters (the fake "line discipline").
    (proc as { stop?: () => void }).stop = () => {
      for (const w of state.waiters.splice(0)) w({ kind: "stopped", signal: "SIGTSTP" });
    };
    this.procs.set(pid, proc as ShellProcess & { stop: () => void });
    return proc;
  }

  readonly procs = new Map<number, ShellProcess & { stop: () => void }>();

  private addRef(h: Handle): void {
    h.refs++;
    if (h.kind === "pipe-r") h.pipe.readers++;
    if (h.kind === "pipe-w") h.pipe.writers++;
  }

  private release(h: Handle): void {
    h.refs--;
    if (h.kind === "pipe-r") h.pipe.readers--;
    if (h.kind === "pipe-w") {
      h.pipe.writers--;
      if (h.pipe.writers === 0) for (const w of h.pipe.wake.splice(0)) w();
    }
  }

  async pipe(): Promise<[number, number]> {
    const pipe: Pipe = { chunks: [], readers: 1, writers: 1, wake: [] };
    const r = this.alloc({ kind: "pipe-r", pipe, refs: 1 });
    const w = this.alloc({ kind: "pipe-w", pipe, refs: 1 });
    return [r, w];
  }

  async open(path: string, mode: OpenMode): Promise<number> {
    const f = this.files.get(path);
    if (mode === "r") {
      if (!f) throw new KernelLikeError("ENOENT", "No such file or directory");
      if (f.dir) throw new KernelLikeError("EISDIR", "Is a directory");
    } else {
      const parent = path.slice(0, path.lastIndexOf("/")) || "/";
      if (!this.files.get(parent)?.dir) throw new KernelLikeError("ENOENT", "No such file or directory");
      if (f?.dir) throw new KernelLikeError("EISDIR", "Is a directory");
      if (!f || mode === "w") this.writeFileSync(path, "");
    }
    const pos = mode === "a" ? this.files.get(path)!.data.length : 0;
    return this.alloc({ kind: "file", path, pos, mode, refs: 1 });
  }

  async close(fd: number): Promise<void> {
    const h = this.handle(fd);
    this.fds.delete(fd);
    this.release(h);
  }

  private async readHandle(h: Handle, max: number): Promise<Uint8Array | null> {
    if (h.kind === "file") {
      const data = enc.encode(this.files.get(h.path)?.data ?? "");
      if (h.pos >= data.length) return null;
      const out = data.slice(h.pos, h.pos + max);
      h.pos += out.length;
      return out;
    }
    if (h.kind === "source") {
      if (h.pos >= h.data.length) return null;
      const out = h.data.slice(h.pos, h.pos + max);
      h.pos += out.length;
      return out;
    }
    if (h.kind === "pipe-r") {
      const p = h.pipe;
      while (p.chunks.length === 0) {
        if (p.writers === 0) return null;
        await new Promise<void>((r) => p.wake.push(r));
      }
      const c = p.chunks[0];
      if (c.length <= max) {
        p.chunks.shift();
        return c;
      }
      p.chunks[0] = c.slice(max);
      return c.slice(0, max);
    }
    return null;
  }

  private async writeHandle(h: Handle, data: string | Uint8Array): Promise<void> {
    const s = typeof data === "string" ? data : dec.decode(data);
    if (h.kind === "sink") this.sinks.set(h.name, this.sinks.get(h.name)! + s);
    else if (h.kind === "file") {
      const f = this.files.get(h.path)!;
      f.data = f.data.slice(0, h.pos) + s + f.data.slice(h.pos + s.length);
      h.pos += s.length;
    } else if (h.kind === "pipe-w") {
      if (h.pipe.readers === 0) throw new KernelLikeError("EPIPE", "Broken pipe");
      h.pipe.chunks.push(enc.encode(s));
      for (const w of h.pipe.wake.splice(0)) w();
    } else throw new KernelLikeError("EBADF", "Bad file descriptor");
  }

  async read(fd: number, max: number): Promise<Uint8Array | null> {
    const h = this.handle(fd);
    this.readSizes.push({ kind: h.kind, max });
    return this.readHandle(h, max);
  }

  async write(fd: number, data: string | Uint8Array): Promise<void> {
    return this.writeHandle(this.handle(fd), data);
  }

  isatty(): boolean {
    return false;
  }

  /** Reads from each descriptor kind, so tests can tell buffered reads from byte reads. */
  readonly readSizes: { kind: string; max: number }[] = [];

  async unread(fd: number, bytes: number): Promise<void> {
    const h = this.handle(fd);
    if (h.kind !== "file") throw new KernelLikeError("ESPIPE", "Illegal seek");
    h.pos -= bytes;
  }

  async isRegularFile(fd: number): Promise<boolean> {
    return this.fds.get(fd)?.kind === "file";
  }

  now(): number {
    return this.clockMs;
  }

  async stat(path: string): Promise<ShellStat | null> {
    const norm = path.length > 1 ? path.replace(/\/+$/, "") : path;
    const f = this.files.get(norm);
    if (!f) return null;
    return { isDirectory: f.dir, isFile: !f.dir, mode: f.mode };
  }

  async readdir(path: string): Promise<string[]> {
    const base = path === "/" ? "/" : path.replace(/\/+$/, "") + "/";
    if (!this.files.get(path === "/" ? "/" : base.slice(0, -1))?.dir)
      throw new KernelLikeError("ENOTDIR", "Not a directory");
    const names: string[] = [];
    for (const p of this.files.keys()) {
      if (p !== base && p.startsWith(base) && !p.slice(base.length).includes("/"))
        names.push(p.slice(base.length));
    }
    return names;
  }

  async readFile(path: string): Promise<string> {
    const f = this.files.get(path);
    if (!f || f.dir) throw new KernelLikeError("ENOENT", "No such file or directory");
    return f.data;
  }

  chdir(path: string): void {
    this.cwd = path;
  }

  readonly signalHandlers = new Map<string, (() => void) | "ignore" | "default">();

  onSignal(sig: string, handler: (() => void) | "ignore" | "default"): void {
    this.signalHandlers.set(sig, handler);
  }

  kill(pid: number, sig: string): void {
    this.killLog.push({ pid, sig });
    const targets =
      pid < 0
        ? [...this.children.entries()].filter(([, c]) => c.pgid === -pid)
        : [[pid, this.children.get(pid)] as const];
    for (const [, c] of targets) if (c) for (const w of c.sigWaiters.splice(0)) w(sig);
  }

  async yieldNow(): Promise<void> {
    await new Promise((r) => setImmediate(r));
  }
}
