// netstat: routing table (-r), interfaces (-i) and protocol statistics (-s) of the io-pkt
// instance $SOCK selects, NetBSD style. Sockets (-a) come with the transport layer.
import type { Program } from "../program.ts";
import { getopt, optionMap, UsageError } from "./lib/getopt.ts";
import { ifView, listRoutes, statsView, withNet } from "./lib/net-api.ts";
import { runNetUtility } from "./lib/net-errors.ts";
import { formatNetstatInterfaces, formatNetstatStats } from "./lib/net-netstat-format.ts";
import { formatRouteTable } from "./lib/net-route-format.ts";

const USAGE = `netstat - show network status

usage: netstat [-n] -r
       netstat [-n] -i [-I interface]
       netstat -s [-p protocol]
       netstat [-an]
-r the routing table, -i interfaces and their counters, -s per-protocol statistics
(ip, icmp, arp, ether, pbuf; -p limits to one), -n numeric addresses (always numeric here:
no resolver). SOCK=/prefix selects another io-pkt instance.
`;

const PROTOCOLS = ["ip", "icmp", "arp", "ether", "pbuf"];

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
          // No sockets yet (UDP/TCP come later): the headers, as netstat prints with none open.
          await ctx.stdout.write(
            "Active Internet connections" +
              (o.has("a") ? " (including servers)" : "") +
              "\nProto Recv-Q Send-Q  Local Address          Foreign Address        State\n",
          );
        }
        return 0;
      });
    });
  },
};
export default program;
