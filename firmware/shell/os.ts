// What the shell needs from the system, as one small interface: the real one wraps the kernel
// and the resource-manager client (os-runtime.ts); unit tests use an in-memory fake.
// Descriptors are the shell process's own fds; paths given to the OS are always absolute.
import type { TtyControl } from "../program.ts";

/** How a child changed state: it ended (status, 128+n after signal n) or was stopped. */
export type WaitResult = { kind: "exited"; status: number } | { kind: "stopped"; signal: string };

export interface ShellProcess {
  readonly pid: number;
  /** Resolves at the next state change; call again after "stopped" to wait for the end. */
  wait(): Promise<WaitResult>;
  signal(sig: string): void;
}

export interface ShellExecOptions {
  /** child fd → shell fd; exactly the descriptors the child gets. */
  fds: Map<number, number>;
  env: Record<string, string>;
  cwd: string;
  /** "new": the child leads a new process group; a number joins that group. */
  pgid?: number | "new";
}

export type OpenMode = "r" | "w" | "a" | "rw";

export interface ShellStat {
  isDirectory: boolean;
  isFile: boolean;
  /** Permission and type bits as st_mode. */
  mode: number;
}

export interface ShellOs {
  readonly pid: number;
  /** The shell's own process group (taken back after a foreground job). */
  readonly pgid: number;
  readonly uid: number;
  /** The parent's pid ($PPID). */
  readonly ppid: number;
  readonly hostname: string;
  /** Terminal control for fd 0 when it is a terminal. */
  readonly tty: TtyControl | undefined;

  exec(path: string, argv: string[], opts: ShellExecOptions): Promise<ShellProcess>;
  /** [read end, write end]. */
  pipe(): Promise<[number, number]>;
  open(path: string, mode: OpenMode): Promise<number>;
  close(fd: number): Promise<void>;
  read(fd: number, max: number): Promise<Uint8Array | null>;
  write(fd: number, data: string | Uint8Array): Promise<void>;
  isatty(fd: number): boolean;
  /** Moves a descriptor's offset back by `bytes` (giving back read-ahead on a regular file). */
  unread(fd: number, bytes: number): Promise<void>;
  /** True for a regular file: the shell may read ahead on it (pipes and terminals it may not). */
  isRegularFile(fd: number): Promise<boolean>;
  /** Monotonic milliseconds from the system clock ($SECONDS). */
  now(): number;
  stat(path: string): Promise<ShellStat | null>;
  readdir(path: string): Promise<string[]>;
  readFile(path: string): Promise<string>;
  /** Tells the system the shell's working directory changed (process cwd for pidin). */
  chdir(path: string): void;
  /** Routes a signal sent to the shell itself; "default" restores the default action. */
  onSignal(sig: string, handler: (() => void) | "ignore" | "default"): void;
  /** Sends a signal to a pid (negative: a process group), like kill(2). */
  kill(pid: number, sig: string): void;
  /** Lets timers and I/O run: the shell calls it inside long loops of builtins. */
  yieldNow(): Promise<void>;
}
