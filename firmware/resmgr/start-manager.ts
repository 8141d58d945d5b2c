// Starts a resource manager as its own process: the process's main thread creates the
// channel, `setup` attaches the paths, then the receive loop(s) run until the process ends.
import type { Kernel } from "../kernel/kernel.ts";
import type { Process } from "../kernel/process.ts";
import { ResourceManager, type ResourceManagerOptions } from "./resmgr.ts";

export interface StartManagerOptions extends ResourceManagerOptions {
  name: string;
  argv?: string[];
  priority?: number;
  parent?: Process;
  /** Receive threads (default 1: the main thread). */
  threads?: number;
}

export interface RunningManager {
  process: Process;
  rm: ResourceManager;
}

/** Resolves once the paths are attached (so a client may use them right away). */
export function startManager(
  kernel: Kernel,
  opts: StartManagerOptions,
  setup: (rm: ResourceManager) => void | Promise<void>,
): Promise<RunningManager> {
  return new Promise((resolve, reject) => {
    const process = kernel.spawn({
      name: opts.name,
      argv: opts.argv ?? [opts.name],
      priority: opts.priority,
      parent: opts.parent,
      main: async (t) => {
        let rm: ResourceManager;
        try {
          rm = new ResourceManager(t, { dev: opts.dev });
          await setup(rm);
        } catch (e) {
          reject(e);
          return 1;
        }
        if ((opts.threads ?? 1) > 1) rm.start(opts.threads! - 1);
        resolve({ process, rm });
        await rm.loop(t);
        return 0;
      },
    });
  });
}
