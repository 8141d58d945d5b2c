// TCP behind the socket layer's protocol switch: SOCK_STREAM sockets of /dev/socket/2. Ports
// and bind rules come from the shared PCB table; a connection's TCB owns the send ring (its
// retransmission store) and the receive ring (its window); in-order bytes move into the
// socket's one receive SockBuf as it has room, and each reader's take opens the window again.
import { errnoName, KernelError } from "../../kernel/errno.ts";
import { IPPROTO_TCP } from "../wire/ipv4.ts";
import { AF_INET, SHUT_RD, SOCK_STREAM, SOL_SOCKET } from "../socket/constants.ts";
import type { SockAddr } from "../socket/messages.ts";
import type { InPcb, PcbTable } from "../socket/pcb.ts";
import type { ProtoSwitch } from "../socket/protosw.ts";
import type { SocketLayer } from "../socket/layer.ts";
import type { Socket } from "../socket/socket.ts";
import { checkInet } from "../socket/udp.ts";
import type { TcpEngine, TcpListener } from "./engine.ts";
import { TCP_STATE_NAMES, TCPS_CLOSED, TCPS_FIN_WAIT_2, TCPS_TIME_WAIT, haveRcvdSyn } from "./state.ts";
import { TE_CLOSED, TE_CONNECTED, TE_EOF, TE_ERROR, TE_READABLE, TE_WRITABLE, type Tcb } from "./tcb.ts";
import {
  applySocketOptions,
  applyTcpOptions,
  getTcpOption,
  newTcpUserOptions,
  setTcpOption,
  type TcpUserOptions,
} from "./tcp-sockopt.ts";
import { tcpAbort, tcpClose, tcpRead, tcpSend, tcpShutdown } from "./usrreq.ts";

interface TcpPcb {
  inp: InPcb;
  tcb: Tcb | null;
  listener: TcpListener | null;
  /** IPPROTO_TCP options set on the socket (a listener's children inherit them). */
  opts: TcpUserOptions;
}

function pcbOf(so: Socket): TcpPcb {
  return so.pcb as TcpPcb;
}

export class TcpSockets implements ProtoSwitch {
  readonly type = SOCK_STREAM;
  readonly protocol = IPPROTO_TCP;
  readonly name = "tcp";
  private readonly layer: SocketLayer;
  private readonly engine: TcpEngine;
  private readonly pcbs: PcbTable;

  constructor(layer: SocketLayer, engine: TcpEngine) {
    this.layer = layer;
    this.engine = engine;
    this.pcbs = layer.newPcbTable();
  }

  attach(so: Socket): void {
    so.pcb = {
      inp: this.pcbs.create(so),
      tcb: null,
      listener: null,
      opts: newTcpUserOptions(),
    } satisfies TcpPcb;
  }

  /** The socket is gone; a closing connection finishes its handshake in the engine alone. */
  detach(so: Socket): void {
    const p = pcbOf(so);
    if (p.tcb !== null) p.tcb.onEvent = null;
    this.pcbs.remove(p.inp);
  }

  bind(so: Socket, addr: SockAddr): void {
    const a = checkInet(addr);
    if (a.addr !== 0 && !this.layer.stack.ip.localAddrs.has(a.addr)) throw new KernelError("EADDRNOTAVAIL");
    this.pcbs.bind(pcbOf(so).inp, a.addr, a.port);
  }

  connect(so: Socket, addr: SockAddr): void {
    const a = checkInet(addr);
    const p = pcbOf(so);
    if (p.tcb !== null) throw new KernelError("EISCONN");
    if (a.port === 0) throw new KernelError("EADDRNOTAVAIL", "connect to port 0");
    const inp = p.inp;
    if (inp.lport === 0) this.pcbs.bind(inp, inp.laddr, 0);
    const faddr = a.addr === 0 ? 0x7f00_0001 : a.addr;
    const laddr = inp.laddr || this.layer.stack.ip.selectSource(faddr);
    if (laddr === 0) throw new KernelError("ENETUNREACH");
    if (this.engine.tupleInUse(laddr, inp.lport, faddr, a.port)) throw new KernelError("EADDRINUSE");
    inp.laddr = laddr;
    inp.faddr = faddr;
    inp.fport = a.port;
    so.state |= 0x2; // SS_ISCONNECTING
    p.tcb = this.engine.connect(
      laddr,
      inp.lport,
      faddr,
      a.port,
      (t, ev) => this.event(so, t, ev),
      undefined,
      (t) => applyTcpOptions(so, p.opts, t), // before the SYN: TCP_MAXSEG is in its MSS option
    );
  }

  disconnect(): void {
    throw new KernelError("EOPNOTSUPP", "TCP sockets cannot disconnect");
  }

  listen(so: Socket, backlog: number): void {
    const p = pcbOf(so);
    if (p.listener !== null) {
      p.listener.backlog = Math.max(1, backlog);
      return;
    }
    if (p.inp.lport === 0) this.pcbs.bind(p.inp, p.inp.laddr, 0);
    const l = this.engine.listen(p.inp.laddr, p.inp.lport, Math.max(1, Math.min(backlog, 128)));
    l.onConnection = () => this.accepted(so, l);
    p.listener = l;
  }

  /** Completed handshakes become child sockets in the listener's accept queue. */
  private accepted(head: Socket, l: TcpListener): void {
    while (l.queue.length > 0) {
      const child = this.layer.newConnection(head);
      if (child === null) return; // accept queue full: the TCB waits in ours
      const cp = pcbOf(child);
      const t = this.engine.accept(l, (tt, ev) => this.event(child, tt, ev)) as Tcb;
      cp.tcb = t;
      cp.opts = { ...pcbOf(head).opts };
      applyTcpOptions(child, cp.opts, t);
      cp.inp.laddr = t.laddr;
      cp.inp.lport = t.lport;
      cp.inp.faddr = t.faddr;
      cp.inp.fport = t.fport;
      child.isConnected();
      this.fill(child, t);
    }
  }

  private event(so: Socket, t: Tcb, ev: number): void {
    switch (ev) {
      case TE_CONNECTED:
        so.isConnected();
        break;
      case TE_READABLE:
      case TE_EOF:
        this.fill(so, t);
        break;
      case TE_WRITABLE:
        so.snd.wake();
        break;
      case TE_ERROR:
        so.setError(errnoName(t.error) ?? "ECONNRESET");
        so.isDisconnected();
        break;
      case TE_CLOSED:
        so.snd.wake();
        break;
    }
  }

  /** Moves in-order bytes from the TCB into the socket's receive buffer while it has room. */
  private fill(so: Socket, t: Tcb): void {
    for (;;) {
      const room = so.rcv.space();
      if (room <= 0 || t.rcvBuf.length === 0) break;
      const data = new Uint8Array(Math.min(room, t.rcvBuf.length));
      const n = tcpRead(t, data, 0, data.length);
      if (n === 0) break;
      so.rcv.append({ size: n, data: data.subarray(0, n), from: null, dst: 0, ifindex: 0 });
    }
    if (t.rcvFin && t.rcvBuf.length === 0) so.rcv.eof = true;
    so.rcv.wake();
  }

  send(so: Socket, data: Uint8Array): number {
    const t = pcbOf(so).tcb;
    if (t === null) throw new KernelError("ENOTCONN");
    const n = tcpSend(t, data, 0, data.byteLength);
    if (n < 0) throw new KernelError(errnoName(-n) ?? "EPIPE");
    return n;
  }

  rcvd(so: Socket): void {
    const t = pcbOf(so).tcb;
    if (t !== null) this.fill(so, t);
  }

  shutdown(so: Socket, how: number): void {
    const t = pcbOf(so).tcb;
    if (t !== null && how !== SHUT_RD) tcpShutdown(t);
  }

  /**
   * The last close (the socket layer calls abort then detach): a listener stops; a connection
   * closes with FIN after its queued data, or with RST when bytes were never read (RFC 2525
   * §2.17) or SO_LINGER is zero.
   */
  abort(so: Socket): void {
    const p = pcbOf(so);
    if (p.listener !== null) this.engine.unlisten(p.listener);
    p.listener = null;
    const t = p.tcb;
    if (t === null) return;
    t.onEvent = null;
    if (so.rcv.cc > 0 || t.rcvBuf.length > 0) tcpAbort(t);
    else tcpClose(t);
  }

  /** SO_LINGER's wait: done once our FIN (after all the data) is acknowledged or the connection
   * is gone; at the end of the linger time, a RST. Unread data or no connection: nothing to wait
   * for (close resets or just ends it). */
  lingerDrain(so: Socket, expired: boolean): boolean {
    const t = pcbOf(so).tcb;
    if (t === null || t.state === TCPS_CLOSED || t.state === TCPS_TIME_WAIT) return true;
    if (!haveRcvdSyn(t.state) || so.rcv.cc > 0 || t.rcvBuf.length > 0) return true;
    if (expired) {
      tcpAbort(t);
      return true;
    }
    tcpShutdown(t);
    return t.state === TCPS_FIN_WAIT_2 || (t.state as number) === TCPS_CLOSED;
  }

  /** IPPROTO_TCP options; after the socket layer took a SOL_SOCKET one, TCP applies it too. */
  ctloutput(
    so: Socket,
    set: boolean,
    level: number,
    name: number,
    value: Uint8Array,
  ): Uint8Array | undefined {
    const p = pcbOf(so);
    if (level === SOL_SOCKET) {
      if (set && p.tcb !== null) applySocketOptions(so, p.tcb);
      return new Uint8Array(0);
    }
    if (level !== IPPROTO_TCP) return undefined;
    if (!set) return getTcpOption(p.opts, p.tcb, this.engine, name);
    setTcpOption(p.opts, p.tcb, name, value);
    return new Uint8Array(0);
  }

  sockaddr(so: Socket): SockAddr {
    const p = pcbOf(so).inp;
    return { family: AF_INET, addr: p.laddr, port: p.lport, path: "" };
  }

  peeraddr(so: Socket): SockAddr {
    const p = pcbOf(so).inp;
    if (p.fport === 0) throw new KernelError("ENOTCONN");
    return { family: AF_INET, addr: p.faddr, port: p.fport, path: "" };
  }

  stateText(so: Socket): string {
    const t = pcbOf(so).tcb;
    return t === null ? "CLOSED" : TCP_STATE_NAMES[t.state];
  }
}
