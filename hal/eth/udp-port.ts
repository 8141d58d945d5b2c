// An Ethernet port on the UDP virtual wire: each datagram is one raw Ethernet frame (no
// preamble, no FCS), as with QEMU's `-netdev socket,udp=PEER,localaddr=LOCAL`.
//
// Two modes:
// - hub (default): the port binds 127.0.0.1:<ephemeral> and sends every frame to the wire's
//   hub (127.0.0.1:47300 unless told otherwise), which repeats it to every other node. A
//   zero-length hello at open and every `keepaliveMs` keeps this node known to the hub. With
//   `autoHub` (default) the port hosts the hub itself when nobody does — at open and again
//   at every keepalive, so the wire heals when the node that hosted the hub exits.
// - peer: point to point, exactly QEMU's socket/udp backend: bind `local`, send to `peer`.
import type { Socket } from "node:dgram";
import { SystemClock, type Clock, type TimerHandle } from "../../firmware/kernel/clock.ts";
import { ETH_FRAME_OVERHEAD, ETH_HEADER_LEN } from "./eth-port.ts";
import { EthPortBase } from "./eth-port-base.ts";
import { FramePool } from "./frame-pool.ts";
import { localMac } from "./mac.ts";
import {
  DEFAULT_WIRE_PORT,
  formatEndpoint,
  LOOPBACK,
  parseEndpoint,
  type UdpEndpoint,
} from "./udp-endpoint.ts";
import { bindUdp, UdpHub, type LocalHubPort } from "./udp-hub.ts";

export interface UdpPortOptions {
  /** Hub mode: the hub's endpoint (default 127.0.0.1:47300). Ignored when `peer` is set. */
  hub?: string | number;
  /** Peer mode: send every frame to this endpoint (QEMU's `udp=`). */
  peer?: string;
  /** Local endpoint to bind (QEMU's `localaddr=`); default 127.0.0.1 with an ephemeral port. */
  local?: string | number;
  /** Hub mode: host the hub in this process when its port is free (default true). */
  autoHub?: boolean;
  keepaliveMs?: number;
  mac?: Uint8Array;
  mtu?: number;
  name?: string;
  clock?: Clock;
}

const HELLO = new Uint8Array(0);

export class UdpEthPort extends EthPortBase {
  readonly name: string;
  readonly mac: Uint8Array;
  readonly mtu: number;
  readonly local: UdpEndpoint;
  /** Where frames go: the hub or the peer. */
  readonly remote: UdpEndpoint;
  readonly mode: "hub" | "peer";
  private readonly socket: Socket;
  private readonly clock: Clock;
  private readonly autoHub: boolean;
  private readonly keepaliveMs: number;
  private readonly pool: FramePool;
  // Buffers handed to socket.send, released in order as the send callbacks come back.
  private readonly inFlight: Uint8Array[] = [];
  private inFlightHead = 0;
  private open = true;
  private hostedHub: UdpHub | null = null;
  /** While this port hosts the hub: its frames go to the hub without a datagram. */
  private viaHub: LocalHubPort | null = null;
  private keepaliveTimer: TimerHandle | null = null;
  private readonly sentBound = (err: Error | null): void => this.sent(err);
  private readonly receiveBound = (msg: Buffer): void => this.receive(msg);

  private constructor(socket: Socket, opts: UdpPortOptions, mode: "hub" | "peer", remote: UdpEndpoint) {
    super();
    this.socket = socket;
    this.mode = mode;
    this.remote = remote;
    const addr = socket.address();
    this.local = { address: addr.address, port: addr.port };
    this.clock = opts.clock ?? new SystemClock();
    this.autoHub = opts.autoHub ?? true;
    this.keepaliveMs = opts.keepaliveMs ?? 5000;
    this.mtu = opts.mtu ?? 1500;
    this.mac = opts.mac ?? localMac((((process.pid & 0xffff) << 16) | this.local.port) >>> 0);
    this.name = opts.name ?? `udp:${formatEndpoint(this.local)}`;
    this.pool = new FramePool(this.mtu + ETH_FRAME_OVERHEAD);
    socket.on("message", this.receiveBound);
  }

  /** Binds the local socket (and, in hub mode, hosts the hub if it is free), then says hello. */
  static async open(opts: UdpPortOptions = {}): Promise<UdpEthPort> {
    const mode = opts.peer !== undefined ? "peer" : "hub";
    const remote = parseEndpoint(opts.peer ?? opts.hub ?? DEFAULT_WIRE_PORT);
    const local = parseEndpoint(opts.local ?? `${LOOPBACK}:0`, true);
    const socket = await bindUdp(local);
    const port = new UdpEthPort(socket, opts, mode, remote);
    if (mode === "hub") {
      await port.maybeHostHub();
      port.hello();
      port.armKeepalive();
    }
    return port;
  }

  get linkUp(): boolean {
    return this.open;
  }

  /** True when this port hosts the wire's hub in this process. */
  get hostsHub(): boolean {
    return this.hostedHub !== null;
  }

  /** The hub this port hosts, or null (another process or port hosts it, or peer mode). */
  get hub(): UdpHub | null {
    return this.hostedHub;
  }

  send(frame: Uint8Array, len: number = frame.length): boolean {
    if (!this.mayTransmit(frame, len, this.open)) return false;
    this.countTransmitted(len);
    this.transmit(this.pool.copyOf(frame, len), len);
    return true;
  }

  close(): void {
    if (!this.open) return;
    this.open = false;
    if (this.keepaliveTimer) this.clock.clearTimer(this.keepaliveTimer);
    this.hostedHub?.close();
    this.hostedHub = null;
    this.viaHub = null;
    this.socket.close();
    this.dropHandlers()?.(false);
  }

  private transmit(buf: Uint8Array, len: number): void {
    const hub = this.viaHub;
    if (hub !== null) {
      hub.repeat(buf, len, (err) => {
        this.pool.give(buf);
        if (err) this.counters.txErrors++;
      });
      return;
    }
    this.inFlight.push(buf);
    this.socket.send(buf, 0, len, this.remote.port, this.remote.address, this.sentBound);
  }

  private sent(err: Error | null): void {
    const buf = this.inFlight[this.inFlightHead++];
    if (this.inFlightHead === this.inFlight.length) {
      this.inFlight.length = 0;
      this.inFlightHead = 0;
    }
    if (buf) this.pool.give(buf);
    if (err) this.counters.txErrors++;
  }

  private receive(msg: Buffer): void {
    const len = msg.length;
    if (len === 0) return; // a hello; only hubs care
    this.handOver(msg, len, len >= ETH_HEADER_LEN && len <= this.mtu + ETH_FRAME_OVERHEAD);
  }

  private hello(): void {
    if (this.open) this.socket.send(HELLO, this.remote.port, this.remote.address);
  }

  private async maybeHostHub(): Promise<void> {
    if (!this.autoHub || this.hostedHub || !this.open) return;
    try {
      const hub = await UdpHub.start({ listen: formatEndpoint(this.remote), clock: this.clock });
      if (!this.open) return hub.close();
      this.hostedHub = hub;
      // The hub and this port share a process: frames between them skip the socket (two
      // datagrams and two event-loop turns less per round trip for this node).
      if (this.local.address === this.remote.address) {
        this.viaHub = hub.attachLocal(this.local.address, this.local.port, this.receiveBound);
      }
    } catch {
      // EADDRINUSE: someone else hosts the hub, the normal case for every node but the first.
      // Any other failure (a hub address not on this host) also means: just send to it.
    }
  }

  private armKeepalive(): void {
    this.keepaliveTimer = this.clock.setTimer(this.keepaliveMs, () => {
      if (!this.open) return;
      this.maybeHostHub()
        .catch(() => undefined)
        .finally(() => {
          this.hello();
          if (this.open) this.armKeepalive();
        });
    });
  }
}
