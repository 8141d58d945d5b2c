// One network stack instance (one per io-pkt): interfaces, addresses, routes, ARP, IPv4, ICMP,
// pfil, BPF and sysctl, driven synchronously by frames in (input) and frames out (IfOutput),
// with timers from the injectable clock. No module state: several stacks live in one process.
import type { Clock } from "../../kernel/clock.ts";
import { KernelError } from "../../kernel/errno.ts";
import { INADDR_LOOPBACK, formatIpv4, isMulticast4 } from "../wire/ipv4-addr.ts";
import { IPPROTO_ICMP, IPPROTO_TCP } from "../wire/ipv4.ts";
import { ETHER_HDR_LEN, ETHERTYPE_IPV4 } from "../wire/ethernet.ts";
import { formatMac, parseMac } from "../wire/mac.ts";
import { ArpTable } from "./arp.ts";
import { BPF_D_OUT, bpfTapList, type BpfTap } from "./bpf.ts";
import { createStackConfig, type StackConfig } from "./config.ts";
import { Ether } from "./ether.ts";
import { Icmp } from "./icmp.ts";
import type { TcpConfig } from "../tcp/config.ts";
import { TcpProtocol, registerTcpSysctls } from "../tcp/tcp-ip.ts";
import {
  IFF_BROADCAST,
  IFF_LOOPBACK,
  IFF_MULTICAST,
  IFF_PROMISC,
  IFF_RUNNING,
  IFF_SIMPLEX,
  IFF_UP,
  Ifnet,
  makeIfAddr,
  type IfAddr,
  type IfOutput,
} from "./ifnet.ts";
import { Ip4 } from "./ip4.ts";
import { LOG_NOTICE, LOG_WARNING, type StackLog } from "./log.ts";
import { PB_LOOP, PbufPool, pbufFree, type Pbuf } from "./pbuf.ts";
import { PfilHead, PfilWatchers } from "./pfil.ts";
import {
  RTF_CLONING,
  RTF_DYNAMIC,
  RTF_GATEWAY,
  RTF_MODIFIED,
  RTF_REJECT,
  RTF_BLACKHOLE,
  RTF_STATIC,
  RouteTable,
  type Route,
} from "./route.ts";
import { RouteEvents } from "./route-events.ts";
import { createStackStats, type StackStats } from "./stats.ts";
import { registerStackSysctls } from "./stack-sysctl.ts";
import { Sysctl } from "./sysctl.ts";
import { TapTime } from "./tap-time.ts";
import { SLOW_TIMER_MS, TimerService, type NetTimer } from "./timers.ts";

export const LOOPBACK_MTU = 33192;
/** Default largest MTU of an Ethernet interface whose driver names none. */
export const JUMBO_MTU = 9216;
/** IPv4's minimum: a 60-byte header and an 8-byte fragment (RFC 791). */
const MIN_MTU = 68;

function checkMtu(ifname: string, mtu: number, maxMtu: number): void {
  if (!Number.isInteger(mtu) || mtu < MIN_MTU || mtu > maxMtu)
    throw new KernelError("EINVAL", `${ifname}: MTU ${mtu} out of range ${MIN_MTU}..${maxMtu}`);
}
/** Loopback packets queued at once; more are dropped (lo0 iqdrops). */
const LOOP_QUEUE_MAX = 512;

export interface StackOptions {
  clock: Clock;
  /** TCP tunables to start from (sysctl net.inet.tcp.* changes them later). */
  tcp?: Partial<TcpConfig>;
  /** System log sink (severity = _SLOG_* value). */
  log?: StackLog;
  /** Pool size in buffers (2048 B + headroom each). */
  poolBuffers?: number;
}

export interface AttachOptions {
  /** Interface name; default `<prefix><n>` with the first free n. */
  name?: string;
  prefix?: string;
  mac: number | string;
  mtu?: number;
  /** Largest MTU the port carries (default 9216, a jumbo frame); `mtu` may not exceed it. */
  maxMtu?: number;
  output: IfOutput;
  media?: string;
  promiscuous?: boolean;
  /** Carrier present at attach (default true). */
  linkUp?: boolean;
}

export interface RouteGetResult {
  route: Route;
  dst: number;
  ifp: Ifnet;
  gateway: number;
  /** Source address the stack would use. */
  src: number;
}

export class Stack {
  readonly clock: Clock;
  readonly log: StackLog;
  readonly pool: PbufPool;
  readonly stats: StackStats = createStackStats();
  readonly config: StackConfig = createStackConfig();
  readonly sysctl = new Sysctl();
  readonly routes = new RouteTable();
  /** Route, interface and address changes, for routing sockets (route-events.ts). */
  readonly rtEvents = new RouteEvents();
  /** Link-layer hooks on every interface (whole Ethernet frames). */
  readonly pfil = new PfilHead();
  /** IP-layer hooks: every IPv4 datagram in, out and forwarded, lo0 and VLANs included (pfil.ts). */
  readonly inetPfil = new PfilHead();
  /** Filters that follow interfaces and addresses (pfil's ifnet / ifaddr events). */
  readonly pfilWatchers = new PfilWatchers();
  /** BPF taps on every interface (tcpdump -i any). */
  readonly taps: BpfTap[] = [];
  /** Timestamps for taps, with microseconds. */
  readonly tapTime: TapTime;
  readonly ether: Ether;
  readonly arp: ArpTable;
  readonly ip: Ip4;
  readonly icmp: Icmp;
  /** TCP (protocol 6): the engine the socket layer's stream sockets use. */
  readonly tcp: TcpProtocol;
  readonly lo0: Ifnet;
  private readonly ifs = new Map<string, Ifnet>();
  private nextIndex = 1;
  private readonly loopQ: Pbuf[] = [];
  private looping = false;
  /** The one timer service every protocol timer registers with (on `clock`). */
  readonly timers: TimerService;
  /** Expires routes learned from redirects. */
  private readonly routeTimer: NetTimer;

  constructor(opts: StackOptions) {
    this.clock = opts.clock;
    this.routes.onChange = (change, r) => this.rtEvents.route(change, r);
    this.tapTime = new TapTime(opts.clock);
    this.timers = new TimerService(opts.clock);
    this.routeTimer = this.timers.create("route-expire", () => {
      if (this.routes.expire(this.clock.now())) this.routeTimer.arm(SLOW_TIMER_MS);
    });
    this.log = opts.log ?? (() => {});
    this.pool = new PbufPool(opts.poolBuffers ?? 2048);
    this.pool.onExhausted = () => this.log(LOG_WARNING, "Mbufs exhausted");
    this.ether = new Ether(this);
    this.arp = new ArpTable(this);
    this.ip = new Ip4(this);
    this.icmp = new Icmp(this);
    this.ip.register(IPPROTO_ICMP, this.icmp);
    this.tcp = new TcpProtocol(this, opts.tcp);
    this.ip.register(IPPROTO_TCP, this.tcp);
    this.lo0 = this.addIfnet({
      name: "lo0",
      type: "loopback",
      flags: IFF_UP | IFF_LOOPBACK | IFF_RUNNING | IFF_MULTICAST,
      mtu: LOOPBACK_MTU,
      maxMtu: 65535,
      mac: 0,
      output: () => true,
    });
    this.lo0.media = "";
    this.addAddress(this.lo0, INADDR_LOOPBACK, 8);
    registerStackSysctls(this);
    registerTcpSysctls(this.sysctl, this.tcp.engine);
  }

  // ---- interfaces ----

  interfaces(): Ifnet[] {
    return [...this.ifs.values()].sort((a, b) => a.index - b.index);
  }

  ifunit(name: string): Ifnet | undefined {
    return this.ifs.get(name);
  }

  /** Like ifunit, but ENXIO (ifconfig: "interface en9 does not exist") when absent. */
  requireIf(name: string): Ifnet {
    const ifp = this.ifs.get(name);
    if (ifp === undefined) throw new KernelError("ENXIO", `interface ${name} does not exist`);
    return ifp;
  }

  private addIfnet(o: Omit<ConstructorParameters<typeof Ifnet>[0], "index" | "pfil">): Ifnet {
    if (this.ifs.has(o.name)) throw new KernelError("EEXIST", `interface ${o.name} already exists`);
    const ifp = new Ifnet({ ...o, index: this.nextIndex++, pfil: new PfilHead() });
    this.ifs.set(ifp.name, ifp);
    this.pfilWatchers.ifnet("attach", ifp);
    return ifp;
  }

  private freeName(prefix: string): string {
    for (let n = 0; ; n++) if (!this.ifs.has(`${prefix}${n}`)) return `${prefix}${n}`;
  }

  /** A driver attaches an Ethernet interface (down until configured: `ifconfig en0 up` or an address). */
  attach(opts: AttachOptions): Ifnet {
    const mac = typeof opts.mac === "string" ? parseMac(opts.mac) : opts.mac;
    if (mac === null) throw new KernelError("EINVAL", `bad MAC address '${String(opts.mac)}'`);
    const mtu = opts.mtu ?? 1500;
    const maxMtu = opts.maxMtu ?? JUMBO_MTU;
    const name = opts.name ?? this.freeName(opts.prefix ?? "en");
    checkMtu(name, mtu, maxMtu);
    const ifp = this.addIfnet({
      name,
      type: "ethernet",
      flags: IFF_BROADCAST | IFF_SIMPLEX | IFF_MULTICAST | IFF_RUNNING | (opts.promiscuous ? IFF_PROMISC : 0),
      mtu,
      maxMtu,
      mac,
      output: opts.output,
    });
    if (opts.media !== undefined) ifp.media = opts.media;
    ifp.linkUp = opts.linkUp ?? true;
    return ifp;
  }

  /** An 802.1Q interface on `parent` for VLAN `vid` (named `vlan<n>` unless given). */
  createVlan(parent: Ifnet, vid: number, name?: string): Ifnet {
    if (!Number.isInteger(vid) || vid < 1 || vid > 4094)
      throw new KernelError("EINVAL", `bad VLAN id ${vid}`);
    if (parent.type !== "ethernet") throw new KernelError("EINVAL", `${parent.name} cannot carry VLANs`);
    if (parent.vlans.has(vid)) throw new KernelError("EEXIST", `VLAN ${vid} exists on ${parent.name}`);
    const ifp = this.addIfnet({
      name: name ?? this.freeName("vlan"),
      type: "vlan",
      flags: IFF_BROADCAST | IFF_SIMPLEX | IFF_MULTICAST | IFF_RUNNING,
      mtu: parent.mtu,
      maxMtu: parent.maxMtu,
      mac: parent.mac,
      output: parent.output,
      parent,
      vlanId: vid,
    });
    parent.vlans.set(vid, ifp);
    return ifp;
  }

  /** Removes an interface with its addresses, routes, ARP entries, VLANs and taps. */
  detach(ifp: Ifnet): void {
    if (ifp === this.lo0) throw new KernelError("EBUSY", "lo0 cannot be destroyed");
    for (const v of [...ifp.vlans.values()]) this.detach(v);
    for (const a of [...ifp.addrs]) this.deleteAddress(ifp, a.addr);
    this.pfilWatchers.ifnet("detach", ifp);
    this.routes.deleteByIfp(ifp);
    this.arp.flush(ifp);
    ifp.flags &= ~(IFF_UP | IFF_RUNNING);
    ifp.taps.length = 0;
    for (let i = this.taps.length - 1; i >= 0; i--) if (this.taps[i].ifp === ifp) this.taps.splice(i, 1);
    ifp.parent?.vlans.delete(ifp.vlanId);
    this.ifs.delete(ifp.name);
    this.rtEvents.ifinfo(ifp);
  }

  setUp(ifp: Ifnet, up: boolean): void {
    const was = ifp.flags & IFF_UP;
    if (up) ifp.flags |= IFF_UP;
    else ifp.flags &= ~IFF_UP;
    if (up && !was) for (const a of ifp.addrs) this.arp.gratuitous(ifp, a.addr);
    if (!up && was) this.arp.flush(ifp, true);
    if ((ifp.flags & IFF_UP) !== was) this.rtEvents.ifinfo(ifp);
  }

  setPromisc(ifp: Ifnet, on: boolean): void {
    const was = ifp.flags;
    if (on) ifp.flags |= IFF_PROMISC;
    else ifp.flags &= ~IFF_PROMISC;
    if (ifp.flags !== was) this.rtEvents.ifinfo(ifp);
  }

  /** The driver reports carrier changes; logged as BSD does. */
  setLinkState(ifp: Ifnet, up: boolean, media?: string): void {
    if (media !== undefined) ifp.media = media;
    if (ifp.linkUp === up) return;
    ifp.linkUp = up;
    this.log(LOG_NOTICE, `${ifp.name}: link state changed to ${up ? "UP" : "DOWN"}`);
    if (up) for (const a of ifp.addrs) this.arp.gratuitous(ifp, a.addr);
    this.rtEvents.ifinfo(ifp);
  }

  setMtu(ifp: Ifnet, mtu: number): void {
    checkMtu(ifp.name, mtu, ifp.maxMtu);
    ifp.mtu = mtu;
  }

  // ---- addresses ----

  /**
   * Adds an address (an alias when the interface has one already; replaces the netmask when the
   * address is there already), brings the interface up, adds the connected route and announces
   * the address with a gratuitous ARP.
   */
  addAddress(ifp: Ifnet, addr: number, prefixLen: number, broadcast?: number): IfAddr {
    if (!Number.isInteger(prefixLen) || prefixLen < 0 || prefixLen > 32) throw new KernelError("EINVAL");
    const other = this.ip.localAddrs.get(addr >>> 0);
    if (other !== undefined && other.ifp !== ifp) {
      throw new KernelError("EADDRINUSE", `${formatIpv4(addr)} is configured on ${other.ifp.name}`);
    }
    if (other !== undefined) this.deleteAddress(ifp, addr);
    const ia = makeIfAddr(ifp, addr, prefixLen, broadcast);
    ifp.addrs.push(ia);
    this.ip.localAddrs.set(ia.addr, ia);
    this.rtEvents.addr("add", ia);
    const wasUp = ifp.flags & IFF_UP;
    ifp.flags |= IFF_UP;
    if (!wasUp) this.rtEvents.ifinfo(ifp);
    if (ifp.isLoopback) {
      if (!this.routes.get(ia.addr, 32)) {
        this.routes.add({ dst: ia.addr, prefixLen: 32, gateway: ia.addr, ifp, flags: 0, mtu: ifp.mtu });
      }
    } else if (prefixLen < 32 && !this.routes.get(ia.addr, prefixLen)) {
      this.routes.add({ dst: ia.addr, prefixLen, gateway: ia.addr, ifp, flags: RTF_CLONING });
    }
    if (ifp.isUp && ifp.linkUp) this.arp.gratuitous(ifp, ia.addr);
    this.pfilWatchers.ifaddr("add", ifp, ia);
    return ia;
  }

  /** Removes an address and its connected route (kept if another address of the subnet remains). */
  deleteAddress(ifp: Ifnet, addr: number): void {
    const i = ifp.addrs.findIndex((a) => a.addr === addr >>> 0);
    if (i < 0) throw new KernelError("EADDRNOTAVAIL");
    const [ia] = ifp.addrs.splice(i, 1);
    this.ip.localAddrs.delete(ia.addr);
    this.pfilWatchers.ifaddr("delete", ifp, ia);
    const plen = ifp.isLoopback ? 32 : ia.prefixLen;
    const rt = this.routes.get(ia.addr, plen);
    if (rt !== undefined && rt.ifp === ifp && rt.gateway === ia.addr) {
      this.routes.delete(ia.addr, plen);
      const heir = ifp.addrs.find(
        (a) => a.prefixLen === ia.prefixLen && ((a.addr ^ ia.addr) & ia.mask) === 0,
      );
      if (heir !== undefined)
        this.routes.add({ dst: heir.addr, prefixLen: plen, gateway: heir.addr, ifp, flags: RTF_CLONING });
    }
    this.rtEvents.addr("delete", ia);
  }

  // ---- routes ----

  /**
   * `route add`: dst/prefixLen via `gateway` (which must be on a connected network; ENETUNREACH
   * otherwise), or straight out of `ifp` (gateway 0). `reject`/`blackhole` as in BSD.
   */
  addRoute(
    dst: number,
    prefixLen: number,
    gateway: number,
    opts: { ifp?: Ifnet; reject?: boolean; blackhole?: boolean; mtu?: number } = {},
  ): Route {
    const hop = this.nextHop(gateway, opts.ifp);
    let flags = RTF_STATIC | hop.flags;
    if (opts.reject) flags |= RTF_REJECT;
    if (opts.blackhole) flags |= RTF_BLACKHOLE;
    return this.routes.add({ dst, prefixLen, gateway, ifp: hop.ifp, flags, mtu: opts.mtu ?? 0 });
  }

  /** Where a route via `gateway` (0: straight out of `ifp`) leaves, and whether it is RTF_GATEWAY. */
  private nextHop(gateway: number, ifp: Ifnet | undefined): { ifp: Ifnet; flags: number } {
    let flags = 0;
    if (gateway !== 0) {
      const via = this.routes.lookup(gateway);
      const local = this.ip.localAddrs.get(gateway >>> 0);
      if (local !== undefined) ifp ??= local.ifp;
      else if (via === null || via.flags & RTF_GATEWAY) throw new KernelError("ENETUNREACH");
      else {
        ifp ??= via.ifp;
        flags |= RTF_GATEWAY;
      }
    }
    return { ifp: ifp ?? this.lo0, flags };
  }

  /**
   * RTM_CHANGE: the route for exactly dst/prefixLen gets a new gateway (and interface) and/or
   * MTU; ESRCH if there is none. Connected routes belong to their addresses: EINVAL.
   */
  changeRoute(
    dst: number,
    prefixLen: number,
    change: { gateway?: number; ifp?: Ifnet; mtu?: number },
  ): Route {
    const r = this.routes.get(dst, prefixLen);
    if (r === undefined) throw new KernelError("ESRCH", "not in table");
    if (r.flags & RTF_CLONING) throw new KernelError("EINVAL", "a connected route changes with its address");
    if (change.gateway !== undefined || change.ifp !== undefined) {
      const gateway = change.gateway ?? (r.flags & RTF_GATEWAY ? r.gateway : 0);
      const hop = this.nextHop(gateway, change.ifp);
      r.gateway = gateway >>> 0;
      r.ifp = hop.ifp;
      r.flags = (r.flags & ~RTF_GATEWAY) | hop.flags;
    }
    if (change.mtu !== undefined) r.mtu = change.mtu;
    this.routes.changed(r);
    return r;
  }

  /**
   * rtredirect: the ICMP redirect from `from` says `dst` is better reached through `gw`. A
   * host (not forwarding, net.inet.icmp.rediraccept=1) takes it when it comes from the first
   * hop it uses for `dst` and `gw` is on one of its links: a host route `UGHD` that expires
   * after net.inet.icmp.redirtimeout, or a new gateway (`M`) for such a route. Every redirect
   * is treated as a host redirect (RFC 1812).
   */
  redirect(dst: number, gw: number, from: number): void {
    const st = this.stats.icmp;
    const cfg = this.config;
    if (cfg.rediraccept === 0 || cfg.forwarding !== 0) return;
    const cur = this.routes.lookup(dst);
    const via = this.routes.lookup(gw);
    const valid =
      !this.ip.localAddrs.has(gw) &&
      !this.ip.localAddrs.has(dst) &&
      !isMulticast4(dst) &&
      via !== null &&
      (via.flags & (RTF_GATEWAY | RTF_REJECT | RTF_BLACKHOLE)) === 0 &&
      !via.ifp.isLoopback &&
      cur !== null &&
      (cur.flags & RTF_GATEWAY) !== 0 &&
      cur.gateway === from >>> 0 &&
      gw >>> 0 !== cur.gateway;
    if (!valid) {
      st.badredirect++;
      return;
    }
    const expire = cfg.redirtimeout > 0 ? this.clock.now() + cfg.redirtimeout * 1000 : 0;
    this.rtEvents.redirect(from >>> 0, () => {
      if (cur.prefixLen === 32) {
        // A host route already: it gets the new gateway (a static one keeps no expiry).
        cur.gateway = gw >>> 0;
        cur.ifp = via.ifp;
        cur.flags |= RTF_MODIFIED;
        if (cur.flags & RTF_DYNAMIC) this.routes.setExpire(cur, expire);
        this.routes.changed(cur);
        st.rtnewgateway++;
        return cur;
      }
      st.rtdynamic++;
      return this.routes.add({
        dst,
        prefixLen: 32,
        gateway: gw,
        ifp: via.ifp,
        flags: RTF_GATEWAY | RTF_DYNAMIC,
        expire,
      });
    });
    this.log(LOG_NOTICE, `redirect from ${formatIpv4(from)}: ${formatIpv4(dst)} via ${formatIpv4(gw)}`);
    if (expire !== 0) this.routeTimer.ensure(SLOW_TIMER_MS);
  }

  deleteRoute(dst: number, prefixLen: number): Route {
    return this.routes.delete(dst, prefixLen);
  }

  /** `route get`: the route used for `dst`; ESRCH ("not in table") if none. */
  routeGet(dst: number): RouteGetResult {
    const route = this.ip.localAddrs.has(dst)
      ? this.routes.get(INADDR_LOOPBACK, 32)
      : this.routes.lookup(dst);
    if (!route) throw new KernelError("ESRCH", "not in table");
    const ifp = this.ip.localAddrs.get(dst)?.ifp ?? route.ifp;
    return {
      route,
      dst,
      ifp,
      gateway: route.flags & RTF_GATEWAY ? route.gateway : 0,
      src: this.ip.selectSource(dst, ifp),
    };
  }

  // ---- packets ----

  /**
   * A driver hands a received frame: it is copied once into a pool buffer (so the driver may
   * reuse its own), then processed to completion. False when no buffer was free (counted).
   */
  input(ifp: Ifnet, frame: Uint8Array, len = frame.length): boolean {
    const pb = len <= this.pool.dataSize ? this.pool.alloc() : this.pool.allocSize(len);
    if (pb === null) {
      this.stats.ether.frames++;
      this.stats.ether.nobufs++;
      ifp.counters.ipackets++;
      ifp.counters.iqdrops++;
      return false;
    }
    pb.bytes.set(len === frame.length ? frame : frame.subarray(0, len), pb.off);
    pb.len = len;
    this.ether.input(ifp, pb);
    if (this.loopQ.length !== 0) this.drainLoopback();
    return true;
  }

  /** ether_input with a buffer the caller already owns (zero-copy drivers). */
  etherInput(ifp: Ifnet, pb: Pbuf): void {
    this.ether.input(ifp, pb);
    if (this.loopQ.length !== 0) this.drainLoopback();
  }

  /** lo0: queue a datagram (at its IP header) back to our own input. Owns `pb`. */
  loopback(pb: Pbuf): void {
    const lo = this.lo0;
    lo.counters.opackets++;
    lo.counters.obytes += pb.len;
    if (lo.taps.length !== 0 || this.taps.length !== 0) this.tapLoopback(pb);
    if (this.loopQ.length >= LOOP_QUEUE_MAX) {
      lo.counters.iqdrops++;
      pbufFree(pb);
      return;
    }
    pb.rcvif = lo;
    pb.flags = PB_LOOP;
    this.loopQ.push(pb);
    if (!this.looping) this.drainLoopback();
  }

  /**
   * tcpdump on lo0 sees each datagram once, as Linux's lo shows it: behind an Ethernet header
   * with zero addresses and type IPv4, so lo0 captures are link-type EN10MB like every other
   * interface's and one pcap file can hold them all. The header goes into the headroom.
   */
  private tapLoopback(pb: Pbuf): void {
    let bytes = pb.bytes;
    let view = pb.view;
    let off = pb.off - ETHER_HDR_LEN;
    if (off < 0) {
      bytes = new Uint8Array(ETHER_HDR_LEN + pb.len);
      bytes.set(pb.bytes.subarray(pb.off, pb.off + pb.len), ETHER_HDR_LEN);
      view = new DataView(bytes.buffer);
      off = 0;
    }
    bytes.fill(0, off, off + 12);
    view.setUint16(off + 12, ETHERTYPE_IPV4);
    const len = pb.len + ETHER_HDR_LEN;
    const ts = this.tapTime.now();
    const lo = this.lo0;
    if (lo.taps.length !== 0) bpfTapList(lo.taps, bytes, view, off, len, ts, BPF_D_OUT, lo);
    if (this.taps.length !== 0) bpfTapList(this.taps, bytes, view, off, len, ts, BPF_D_OUT, lo);
  }

  private drainLoopback(): void {
    if (this.looping) return;
    this.looping = true;
    try {
      let pb: Pbuf | undefined;
      while ((pb = this.loopQ.shift()) !== undefined) {
        this.lo0.counters.ipackets++;
        this.lo0.counters.ibytes += pb.len;
        this.ip.input(pb);
      }
    } finally {
      this.looping = false;
    }
  }

  // ---- taps ----

  addTap(tap: BpfTap): void {
    if (tap.ifp === null) this.taps.push(tap);
    else tap.ifp.taps.push(tap);
  }

  removeTap(tap: BpfTap): void {
    const list = tap.ifp === null ? this.taps : tap.ifp.taps;
    const i = list.indexOf(tap);
    if (i >= 0) list.splice(i, 1);
  }

  /** Stops timers and frees held buffers (io-pkt shutting down). */
  stop(): void {
    this.timers.stop();
    this.ip.reass.clear();
    for (const ifp of this.interfaces()) this.arp.flush(ifp);
    for (const pb of this.loopQ.splice(0)) pbufFree(pb);
  }

  /** `ifconfig`-style one-line summary, handy in logs and tests. */
  describe(ifp: Ifnet): string {
    const addrs = ifp.addrs.map((a) => `${formatIpv4(a.addr)}/${a.prefixLen}`).join(" ");
    return `${ifp.name} mtu ${ifp.mtu} ${ifp.isLoopback ? "" : formatMac(ifp.mac)} ${addrs}`
      .replace(/\s+/g, " ")
      .trim();
  }
}
