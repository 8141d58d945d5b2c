// IPv4 (RFC 791, RFC 1812): input validation, local delivery to registered protocols,
// reassembly, forwarding, and output with routing, fragmentation and ARP resolution.
import { ERRNO } from "../../kernel/errno.ts";
import { cksumAdjust } from "../wire/checksum.ts";
import { ETHERTYPE_IPV4 } from "../wire/ethernet.ts";
import {
  ICMP_REDIRECT,
  ICMP_REDIRECT_HOST,
  ICMP_TIMXCEED,
  ICMP_TIMXCEED_INTRANS,
  ICMP_UNREACH,
  ICMP_UNREACH_HOST,
  ICMP_UNREACH_NEEDFRAG,
  ICMP_UNREACH_NET,
  ICMP_UNREACH_PROTOCOL,
} from "../wire/icmp.ts";
import { INADDR_BROADCAST, isLoopback4, isMulticast4 } from "../wire/ipv4-addr.ts";
import {
  IP_DF,
  IP_HDR_LEN,
  IP_MF,
  IP_OFFMASK,
  IPV_BADHLEN,
  IPV_BADLEN,
  IPV_BADSUM,
  IPV_BADVERS,
  IPV_OK,
  ipHlen,
  ipOffWord,
  ipProto,
  ipTotalLen,
  ipFillCksum,
  ipValidate,
  writeIpv4Header,
} from "../wire/ipv4.ts";
import { MAC_BROADCAST, ipv4MulticastMac } from "../wire/mac.ts";
import type { Ifnet, IfAddr } from "./ifnet.ts";
import { ip4Fragment } from "./ip4-frag.ts";
import { OPTS_DROPPED, OPTS_FORWARD, ipDoOptions } from "./ip4-options.ts";
import { Reassembly } from "./ip4-reass.ts";
import { PB_BCAST, PB_FORWARDED, PB_MCAST, pbufFree, type Pbuf } from "./pbuf.ts";
import { PFIL_DROP, PFIL_FWD, PFIL_IN, PFIL_OUT, pfilRun } from "./pfil.ts";
import { RTF_BLACKHOLE, RTF_GATEWAY, RTF_REJECT, type Route } from "./route.ts";
import type { Stack } from "./stack.ts";

/** An upper-layer protocol (ICMP built in; UDP, TCP, Qnet-over-IP register later). */
export interface IpProtocol {
  /** A datagram for us: `pb.off` at the IP header, `hlen` its length. Owns `pb`. */
  input(pb: Pbuf, hlen: number): void;
  /**
   * An ICMP error about a datagram this protocol sent: `quotedOff` is the quoted IP header inside
   * `pb`, `quotedLen` the bytes quoted. `pb` is only lent for the call.
   */
  ctlinput?(
    type: number,
    code: number,
    from: number,
    pb: Pbuf,
    quotedOff: number,
    quotedLen: number,
    mtu: number,
  ): void;
}

/** How to send a datagram with `Ip4.output` (every protocol's one way out). */
export interface IpOutputOptions {
  /** Destination address. */
  dst: number;
  /** IP protocol number of the payload. */
  proto: number;
  /** Source address; 0 or absent: chosen by `Ip4.selectSource` (a socket's bound address otherwise). */
  src?: number;
  /** 0 or absent: net.inet.ip.ttl (IP_TTL, IP_MULTICAST_TTL). */
  ttl?: number;
  /** Type of service byte (IP_TOS). */
  tos?: number;
  /** Set Don't Fragment (EMSGSIZE instead of fragmenting). */
  df?: boolean;
  /** Allow a broadcast destination (SO_BROADCAST); EACCES without it. */
  broadcast?: boolean;
  /** Force the outgoing interface (SO_BINDTODEVICE, IP_MULTICAST_IF, 255.255.255.255 before an address). */
  ifp?: Ifnet | null;
  /** IP options to put after the header (padded to 4 bytes), e.g. record route. */
  ipOptions?: Uint8Array;
}

/** Options of `Ip4.sendDatagram` (a datagram whose IP header is built already: IP_HDRINCL, forwarding). */
export interface IpSendOptions {
  broadcast?: boolean;
  ifp?: Ifnet | null;
}

/** The all-hosts group, always joined. */
const INADDR_ALLHOSTS_GROUP = 0xe000_0001;

export class Ip4 {
  private readonly stack: Stack;
  private readonly protocols: Array<IpProtocol | undefined> = new Array(256).fill(undefined);
  /** Every address configured on any interface (weak host model: accepted on any interface). */
  readonly localAddrs = new Map<number, IfAddr>();
  /**
   * rip_input, set by the socket layer's raw IP: sees every locally delivered datagram (IP
   * header first) before its protocol does; true when a raw socket took a copy. Lends `pb`.
   */
  rawInput: ((pb: Pbuf) => boolean) | null = null;
  /** Multicast groups joined (IPv4 addresses), besides 224.0.0.1. */
  readonly groups = new Set<number>();
  readonly reass: Reassembly;
  private nextId = 1;
  private readonly fragOut: Pbuf[] = [];

  constructor(stack: Stack) {
    this.stack = stack;
    this.reass = new Reassembly(stack);
  }

  register(proto: number, p: IpProtocol): void {
    if (this.protocols[proto] !== undefined) throw new Error(`IP protocol ${proto} already registered`);
    this.protocols[proto] = p;
  }

  unregister(proto: number): void {
    this.protocols[proto] = undefined;
  }

  protocol(proto: number): IpProtocol | undefined {
    return this.protocols[proto];
  }

  /** A fresh IP identification. */
  allocId(): number {
    const id = this.nextId;
    this.nextId = (id + 1) & 0xffff;
    return id;
  }

  /** ip_input: `pb.off` at the IP header, `pb.rcvif` set. Owns `pb`. */
  input(pb: Pbuf): void {
    const st = this.stack.stats.ip;
    st.total++;
    const b = pb.bytes;
    const off = pb.off;
    const ifp = pb.rcvif as Ifnet;
    const v = ipValidate(b, off, pb.len);
    if (v !== IPV_OK) {
      if (v === IPV_BADSUM) st.badsum++;
      else if (v === IPV_BADVERS) st.badvers++;
      else if (v === IPV_BADHLEN) st.badhlen++;
      else if (v === IPV_BADLEN) st.badlen++;
      else if (pb.len < IP_HDR_LEN) st.toosmall++;
      else st.tooshort++;
      pbufFree(pb);
      return;
    }
    pb.len = ipTotalLen(b, off); // drop Ethernet padding
    const hooks = this.stack.inetPfil.inHooks;
    if (hooks.length !== 0 && !this.pfilPass(hooks, pb, ifp, PFIL_IN)) return;
    const src = pb.view.getUint32(pb.off + 12);
    const dst = pb.view.getUint32(pb.off + 16);
    if (isMulticast4(src) || src === INADDR_BROADCAST || (isLoopback4(src) && !ifp.isLoopback)) {
      st.badaddr++;
      pbufFree(pb);
      return;
    }
    if (ipHlen(pb.bytes, pb.off) > IP_HDR_LEN) {
      const r = ipDoOptions(this.stack, pb);
      if (r === OPTS_DROPPED) return;
      if (r === OPTS_FORWARD) {
        this.forward(pb);
        return;
      }
    }
    if (this.localAddrs.has(dst)) {
      this.local(pb);
      return;
    }
    if (dst === INADDR_BROADCAST || dst === 0 || ifp.isBroadcastAddr(dst)) {
      pb.flags |= PB_BCAST;
      this.local(pb);
      return;
    }
    if (isMulticast4(dst)) {
      if (dst === INADDR_ALLHOSTS_GROUP || this.groups.has(dst)) {
        pb.flags |= PB_MCAST;
        this.local(pb);
      } else {
        st.notmember++;
        pbufFree(pb);
      }
      return;
    }
    if (this.stack.config.forwarding === 0 || pb.flags & (PB_BCAST | PB_MCAST) || ifp.isLoopback) {
      st.cantforward++;
      pbufFree(pb);
      return;
    }
    this.forward(pb);
  }

  private local(pb: Pbuf): void {
    let p = pb;
    if (ipOffWord(p.bytes, p.off) & (IP_MF | IP_OFFMASK)) {
      this.stack.stats.ip.fragments++;
      const whole = this.reass.input(p);
      if (whole === null) return;
      p = whole;
    }
    this.deliver(p);
  }

  private deliver(pb: Pbuf): void {
    const st = this.stack.stats.ip;
    const proto = ipProto(pb.bytes, pb.off);
    const handler = this.protocols[proto];
    const raw = this.rawInput !== null && this.rawInput(pb);
    if (handler === undefined) {
      if (raw) st.delivered++;
      else st.noproto++;
      if (!raw && (pb.flags & (PB_BCAST | PB_MCAST)) === 0)
        this.stack.icmp.error(pb, ICMP_UNREACH, ICMP_UNREACH_PROTOCOL, 0);
      pbufFree(pb);
      return;
    }
    st.delivered++;
    handler.input(pb, ipHlen(pb.bytes, pb.off));
  }

  /** ip_forward (RFC 1812): TTL, route, DF/MTU, then out with the checksum updated incrementally. */
  private forward(pb: Pbuf): void {
    const st = this.stack.stats.ip;
    const b = pb.bytes;
    const off = pb.off;
    const ttl = b[off + 8];
    if (ttl <= 1) {
      st.cantforward++;
      this.stack.icmp.error(pb, ICMP_TIMXCEED, ICMP_TIMXCEED_INTRANS, 0);
      pbufFree(pb);
      return;
    }
    const dst = pb.view.getUint32(off + 16);
    const rt = this.stack.routes.lookup(dst);
    if (rt === null || rt.flags & (RTF_REJECT | RTF_BLACKHOLE)) {
      st.noroute++;
      st.cantforward++;
      if (rt === null) {
        this.stack.rtEvents.miss(dst);
        this.stack.icmp.error(pb, ICMP_UNREACH, ICMP_UNREACH_NET, 0);
      } else if (rt.flags & RTF_REJECT) this.stack.icmp.error(pb, ICMP_UNREACH, ICMP_UNREACH_HOST, 0);
      pbufFree(pb);
      return;
    }
    const out = rt.ifp;
    if (out.isBroadcastAddr(dst) && this.stack.config.directedBroadcast === 0) {
      st.cantforward++;
      pbufFree(pb);
      return;
    }
    const mtu = rt.mtu || out.mtu;
    if (pb.len > mtu && ipOffWord(b, off) & IP_DF) {
      st.cantfrag++;
      st.cantforward++;
      this.stack.icmp.error(pb, ICMP_UNREACH, ICMP_UNREACH_NEEDFRAG, mtu);
      pbufFree(pb);
      return;
    }
    // TTL and protocol share one 16-bit word of the checksum.
    const proto = b[off + 9];
    const oldWord = (ttl << 8) | proto;
    b[off + 8] = ttl - 1;
    const c = cksumAdjust((b[off + 10] << 8) | b[off + 11], oldWord, ((ttl - 1) << 8) | proto);
    b[off + 10] = c >>> 8;
    b[off + 11] = c & 0xff;
    st.forward++;
    rt.use++;
    // Back out the way it came, from a sender on that link: it could reach the next hop itself
    // (ip_forward's redirect rule; not for the default route, as BSD).
    if (
      out === pb.rcvif &&
      this.stack.config.redirect !== 0 &&
      rt.prefixLen !== 0 &&
      out.subnetOf(pb.view.getUint32(off + 12)) !== undefined
    ) {
      st.redirectsent++;
      this.stack.icmp.error(pb, ICMP_REDIRECT, ICMP_REDIRECT_HOST, rt.flags & RTF_GATEWAY ? rt.gateway : dst);
    }
    pb.flags |= PB_FORWARDED;
    const hooks = this.stack.inetPfil.fwdHooks;
    if (hooks.length !== 0 && !this.pfilPass(hooks, pb, out, PFIL_FWD)) return;
    this.transmit(out, rt.flags & RTF_GATEWAY ? rt.gateway : dst, pb, mtu);
  }

  /** Runs IP-layer hooks; false (and `pb` freed, counted) when one drops the datagram. */
  private pfilPass(hooks: typeof this.stack.inetPfil.inHooks, pb: Pbuf, ifp: Ifnet, dir: number): boolean {
    if (pfilRun(hooks, pb, ifp, dir) !== PFIL_DROP) return true;
    this.stack.stats.ip.pfildrops++;
    pbufFree(pb);
    return false;
  }

  /**
   * in_selectsrc, the one source-address selection of the stack (every protocol asks here):
   * a destination that is ours answers from itself; otherwise the address of the outgoing
   * interface (`ifp` when forced, else the route's) on the destination's subnet, else that
   * interface's primary address; 0 when there is none (no route, or an unconfigured interface
   * such as DHCP's before its lease).
   */
  selectSource(dst: number, ifp: Ifnet | null = null): number {
    if (this.localAddrs.has(dst >>> 0)) return dst >>> 0;
    const via = ifp ?? this.route(dst)?.ifp ?? null;
    if (via === null) return 0;
    return via.subnetOf(dst)?.addr ?? via.addrs[0]?.addr ?? 0;
  }

  /**
   * ip_output: sends `pb` (at the transport header) with a new IP header built from `o`.
   * Owns `pb`; returns 0 or an errno.
   */
  output(pb: Pbuf, o: IpOutputOptions): number {
    const st = this.stack.stats.ip;
    const optLen = o.ipOptions === undefined ? 0 : (o.ipOptions.length + 3) & ~3;
    if (optLen > 40 || !pb.prepend(IP_HDR_LEN + optLen)) {
      st.odropped++;
      pbufFree(pb);
      return optLen > 40 ? ERRNO.EINVAL : ERRNO.ENOBUFS;
    }
    const ifp = o.ifp ?? null;
    const src = o.src || this.selectSource(o.dst, ifp);
    writeIpv4Header(
      pb.bytes,
      pb.view,
      pb.off,
      o.tos ?? 0,
      pb.len,
      this.allocId(),
      o.df ? IP_DF : 0,
      o.ttl || this.stack.config.ttl,
      o.proto,
      src,
      o.dst,
    );
    if (optLen !== 0) {
      const opts = o.ipOptions as Uint8Array;
      const b = pb.bytes;
      b.set(opts, pb.off + IP_HDR_LEN);
      b.fill(0, pb.off + IP_HDR_LEN + opts.length, pb.off + IP_HDR_LEN + optLen); // EOL padding
      b[pb.off] = 0x40 | ((IP_HDR_LEN + optLen) >>> 2);
      ipFillCksum(b, pb.off, IP_HDR_LEN + optLen);
    }
    st.localout++;
    return this.sendDatagram(pb, { broadcast: o.broadcast, ifp });
  }

  private route(dst: number): Route | null {
    return this.stack.routes.lookup(dst);
  }

  /**
   * Sends a complete datagram (`pb.off` at a finished IP header): to ourselves through loopback,
   * or routed out of an interface. Owns `pb`; returns 0 or an errno.
   */
  sendDatagram(pb: Pbuf, o: IpSendOptions = {}): number {
    const st = this.stack.stats.ip;
    const ifp = o.ifp ?? null;
    const allowBcast = o.broadcast === true;
    const dst = pb.view.getUint32(pb.off + 16);
    const hooks = this.stack.inetPfil.outHooks;
    if (this.localAddrs.has(dst)) {
      // A filter's drop is not an error for the sender (as with pfil on BSD).
      if (hooks.length !== 0 && !this.pfilPass(hooks, pb, this.stack.lo0, PFIL_OUT)) return 0;
      this.stack.loopback(pb);
      return 0;
    }
    if (dst === INADDR_BROADCAST || isMulticast4(dst)) {
      const out = ifp ?? this.route(dst)?.ifp ?? null;
      if (out === null) {
        st.noroute++;
        this.stack.rtEvents.miss(dst);
        pbufFree(pb);
        return ERRNO.ENETUNREACH;
      }
      if (dst === INADDR_BROADCAST && !allowBcast) {
        pbufFree(pb);
        return ERRNO.EACCES;
      }
      if (hooks.length !== 0 && !this.pfilPass(hooks, pb, out, PFIL_OUT)) return 0;
      return this.transmit(out, dst, pb, out.mtu);
    }
    const rt = ifp === null ? this.route(dst) : null;
    if (ifp === null && (rt === null || rt.flags & RTF_REJECT)) {
      st.noroute++;
      if (rt === null) this.stack.rtEvents.miss(dst);
      pbufFree(pb);
      return ERRNO.EHOSTUNREACH;
    }
    if (rt !== null && rt.flags & RTF_BLACKHOLE) {
      pbufFree(pb);
      return 0;
    }
    const out = ifp ?? (rt as Route).ifp;
    if (rt !== null) rt.use++;
    if (out.isBroadcastAddr(dst) && !allowBcast) {
      pbufFree(pb);
      return ERRNO.EACCES;
    }
    const nexthop = rt !== null && rt.flags & RTF_GATEWAY ? rt.gateway : dst;
    if (hooks.length !== 0 && !this.pfilPass(hooks, pb, out, PFIL_OUT)) return 0;
    return this.transmit(out, nexthop, pb, (rt !== null && rt.mtu) || out.mtu);
  }

  /** Fragments when needed, then hands each piece to the link. Owns `pb`. */
  private transmit(ifp: Ifnet, nexthop: number, pb: Pbuf, mtu: number): number {
    if (pb.len <= mtu) return this.linkOutput(ifp, nexthop, pb);
    const st = this.stack.stats.ip;
    const err = ip4Fragment(this.stack.pool, pb, mtu, this.fragOut);
    if (err !== 0) {
      if (err === ERRNO.EMSGSIZE) st.cantfrag++;
      else st.odropped++;
      return err;
    }
    st.fragmented++;
    st.ofragments += this.fragOut.length;
    // Copy the list out first: sending may re-enter fragmentation (loopback, ARP flush).
    const frags = this.fragOut.splice(0);
    let result = 0;
    for (const f of frags) {
      const e = this.linkOutput(ifp, nexthop, f);
      if (e !== 0 && result === 0) result = e;
    }
    return result;
  }

  /** Picks the link-level destination (broadcast, multicast map, or ARP) and sends. Owns `pb`. */
  private linkOutput(ifp: Ifnet, nexthop: number, pb: Pbuf): number {
    if (ifp.isLoopback) {
      this.stack.loopback(pb);
      return 0;
    }
    let mac: number;
    if (nexthop === INADDR_BROADCAST || ifp.isBroadcastAddr(nexthop)) mac = MAC_BROADCAST;
    else if (isMulticast4(nexthop)) mac = ipv4MulticastMac(nexthop);
    else {
      mac = this.stack.arp.resolve(ifp, nexthop, pb);
      if (mac < 0) return 0; // queued until ARP answers (or dropped and counted by ARP)
    }
    return this.stack.ether.output(ifp, pb, mac, ETHERTYPE_IPV4);
  }
}
