// What a program (utility, shell, driver, user program) sees: the contract between the
// runtime and everything that runs as a process. `exec.ts` finds and starts programs.
import type { Kernel } from "./kernel/kernel.ts";
import type { Process } from "./kernel/process.ts";
import type { Thread } from "./kernel/thread.ts";
import type { SocketClient } from "./net/socket/api.ts";

export interface Program {
  name: string;
  /** What `use <name>` prints. */
  usage: string;
  main(ctx: ProgramContext): Promise<number> | number;
}

export interface ProgramContext {
  argv: string[];
  env: Record<string, string>;
  cwd: string;
  thread: Thread;
  process: Process;
  kernel: Kernel;
  /** The client library bound to this thread (fs/promises-shaped). */
  fs: FsClient;
  /** Sockets (libsocket): messages to io-pkt's /dev/socket/<domain>, honouring $SOCK. docs/sockets.md. */
  sockets: SocketClient;
  stdin: Stream;
  stdout: Stream;
  stderr: Stream;
  /** Aborted on SIGINT, SIGTERM and SIGKILL. */
  signal: AbortSignal;
  /** Starts a program (path, or a name searched on PATH) as a child process. */
  exec(path: string, argv: string[], opts?: ExecOptions): Promise<Process>;
}

export interface ExecOptions {
  env?: Record<string, string>;
  cwd?: string;
  /** Descriptors for the child: child fd → parent fd. Default: 0, 1, 2 inherited. */
  fds?: Map<number, number>;
  /** Process group: "new" makes the child a group leader (job control). */
  pgid?: number | "new";
  priority?: number;
  /** argv[0] as the child sees it (buildfile `argv0=`). */
  argv0?: string;
  /**
   * Buildfile `+session`: the child leads a new session and process group, and the terminal
   * on its stdin makes that group the foreground one before the program runs.
   */
  session?: boolean;
}

export interface Stream {
  readonly fd: number;
  readonly isatty: boolean;
  write(data: string | Uint8Array): Promise<void>;
  /** Up to `max` bytes; null at end of file. */
  read(max?: number): Promise<Uint8Array | null>;
  /** One line without its newline; null at end of file. */
  readLine(): Promise<string | null>;
  /** Present when the descriptor is a terminal (devc-ser, the console). */
  tty?: TtyControl;
}

export interface TtyControl {
  getAttr(): Promise<Termios>;
  setAttr(t: Partial<Termios>): Promise<void>;
  setForegroundPgid(pgid: number): Promise<void>;
  getForegroundPgid(): Promise<number>;
  getSize(): Promise<{ rows: number; cols: number }>;
}

export interface Termios {
  icanon: boolean;
  echo: boolean;
  isig: boolean;
  icrnl: boolean;
  onlcr: boolean;
  verase: number;
  vkill: number;
  vintr: number;
  vsusp: number;
  veof: number;
  vquit: number;
  baud: number;
  /** "5" | "6" | "7" | "8" data bits, parity, stop bits, flow control (stty shows them). */
  csize: 5 | 6 | 7 | 8;
  parity: "none" | "even" | "odd";
  cstopb: boolean;
  crtscts: boolean;
  ixon: boolean;
}

export interface Stat {
  dev: number;
  ino: number;
  mode: number;
  nlink: number;
  uid: number;
  gid: number;
  size: number;
  atimeMs: number;
  mtimeMs: number;
  ctimeMs: number;
  isFile(): boolean;
  isDirectory(): boolean;
  isSymbolicLink(): boolean;
  isCharacterDevice(): boolean;
}

export interface Dirent {
  name: string;
  ino: number;
  /** File type bits of st_mode (S_IFDIR, S_IFREG, S_IFLNK, S_IFCHR …), 0 if unknown. */
  type: number;
  isFile(): boolean;
  isDirectory(): boolean;
  isSymbolicLink(): boolean;
}

export interface FileHandle {
  readonly fd: number;
  read(length: number, position?: number): Promise<Uint8Array>;
  write(data: string | Uint8Array, position?: number): Promise<number>;
  /** lseek(2): moves the shared file offset; whence 0 SEEK_SET, 1 SEEK_CUR, 2 SEEK_END. */
  seek(offset: number, whence?: number): Promise<number>;
  stat(): Promise<Stat>;
  devctl(cmd: number, data?: Uint8Array, replyMax?: number): Promise<Uint8Array>;
  close(): Promise<void>;
}

/** Shaped like Node's fs/promises; every error is a KernelError (errno-shaped). */
export interface FsClient {
  open(path: string, flags?: string | number, mode?: number): Promise<FileHandle>;
  readFile(path: string): Promise<Uint8Array>;
  readFile(path: string, encoding: "utf8"): Promise<string>;
  writeFile(path: string, data: string | Uint8Array, opts?: { mode?: number; flag?: string }): Promise<void>;
  appendFile(path: string, data: string | Uint8Array): Promise<void>;
  readdir(path: string): Promise<string[]>;
  readdir(path: string, opts: { withFileTypes: true }): Promise<Dirent[]>;
  stat(path: string): Promise<Stat>;
  lstat(path: string): Promise<Stat>;
  access(path: string, mode?: number): Promise<void>;
  mkdir(path: string, opts?: { recursive?: boolean; mode?: number }): Promise<void>;
  rmdir(path: string): Promise<void>;
  rm(path: string, opts?: { recursive?: boolean; force?: boolean }): Promise<void>;
  unlink(path: string): Promise<void>;
  rename(from: string, to: string): Promise<void>;
  symlink(target: string, path: string): Promise<void>;
  link(existing: string, path: string): Promise<void>;
  readlink(path: string): Promise<string>;
  realpath(path: string): Promise<string>;
  chmod(path: string, mode: number): Promise<void>;
  chown(path: string, uid: number, gid: number): Promise<void>;
  utimes(path: string, atimeMs: number, mtimeMs: number): Promise<void>;
  /** devctl on a path (opens, sends _IO_DEVCTL, closes). */
  devctl(path: string, cmd: number, data?: Uint8Array, replyMax?: number): Promise<Uint8Array>;
}
