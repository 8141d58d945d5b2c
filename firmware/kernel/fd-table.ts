// A process's file descriptors. As on QNX, a descriptor is a connection (coid) to the
// resource manager that opened the file, plus the handle of the server's open-control
// block; the resmgr client library gives them meaning, the kernel only keeps them.

export interface FdEntry {
  /** Connection (in this process) to the manager serving the file. */
  coid: number;
  /** The server's handle for the open file (its OCB). */
  handle: number;
  /** Open flags (O_RDONLY, O_APPEND …). */
  flags: number;
  /** FD_CLOEXEC: not inherited by spawned programs. */
  cloexec?: boolean;
  /** The path opened, for `pidin fds` and diagnostics. */
  path?: string;
}

export const OPEN_MAX = 1000;

export class FdTable {
  private readonly fds = new Map<number, FdEntry>();

  get size(): number {
    return this.fds.size;
  }

  get(fd: number): FdEntry | undefined {
    return this.fds.get(fd);
  }

  set(fd: number, entry: FdEntry): void {
    this.fds.set(fd, entry);
  }

  /** The lowest free descriptor ≥ min (POSIX rule), or -1 when the table is full. */
  lowestFree(min = 0): number {
    for (let fd = min; fd < OPEN_MAX; fd++) if (!this.fds.has(fd)) return fd;
    return -1;
  }

  delete(fd: number): FdEntry | undefined {
    const e = this.fds.get(fd);
    this.fds.delete(fd);
    return e;
  }

  entries(): [number, FdEntry][] {
    return [...this.fds.entries()].sort((a, b) => a[0] - b[0]);
  }

  clear(): void {
    this.fds.clear();
  }
}
