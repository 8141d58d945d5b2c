// The socket API a program sees on `ctx.sockets` (the libsocket of this runtime). Types only:
// client.ts implements it as messages to io-pkt's /dev/socket/<domain>; docs/sockets.md
// describes every call. Descriptors are ordinary file descriptors: read/write/close and
// `poll` work on them as on files.

/** An AF_INET address ("10.0.0.1", port) or an AF_LOCAL path. */
export type SocketAddress =
  { family: "inet"; address: string; port: number } | { family: "local"; path: string };

export interface RecvResult {
  data: Uint8Array;
  /** The sender (datagram sockets); null for a stream or at end of file. */
  from: SocketAddress | null;
  /** MSG_TRUNC: the datagram was longer than asked for; the rest is gone. */
  truncated: boolean;
}

export interface RecvMsgResult extends RecvResult {
  /** IP_RECVDSTADDR: the address it was sent to (a broadcast or group address, or ours). */
  dstAddress: string;
  /** IP_PKTINFO: index of the interface it arrived on. */
  ifindex: number;
  /** SO_TIMESTAMP: when io-pkt received it, µs of its clock (0 without the option). */
  timestampUs: number;
}

/** recvmmsg's limits; every field has a default. */
export interface RecvMmsgOptions {
  /** Datagrams at most (default 64, at most 1024). */
  count?: number;
  /** Bytes kept of each datagram (default 65536); longer ones are cut and marked truncated. */
  max?: number;
  /** MSG_DONTWAIT, MSG_PEEK. */
  flags?: number;
}

export interface SendMsgOptions {
  /** Destination; omitted on a connected socket. */
  to?: SocketAddress;
  flags?: number;
  /** IP_PKTINFO-style: send out of this interface index / from this source address. */
  ifindex?: number;
  src?: string;
}

export interface PollFd {
  fd: number;
  /** POLLIN | POLLOUT. */
  events: number;
}

/** A socket option value: integers and booleans as int, strings (SO_BINDTODEVICE) as bytes. */
export type SockoptValue = number | boolean | string | Uint8Array;

export interface SocketClient {
  /** socket(2): `domain` AF_INET, `type` SOCK_DGRAM/SOCK_STREAM/SOCK_RAW. Returns a descriptor. */
  socket(domain: number, type: number, protocol?: number): Promise<number>;
  bind(fd: number, addr: SocketAddress): Promise<void>;
  connect(fd: number, addr: SocketAddress | null): Promise<void>;
  listen(fd: number, backlog?: number): Promise<void>;
  accept(fd: number): Promise<{ fd: number; from: SocketAddress | null }>;
  send(fd: number, data: string | Uint8Array, flags?: number): Promise<number>;
  sendto(fd: number, data: string | Uint8Array, to: SocketAddress, flags?: number): Promise<number>;
  sendmsg(fd: number, data: string | Uint8Array, opts?: SendMsgOptions): Promise<number>;
  recv(fd: number, max?: number, flags?: number): Promise<Uint8Array>;
  recvfrom(fd: number, max?: number, flags?: number): Promise<RecvResult>;
  recvmsg(fd: number, max?: number, flags?: number): Promise<RecvMsgResult>;
  /**
   * recvmmsg(2) with MSG_WAITFORONE: blocks (unless non-blocking) until a datagram is queued,
   * then returns every queued one up to the limits, oldest first, in one message to io-pkt.
   * An empty array is end of file (shutdown(SHUT_RD)). Datagram sockets only (EOPNOTSUPP).
   * The `data` of a batch are views into one buffer.
   */
  recvmmsg(fd: number, opts?: RecvMmsgOptions): Promise<RecvMsgResult[]>;
  shutdown(fd: number, how: number): Promise<void>;
  close(fd: number): Promise<void>;
  getsockname(fd: number): Promise<SocketAddress>;
  getpeername(fd: number): Promise<SocketAddress>;
  setsockopt(fd: number, level: number, name: number, value: SockoptValue): Promise<void>;
  /** The raw option bytes. */
  getsockopt(fd: number, level: number, name: number): Promise<Uint8Array>;
  /** An integer option (SO_ERROR, SO_RCVBUF, IP_TTL …). */
  getsockoptInt(fd: number, level: number, name: number): Promise<number>;
  /** FIONREAD (returns the count) and FIONBIO (arg 1/0). */
  ioctl(fd: number, request: number, arg?: number): Promise<number>;
  /**
   * poll(2) over sockets and any other descriptors: resolves with the revents of each entry
   * (same order) once one is ready, or all zero after `timeoutMs` (-1: no limit).
   */
  poll(fds: PollFd[], timeoutMs: number): Promise<number[]>;
  /** Every socket of the stack (netstat, fstat). */
  list(): Promise<SocketListing[]>;
}

export interface SocketListing {
  id: number;
  domain: number;
  type: number;
  protocol: number;
  local: SocketAddress | null;
  foreign: SocketAddress | null;
  recvQ: number;
  sendQ: number;
  state: string;
  pid: number;
  drops: number;
}
