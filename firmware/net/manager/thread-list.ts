// io-pkt's threads as NETCTL THREADS reports them (and pidin shows them): the main thread,
// the L2 workers with the pulses and frames they handled, the resource-manager threads.
import type { WorkerInfo } from "../control/protocol.ts";
import type { IoPkt } from "./io-pkt-core.ts";

export function threadList(io: IoPkt): WorkerInfo[] {
  const workers = new Map(io.workers.stats.map((s) => [s.thread, s]));
  const out: WorkerInfo[] = [];
  for (const t of io.thread.process.threads.values()) {
    const w = workers.get(t);
    const role = w ? "l2" : t === io.thread ? "main" : "resmgr";
    out.push({
      tid: t.tid,
      name: t.name,
      priority: t.priority,
      basePriority: t.basePriority,
      state: t.state,
      role,
      pulses: w?.pulses ?? 0,
      frames: w?.frames ?? 0,
    });
  }
  return out.sort((a, b) => a.tid - b.tid);
}
