// The network utilities' view of io-pkt: opens the control client of the stack $SOCK selects
// and turns its records into the plain shapes the formatters print (net-view.ts).
import { NetControl } from "../../net/control/client.ts";
import type {
  ArpInfo,
  Counter,
  IfInfo,
  RouteGetInfo,
  RouteInfo,
  SysctlEntry,
} from "../../net/control/client.ts";
import { parseMac } from "../../net/wire/mac.ts";
import type { ProgramContext } from "../../program.ts";
import { withSubject } from "./net-errors.ts";
import type { ArpView, IfView, NetStatsView, RouteGetView, RouteView, SysctlView } from "./net-view.ts";

/**
 * Opens the stack's control file. No io-pkt there is ENOENT, which utilities report as BSD ones
 * do when socket(2) fails: `ifconfig: socket: No such file or directory`.
 */
export async function openNet(ctx: ProgramContext): Promise<NetControl> {
  try {
    return await NetControl.open(ctx.fs, { env: ctx.env });
  } catch (e) {
    return withSubject(e, "socket");
  }
}

/** Runs `body` with an open control client and always closes it. */
export async function withNet<T>(ctx: ProgramContext, body: (net: NetControl) => Promise<T>): Promise<T> {
  const net = await openNet(ctx);
  try {
    return await body(net);
  } finally {
    await net.close().catch(() => {});
  }
}

export function ifView(i: IfInfo): IfView {
  return {
    name: i.name,
    index: i.index,
    type: i.type,
    flags: i.flags,
    mtu: i.mtu,
    mru: i.mru,
    mac: i.mac ? (parseMac(i.mac) ?? 0) : 0,
    linkUp: i.linkUp,
    media: i.media,
    addrs: i.addrs.map((a) => ({ addr: a.addr >>> 0, prefixLen: a.prefixLen, broadcast: a.broadcast >>> 0 })),
    counters: { ...i.counters },
    driver: i.driver || undefined,
    priority: i.rxPriority,
  };
}

export function routeView(r: RouteInfo, ifIndex: ReadonlyMap<string, number>): RouteView {
  return {
    dst: r.dst >>> 0,
    prefixLen: r.prefixLen,
    gateway: r.gateway >>> 0,
    flags: r.flags,
    ifname: r.ifname,
    ifindex: ifIndex.get(r.ifname) ?? 0,
    refs: 0,
    use: r.use,
    mtu: r.mtu,
  };
}

export function routeGetView(g: RouteGetInfo, ifs: readonly IfView[]): RouteGetView {
  const index = new Map(ifs.map((i) => [i.name, i.index]));
  const route = routeView(g.route, index);
  const ifMtu = ifs.find((i) => i.name === g.ifname)?.mtu ?? 0;
  return {
    dst: g.dst >>> 0,
    route,
    gateway: g.gateway >>> 0,
    ifname: g.ifname,
    src: g.src >>> 0,
    mtu: route.mtu > 0 ? route.mtu : ifMtu,
  };
}

/** Routes with the interface index each one needs for `link#N`. */
export async function listRoutes(net: NetControl): Promise<RouteView[]> {
  const [routes, ifs] = await Promise.all([net.routes(), net.interfaces()]);
  const index = new Map(ifs.map((i) => [i.name, i.index]));
  return routes.map((r) => routeView(r, index));
}

export function arpView(a: ArpInfo): ArpView {
  return {
    ip: a.ip >>> 0,
    mac: a.mac ? (parseMac(a.mac) ?? -1) : -1,
    ifname: a.ifname,
    state: a.state,
    expiresInSec: a.expiresMs < 0 ? 0 : a.expiresMs / 1000,
    published: a.published,
  };
}

export function sysctlView(e: SysctlEntry): SysctlView {
  let value: SysctlView["value"] = e.value;
  if (e.type === "int" && /^-?\d+$/.test(e.value)) value = Number(e.value);
  else if (e.type === "struct") {
    try {
      value = JSON.parse(e.value) as Record<string, unknown>;
    } catch {
      value = e.value;
    }
  }
  return { name: e.name, type: e.type, value };
}

/** Groups flat counters (`ip`/`total`, `icmp`/`inhist.8`) into netstat -s sections. */
export function statsView(counters: readonly Counter[]): NetStatsView {
  const v: NetStatsView = { ip: {}, icmp: {}, arp: {}, ether: {} };
  const extra: Record<string, Record<string, number>> = {};
  for (const c of counters) {
    const hist = /^(inhist|outhist)\.(\d+)$/.exec(c.name);
    if (c.group === "icmp" && hist) {
      const arr = (v.icmp[hist[1]] as number[] | undefined) ?? [];
      arr[Number(hist[2])] = c.value;
      v.icmp[hist[1]] = arr;
      continue;
    }
    if (c.group === "ip" || c.group === "arp" || c.group === "ether") v[c.group][c.name] = c.value;
    else if (c.group === "icmp") v.icmp[c.name] = c.value;
    else (extra[c.group] ??= {})[c.name] = c.value;
  }
  for (const arr of [v.icmp.inhist, v.icmp.outhist]) {
    if (Array.isArray(arr)) for (let i = 0; i < arr.length; i++) arr[i] ??= 0;
  }
  if (extra.pool) v.pbuf = extra.pool;
  if (extra.tcp) v.tcp = extra.tcp;
  if (extra.udp) v.udp = extra.udp;
  if (extra.igmp) v.igmp = extra.igmp;
  return v;
}
