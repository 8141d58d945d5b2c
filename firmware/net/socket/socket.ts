// One socket (BSD's struct socket): its protocol, the receive and send buffers, the options
// every protocol shares, the pending error and the connection state. The resource manager
// (server.ts) holds one per open; protocols reach it through their PCB.
import { ERRNO, type Errno } from "../../kernel/errno.ts";
import type { Ifnet } from "../stack/ifnet.ts";
import { SockBuf } from "./sockbuf.ts";
import type { SockAddr } from "./messages.ts";
import type { ProtoSwitch } from "./protosw.ts";
import type { SocketLayer } from "./layer.ts";

/** One record in a socket buffer: a datagram with its addresses, or a piece of a stream. */
export interface SockData {
  readonly size: number;
  readonly data: Uint8Array;
  readonly from: SockAddr | null;
  /** Destination address it was received on (IP_RECVDSTADDR), 0 for streams. */
  readonly dst: number;
  /** Receiving interface index (IP_PKTINFO). */
  readonly ifindex: number;
  /** SO_TIMESTAMP: when the stack received it (µs of the stack clock); absent without it. */
  readonly tsUs?: number;
}

export const SS_ISCONNECTED = 0x1;
export const SS_ISCONNECTING = 0x2;
export const SS_CANTSENDMORE = 0x4;
export const SS_CANTRCVMORE = 0x8;
export const SS_ISLISTENING = 0x10;

/** IP-level options of an AF_INET socket (IP_*). */
export interface IpSockOpts {
  ttl: number;
  tos: number;
  hdrincl: boolean;
  recvdstaddr: boolean;
  pktinfo: boolean;
  multicastTtl: number;
  multicastLoop: boolean;
  multicastIf: Ifnet | null;
  /** IP_OPTIONS: options put after the header of every datagram sent (record route …). */
  options: Uint8Array | null;
  /** IP_DONTFRAG: set DF on what is sent (raw sockets). */
  dontfrag: boolean;
}

export class Socket {
  /** Unique per stack; netstat -A and accept's side channel name sockets by it. */
  readonly id: number;
  readonly layer: SocketLayer;
  readonly domain: number;
  readonly type: number;
  readonly protocol: number;
  readonly proto: ProtoSwitch;
  readonly rcv: SockBuf<SockData>;
  readonly snd: SockBuf<SockData>;
  /** SO_* flags (SO_REUSEADDR, SO_BROADCAST …). */
  options = 0;
  /** SO_LINGER's timeout in seconds (the option bit says whether it is on). */
  lingerSec = 0;
  /** Pending error (SO_ERROR), an errno number; reported once. */
  error = 0;
  state = 0;
  nbio = false;
  rcvTimeoMs = 0;
  sndTimeoMs = 0;
  /** SO_BINDTODEVICE. */
  boundIf: Ifnet | null = null;
  readonly ip: IpSockOpts;
  /** The protocol's control block. */
  pcb: unknown = null;
  /** The process holding it (fstat, netstat -a). */
  pid: number;
  /** Connections waiting for accept (listeners). */
  readonly acceptQ: Socket[] = [];
  backlog = 0;
  /** The listener a not-yet-accepted connection belongs to. */
  head: Socket | null = null;
  /** Called whenever readiness may have changed (the resource manager's notifyReady). */
  onReady: (() => void) | null = null;
  closed = false;

  constructor(
    layer: SocketLayer,
    id: number,
    domain: number,
    proto: ProtoSwitch,
    protocol: number,
    pid: number,
  ) {
    this.layer = layer;
    this.id = id;
    this.domain = domain;
    this.type = proto.type;
    this.protocol = protocol;
    this.proto = proto;
    this.pid = pid;
    const sizes = layer.bufferSizes(proto);
    this.rcv = new SockBuf<SockData>(sizes.recv);
    this.snd = new SockBuf<SockData>(sizes.send);
    this.rcv.onWake = () => this.onReady?.();
    this.snd.onWake = () => this.onReady?.();
    this.ip = {
      ttl: 0,
      tos: 0,
      hdrincl: false,
      recvdstaddr: false,
      pktinfo: false,
      multicastTtl: 1,
      multicastLoop: true,
      multicastIf: null,
      options: null,
      dontfrag: false,
    };
  }

  /** Records an asynchronous error (ICMP unreachable, connection reset) and wakes everyone. */
  setError(e: Errno): void {
    this.error = ERRNO[e];
    this.rcv.wake();
    this.snd.wake();
  }

  /** Takes the pending error (SO_ERROR, or the next call on the socket). */
  takeError(): number {
    const e = this.error;
    this.error = 0;
    return e;
  }

  /** soisconnected: a connect finished, or an accepted connection is ready for accept(). */
  isConnected(): void {
    this.state = (this.state & ~SS_ISCONNECTING) | SS_ISCONNECTED;
    const head = this.head;
    if (head !== null) {
      this.head = null;
      head.acceptQ.push(this);
      head.rcv.wake();
    }
    this.rcv.wake();
    this.snd.wake();
  }

  /** soisdisconnected: no more in either direction. */
  isDisconnected(): void {
    this.state = (this.state & ~(SS_ISCONNECTING | SS_ISCONNECTED)) | SS_CANTRCVMORE | SS_CANTSENDMORE;
    this.rcv.eof = true;
    this.rcv.wake();
    this.snd.wake();
  }

  get connected(): boolean {
    return (this.state & SS_ISCONNECTED) !== 0;
  }

  get listening(): boolean {
    return (this.state & SS_ISLISTENING) !== 0;
  }
}
