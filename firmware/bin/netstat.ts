// netstat: routing table (-r), interfaces (-i) and protocol statistics (-s) of the io-pkt
// instance $SOCK selects, NetBSD style; with no table option, the sockets (-a: servers too).
import type { Program } from "../program.ts";
import { getopt, optionMap, UsageError } from "./lib/getopt.ts";
import { ifView, listRoutes, statsView, withNet } from "./lib/net-api.ts";
import { runNetUtility } from "./lib/net-errors.ts";
import {
  formatNetstatInterfaces,
  formatNetstatStats,
  formatSocketLine,
  formatUnixSockets,
} from "./lib/net-netstat-format.ts";
import { endpointText as endpoint } from "../net/socket/describe.ts";
import { AF_INET, AF_LOCAL, SOCK_DGRAM, SOCK_RAW, SOCK_STREAM } from "../net/socket/constants.ts";

function protoName(type: number, protocol: number): string {
  if (type === SOCK_STREAM) return "tcp";
  if (type === SOCK_DGRAM) return "udp";
  if (type === SOCK_RAW) return "raw";
  return String(protocol);
}
import { formatRouteTable } from "./lib/net-route-format.ts";

const USAGE = `netstat - show network status

usage: netstat [-n] -r
       netstat [-n] -i [-I interface]
       netstat -s [-p protocol]
       netstat [-an]
-r the routing table, -i interfaces and their counters, -s per-protocol statistics
(ip, icmp, udp, igmp, arp, ether, pbuf; -p limits to one), -a sockets with their process, -n numeric addresses (always numeric here:
no resolver). SOCK=/prefix selects another io-pkt instance.
`;

const PROTOCOLS = ["ip", "icmp", "tcp", "udp", "igmp", "arp", "ether", "pbuf"];

const program: Program = {
  name: "netstat",
  usage: USAGE,
  main(ctx) {
    return runNetUtility(ctx.stderr, "netstat", USAGE, async () => {
      const o = optionMap(getopt(ctx.argv.slice(1), "anrisI:p:f:"));
      const proto = o.get("p");
      if (proto !== undefined && !PROTOCOLS.includes(proto))
        throw new UsageError(`${proto}: unknown protocol`);
      return withNet(ctx, async (net) => {
        if (o.has("r")) {
          await ctx.stdout.write(formatRouteTable(await listRoutes(net)));
        } else if (o.has("i") || o.has("I")) {
          let ifs = (await net.interfaces()).map(ifView);
          const only = o.get("I");
          if (only !== undefined) ifs = ifs.filter((i) => i.name === only);
          await ctx.stdout.write(formatNetstatInterfaces(ifs));
        } else if (o.has("s")) {
          await ctx.stdout.write(formatNetstatStats(statsView(await net.stats()), proto));
        } else {
          const all = o.has("a");
          const listed = await ctx.sockets.list();
          const socks = listed.filter((x) => x.domain === AF_INET && (all || x.foreign !== null));
          const rows = socks.map((x) =>
            formatSocketLine({
              proto: protoName(x.type, x.protocol),
              recvQ: x.recvQ,
              sendQ: x.sendQ,
              local: endpoint(x.local),
              foreign: endpoint(x.foreign),
              state: x.state,
            }),
          );
          await ctx.stdout.write(
            "Active Internet connections" +
              (all ? " (including servers)" : "") +
              "\nProto Recv-Q Send-Q  Local Address          Foreign Address        (state)\n" +
              rows.map((r) => `${r}\n`).join(""),
          );
          const unix = listed.filter((x) => x.domain === AF_LOCAL);
          if (unix.length !== 0) await ctx.stdout.write(formatUnixSockets(unix));
        }
        return 0;
      });
    });
  },
};
export default program;
