// AF_LOCAL (unix-domain) sockets on /dev/socket/1 (BSD's uipc_usrreq.c): stream and datagram
// IPC between programs of one node. A bound socket's name is a path: bind creates it (and, with
// io-pkt's path space attached, an S_IFSOCK entry there that stays until unlinked, as the file
// stays on BSD); connect finds the socket by path. Stream data goes straight into the peer's
// receive buffer, so the sender blocks on the peer's space and wakes when the peer reads.
import { KernelError } from "../../kernel/errno.ts";
import { AF_LOCAL, SOCK_DGRAM, SOCK_STREAM } from "./constants.ts";
import type { SockAddr } from "./messages.ts";
import type { ProtoSwitch, SendControl } from "./protosw.ts";
import { SS_CANTRCVMORE, type Socket } from "./socket.ts";

/** sun_path's size on BSD: longer names are ENAMETOOLONG. */
export const LOCAL_PATH_MAX = 104;

/** Where bound names appear (io-pkt's path space); `publish` returns the withdrawal. */
export interface LocalPathSpace {
  publish(path: string, unlink: () => void): () => void;
}

/** One bound name: the socket holding it, or null once that closed (stale, until unlinked). */
interface LocalName {
  readonly path: string;
  so: Socket | null;
  withdraw: (() => void) | null;
}

interface LocalPcb {
  readonly so: Socket;
  name: LocalName | null;
  /** The connected peer (stream: the other end; datagram: the default destination). */
  peer: Socket | null;
  /** What getsockname shows without a name of its own (an accepted socket: the listener's). */
  shownPath: string;
}

function pcbOf(so: Socket): LocalPcb {
  return so.pcb as LocalPcb;
}

function addr(path: string): SockAddr {
  return { family: AF_LOCAL, port: 0, addr: 0, path };
}

/** The names of one stack's AF_LOCAL sockets, shared by the stream and datagram protocols. */
export class LocalDomain {
  readonly names = new Map<string, LocalName>();
  /** Set by io-pkt: bound names become path-space entries. Null: names live only here. */
  pathSpace: LocalPathSpace | null = null;
  readonly stream = new LocalProto(this, SOCK_STREAM);
  readonly dgram = new LocalProto(this, SOCK_DGRAM);

  bind(so: Socket, path: string): LocalName {
    if (this.names.has(path)) throw new KernelError("EADDRINUSE", `${path} exists`);
    const name: LocalName = { path, so, withdraw: null };
    this.names.set(path, name);
    if (this.pathSpace !== null) name.withdraw = this.pathSpace.publish(path, () => this.unlink(path));
    return name;
  }

  /** unlink(2) of the name: it can be bound again. */
  unlink(path: string): void {
    const name = this.names.get(path);
    if (name === undefined) return;
    this.names.delete(path);
    name.withdraw?.();
    if (name.so !== null) {
      const pcb = pcbOf(name.so);
      if (pcb.name === name) pcb.name = null;
    }
  }

  /** The socket bound at `path`: ENOENT without the name, ECONNREFUSED when nobody holds it. */
  lookup(path: string, type: number): Socket {
    const name = this.names.get(checkPath(path));
    if (name === undefined) throw new KernelError("ENOENT", `${path}: no such socket`);
    if (name.so === null || name.so.closed)
      throw new KernelError("ECONNREFUSED", `${path}: nobody listening`);
    if (name.so.type !== type) throw new KernelError("EPROTOTYPE", `${path} is a socket of another type`);
    return name.so;
  }

  /** The socket closed: its name stays (stale) while published in the path space, as on BSD. */
  release(so: Socket): void {
    const name = pcbOf(so).name;
    if (name === null) return;
    name.so = null;
    if (name.withdraw === null) this.names.delete(name.path);
  }
}

function checkPath(path: string): string {
  if (path === "") throw new KernelError("EINVAL", "empty AF_LOCAL name");
  if (!path.startsWith("/"))
    throw new KernelError("EINVAL", `AF_LOCAL name '${path}' is not an absolute path`);
  if (new TextEncoder().encode(path).byteLength >= LOCAL_PATH_MAX)
    throw new KernelError("ENAMETOOLONG", `AF_LOCAL name longer than ${LOCAL_PATH_MAX - 1} bytes`);
  return path;
}

function checkLocal(a: SockAddr): string {
  if (a.family !== AF_LOCAL)
    throw new KernelError("EAFNOSUPPORT", `address family ${a.family} is not AF_LOCAL`);
  return checkPath(a.path);
}

export class LocalProto implements ProtoSwitch {
  readonly domain = AF_LOCAL;
  readonly type: number;
  readonly protocol = 0;
  readonly name: string;
  private readonly dom: LocalDomain;

  constructor(dom: LocalDomain, type: number) {
    this.dom = dom;
    this.type = type;
    this.name = type === SOCK_STREAM ? "stream" : "dgram";
  }

  attach(so: Socket): void {
    const pcb: LocalPcb = { so, name: null, peer: null, shownPath: "" };
    so.pcb = pcb;
  }

  detach(so: Socket): void {
    this.dom.release(so);
  }

  bind(so: Socket, a: SockAddr): void {
    const pcb = pcbOf(so);
    if (pcb.name !== null) throw new KernelError("EINVAL", "socket is already bound");
    pcb.name = this.dom.bind(so, checkLocal(a));
  }

  listen(so: Socket): void {
    if (this.type !== SOCK_STREAM) throw new KernelError("EOPNOTSUPP", "datagram sockets do not listen");
    if (pcbOf(so).name === null) throw new KernelError("EDESTADDRREQ", "bind a name before listen");
  }

  connect(so: Socket, a: SockAddr): void {
    const pcb = pcbOf(so);
    const target = this.dom.lookup(checkLocal(a), this.type);
    if (this.type === SOCK_DGRAM) {
      pcb.peer = target;
      so.isConnected();
      return;
    }
    if (so.connected) throw new KernelError("EISCONN");
    if (!target.listening) throw new KernelError("ECONNREFUSED", `${a.path}: not listening`);
    const child = so.layer.newConnection(target);
    if (child === null) throw new KernelError("ECONNREFUSED", `${a.path}: backlog full`);
    const cpcb = pcbOf(child);
    cpcb.peer = so;
    cpcb.shownPath = a.path;
    pcb.peer = child;
    so.isConnected();
    child.isConnected(); // joins the listener's accept queue
  }

  disconnect(so: Socket): void {
    if (this.type === SOCK_STREAM)
      throw new KernelError("EOPNOTSUPP", "a stream cannot dissolve its connection");
    pcbOf(so).peer = null;
    so.state &= ~1;
  }

  send(so: Socket, data: Uint8Array, to: SockAddr | null, ctl: SendControl): number {
    void ctl;
    const pcb = pcbOf(so);
    if (this.type === SOCK_STREAM) {
      if (to !== null) throw new KernelError("EISCONN", "a stream socket sends to its peer");
      const peer = pcb.peer;
      if (peer === null) throw new KernelError(so.rcv.eof ? "EPIPE" : "ENOTCONN");
      if (peer.closed || peer.state & SS_CANTRCVMORE) throw new KernelError("EPIPE");
      const n = Math.min(data.byteLength, peer.rcv.space());
      if (n === 0) return 0; // blocks until the peer reads (rcvd wakes our snd)
      peer.rcv.append({ size: n, data: data.slice(0, n), from: null, dst: 0, ifindex: 0 });
      return n;
    }
    let target: Socket;
    if (to === null) {
      if (pcb.peer === null) throw new KernelError("EDESTADDRREQ");
      target = pcb.peer;
      if (target.closed) throw new KernelError("ECONNREFUSED", "the peer closed");
    } else {
      if (pcb.peer !== null) throw new KernelError("EISCONN");
      target = this.dom.lookup(checkLocal(to), SOCK_DGRAM);
    }
    if (data.byteLength > target.rcv.hiwat)
      throw new KernelError("EMSGSIZE", "datagram larger than the receiver's buffer");
    const ok = target.rcv.append({
      size: data.byteLength,
      data: data.slice(),
      from: addr(pcb.name?.path ?? ""),
      dst: 0,
      ifindex: 0,
    });
    // BSD's unix datagrams: a full receiver is ENOBUFS for the sender (counted at the receiver).
    if (!ok) throw new KernelError("ENOBUFS", "the receiver's buffer is full");
    return data.byteLength;
  }

  rcvd(so: Socket): void {
    pcbOf(so).peer?.snd.wake();
  }

  shutdown(so: Socket, how: number): void {
    const peer = pcbOf(so).peer;
    if (this.type !== SOCK_STREAM || peer === null || how === 0) return;
    peer.rcv.eof = true; // the peer reads what is queued, then end of file
    peer.rcv.wake();
  }

  abort(so: Socket): void {
    const pcb = pcbOf(so);
    const peer = pcb.peer;
    pcb.peer = null;
    if (peer === null || this.type !== SOCK_STREAM) return;
    pcbOf(peer).peer = null;
    peer.isDisconnected();
  }

  sockaddr(so: Socket): SockAddr {
    const pcb = pcbOf(so);
    return addr(pcb.name?.path ?? pcb.shownPath);
  }

  peeraddr(so: Socket): SockAddr {
    const peer = pcbOf(so).peer;
    if (peer === null) throw new KernelError("ENOTCONN");
    const p = pcbOf(peer);
    return addr(p.name?.path ?? p.shownPath);
  }

  stateText(so: Socket): string {
    return so.listening ? "LISTEN" : "";
  }
}
