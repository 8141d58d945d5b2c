// What pidin, kill and uptime need to know about processes, independent of the kernel's
// classes so the formatting is pure and testable. `kernel-view.ts` fills these in.

export interface ThreadView {
  tid: number;
  name: string;
  priority: number;
  /** Scheduling policy letter as pidin prints it after the priority: r (round robin), f (FIFO), o. */
  policy: string;
  /** READY, RUNNING, RECEIVE, REPLY, SEND, NANOSLEEP, NET_SEND … */
  state: string;
  /** What the thread waits on (pid, channel, path …); "" when not blocked. */
  blocked: string;
}

export interface FdView {
  fd: number;
  /** pid of the server (resource manager) the descriptor is connected to. */
  serverPid: number;
  /** "r", "w" or "rw". */
  mode: string;
  /** Where the open file is, as its manager says (_IO_FDINFO); undefined when unknown. */
  offset?: number;
  path: string;
  /** What the manager says the open is (a socket: `socket: tcp 10.0.0.1.22 <-> …`). */
  description?: string;
}

export interface ProcView {
  pid: number;
  /** The process's name (pidin shows the program path, as QNX shows `sbin/slogger`). */
  name: string;
  argv: readonly string[];
  uid: number;
  threads: readonly ThreadView[];
  fds: readonly FdView[];
  /** Bytes attributable to the process, when the runtime can tell; undefined otherwise. */
  memory?: { code: number; data: number; stack: number };
}
