// Routing table output shared by `netstat -r` and `route show`, and `route get`, NetBSD style:
//   Destination        Gateway            Flags    Refs      Use    Mtu  Interface
//   default            10.0.0.1           UGS         0        0      -  en0
//   10.0.0/24          link#1             UC          0        0      -  en0
import { RTF_GATEWAY, routeFlagLetters, routeFlagWords } from "../../net/stack/route.ts";
import { formatIpv4, formatNetShort, prefixToMask } from "../../net/wire/ipv4-addr.ts";
import type { RouteGetView, RouteView } from "./net-view.ts";

const WID_DST = 18;
const WID_GW = 18;

/** The destination column: `default`, `10.0.0/24`, a host address. */
export function routeDestination(r: RouteView): string {
  if (r.prefixLen === 0 && r.dst === 0) return "default";
  return formatNetShort(r.dst, r.prefixLen);
}

/** The gateway column: the next hop, or `link#N` for a route straight onto an interface. */
export function routeGateway(r: RouteView): string {
  if (r.flags & RTF_GATEWAY) return formatIpv4(r.gateway);
  if (r.ifname.startsWith("lo")) return formatIpv4(r.gateway);
  return `link#${r.ifindex}`;
}

const fit = (s: string, w: number): string => (s.length > w ? s.slice(0, w) : s.padEnd(w));

export function routeHeader(): string {
  return `${fit("Destination", WID_DST)} ${fit("Gateway", WID_GW)} ${fit("Flags", 6)} ${"Refs".padStart(6)} ${"Use".padStart(8)} ${"Mtu".padStart(6)}  Interface\n`;
}

export function routeLine(r: RouteView): string {
  const mtu = r.mtu > 0 ? String(r.mtu) : "-";
  return `${fit(routeDestination(r), WID_DST)} ${fit(routeGateway(r), WID_GW)} ${fit(routeFlagLetters(r.flags), 6)} ${String(r.refs).padStart(6)} ${String(r.use).padStart(8)} ${mtu.padStart(6)}  ${r.ifname}\n`;
}

/** The whole `netstat -rn` / `route show` output. */
export function formatRouteTable(routes: readonly RouteView[]): string {
  return `Routing tables\n\nInternet:\n${routeHeader()}${routes.map(routeLine).join("")}`;
}

/** `route get` output (NetBSD layout; the metrics line carries the path MTU). */
export function formatRouteGet(g: RouteGetView): string {
  const r = g.route;
  const lines = [
    `   route to: ${formatIpv4(g.dst)}`,
    `destination: ${r.prefixLen === 0 ? "default" : formatIpv4(r.dst)}`,
    `       mask: ${r.prefixLen === 0 ? "default" : formatIpv4(prefixToMask(r.prefixLen))}`,
  ];
  if (r.flags & RTF_GATEWAY) lines.push(`    gateway: ${formatIpv4(g.gateway)}`);
  lines.push(`  interface: ${g.ifname}`);
  lines.push(`      flags: ${routeFlagWords(r.flags)}`);
  const cols = ["recvpipe", "sendpipe", "ssthresh", "rtt,msec", "rttvar", "hopcount", "mtu", "expire"];
  lines.push(" " + cols.map((c) => c.padStart(9)).join(" "));
  const vals = [0, 0, 0, 0, 0, 0, g.mtu, 0];
  lines.push(" " + vals.map((v) => String(v).padStart(9)).join(" "));
  return lines.join("\n") + "\n";
}
