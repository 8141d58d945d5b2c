// pidin's views, laid out as QNX's pidin lays them out.
import type { ProcView, ThreadView } from "./proc-view.ts";

const NAME_WIDTH = 18;

/** pidin shows the program path without its leading slash, keeping the end when too long. */
export function pidinName(name: string): string {
  const bare = name.startsWith("/") ? name.slice(1) : name;
  return bare.length > NAME_WIDTH ? bare.slice(bare.length - NAME_WIDTH) : bare;
}

/** `10r`: priority then the scheduling policy letter. */
export function prioColumn(t: ThreadView): string {
  return `${t.priority}${t.policy}`;
}

function threadPrefix(p: ProcView, t: ThreadView): string {
  return (
    `${String(p.pid).padStart(8)} ${(t.tid > 0 ? String(t.tid) : "-").padStart(3)} ${pidinName(p.name).padEnd(NAME_WIDTH)} ` +
    `${prioColumn(t).padStart(4)} ${t.state.padEnd(11)}`
  );
}

/** The default view (also `pidin threads`): one row per thread. */
export function formatThreads(procs: readonly ProcView[]): string[] {
  const lines = [`${"pid".padStart(8)} tid ${"name".padEnd(NAME_WIDTH)} prio ${"STATE".padEnd(11)} Blocked`];
  for (const p of procs) {
    for (const t of p.threads) lines.push(`${threadPrefix(p, t)} ${t.blocked}`.trimEnd());
  }
  return lines;
}

/** `pidin arg`: each process's command line. */
export function formatArgs(procs: readonly ProcView[]): string[] {
  const lines = [`${"pid".padStart(8)} Arguments`];
  for (const p of procs) lines.push(`${String(p.pid).padStart(8)} ${p.argv.join(" ")}`.trimEnd());
  return lines;
}

/** `pidin fds`: each process, then its descriptors: fd, server pid, mode, offset, path. */
export function formatFds(procs: readonly ProcView[]): string[] {
  const lines = [`${"pid".padStart(8)} name`];
  for (const p of procs) {
    lines.push(`${String(p.pid).padStart(8)} ${pidinName(p.name)}`);
    for (const f of p.fds) {
      lines.push(
        `${String(f.fd).padStart(11)} ${String(f.serverPid).padStart(6)} ${f.mode.padEnd(2)} ` +
          `${String(f.offset ?? "-").padStart(8)} ${f.description ?? f.path}`.trimEnd(),
      );
    }
  }
  return lines;
}

/** Sizes as pidin prints them: bytes below 10 KiB, then K, then M. */
export function formatSize(bytes: number | undefined): string {
  if (bytes === undefined) return "-";
  if (bytes < 10 * 1024) return String(bytes);
  if (bytes < 10 * 1024 * 1024) return `${Math.round(bytes / 1024)}K`;
  return `${Math.round(bytes / (1024 * 1024))}M`;
}

/** `pidin mem`: the thread rows with the process's code, data and stack sizes. */
export function formatMem(procs: readonly ProcView[]): string[] {
  const lines = [
    `${"pid".padStart(8)} tid ${"name".padEnd(NAME_WIDTH)} prio ${"STATE".padEnd(11)} ` +
      `${"code".padStart(6)} ${"data".padStart(6)} ${"stack".padStart(6)}`,
  ];
  for (const p of procs) {
    for (const t of p.threads) {
      const m = p.memory;
      lines.push(
        `${threadPrefix(p, t)} ${formatSize(m?.code).padStart(6)} ${formatSize(m?.data).padStart(6)} ` +
          `${formatSize(m?.stack).padStart(6)}`,
      );
    }
  }
  return lines;
}
