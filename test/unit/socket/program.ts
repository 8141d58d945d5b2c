// Runs a function as a program of kernel `k` whose $SOCK is `prefix` (its ctx.sockets talk to
// that io-pkt instance), resolving with what the function returns.
import type { Kernel } from "../../../firmware/kernel/kernel.ts";
import { makeContext } from "../../../firmware/exec.ts";
import type { ProgramContext } from "../../../firmware/program.ts";

export function program<T>(k: Kernel, prefix: string, fn: (ctx: ProgramContext) => Promise<T>): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    k.spawn({
      name: "prog",
      argv: ["prog"],
      env: { SOCK: prefix },
      cwd: "/",
      uid: 0,
      gid: 0,
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
