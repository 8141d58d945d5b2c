// on: run a program on another node (Qnet), with its standard input, output and error here.
// The other node's process manager starts it with this process's descriptors (it dups their
// connections over Qnet), so a terminal here is its terminal; `on` waits and exits with its
// status. SIGINT and SIGTERM to `on` reach the program.
import { KernelError } from "../kernel/errno.ts";
import { PATHMGR_CHID, PATHMGR_PID, encodeSpawnRequest } from "../net/qnet/path-query.ts";
import type { Program } from "../program.ts";
import { runUtility } from "./lib/errors.ts";
import { getopt, UsageError } from "./lib/getopt.ts";

const USAGE = `on - run a command on another node

usage: on -n node command [argument ...]
Options:
 -n node  run command on node (a name in /net), with its stdin, stdout and stderr here
The exit status is the command's. Needs Qnet (io-pkt -p qnet) on both nodes.
`;

const program: Program = {
  name: "on",
  usage: USAGE,
  main(ctx) {
    return runUtility(ctx.stderr, "on", USAGE, async () => {
      const parsed = getopt(ctx.argv.slice(1), "n:");
      const node = parsed.opts.find((o) => o.opt === "n")?.value;
      if (node === undefined) throw new UsageError("-n node is required");
      if (parsed.operands.length === 0) throw new UsageError("no command");
      const net = ctx.kernel.netTransport;
      if (!net) throw new KernelError("EHOSTDOWN", "Qnet is not running on this node (io-pkt -p qnet)");
      const nd = await net.nodeNd(node);
      if (nd === 0) {
        const child = await ctx.exec(parsed.operands[0], parsed.operands);
        return child.wait();
      }
      const t = ctx.thread;
      const fds = [];
      for (const fd of [0, 1, 2]) {
        const e = ctx.process.fds.get(fd);
        const conn = e && e.coid >= 0 ? ctx.process.connections.get(e.coid) : undefined;
        if (!e || !conn) continue;
        if (conn.nd !== 0) throw new KernelError("EXDEV", `descriptor ${fd} is on another node already`);
        fds.push({ fd, pid: conn.pid, chid: conn.chid, handle: e.handle, flags: e.flags });
      }
      const coid = t.ConnectAttach(nd, PATHMGR_PID, PATHMGR_CHID);
      try {
        const r = await t.MsgSendReply(
          coid,
          encodeSpawnRequest({
            argv: parsed.operands,
            env: Object.entries(ctx.env).map(([k, v]) => `${k}=${v}`),
            cwd: ctx.cwd,
            pid: ctx.process.pid,
            fds,
          }),
        );
        return r.status;
      } finally {
        t.ConnectDetach(coid);
      }
    });
  },
};
export default program;
