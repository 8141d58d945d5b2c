// Snapshots of the kernel's process table as pidin's plain views (proc-view.ts).
import type { Kernel } from "../../kernel/kernel.ts";
import type { Process } from "../../kernel/process.ts";
import type { Thread } from "../../kernel/thread.ts";
import { fdInfo } from "../../resmgr/client.ts";
import { O_ACCMODE, O_RDONLY, O_WRONLY } from "../../resmgr/io-constants.ts";
import type { FdView, ProcView, ThreadView } from "./proc-view.ts";

function accessMode(flags: number): string {
  const acc = flags & O_ACCMODE;
  return acc === O_RDONLY ? "r" : acc === O_WRONLY ? "w" : "rw";
}

/**
 * `self` is the thread asking (pidin's own): it is the one running. Any other thread the
 * kernel last saw running has since given way to it, so it shows READY.
 */
export function viewOf(kernel: Kernel, p: Process, self?: Thread): ProcView {
  const threads: ThreadView[] = [...p.threads.values()]
    .sort((a, b) => a.tid - b.tid)
    .map((t) => ({
      tid: t.tid,
      name: t.name,
      priority: t.priority,
      // The scheduler is round robin within a priority, like QNX's default policy.
      policy: "r",
      state: t === self ? "RUNNING" : t.state === "RUNNING" ? "READY" : t.state,
      blocked: t.blockedOn,
    }));
  // A process without threads (procnto: the kernel works outside threads) still gets a row.
  if (threads.length === 0) {
    threads.push({
      tid: 0,
      name: "",
      priority: p.priority,
      policy: "f",
      state: p.exited ? "DEAD" : "READY",
      blocked: "",
    });
  }
  const fds: FdView[] = p.fds.entries().map(([fd, e]) => ({
    fd,
    serverPid: p.connections.get(e.coid)?.pid ?? 0,
    mode: accessMode(e.flags),
    path: e.path ?? "",
  }));
  return { pid: p.pid, name: p.name, argv: p.argv, uid: p.uid, threads, fds };
}

/**
 * Fills in each descriptor's offset and description by asking its manager (_IO_FDINFO), as
 * QNX's pidin does through procnto. Managers that cannot say (or processes gone meanwhile)
 * leave them unknown.
 */
export async function withOffsets(t: Thread, views: readonly ProcView[]): Promise<ProcView[]> {
  const out: ProcView[] = [];
  for (const v of views) {
    const p = t.kernel.procs.get(v.pid);
    const fds: FdView[] = [];
    for (const f of v.fds) {
      const entry = p?.fds.get(f.fd);
      const info = entry ? await fdInfo(t, v.pid, entry).catch(() => undefined) : undefined;
      fds.push({ ...f, offset: info?.offset, description: info?.description || undefined });
    }
    out.push({ ...v, fds });
  }
  return out;
}

/** Every live process, by pid. */
export function processViews(kernel: Kernel, self?: Thread): ProcView[] {
  return [...kernel.procs.values()]
    .filter((p) => !p.exited)
    .sort((a, b) => a.pid - b.pid)
    .map((p) => viewOf(kernel, p, self));
}
