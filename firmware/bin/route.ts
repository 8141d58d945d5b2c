// route: manipulate the routing table of the io-pkt instance $SOCK selects (NetBSD style).
import { KernelError, strerror } from "../kernel/errno.ts";
import type { NetControl } from "../net/control/client.ts";
import { RTF_GATEWAY } from "../net/stack/route.ts";
import { formatIpv4 } from "../net/wire/ipv4-addr.ts";
import type { Program, ProgramContext, Stream } from "../program.ts";
import { ifView, listRoutes, routeGetView, withNet } from "./lib/net-api.ts";
import { NetUtilError, runNetUtility } from "./lib/net-errors.ts";
import { parseRouteArgs } from "./lib/net-route-args.ts";
import type { RouteCommand } from "./lib/net-route-args.ts";
import { formatRouteGet, formatRouteTable } from "./lib/net-route-format.ts";
import { formatMonitorMessage } from "./lib/net-rtmsg-format.ts";
import { AF_ROUTE, SOCK_RAW } from "../net/socket/constants.ts";
import { RTM_MAXLEN } from "../net/socket/rtmsg.ts";

const USAGE = `route - manually manipulate the routing tables

usage: route [-n] command [[modifiers] args]
       route [-n] show
       route [-n] get destination
       route [-n] add [-net | -host] destination gateway [-netmask mask] [-ifp if] [-mtu n]
       route [-n] add [-net | -host] destination interface -iface
       route [-n] delete [-net | -host] destination [-netmask mask]
       route [-n] flush
       route [-n] monitor [-c count]
destination: default, a.b.c.d, a.b.c.d/len, or a short network (10/8, 10.1).
monitor prints every routing message (route, interface and address changes) until
interrupted, or count of them.
Flags shown: U up, G gateway, H host, S static, C cloning (connected), R reject, B blackhole.
SOCK=/prefix selects another io-pkt instance.
`;

/** `add net 10.2.0.0: gateway 10.0.0.1` — what BSD route prints before the outcome. */
function describe(cmd: Extract<RouteCommand, { kind: "add" | "delete" }>): string {
  const t = cmd.target;
  let s = `${cmd.kind} ${t.isHost ? "host" : "net"} ${t.text}`;
  if (cmd.gateway !== 0) s += `: gateway ${formatIpv4(cmd.gateway)}`;
  else if (cmd.kind === "add" && cmd.ifname) s += `: interface ${cmd.ifname}`;
  return s;
}

async function modify(net: NetControl, cmd: Extract<RouteCommand, { kind: "add" | "delete" }>, out: Stream) {
  const head = describe(cmd);
  try {
    if (cmd.kind === "add") {
      await net.addRoute({
        dst: cmd.target.dst,
        prefixLen: cmd.target.prefixLen,
        gateway: cmd.gateway,
        ifname: cmd.ifname || undefined,
        mtu: cmd.mtu,
        reject: cmd.reject,
        blackhole: cmd.blackhole,
      });
    } else {
      await net.deleteRoute(cmd.target.dst, cmd.target.prefixLen);
    }
  } catch (e) {
    if (!(e instanceof KernelError)) throw e;
    const why = e.errno === "ESRCH" ? "not in table" : strerror(e.errno);
    throw new NetUtilError(e.errno, `${head}: ${why}`);
  }
  await out.write(`${head}\n`);
}

/** route monitor: a routing socket read until interrupted (or `count` messages). */
async function monitor(ctx: ProgramContext, count: number): Promise<number> {
  const s = ctx.sockets;
  const fd = await s.socket(AF_ROUTE, SOCK_RAW, 0);
  const utc = ctx.env.TZ === "UTC" || ctx.env.TZ === "UTC0";
  try {
    for (let i = 0; count === 0 || i < count; i++) {
      const data = await s.recv(fd, RTM_MAXLEN);
      await ctx.stdout.write(formatMonitorMessage(data, ctx.kernel.clock.wallTime(), utc));
    }
  } finally {
    await s.close(fd);
  }
  return 0;
}

const program: Program = {
  name: "route",
  usage: USAGE,
  main(ctx) {
    return runNetUtility(ctx.stderr, "route", USAGE, () => {
      const cmd = parseRouteArgs(ctx.argv.slice(1));
      if (cmd.kind === "monitor") return monitor(ctx, cmd.count);
      return withNet(ctx, async (net) => {
        switch (cmd.kind) {
          case "show":
            await ctx.stdout.write(formatRouteTable(await listRoutes(net)));
            return 0;
          case "get": {
            let g;
            try {
              g = await net.routeGet(cmd.dst);
            } catch (e) {
              if (e instanceof KernelError && e.errno === "ESRCH") {
                throw new NetUtilError("ESRCH", `${cmd.text}: not in table`);
              }
              throw e;
            }
            const ifs = (await net.interfaces()).map(ifView);
            await ctx.stdout.write(formatRouteGet(routeGetView(g, ifs)));
            return 0;
          }
          case "flush": {
            // BSD flushes gateway routes only; connected routes belong to their addresses.
            for (const r of await listRoutes(net)) {
              if (!(r.flags & RTF_GATEWAY)) continue;
              await net.deleteRoute(r.dst, r.prefixLen);
              const what = r.prefixLen === 0 ? "default" : formatIpv4(r.dst);
              await ctx.stdout.write(`${what.padEnd(20)}done\n`);
            }
            return 0;
          }
          case "add":
          case "delete":
            await modify(net, cmd, ctx.stdout);
            return 0;
        }
      });
    });
  },
};
export default program;
