// UDP (RFC 768, RFC 1122 §4.1): input with checksum (zero means none), delivery to the one
// best-matching socket or, for broadcast and multicast, to every matching one; ICMP port
// unreachable when nobody listens; ECONNREFUSED on connected sockets from port unreachable;
// output through Ip4.output. Counters are `netstat -s`'s udp section.
import { ERRNO, KernelError, errnoName } from "../../kernel/errno.ts";
import type { Ifnet } from "../stack/ifnet.ts";
import type { IpProtocol } from "../stack/ip4.ts";
import { PB_BCAST, PB_MCAST, pbufFree, type Pbuf } from "../stack/pbuf.ts";
import { ICMP_UNREACH, ICMP_UNREACH_PORT } from "../wire/icmp.ts";
import { INADDR_BROADCAST, isMulticast4 } from "../wire/ipv4-addr.ts";
import { IPPROTO_UDP } from "../wire/ipv4.ts";
import { UDP_HDR_LEN, udpChecksumOk, udpFillCksum, writeUdpHeader } from "../wire/udp.ts";
import { AF_INET, MSG_DONTROUTE, SO_BROADCAST, SO_TIMESTAMP, SOCK_DGRAM } from "./constants.ts";
import type { SocketLayer } from "./layer.ts";
import { NO_ADDR, type SockAddr } from "./messages.ts";
import type { InPcb, PcbTable } from "./pcb.ts";
import type { ProtoSwitch, SendControl } from "./protosw.ts";
import type { Socket } from "./socket.ts";
import { LastSender, SlabCopier } from "./rx-copy.ts";

/** Largest UDP payload over IPv4 (65535 - 20 - 8). */
export const UDP_MAX_PAYLOAD = 65507;

export function createUdpStats() {
  return {
    ipackets: 0,
    hdrops: 0,
    badsum: 0,
    badlen: 0,
    noport: 0,
    noportbcast: 0,
    fullsock: 0,
    delivered: 0,
    opackets: 0,
    oerrors: 0,
  };
}
export type UdpStats = ReturnType<typeof createUdpStats>;

export class Udp implements ProtoSwitch, IpProtocol {
  readonly type = SOCK_DGRAM;
  readonly protocol = IPPROTO_UDP;
  readonly name = "udp";
  readonly stats: UdpStats = createUdpStats();
  readonly pcbs: PcbTable;
  private readonly layer: SocketLayer;
  private readonly matches: InPcb[] = [];
  /** Where delivered payloads are copied (slabs, not one buffer each). */
  private readonly copies = new SlabCopier();
  /** The sender address of the last datagram, reused while the same peer sends. */
  private readonly senders = new LastSender();

  constructor(layer: SocketLayer, pcbs: PcbTable) {
    this.layer = layer;
    this.pcbs = pcbs;
    layer.stack.ip.register(IPPROTO_UDP, this);
  }

  // ---- input (per packet: synchronous, no allocation beyond the delivered copy) ----

  input(pb: Pbuf, hlen: number): void {
    const st = this.stats;
    st.ipackets++;
    const b = pb.bytes;
    const ipOff = pb.off;
    const u = ipOff + hlen;
    const avail = pb.len - hlen;
    if (avail < UDP_HDR_LEN) {
      st.hdrops++;
      pbufFree(pb);
      return;
    }
    const ulen = (b[u + 4] << 8) | b[u + 5];
    if (ulen < UDP_HDR_LEN || ulen > avail) {
      st.badlen++;
      pbufFree(pb);
      return;
    }
    const v = pb.view;
    const src = v.getUint32(ipOff + 12);
    const dst = v.getUint32(ipOff + 16);
    const sport = (b[u] << 8) | b[u + 1];
    const dport = (b[u + 2] << 8) | b[u + 3];
    const ifp = pb.rcvif;
    const ifindex = ifp?.index ?? 0;
    const group = (pb.flags & (PB_BCAST | PB_MCAST)) !== 0 || isMulticast4(dst) || dst === INADDR_BROADCAST;
    const pcb = group ? null : this.pcbs.lookup(dst, dport, src, sport, ifp);
    // A unicast datagram for a full socket is dropped before its checksum is summed: a flood's
    // excess costs a lookup and a counter (counted as fullsock even if its checksum is bad).
    if (pcb !== null && !pcb.so.rcv.fits(ulen - UDP_HDR_LEN)) {
      pcb.so.rcv.drops++;
      st.fullsock++;
      pbufFree(pb);
      return;
    }
    if (!udpChecksumOk(b, u, ulen, src, dst)) {
      st.badsum++;
      pbufFree(pb);
      return;
    }
    if (group) {
      const all = this.matches;
      this.pcbs.matchAll(dst, dport, src, sport, ifp, all);
      if (all.length === 0) st.noportbcast++;
      for (const m of all) this.deliver(m.so, b, u, ulen, src, sport, dst, ifindex);
      all.length = 0;
      pbufFree(pb);
      return;
    }
    if (pcb === null) {
      st.noport++;
      this.layer.stack.icmp.error(pb, ICMP_UNREACH, ICMP_UNREACH_PORT, 0);
      pbufFree(pb);
      return;
    }
    this.deliver(pcb.so, b, u, ulen, src, sport, dst, ifindex);
    pbufFree(pb);
  }

  private deliver(
    so: Socket,
    b: Uint8Array,
    u: number,
    ulen: number,
    src: number,
    sport: number,
    dst: number,
    ifindex: number,
  ): void {
    // A full buffer is checked before the copy: a flood's excess costs a counter, not a buffer.
    if (!so.rcv.fits(ulen - UDP_HDR_LEN)) {
      so.rcv.drops++;
      this.stats.fullsock++;
      return;
    }
    const ok = so.rcv.append({
      size: ulen - UDP_HDR_LEN,
      data: this.copies.copy(b, u + UDP_HDR_LEN, u + ulen),
      from: this.senders.get(src, sport),
      dst,
      ifindex,
      tsUs: so.options & SO_TIMESTAMP ? Math.round(this.layer.stack.clock.now() * 1000) : undefined,
    });
    if (ok) this.stats.delivered++;
    else this.stats.fullsock++;
  }

  /** Port unreachable for a datagram a connected socket sent: ECONNREFUSED on its next call. */
  ctlinput(type: number, code: number, from: number, pb: Pbuf, q: number, quotedLen: number): void {
    if (type !== ICMP_UNREACH) return;
    const b = pb.bytes;
    const qhlen = (b[q] & 0x0f) * 4;
    if (quotedLen < qhlen + 4) return;
    const v = pb.view;
    const laddr = v.getUint32(q + 12);
    const faddr = v.getUint32(q + 16);
    const lport = (b[q + qhlen] << 8) | b[q + qhlen + 1];
    const fport = (b[q + qhlen + 2] << 8) | b[q + qhlen + 3];
    const pcb = this.pcbs.connected(laddr, lport, faddr, fport);
    if (pcb === null) return;
    void from;
    pcb.so.setError(code === ICMP_UNREACH_PORT ? "ECONNREFUSED" : "EHOSTUNREACH");
  }

  // ---- the protocol switch ----

  attach(so: Socket): void {
    so.pcb = this.pcbs.create(so);
  }

  detach(so: Socket): void {
    const pcb = pcbOf(so);
    for (const [group, ifp] of pcb.groups) this.layer.leaveGroup(group, ifp);
    pcb.groups.clear();
    this.pcbs.remove(pcb);
  }

  bind(so: Socket, addr: SockAddr): void {
    const laddr = checkInet(addr).addr;
    if (
      laddr !== 0 &&
      !isMulticast4(laddr) &&
      laddr !== INADDR_BROADCAST &&
      !this.layer.stack.ip.localAddrs.has(laddr)
    )
      throw new KernelError("EADDRNOTAVAIL");
    this.pcbs.bind(pcbOf(so), laddr, addr.port);
  }

  connect(so: Socket, addr: SockAddr): void {
    const a = checkInet(addr);
    if (a.port === 0) throw new KernelError("EADDRNOTAVAIL", "connect to port 0");
    const pcb = pcbOf(so);
    if (pcb.lport === 0) this.pcbs.bind(pcb, 0, 0);
    pcb.faddr = a.addr === 0 ? this.layer.stack.ip.selectSource(a.addr) || 0x7f000001 : a.addr;
    pcb.fport = a.port;
    so.isConnected();
  }

  disconnect(so: Socket): void {
    const pcb = pcbOf(so);
    pcb.faddr = 0;
    pcb.fport = 0;
    so.state &= ~1;
  }

  send(so: Socket, data: Uint8Array, to: SockAddr | null, ctl: SendControl): number {
    const pcb = pcbOf(so);
    let dst: number;
    let dport: number;
    if (to === null) {
      if (pcb.fport === 0) throw new KernelError("EDESTADDRREQ");
      dst = pcb.faddr;
      dport = pcb.fport;
    } else {
      if (pcb.fport !== 0) throw new KernelError("EISCONN");
      const a = checkInet(to);
      if (a.port === 0) throw new KernelError("EADDRNOTAVAIL", "send to port 0");
      dst = a.addr;
      dport = a.port;
    }
    if (data.byteLength > UDP_MAX_PAYLOAD) throw new KernelError("EMSGSIZE");
    if (data.byteLength > so.snd.hiwat) throw new KernelError("EMSGSIZE", "datagram larger than SO_SNDBUF");
    if (pcb.lport === 0) this.pcbs.bind(pcb, 0, 0);
    const stack = this.layer.stack;
    const mcast = isMulticast4(dst);
    const ifp: Ifnet | null = ctl.ifp ?? (mcast ? so.ip.multicastIf : null) ?? so.boundIf;
    const src =
      ctl.src ||
      (pcb.laddr !== 0 && !isMulticast4(pcb.laddr) ? pcb.laddr : 0) ||
      stack.ip.selectSource(dst, ifp);
    const ulen = UDP_HDR_LEN + data.byteLength;
    const pb = stack.pool.allocSize(ulen + 60);
    if (pb === null) {
      this.stats.oerrors++;
      throw new KernelError("ENOBUFS");
    }
    pb.len = ulen;
    writeUdpHeader(pb.bytes, pb.off, pcb.lport, dport, ulen);
    pb.bytes.set(data, pb.off + UDP_HDR_LEN);
    if (this.layer.config.udpChecksum) udpFillCksum(pb.bytes, pb.off, ulen, src, dst);
    if (mcast && so.ip.multicastLoop && stack.ip.groups.has(dst))
      this.loopMulticast(pb.bytes, pb.off, ulen, src, dst, ifp);
    this.stats.opackets++;
    const err = stack.ip.output(pb, {
      dst,
      proto: IPPROTO_UDP,
      src,
      ttl: mcast ? so.ip.multicastTtl || 1 : so.ip.ttl,
      tos: so.ip.tos,
      df: so.ip.dontfrag,
      ipOptions: so.ip.options ?? undefined,
      broadcast: (so.options & SO_BROADCAST) !== 0,
      ifp: ctl.flags & MSG_DONTROUTE ? ifp : ifp,
    });
    if (err !== 0) {
      this.stats.oerrors++;
      throw new KernelError(errnoName(err) ?? "EIO");
    }
    return data.byteLength;
  }

  /** IP_MULTICAST_LOOP: our own members of `dst` hear what we send to it. */
  private loopMulticast(
    b: Uint8Array,
    u: number,
    ulen: number,
    src: number,
    dst: number,
    ifp: Ifnet | null,
  ): void {
    const all = this.matches;
    const sport = (b[u] << 8) | b[u + 1];
    const dport = (b[u + 2] << 8) | b[u + 3];
    this.pcbs.matchAll(dst, dport, src, sport, ifp, all);
    for (const pcb of all) this.deliver(pcb.so, b, u, ulen, src, sport, dst, ifp?.index ?? 0);
    all.length = 0;
  }

  shutdown(so: Socket, how: number): void {
    void so;
    void how;
  }

  abort(so: Socket): void {
    void so;
  }

  sockaddr(so: Socket): SockAddr {
    const p = pcbOf(so);
    return { family: AF_INET, addr: p.laddr, port: p.lport, path: "" };
  }

  peeraddr(so: Socket): SockAddr {
    const p = pcbOf(so);
    if (p.fport === 0) throw new KernelError("ENOTCONN");
    return { family: AF_INET, addr: p.faddr, port: p.fport, path: "" };
  }

  stateText(): string {
    return "";
  }
}

export function pcbOf(so: Socket): InPcb {
  return so.pcb as InPcb;
}

/** An AF_INET address, or EAFNOSUPPORT naming what came instead. */
export function checkInet(a: SockAddr): SockAddr {
  if (a.family !== AF_INET)
    throw new KernelError("EAFNOSUPPORT", `address family ${a.family} is not AF_INET`);
  if (a.port > 0xffff) throw new KernelError("EINVAL", `port ${a.port}`);
  return a;
}

export { NO_ADDR, ERRNO };
