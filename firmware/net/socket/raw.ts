// Raw IP sockets (BSD's raw_ip.c): SOCK_RAW on /dev/socket/2. Every datagram the stack
// delivers locally is offered here first (rip_input): each raw socket whose protocol (0: any),
// bound local address and connected foreign address match gets a copy, IP header included.
// On send the socket's protocol gets a header built by ip.output, or with IP_HDRINCL the
// caller's own header goes out as written (checksum, identification and a zero source filled
// in, as BSD does). ping (ICMP) and routing daemons use it.
import { ERRNO, KernelError, errnoName } from "../../kernel/errno.ts";
import type { Ifnet } from "../stack/ifnet.ts";
import { pbufFree, type Pbuf } from "../stack/pbuf.ts";
import {
  IP_DF,
  IP_HDR_LEN,
  ipFillCksum,
  ipHlen,
  ipProto,
  ipTotalLen,
  ipVersion,
  setIpOffWord,
  ipOffWord,
} from "../wire/ipv4.ts";
import { ICMP_MAXTYPE } from "../wire/icmp.ts";
import { AF_INET, IPPROTO_ICMP, IPPROTO_RAW, SO_BROADCAST, SO_TIMESTAMP, SOCK_RAW } from "./constants.ts";
import type { SocketLayer } from "./layer.ts";
import type { SockAddr } from "./messages.ts";
import type { InPcb, PcbTable } from "./pcb.ts";
import type { ProtoSwitch, SendControl } from "./protosw.ts";
import type { Socket } from "./socket.ts";
import { checkInet, pcbOf } from "./udp.ts";

/** Largest datagram a raw socket sends (the IP total length field). */
const IP_MAXPACKET = 65535;

export function createRawStats() {
  return { delivered: 0, fullsock: 0, opackets: 0, oerrors: 0 };
}

export class RawIp implements ProtoSwitch {
  readonly type = SOCK_RAW;
  /** Matches any protocol number: the socket's own is `so.protocol`. */
  readonly protocol = 0;
  readonly name = "raw";
  readonly stats = createRawStats();
  readonly pcbs: PcbTable;
  private readonly layer: SocketLayer;

  constructor(layer: SocketLayer, pcbs: PcbTable) {
    this.layer = layer;
    this.pcbs = pcbs;
    layer.stack.ip.rawInput = (pb) => this.input(pb);
  }

  /**
   * rip_input: copies the datagram at `pb` (IP header first) to every matching raw socket.
   * Lends `pb`; returns true when some socket took a copy (so no protocol unreachable).
   */
  input(pb: Pbuf): boolean {
    if (this.pcbs.all.size === 0) return false;
    const b = pb.bytes;
    const proto = ipProto(b, pb.off);
    const src = pb.view.getUint32(pb.off + 12);
    const dst = pb.view.getUint32(pb.off + 16);
    const ifp = pb.rcvif;
    let taken = false;
    for (const pcb of this.pcbs.all) {
      const so = pcb.so;
      if (so.protocol !== 0 && so.protocol !== proto) continue;
      if (pcb.laddr !== 0 && pcb.laddr !== dst) continue;
      if (pcb.faddr !== 0 && pcb.faddr !== src) continue;
      if (so.boundIf !== null && ifp !== null && so.boundIf !== ifp) continue;
      const data = b.slice(pb.off, pb.off + pb.len);
      const ok = so.rcv.append({
        size: data.byteLength,
        data,
        from: { family: AF_INET, port: 0, addr: src, path: "" },
        dst,
        ifindex: ifp?.index ?? 0,
        tsUs: so.options & SO_TIMESTAMP ? Math.round(this.layer.stack.clock.now() * 1000) : undefined,
      });
      if (ok) this.stats.delivered++;
      else this.stats.fullsock++;
      taken = true;
    }
    return taken;
  }

  attach(so: Socket): void {
    if (so.protocol > 255) throw new KernelError("EINVAL", `IP protocol ${so.protocol}`);
    so.pcb = this.pcbs.create(so);
  }

  detach(so: Socket): void {
    this.pcbs.remove(pcbOf(so));
  }

  /** rip_bind: a local address (no port) the socket receives on and sends from. */
  bind(so: Socket, addr: SockAddr): void {
    const a = checkInet(addr).addr;
    if (a !== 0 && !this.layer.stack.ip.localAddrs.has(a))
      throw new KernelError("EADDRNOTAVAIL", "that address is not ours");
    pcbOf(so).laddr = a;
  }

  /** rip_connect: only datagrams from `addr` are received; send() goes there. */
  connect(so: Socket, addr: SockAddr): void {
    const a = checkInet(addr).addr;
    if (a === 0) throw new KernelError("EADDRNOTAVAIL", "connect to 0.0.0.0");
    pcbOf(so).faddr = a;
    so.isConnected();
  }

  disconnect(so: Socket): void {
    pcbOf(so).faddr = 0;
    so.state &= ~1;
  }

  send(so: Socket, data: Uint8Array, to: SockAddr | null, ctl: SendControl): number {
    const pcb = pcbOf(so);
    let dst: number;
    if (to === null) {
      if (pcb.faddr === 0) throw new KernelError("EDESTADDRREQ");
      dst = pcb.faddr;
    } else {
      if (pcb.faddr !== 0) throw new KernelError("EISCONN");
      dst = checkInet(to).addr;
    }
    if (data.byteLength > so.snd.hiwat && data.byteLength > IP_MAXPACKET) throw new KernelError("EMSGSIZE");
    const stack = this.layer.stack;
    const ifp: Ifnet | null = ctl.ifp ?? so.boundIf;
    const pb = stack.pool.allocSize(data.byteLength + 60);
    if (pb === null) {
      this.stats.oerrors++;
      throw new KernelError("ENOBUFS");
    }
    pb.len = data.byteLength;
    pb.bytes.set(data, pb.off);
    const err = so.ip.hdrincl
      ? this.sendHdrincl(so, pb, dst, ifp)
      : this.sendBuilt(so, pcb, pb, dst, ifp, ctl);
    if (err !== 0) {
      this.stats.oerrors++;
      throw new KernelError(errnoName(err) ?? "EIO");
    }
    this.stats.opackets++;
    // ICMP a program sends (ping) shows in netstat -s's output histogram beside the stack's own.
    if (so.protocol === IPPROTO_ICMP && !so.ip.hdrincl && data.byteLength > 0 && data[0] <= ICMP_MAXTYPE)
      stack.stats.icmp.outhist[data[0]]++;
    return data.byteLength;
  }

  private sendBuilt(
    so: Socket,
    pcb: InPcb,
    pb: Pbuf,
    dst: number,
    ifp: Ifnet | null,
    ctl: SendControl,
  ): number {
    if (pb.len + IP_HDR_LEN > IP_MAXPACKET) {
      pbufFree(pb);
      return ERRNO.EMSGSIZE;
    }
    const ip = this.layer.stack.ip;
    return ip.output(pb, {
      dst,
      proto: so.protocol === 0 ? IPPROTO_RAW : so.protocol,
      src: ctl.src || pcb.laddr || ip.selectSource(dst, ifp),
      ttl: so.ip.ttl,
      tos: so.ip.tos,
      df: so.ip.dontfrag,
      broadcast: (so.options & SO_BROADCAST) !== 0,
      ifp,
      ipOptions: so.ip.options ?? undefined,
    });
  }

  /** IP_HDRINCL: the caller wrote the header; we check it and fill id, checksum and source. */
  private sendHdrincl(so: Socket, pb: Pbuf, dst: number, ifp: Ifnet | null): number {
    const b = pb.bytes;
    const off = pb.off;
    const bad = (why: string): never => {
      pbufFree(pb);
      throw new KernelError("EINVAL", `IP_HDRINCL: ${why}`);
    };
    if (pb.len < IP_HDR_LEN) bad(`${pb.len} bytes is shorter than an IP header`);
    if (ipVersion(b, off) !== 4) bad(`version ${ipVersion(b, off)}`);
    const hlen = ipHlen(b, off);
    if (hlen < IP_HDR_LEN || hlen > pb.len) bad(`header length ${hlen}`);
    if (ipTotalLen(b, off) !== pb.len) bad(`total length ${ipTotalLen(b, off)} is not ${pb.len} bytes sent`);
    const ip = this.layer.stack.ip;
    const v = pb.view;
    // BSD raw_ip: the destination of sendto wins; a zero id or source is filled in.
    v.setUint32(off + 16, dst);
    if (v.getUint32(off + 12) === 0) v.setUint32(off + 12, ip.selectSource(dst, ifp));
    if (v.getUint16(off + 4) === 0) v.setUint16(off + 4, ip.allocId());
    if (so.ip.dontfrag) setIpOffWord(b, off, ipOffWord(b, off) | IP_DF);
    ipFillCksum(b, off, hlen);
    return ip.sendDatagram(pb, { broadcast: (so.options & SO_BROADCAST) !== 0, ifp });
  }

  shutdown(): void {}

  abort(): void {}

  sockaddr(so: Socket): SockAddr {
    return { family: AF_INET, addr: pcbOf(so).laddr, port: 0, path: "" };
  }

  peeraddr(so: Socket): SockAddr {
    const p = pcbOf(so);
    if (p.faddr === 0) throw new KernelError("ENOTCONN");
    return { family: AF_INET, addr: p.faddr, port: 0, path: "" };
  }

  stateText(): string {
    return "";
  }
}
