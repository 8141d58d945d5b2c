// on: run a program on another node (Qnet) or on a terminal, as QNX's `on` does. With -n the
// program is the one found here (the other node loads it through /net/<this node>); with -f
// the other node finds it on its own PATH. Its standard input, output and error are this
// process's (the other node's process manager dups their connections over Qnet), so a terminal
// here is its terminal — or, with -t, a terminal of the node it runs on, in a new session. `on`
// waits and exits with its status (not with -d), and SIGINT and SIGTERM reach the program.
import { KernelError } from "../kernel/errno.ts";
import { findOnPath } from "../exec.ts";
import {
  PATHMGR_CHID,
  PATHMGR_PID,
  SPAWN_ASKERS_FILE,
  SPAWN_DETACH,
  encodeSpawnRequest,
} from "../net/qnet/path-query.ts";
import type { Program, ProgramContext } from "../program.ts";
import * as client from "../resmgr/client.ts";
import * as C from "../resmgr/io-constants.ts";
import { errnoOf, errorText, runUtility, warn } from "./lib/errors.ts";
import { getopt, UsageError } from "./lib/getopt.ts";
import { resolvePath } from "./lib/paths.ts";
import { waitForPath } from "./lib/wait-path.ts";

const USAGE = `on - execute a command on another node or tty

usage: on [-d] [-n|f node] [-p priority[policy]] [-t tty] [-w path] command [argument ...]
Options:
 -n node      run command, as found on this node, on node (a name in /net)
 -f node      run command on node, found on node's PATH (node's / as root)
 -d           detach: do not wait for command; exit 0 once it runs
 -p prio[r]   run command at priority prio (1-63; 64-255 for root); policy r (round-robin, the one this kernel has; f and o are refused)
 -t tty       open tty (on the node command runs on; a name without / is in /dev) as descriptors 0, 1 and 2, in a new session with tty as its controlling terminal
 -w path      first wait up to 5 s for path to exist (here), as waitfor does
The exit status is the command's. -n and -f need Qnet (io-pkt -p qnet) on both nodes.
`;

/** How long -w waits, as waitfor's default. */
const WAIT_SECONDS = 5;
/** Priorities above this need root, as on QNX (procnto -P's default). */
const MAX_USER_PRIORITY = 63;

function parsePriority(text: string, uid: number): number {
  const m = /^(\d+)([fro]?)$/.exec(text);
  if (!m) throw new UsageError(`invalid priority -- ${text} (a number, then r)`);
  if (m[2] === "f" || m[2] === "o")
    throw new UsageError(`policy ${m[2]}: threads are scheduled round-robin only (r)`);
  const prio = Number(m[1]);
  if (prio < 1 || prio > 255) throw new UsageError(`priority ${prio} is out of range (1-255)`);
  if (prio > MAX_USER_PRIORITY && uid !== 0)
    throw new UsageError(`priority ${prio} needs root (1-${MAX_USER_PRIORITY} otherwise)`);
  return prio;
}

interface OnRequest {
  argv: string[];
  detach: boolean;
  priority: number;
  tty: string;
}

/** No node: the command runs here, as a child of `on`. */
async function runHere(ctx: ProgramContext, r: OnRequest): Promise<number> {
  let ttyFd = -1;
  if (r.tty !== "") ttyFd = await client.open(ctx.thread, r.tty, C.O_RDWR);
  try {
    const child = await ctx.exec(r.argv[0], r.argv, {
      priority: r.priority || undefined,
      session: ttyFd >= 0,
      fds: ttyFd >= 0 ? new Map([0, 1, 2].map((fd) => [fd, ttyFd])) : undefined,
    });
    return r.detach ? 0 : await child.wait();
  } finally {
    if (ttyFd >= 0) await client.close(ctx.thread, ttyFd);
  }
}

/** The command on node `nd`, through its process manager (Qnet's pid 1 channel 1). */
async function runThere(ctx: ProgramContext, nd: number, path: string, r: OnRequest): Promise<number> {
  const t = ctx.thread;
  const fds = [];
  for (const fd of r.tty === "" ? [0, 1, 2] : []) {
    const e = ctx.process.fds.get(fd);
    const conn = e && e.coid >= 0 ? ctx.process.connections.get(e.coid) : undefined;
    if (!e || !conn) continue;
    if (conn.nd !== 0) throw new KernelError("EXDEV", `descriptor ${fd} is on another node already`);
    fds.push({ fd, pid: conn.pid, chid: conn.chid, handle: e.handle, flags: e.flags });
  }
  const coid = t.ConnectAttach(nd, PATHMGR_PID, PATHMGR_CHID);
  try {
    const reply = await t.MsgSendReply(
      coid,
      encodeSpawnRequest({
        argv: r.argv,
        env: Object.entries(ctx.env).map(([k, v]) => `${k}=${v}`),
        cwd: ctx.cwd,
        pid: ctx.process.pid,
        fds,
        path,
        opts: (r.detach ? SPAWN_DETACH : 0) | (path !== "" ? SPAWN_ASKERS_FILE : 0),
        priority: r.priority,
        tty: r.tty,
      }),
    );
    return reply.status;
  } finally {
    t.ConnectDetach(coid);
  }
}

const program: Program = {
  name: "on",
  usage: USAGE,
  main(ctx) {
    return runUtility(ctx.stderr, "on", USAGE, async () => {
      const parsed = getopt(ctx.argv.slice(1), "dn:f:p:t:w:");
      let node: string | undefined;
      let remoteLookup = false;
      const req: OnRequest = { argv: parsed.operands, detach: false, priority: 0, tty: "" };
      const waits: string[] = [];
      for (const o of parsed.opts) {
        const v = o.value ?? "";
        if (o.opt === "n" || o.opt === "f") {
          if (node !== undefined) throw new UsageError("only one of -n and -f");
          node = v;
          remoteLookup = o.opt === "f";
        } else if (o.opt === "d") req.detach = true;
        else if (o.opt === "p") req.priority = parsePriority(v, ctx.process.uid);
        else if (o.opt === "t") req.tty = v.includes("/") ? v : `/dev/${v}`;
        else if (o.opt === "w") waits.push(v);
      }
      if (req.argv.length === 0) throw new UsageError("no command");
      // -w first, in the order given.
      for (const w of waits) {
        const err = await waitForPath(ctx, resolvePath(ctx.cwd, w), WAIT_SECONDS);
        if (err !== null) {
          await ctx.stderr.write(`on: Unable to access "${w}" (${errorText(err)})\n`);
          return 1;
        }
      }
      const net = ctx.kernel.netTransport;
      if (node === undefined) return runHere(ctx, req);
      if (!net) throw new KernelError("EHOSTDOWN", "Qnet is not running on this node (io-pkt -p qnet)");
      const nd = await net.nodeNd(node);
      if (nd === 0) return runHere(ctx, req);
      // -n: the program found here, which the other node reads through its /net/<this node>.
      let path = "";
      if (!remoteLookup) {
        try {
          path = resolvePath(ctx.cwd, await findOnPath(ctx.thread, req.argv[0], ctx.env));
        } catch (e) {
          await warn(ctx.stderr, "on", req.argv[0], e);
          return errnoOf(e) === "ENOENT" ? 127 : 126;
        }
      }
      return runThere(ctx, nd, path, req);
    });
  },
};
export default program;
