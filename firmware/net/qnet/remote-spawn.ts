// The node side of `on -n`: runs a program for another node. A helper process (named `on`,
// with the asker's mapped credentials) takes over the asker's descriptors — it connects to the
// asker's managers over Qnet and dups their handles — then starts the program with them as its
// stdio and waits for it; the exit status goes back as the reply. When the asker gives up
// (SIGINT on `on`), the program gets SIGINT.
import { KernelError } from "../../kernel/errno.ts";
import type { Kernel } from "../../kernel/kernel.ts";
import type { Process } from "../../kernel/process.ts";
import { exec } from "../../exec.ts";
import * as client from "../../resmgr/client.ts";
import * as C from "../../resmgr/io-constants.ts";
import { decodeConnectReply, encodeRequest } from "../../resmgr/messages.ts";
import type { SpawnRequest } from "./path-query.ts";

export function runForNode(
  kernel: Kernel,
  req: SpawnRequest,
  nd: number,
  uid: number,
  gid: number,
  abort: AbortSignal,
): Promise<number> {
  if (req.argv.length === 0) return Promise.reject(new KernelError("EINVAL", "on: no program"));
  const env: Record<string, string> = {};
  for (const kv of req.env) {
    const eq = kv.indexOf("=");
    if (eq > 0) env[kv.slice(0, eq)] = kv.slice(eq + 1);
  }
  let child: Process | null = null;
  const helper = kernel.spawn({
    name: "on",
    argv: ["on", ...req.argv],
    env,
    cwd: "/",
    uid: Math.max(uid, 0),
    gid: Math.max(gid, 0),
    main: async (t) => {
      for (const f of req.fds) {
        const coid = t.ConnectAttach(nd, f.pid, f.chid);
        const r = decodeConnectReply(
          await t.MsgSend(coid, encodeRequest({ type: C.IO_DUP, handle: f.handle, srcPid: req.pid })),
        );
        t.process.fds.set(f.fd, { coid, handle: r.handle, flags: f.flags });
      }
      try {
        child = await exec(kernel, t, req.argv[0], req.argv, { env, cwd: req.cwd });
      } catch (e) {
        const err = KernelError.from(e);
        const text = `on: ${req.argv[0]}: ${err.message}\n`;
        await client.write(t, 2, new TextEncoder().encode(text)).catch(() => {});
        return err.errno === "ENOENT" ? 127 : 126;
      }
      if (abort.aborted) child.signal("SIGINT");
      return child.wait();
    },
  });
  abort.addEventListener("abort", () => child?.signal("SIGINT"), { once: true });
  return helper.wait();
}
