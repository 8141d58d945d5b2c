// The node side of `on -n`/`on -f`: runs a program for another node. A helper process (named
// `on`, with the asker's mapped credentials) takes over the asker's descriptors — it connects to
// the asker's managers over Qnet and dups their handles — or opens the terminal `on -t` names
// here, then starts the program (the asker's file for `-n`, found on this node's PATH for `-f`)
// with them as its stdio, at the priority asked for, and waits for it; the exit status goes back
// as the reply (at once with `-d`). When the asker gives up (SIGINT on `on`), the program gets
// SIGINT.
import { KernelError } from "../../kernel/errno.ts";
import type { Kernel } from "../../kernel/kernel.ts";
import type { Process } from "../../kernel/process.ts";
import { exec } from "../../exec.ts";
import * as client from "../../resmgr/client.ts";
import * as C from "../../resmgr/io-constants.ts";
import { decodeConnectReply, encodeRequest } from "../../resmgr/messages.ts";
import { SPAWN_ASKERS_FILE, SPAWN_DETACH, type SpawnRequest } from "./path-query.ts";

export function runForNode(
  kernel: Kernel,
  req: SpawnRequest,
  nd: number,
  uid: number,
  gid: number,
  abort: AbortSignal,
  /** The asker's directory here (`/net/node1`), where an SPAWN_ASKERS_FILE path is. */
  askerDir: string,
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
      // A terminal here becomes the program's 0, 1 and 2 (the lowest free descriptors).
      if (req.tty !== "") for (let i = 0; i < 3; i++) await client.open(t, req.tty, C.O_RDWR);
      else
        for (const f of req.fds) {
          const coid = t.ConnectAttach(nd, f.pid, f.chid);
          const r = decodeConnectReply(
            await t.MsgSend(coid, encodeRequest({ type: C.IO_DUP, handle: f.handle, srcPid: req.pid })),
          );
          t.process.fds.set(f.fd, { coid, handle: r.handle, flags: f.flags });
        }
      try {
        const path = req.opts & SPAWN_ASKERS_FILE ? `${askerDir}${req.path}` : req.argv[0];
        child = await exec(kernel, t, path, req.argv, {
          env,
          cwd: req.cwd,
          priority: req.priority || undefined,
          // -t: a session of its own, with the terminal as its controlling one.
          session: req.tty !== "",
        });
      } catch (e) {
        const err = KernelError.from(e);
        const text = `on: ${req.argv[0]}: ${err.message}\n`;
        await client.write(t, 2, new TextEncoder().encode(text)).catch(() => {});
        return err.errno === "ENOENT" ? 127 : 126;
      }
      if (abort.aborted) child.signal("SIGINT");
      return req.opts & SPAWN_DETACH ? 0 : child.wait();
    },
  });
  abort.addEventListener("abort", () => child?.signal("SIGINT"), { once: true });
  return helper.wait();
}
