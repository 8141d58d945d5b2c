// The socket layer of one stack: the protocols sockets can be made of, their PCB tables, the
// live sockets, and the tunables (ephemeral port range, default buffer sizes) under
// net.inet.*. io-pkt creates one beside its Stack; the resource manager (server.ts) asks it
// for sockets.
import { KernelError } from "../../kernel/errno.ts";
import type { Ifnet } from "../stack/ifnet.ts";
import type { Stack } from "../stack/stack.ts";
import { Igmp } from "./igmp.ts";
import { AF_INET, AF_LOCAL, AF_ROUTE, SOCK_DGRAM, SOCK_RAW, SOCK_STREAM } from "./constants.ts";
import { PcbTable } from "./pcb.ts";
import type { ProtoSwitch } from "./protosw.ts";
import { Socket } from "./socket.ts";
import { LocalDomain } from "./local.ts";
import { RawIp } from "./raw.ts";
import { RouteSockets } from "./rtsock.ts";
import { Udp } from "./udp.ts";

export function createSocketConfig() {
  return {
    /** net.inet.ip.portrange.first / last: ephemeral ports (IANA's range, as NetBSD). */
    portFirst: 49152,
    portLast: 65535,
    /** net.inet.udp.sendspace / recvspace: default SO_SNDBUF / SO_RCVBUF of UDP sockets. */
    udpSendspace: 9216,
    udpRecvspace: 41600,
    /** net.inet.udp.checksum: compute checksums on output. */
    udpChecksum: 1,
    /** kern.sbmax: the largest SO_RCVBUF/SO_SNDBUF anyone may ask for. */
    sbmax: 262144,
  };
}
export type SocketConfig = ReturnType<typeof createSocketConfig>;

export class SocketLayer {
  readonly stack: Stack;
  readonly config: SocketConfig = createSocketConfig();
  readonly udp: Udp;
  readonly igmp: Igmp;
  readonly raw: RawIp;
  /** AF_LOCAL's names and its stream and datagram protocols. */
  readonly local = new LocalDomain();
  /** AF_ROUTE: routing sockets, told of every route, interface and address change. */
  readonly route: RouteSockets;
  private readonly protocols: ProtoSwitch[] = [];
  private readonly sockets = new Map<number, Socket>();
  private nextId = 1;

  /** Datagrams dropped so far because a receiving socket's buffer was full (UDP and raw). */
  rcvFullDrops(): number {
    return this.udp.stats.fullsock + this.raw.stats.fullsock;
  }

  constructor(stack: Stack) {
    this.stack = stack;
    const c = this.config;
    const s = stack.sysctl;
    s.addInt("net.inet.ip.portrange.first", c, "portFirst", "First ephemeral port", { min: 1, max: 65535 });
    s.addInt("net.inet.ip.portrange.last", c, "portLast", "Last ephemeral port", { min: 1, max: 65535 });
    s.addInt("net.inet.udp.sendspace", c, "udpSendspace", "Default UDP send buffer", { min: 1 });
    s.addInt("net.inet.udp.recvspace", c, "udpRecvspace", "Default UDP receive buffer", { min: 1 });
    s.addInt("net.inet.udp.checksum", c, "udpChecksum", "Compute UDP checksums on output", {
      min: 0,
      max: 1,
    });
    s.addInt("kern.sbmax", c, "sbmax", "Largest socket buffer", { min: 1024 });
    this.igmp = new Igmp(stack);
    this.udp = new Udp(this, this.newPcbTable());
    this.addProtocol(this.udp);
    this.raw = new RawIp(this, this.newPcbTable());
    this.addProtocol(this.raw);
    this.addProtocol(this.local.stream);
    this.addProtocol(this.local.dgram);
    this.route = new RouteSockets(stack);
    this.addProtocol(this.route);
  }

  /** A PCB table drawing ports from this layer's ephemeral range (UDP, TCP and raw each own one). */
  newPcbTable(): PcbTable {
    return new PcbTable(() => ({ first: this.config.portFirst, last: this.config.portLast }));
  }

  /** Registers a protocol (TCP calls this when it loads). */
  addProtocol(p: ProtoSwitch): void {
    if (
      this.protocols.some(
        (q) =>
          q.type === p.type && q.protocol === p.protocol && (q.domain ?? AF_INET) === (p.domain ?? AF_INET),
      )
    )
      throw new KernelError("EEXIST", `protocol ${p.name} already registered`);
    this.protocols.push(p);
  }

  private find(domain: number, type: number, protocol: number): ProtoSwitch {
    if (type !== SOCK_STREAM && type !== SOCK_DGRAM && type !== SOCK_RAW)
      throw new KernelError("EPROTOTYPE", `socket type ${type} is not supported`);
    const ours = this.protocols.filter((q) => (q.domain ?? AF_INET) === domain);
    const p =
      ours.find((q) => q.type === type && (protocol === 0 || q.protocol === protocol)) ??
      ours.find((q) => q.type === type && q.protocol === 0);
    if (p === undefined)
      throw new KernelError("EPROTONOSUPPORT", `protocol ${protocol} is not supported for type ${type}`);
    return p;
  }

  /** Default buffer sizes of a new socket (TCP's own sysctls come with TCP). */
  bufferSizes(p: ProtoSwitch): { send: number; recv: number } {
    void p;
    return { send: this.config.udpSendspace, recv: this.config.udpRecvspace };
  }

  /** IP_ADD_MEMBERSHIP: `ifp` null picks the interface the group routes out of. */
  joinGroup(group: number, ifp: Ifnet): void {
    this.igmp.join(group, ifp);
  }

  leaveGroup(group: number, ifp: Ifnet): void {
    this.igmp.leave(group, ifp);
  }

  /** socket(domain, type, protocol) for process `pid` (AF_ROUTE: protocol is an address family filter). */
  create(domain: number, type: number, protocol: number, pid: number): Socket {
    if (domain !== AF_INET && domain !== AF_LOCAL && domain !== AF_ROUTE)
      throw new KernelError("EAFNOSUPPORT", `address family ${domain} is not supported`);
    if (domain === AF_LOCAL && protocol !== 0)
      throw new KernelError("EPROTONOSUPPORT", `AF_LOCAL has no protocol ${protocol}`);
    const p = this.find(domain, type, protocol);
    const so = new Socket(this, this.nextId++, domain, p, protocol || p.protocol, pid);
    p.attach(so);
    this.sockets.set(so.id, so);
    return so;
  }

  /** A connection arriving on `listener` (TCP's sonewconn): attached, waiting to be established. */
  newConnection(listener: Socket): Socket | null {
    if (listener.acceptQ.length >= Math.max(1, listener.backlog)) return null;
    const so = new Socket(
      this,
      this.nextId++,
      listener.domain,
      listener.proto,
      listener.protocol,
      listener.pid,
    );
    so.options = listener.options;
    so.lingerSec = listener.lingerSec;
    so.rcv.hiwat = listener.rcv.hiwat;
    so.snd.hiwat = listener.snd.hiwat;
    so.head = listener;
    listener.proto.attach(so);
    this.sockets.set(so.id, so);
    return so;
  }

  get(id: number): Socket | undefined {
    return this.sockets.get(id);
  }

  list(): Socket[] {
    return [...this.sockets.values()];
  }

  /** The last close: the protocol lets go, queued connections are aborted. */
  close(so: Socket): void {
    if (so.closed) return;
    so.closed = true;
    for (const c of so.acceptQ.splice(0)) this.close(c);
    so.proto.abort(so);
    so.proto.detach(so);
    so.rcv.flush();
    so.rcv.eof = true;
    so.rcv.wake();
    so.snd.wake();
    this.sockets.delete(so.id);
  }
}
