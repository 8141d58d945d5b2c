// Shared helpers for resource-manager tests: a kernel, managers as processes, and a way
// to run client code inside a process with given credentials.
import { Kernel } from "../../../firmware/kernel/kernel.ts";
import type { Process } from "../../../firmware/kernel/process.ts";
import type { Thread } from "../../../firmware/kernel/thread.ts";
import { Ramfs, type RamfsOptions } from "../../../firmware/fs/ramfs.ts";
import { startManager } from "../../../firmware/resmgr/start-manager.ts";

export function newKernel(): Kernel {
  return new Kernel({ nodeName: "test" });
}

export async function startRamfs(kernel: Kernel, path = "/tmp", opts: RamfsOptions = {}) {
  let fs: Ramfs | null = null;
  const m = await startManager(kernel, { name: "ramfs" }, (rm) => {
    fs = new Ramfs(rm, opts);
    fs.mount(path);
  });
  return { ...m, fs: fs as unknown as Ramfs };
}

/** Runs `fn` as the main thread of a new process; resolves with what it returns. */
export function runAs<T>(
  kernel: Kernel,
  cred: { uid: number; gid: number; cwd?: string; parent?: Process },
  fn: (t: Thread) => Promise<T>,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    kernel.spawn({
      name: "client",
      uid: cred.uid,
      gid: cred.gid,
      cwd: cred.cwd ?? "/",
      parent: cred.parent,
      main: async (t) => {
        try {
          resolve(await fn(t));
        } catch (e) {
          reject(e);
        }
        return 0;
      },
    });
  });
}

export const text = (s: string): Uint8Array => new TextEncoder().encode(s);
export const str = (b: Uint8Array): string => new TextDecoder().decode(b);

/** Runs `fn` on a new thread of `t`'s process (one thread can block in one call at a time). */
export function inThread<T>(t: Thread, fn: (t2: Thread) => Promise<T>): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    t.process.createThread(async (t2) => {
      try {
        resolve(await fn(t2));
      } catch (e) {
        reject(e);
      }
    });
  });
}
