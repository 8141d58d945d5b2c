// The managers every runtime starts before anything else (boot calls this): ramfs at /tmp
// and /dev/shmem, /dev/null, /dev/zero, /dev/random, /proc, /dev/slog and the pipe manager.
import type { Kernel } from "../kernel/kernel.ts";
import { startPipeManager } from "../resmgr/pipe.ts";
import { startManager, type RunningManager } from "../resmgr/start-manager.ts";
import { attachDevNull } from "./dev-null.ts";
import { attachDevRandom } from "./dev-random.ts";
import { attachDevZero } from "./dev-zero.ts";
import { ProcFs } from "./proc.ts";
import { Ramfs, type RamfsOptions } from "./ramfs.ts";
import { attachSlog } from "./slog-manager.ts";

export interface BuiltinManagers {
  ramfs: RunningManager;
  devices: RunningManager;
  proc: RunningManager;
  pipe: RunningManager;
}

export async function startBuiltinManagers(
  kernel: Kernel,
  ramOpts: RamfsOptions = {},
): Promise<BuiltinManagers> {
  const ramfs = await startManager(kernel, { name: "devf-ram" }, (rm) => {
    new Ramfs(rm, ramOpts).mount("/tmp");
    new Ramfs(rm, ramOpts).mount("/dev/shmem");
  });
  const devices = await startManager(kernel, { name: "devnull" }, (rm) => {
    attachDevNull(rm);
    attachDevZero(rm);
    attachDevRandom(rm);
    attachSlog(rm);
  });
  const proc = await startManager(kernel, { name: "procfs" }, (rm) => new ProcFs(rm).mount());
  const pipe = await startPipeManager(kernel);
  return { ramfs, devices, proc, pipe };
}
