// Starts io-pkt instances and control clients in a test kernel, with stdio in memory.
import { Kernel } from "../../../firmware/kernel/kernel.ts";
import { KernelError } from "../../../firmware/kernel/errno.ts";
import type { Process } from "../../../firmware/kernel/process.ts";
import { makeContext } from "../../../firmware/exec.ts";
import type { ProgramContext, Stream } from "../../../firmware/program.ts";
import ioPkt from "../../../firmware/net/io-pkt.ts";
import { NetControl } from "../../../firmware/net/control/client.ts";

export function memoryStream(fd: number, sink: string[]): Stream {
  const dec = new TextDecoder();
  return {
    fd,
    isatty: false,
    async write(d) {
      sink.push(typeof d === "string" ? d : dec.decode(d));
    },
    async read() {
      return null;
    },
    async readLine() {
      return null;
    },
  };
}

export interface RunningIoPkt {
  process: Process;
  stderr: string[];
  /** "detached" once up, "exited" if it failed to start. */
  state: "detached" | "exited";
}

/** Starts `io-pkt <args>`; resolves when it has detached (up) or exited (failed). */
export async function startIoPkt(k: Kernel, args: string[]): Promise<RunningIoPkt> {
  const stderr: string[] = [];
  const p = k.spawn({
    name: "io-pkt",
    argv: ["io-pkt", ...args],
    env: { PATH: "/proc/boot" },
    cwd: "/",
    uid: 0,
    gid: 0,
    priority: 21,
    main: async (t) => {
      const base = await makeContext(k, t);
      const ctx: ProgramContext = { ...base, stdout: memoryStream(1, []), stderr: memoryStream(2, stderr) };
      return ioPkt.main(ctx);
    },
  });
  const ev = await p.waitChange();
  return { process: p, stderr, state: ev === "exited" ? "exited" : "detached" };
}

/** Runs `fn` in a fresh client process with a NetControl on `prefix`. */
export function withClient<T>(
  k: Kernel,
  prefix: string,
  fn: (nc: NetControl, ctx: ProgramContext) => Promise<T>,
  opts: { uid?: number; priority?: number } = {},
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    k.spawn({
      name: "client",
      argv: ["client"],
      env: {},
      cwd: "/",
      uid: opts.uid ?? 0,
      gid: 0,
      priority: opts.priority ?? 10,
      main: async (t) => {
        try {
          const ctx = await makeContext(k, t);
          const nc = await NetControl.open(ctx.fs, { prefix });
          try {
            resolve(await fn(nc, ctx));
          } finally {
            await nc.close();
          }
        } catch (e) {
          reject(e);
        }
        return 0;
      },
    });
  });
}

export function errnoOf(e: unknown): string {
  return e instanceof KernelError ? e.errno : String(e);
}

/** Runs `fn` as a program whose $SOCK is `prefix`. */
export function program<T>(
  k: Kernel,
  prefix: string,
  fn: (ctx: ProgramContext) => Promise<T>,
  uid = 0,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    k.spawn({
      name: "prog",
      argv: ["prog"],
      env: { SOCK: prefix },
      cwd: "/",
      uid,
      gid: uid,
      priority: 10,
      main: async (t) => {
        try {
          resolve(await fn(await makeContext(k, t)));
        } catch (e) {
          reject(e);
        }
        return 0;
      },
    });
  });
}
