// Routing sockets (BSD's rtsock.c): socket(AF_ROUTE, SOCK_RAW, 0) on /dev/socket/17. Every
// change the stack reports through its RouteEvents (routes, interface flags and link state,
// addresses: whoever made it) becomes one message (rtmsg.ts) queued on every open routing
// socket. A program writes RTM_ADD, RTM_DELETE, RTM_CHANGE (root only: EPERM) or RTM_GET; the
// change is made in the writer's name (its pid, the seq it wrote) and so reaches every reader,
// the writer included, as on BSD; a failed request goes out with rtm_errno set, and RTM_GET's
// answer goes to every reader too (readers pick theirs by pid and seq).
import { ERRNO, KernelError } from "../../kernel/errno.ts";
import type { IfAddr, Ifnet } from "../stack/ifnet.ts";
import { RTF_BLACKHOLE, RTF_DONE, RTF_GATEWAY, RTF_HOST, RTF_REJECT, type Route } from "../stack/route.ts";
import type { RouteChange, RouteEventSink, RouteOrigin } from "../stack/route-events.ts";
import type { Stack } from "../stack/stack.ts";
import { prefixToMask } from "../wire/ipv4-addr.ts";
import { AF_INET, AF_ROUTE, SOCK_RAW } from "./constants.ts";
import type { SockAddr } from "./messages.ts";
import type { ProtoSwitch, SendControl } from "./protosw.ts";
import {
  AF_LINK,
  IFT_ETHER,
  IFT_LOOP,
  LINK_STATE_DOWN,
  LINK_STATE_UP,
  RTAX_BRD,
  RTAX_AUTHOR,
  RTAX_DST,
  RTAX_GATEWAY,
  RTAX_IFA,
  RTAX_IFP,
  RTAX_NETMASK,
  RTM_ADD,
  RTM_CHANGE,
  RTM_DELADDR,
  RTM_DELETE,
  RTM_GET,
  RTM_IFINFO,
  RTM_MISS,
  RTM_NEWADDR,
  RTM_REDIRECT,
  RTV_MTU,
  decodeRtMsg,
  emptyMetrics,
  encodeRtMsg,
  type RoutingMessage,
  type RtAddrs,
  type RtRouteMsg,
  type RtSockaddr,
} from "./rtmsg.ts";
import type { Socket } from "./socket.ts";

export function createRouteSocketStats() {
  /** Messages queued, dropped for a full buffer, and writes refused as malformed. */
  return { delivered: 0, fullsock: 0, badmsg: 0 };
}

const CHANGE_TYPE: Record<RouteChange, number> = { add: RTM_ADD, delete: RTM_DELETE, change: RTM_CHANGE };

const inet = (addr: number): RtSockaddr => ({ family: AF_INET, addr: addr >>> 0 });

function macBytes(mac: number): Uint8Array {
  const b = new Uint8Array(6);
  for (let i = 5, m = mac; i >= 0; i--, m = Math.floor(m / 256)) b[i] = m % 256;
  return b;
}

/** The interface as a sockaddr_dl: with its name and MAC, or bare (`link#N`, a connected route's gateway). */
function linkAddr(ifp: Ifnet, full: boolean): RtSockaddr {
  return {
    family: AF_LINK,
    index: ifp.index,
    type: ifp.isLoopback ? IFT_LOOP : IFT_ETHER,
    name: full ? ifp.name : "",
    mac: full && !ifp.isLoopback ? macBytes(ifp.mac) : new Uint8Array(0),
  };
}

/** A route's DST, GATEWAY and NETMASK (none for a host route, as BSD). */
function routeAddrs(r: Route): RtAddrs {
  const a: RtAddrs = [];
  a[RTAX_DST] = inet(r.dst);
  a[RTAX_GATEWAY] = r.flags & RTF_GATEWAY || r.ifp.isLoopback ? inet(r.gateway) : linkAddr(r.ifp, false);
  if (r.prefixLen !== 32) a[RTAX_NETMASK] = inet(r.mask);
  return a;
}

/** What BSD's rt_missmsg sends: no process, no sequence, no metrics. */
export function missMsg(type: number, index: number, flags: number, addrs: RtAddrs): RtRouteMsg {
  return {
    kind: "route",
    type,
    index,
    flags: flags | RTF_DONE,
    pid: 0,
    seq: 0,
    errno: 0,
    use: 0,
    inits: 0,
    rmx: emptyMetrics(),
    addrs,
  };
}

function routeMsg(type: number, r: Route, origin: RouteOrigin): RtRouteMsg {
  const m = missMsg(type, r.ifp.index, r.flags, routeAddrs(r));
  m.rmx.mtu = r.mtu;
  return { ...m, pid: origin.pid, seq: origin.seq, use: r.use >>> 0 };
}

/** The prefix length of a contiguous mask; EINVAL for one with holes. */
function maskLen(mask: number): number {
  for (let len = 0; len <= 32; len++) if (prefixToMask(len) >>> 0 === mask >>> 0) return len;
  throw new KernelError(
    "EINVAL",
    `bad routing message: netmask 0x${(mask >>> 0).toString(16)} is not contiguous`,
  );
}

export class RouteSockets implements ProtoSwitch, RouteEventSink {
  readonly domain = AF_ROUTE;
  readonly type = SOCK_RAW;
  /** Matches any protocol: a socket's own (0 or AF_INET) filters by address family. */
  readonly protocol = 0;
  readonly name = "route";
  readonly stats = createRouteSocketStats();
  private readonly stack: Stack;
  private readonly socks = new Set<Socket>();

  constructor(stack: Stack) {
    this.stack = stack;
    stack.rtEvents.subscribe(this);
  }

  // ---- what the stack reports ----

  route(change: RouteChange, r: Route, origin: RouteOrigin): void {
    if (this.socks.size !== 0) this.deliver(routeMsg(CHANGE_TYPE[change], r, origin));
  }

  ifinfo(ifp: Ifnet): void {
    if (this.socks.size === 0) return;
    const c = ifp.counters;
    this.deliver({
      kind: "if",
      type: RTM_IFINFO,
      index: ifp.index,
      flags: ifp.flags,
      addrs: [],
      data: {
        type: ifp.isLoopback ? IFT_LOOP : IFT_ETHER,
        linkState: ifp.linkUp ? LINK_STATE_UP : LINK_STATE_DOWN,
        pad: 0,
        mtu: ifp.mtu,
        metric: 0,
        baudrate: 0,
        ipackets: c.ipackets >>> 0,
        ierrors: c.ierrors >>> 0,
        opackets: c.opackets >>> 0,
        oerrors: c.oerrors >>> 0,
        collisions: c.collisions >>> 0,
        ibytes: c.ibytes >>> 0,
        obytes: c.obytes >>> 0,
        imcasts: c.imcasts >>> 0,
        omcasts: c.omcasts >>> 0,
        iqdrops: c.iqdrops >>> 0,
        noproto: c.noproto >>> 0,
      },
    });
  }

  /** rt_missmsg(RTM_MISS): only the destination that had no route. */
  miss(dst: number): void {
    if (this.socks.size === 0) return;
    const addrs: RtAddrs = [];
    addrs[RTAX_DST] = inet(dst);
    this.deliver(missMsg(RTM_MISS, 0, 0, addrs));
  }

  /** rt_missmsg(RTM_REDIRECT): the route the redirect made, and the router that sent it. */
  redirect(r: Route, author: number): void {
    if (this.socks.size === 0) return;
    const addrs = routeAddrs(r);
    addrs[RTAX_AUTHOR] = inet(author);
    this.deliver(missMsg(RTM_REDIRECT, r.ifp.index, r.flags, addrs));
  }

  addr(change: "add" | "delete", ia: IfAddr): void {
    if (this.socks.size === 0) return;
    const addrs: RtAddrs = [];
    addrs[RTAX_NETMASK] = inet(ia.mask);
    addrs[RTAX_IFP] = linkAddr(ia.ifp, true);
    addrs[RTAX_IFA] = inet(ia.addr);
    if (ia.broadcast !== 0) addrs[RTAX_BRD] = inet(ia.broadcast);
    this.deliver({
      kind: "ifa",
      type: change === "add" ? RTM_NEWADDR : RTM_DELADDR,
      index: ia.ifp.index,
      flags: 0,
      metric: 0,
      addrs,
    });
  }

  /** raw_input: a copy to every routing socket (a full one drops it and counts). */
  private deliver(m: RoutingMessage): void {
    const data = encodeRtMsg(m);
    for (const so of this.socks) {
      if (so.protocol !== 0 && so.protocol !== AF_INET) continue;
      const ok = so.rcv.append({ size: data.byteLength, data, from: null, dst: 0, ifindex: 0 });
      if (ok) this.stats.delivered++;
      else this.stats.fullsock++;
    }
  }

  // ---- what programs write (route_output) ----

  send(so: Socket, data: Uint8Array, _to: SockAddr | null, ctl: SendControl): number {
    let m: RoutingMessage;
    try {
      m = decodeRtMsg(data);
    } catch (e) {
      this.stats.badmsg++;
      throw e;
    }
    if (m.kind !== "route")
      throw new KernelError("EOPNOTSUPP", `routing message type ${m.type} cannot be written`);
    if (m.type !== RTM_GET && ctl.uid !== 0) throw new KernelError("EPERM", "changing routes is for root");
    m.pid = so.pid;
    try {
      this.request(m, { pid: so.pid, seq: m.seq });
    } catch (e) {
      // BSD reports a failed request to every listener, rtm_errno set, then to the writer.
      const k = KernelError.from(e);
      m.errno = ERRNO[k.errno] ?? ERRNO.EINVAL;
      this.deliver(m);
      throw k;
    }
    return data.byteLength;
  }

  private request(m: RtRouteMsg, origin: RouteOrigin): void {
    const st = this.stack;
    const dstSa = m.addrs[RTAX_DST];
    if (dstSa?.family !== AF_INET)
      throw new KernelError("EINVAL", "bad routing message: no AF_INET destination");
    const maskSa = m.addrs[RTAX_NETMASK];
    let prefixLen = 32;
    if (m.flags & RTF_HOST) prefixLen = 32;
    else if (maskSa !== undefined) {
      if (maskSa.family !== AF_INET)
        throw new KernelError("EINVAL", "bad routing message: netmask is not AF_INET");
      prefixLen = maskLen(maskSa.addr);
    }
    const dst = (dstSa.addr & prefixToMask(prefixLen)) >>> 0;
    const ifpSa = m.addrs[RTAX_IFP];
    let ifp: Ifnet | undefined = ifpSa?.family === AF_LINK ? this.ifOf(ifpSa) : undefined;
    const gwSa = m.addrs[RTAX_GATEWAY];
    let gateway: number | undefined;
    if (gwSa?.family === AF_INET) gateway = gwSa.addr;
    else if (gwSa?.family === AF_LINK) {
      gateway = 0;
      ifp ??= this.ifOf(gwSa);
    }
    const mtu = m.inits & RTV_MTU ? m.rmx.mtu : undefined;
    switch (m.type) {
      case RTM_ADD:
        if (gateway === undefined)
          throw new KernelError("EINVAL", "bad routing message: RTM_ADD without a gateway");
        st.rtEvents.as(origin, () =>
          st.addRoute(dst, prefixLen, gateway, {
            ifp,
            reject: (m.flags & RTF_REJECT) !== 0,
            blackhole: (m.flags & RTF_BLACKHOLE) !== 0,
            mtu,
          }),
        );
        return;
      case RTM_DELETE:
        st.rtEvents.as(origin, () => st.deleteRoute(dst, prefixLen));
        return;
      case RTM_CHANGE:
        st.rtEvents.as(origin, () => st.changeRoute(dst, prefixLen, { gateway, ifp, mtu }));
        return;
      case RTM_GET: {
        // With a netmask: that exact route; without: the one a packet to dst would take.
        const exact = maskSa !== undefined || (m.flags & RTF_HOST) !== 0;
        const route = exact ? st.routes.get(dst, prefixLen) : st.routeGet(dst).route;
        if (route === undefined) throw new KernelError("ESRCH", "not in table");
        const out = exact ? route.ifp : st.routeGet(dst).ifp;
        const reply = routeMsg(RTM_GET, route, origin);
        reply.index = out.index;
        reply.rmx.mtu = route.mtu || out.mtu;
        reply.inits = RTV_MTU;
        reply.addrs[RTAX_IFP] = linkAddr(out, true);
        reply.addrs[RTAX_IFA] = inet(st.ip.selectSource(dst, out));
        this.deliver(reply);
        return;
      }
    }
  }

  private ifOf(sa: Extract<RtSockaddr, { family: typeof AF_LINK }>): Ifnet {
    if (sa.name !== "") return this.stack.requireIf(sa.name);
    const ifp = this.stack.interfaces().find((i) => i.index === sa.index);
    if (ifp === undefined) throw new KernelError("ENXIO", `no interface with index ${sa.index}`);
    return ifp;
  }

  // ---- the rest of the protocol switch ----

  attach(so: Socket): void {
    if (so.protocol !== 0 && so.protocol !== AF_INET)
      throw new KernelError("EPROTONOSUPPORT", `routing sockets for address family ${so.protocol}`);
    this.socks.add(so);
  }

  detach(so: Socket): void {
    this.socks.delete(so);
  }

  bind(): void {
    throw new KernelError("EOPNOTSUPP", "routing sockets have no addresses");
  }

  connect(): void {
    throw new KernelError("EOPNOTSUPP", "routing sockets have no addresses");
  }

  disconnect(): void {}

  shutdown(): void {}

  abort(): void {}

  sockaddr(): SockAddr {
    return { family: AF_ROUTE, port: 0, addr: 0, path: "" };
  }

  peeraddr(): SockAddr {
    throw new KernelError("ENOTCONN");
  }

  stateText(): string {
    return "";
  }
}
