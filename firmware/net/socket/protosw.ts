// The protocol switch (BSD's struct protosw + pr_usrreqs): what the socket layer asks of a
// protocol. UDP and raw IP implement it here; TCP plugs in the same way. The socket layer owns
// the socket, its buffers and the message protocol; the protocol owns its PCB and the wire.
//
// Contract for connection-oriented protocols (TCP):
// - `connect` starts the handshake and returns; the protocol calls `so.isConnected()` when
//   it completes, or `so.setError(errno)` + `so.isDisconnected()` when it fails.
// - `listen` marks the socket; for each new connection the protocol calls
//   `so.layer.newConnection(listener)` to get the child socket (already attached, buffers
//   sized from the listener) and `child.isConnected()` once established: the child then
//   waits in the listener's accept queue (bounded by the backlog).
// - Received bytes go into `so.rcv` (records of `SockData`, read as a stream); the socket
//   layer calls `rcvd(so)` after a reader took bytes (window update).
// - `send` gets the bytes a writer offers and returns how many it accepted into `so.snd`
//   (0 with space exhausted: the socket layer blocks or returns EWOULDBLOCK); when acked data
//   leaves `so.snd`, the protocol calls `so.snd.wake()` (writers and POLLOUT).
// - `shutdown(so, SHUT_WR)` sends FIN after queued data; the peer's FIN is `so.rcv.eof = true`
//   + `so.rcv.wake()`. `abort` is a reset (close without linger, listener teardown).
import type { Ifnet } from "../stack/ifnet.ts";
import type { SockAddr } from "./messages.ts";
import type { Socket } from "./socket.ts";

/** Ancillary data of one send (sendmsg control: IP_PKTINFO, MSG_DONTROUTE). */
export interface SendControl {
  flags: number;
  /** IP_PKTINFO: send out of this interface (null: routed). */
  ifp: Ifnet | null;
  /** IP_PKTINFO: source address (0: chosen). */
  src: number;
  /** The sender's user id (routing sockets: only root changes routes). */
  uid: number;
}

export interface ProtoSwitch {
  /** AF_INET when absent; AF_LOCAL for unix-domain sockets, AF_ROUTE for routing sockets. */
  readonly domain?: number;
  /** SOCK_DGRAM, SOCK_STREAM, SOCK_RAW. */
  readonly type: number;
  /** IPPROTO_UDP, IPPROTO_TCP, the raw protocol; 0 matches any for SOCK_RAW. */
  readonly protocol: number;
  /** What netstat prints in the Proto column ("udp", "tcp", "raw"). */
  readonly name: string;
  /** Creates the PCB; `so.pcb` is the protocol's from then on. */
  attach(so: Socket): void;
  /** The socket is going away (after `abort` or the last close). */
  detach(so: Socket): void;
  bind(so: Socket, addr: SockAddr): void;
  connect(so: Socket, addr: SockAddr): void;
  /** connect(AF_UNSPEC) on a datagram socket; the socket layer calls it on close too. */
  disconnect(so: Socket): void;
  listen?(so: Socket, backlog: number): void;
  /** Accepts (or refuses with ENOBUFS/EMSGSIZE/EWOULDBLOCK) `data` to `to` (null: connected peer); returns bytes taken. */
  send(so: Socket, data: Uint8Array, to: SockAddr | null, ctl: SendControl): number;
  /** A reader took bytes out of `so.rcv`. */
  rcvd?(so: Socket): void;
  shutdown(so: Socket, how: number): void;
  abort(so: Socket): void;
  /**
   * SO_LINGER with a nonzero time (BSD's soclose): starts the orderly close (TCP: FIN after the
   * queued data) and says whether the peer has acknowledged everything sent; the socket server
   * asks again at each wake-up of `so.snd`. With `expired` the linger time is over: the
   * protocol resets the connection (TCP: RST) and returns true. Left out: close never lingers.
   */
  lingerDrain?(so: Socket, expired: boolean): boolean;
  /** Protocol-level options (level is the protocol number: TCP_NODELAY …); undefined: not ours. */
  ctloutput?(
    so: Socket,
    set: boolean,
    level: number,
    name: number,
    value: Uint8Array,
  ): Uint8Array | undefined;
  sockaddr(so: Socket): SockAddr;
  peeraddr(so: Socket): SockAddr;
  /** netstat's (state) column. */
  stateText(so: Socket): string;
}
