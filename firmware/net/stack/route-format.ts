// Text for `netstat -rn` / `route show` and `route get`, NetBSD style (as QNX's io-pkt tools).
import { formatIpv4, formatNetShort } from "../wire/ipv4-addr.ts";
import { formatMac } from "../wire/mac.ts";
import { ARP_PERMANENT } from "./arp.ts";
import {
  RTF_CLONED,
  RTF_GATEWAY,
  RTF_HOST,
  RTF_LLINFO,
  RTF_STATIC,
  RTF_UP,
  routeFlagLetters,
  routeFlagWords,
} from "./route.ts";
import type { RouteGetResult, Stack } from "./stack.ts";

export interface RouteRow {
  destination: string;
  gateway: string;
  flags: string;
  refs: number;
  use: number;
  mtu: string;
  iface: string;
}

/** The routing table plus resolved ARP entries (shown as cloned host routes, flags `UHLc`). */
export function routeRows(stack: Stack): RouteRow[] {
  const rows: Array<RouteRow & { key: number; plen: number }> = [];
  for (const r of stack.routes.list()) {
    const connected = (r.flags & RTF_GATEWAY) === 0 && !r.ifp.isLoopback;
    rows.push({
      key: r.dst,
      plen: r.prefixLen,
      destination: r.prefixLen === 0 ? "default" : formatNetShort(r.dst, r.prefixLen),
      gateway: connected ? `link#${r.ifp.index}` : formatIpv4(r.gateway),
      flags: routeFlagLetters(r.flags),
      refs: 0,
      use: r.use,
      mtu: r.mtu ? String(r.mtu) : "-",
      iface: r.ifp.name,
    });
  }
  for (const e of stack.arp.list()) {
    if (e.mac < 0) continue;
    const flags = RTF_UP | RTF_HOST | RTF_LLINFO | (e.state === ARP_PERMANENT ? RTF_STATIC : RTF_CLONED);
    rows.push({
      key: e.ip,
      plen: 33,
      destination: formatIpv4(e.ip),
      gateway: formatMac(e.mac),
      flags: routeFlagLetters(flags),
      refs: 0,
      use: 0,
      mtu: "-",
      iface: e.ifp.name,
    });
  }
  rows.sort((a, b) => a.key - b.key || a.plen - b.plen);
  return rows.map(({ key: _k, plen: _p, ...r }) => r);
}

/** `netstat -rn` output (IPv4 part). */
export function formatNetstatRn(rows: RouteRow[]): string {
  const line = (d: string, g: string, f: string, refs: string, use: string, mtu: string, i: string) =>
    `${d.padEnd(18)} ${g.padEnd(18)} ${f.padEnd(6)} ${refs.padStart(6)} ${use.padStart(8)} ${mtu.padStart(6)}  ${i}`;
  const out = [
    "Routing tables",
    "",
    "Internet:",
    line("Destination", "Gateway", "Flags", "Refs", "Use", "Mtu", "Interface"),
  ];
  for (const r of rows)
    out.push(line(r.destination, r.gateway, r.flags, String(r.refs), String(r.use), r.mtu, r.iface));
  return out.join("\n") + "\n";
}

/** `route get <dst>` output. */
export function formatRouteGet(g: RouteGetResult): string {
  const r = g.route;
  const lines = [
    `   route to: ${formatIpv4(g.dst)}`,
    `destination: ${r.prefixLen === 0 ? "default" : formatIpv4(r.dst)}`,
    `       mask: ${r.prefixLen === 0 ? "default" : formatIpv4(r.mask)}`,
  ];
  if (g.gateway !== 0) lines.push(`    gateway: ${formatIpv4(g.gateway)}`);
  lines.push(
    ` local addr: ${formatIpv4(g.src)}`,
    `  interface: ${g.ifp.name}`,
    `      flags: ${routeFlagWords(r.flags)}`,
  );
  return lines.join("\n") + "\n";
}
