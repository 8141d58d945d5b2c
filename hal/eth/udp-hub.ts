// The UDP wire's hub: one UDP socket (default 127.0.0.1:47300) that repeats every Ethernet
// frame it receives to every other peer it knows. Peers are learned from the source of
// their datagrams (a zero-length datagram is a hello/keepalive and is not repeated) or
// configured statically (QEMU guests that must receive before they send). Learned peers
// silent for `expireMs` are forgotten. No root is needed: it is plain UDP on loopback.
import { createSocket, type RemoteInfo, type Socket } from "node:dgram";
import { SystemClock, type Clock, type TimerHandle } from "../../firmware/kernel/clock.ts";
import { KernelError } from "../../firmware/kernel/errno.ts";
import { ETH_HEADER_LEN } from "./eth-port.ts";
import { DEFAULT_WIRE_PORT, formatEndpoint, parseEndpoint, type UdpEndpoint } from "./udp-endpoint.ts";

export interface UdpHubOptions {
  /** Where the hub listens (default 127.0.0.1:47300). */
  listen?: string | number;
  /** Peers that always receive, as "127.0.0.1:PORT" (e.g. QEMU `localaddr=`). */
  peers?: string[];
  /** Forget a learned peer silent this long (default 30 s). */
  expireMs?: number;
  clock?: Clock;
}

interface Peer {
  address: string;
  port: number;
  lastHeard: number;
  fixed: boolean;
  /** A port in the hub's own process: frames are handed to it, not sent to its socket. */
  local: ((frame: Buffer) => void) | null;
}

export interface UdpHubStats {
  framesIn: number;
  framesOut: number;
  hellos: number;
  peers: number;
}

/** How a port in the hub's own process puts its frames on the wire (UdpHub.attachLocal). */
export interface LocalHubPort {
  /** Repeats `frame[0, len)` to every other peer; `sent` once the frame may be reused. */
  repeat(frame: Uint8Array, len: number, sent: (err: Error | null) => void): void;
}

export class UdpHub {
  readonly endpoint: UdpEndpoint;
  private readonly socket: Socket;
  private readonly clock: Clock;
  private readonly expireMs: number;
  private readonly peerMap = new Map<string, Peer>();
  private readonly peerList: Peer[] = [];
  private sweepTimer: TimerHandle | null = null;
  private peerListener: ((peer: string) => void) | null = null;
  private closed = false;
  private readonly counters: UdpHubStats = { framesIn: 0, framesOut: 0, hellos: 0, peers: 0 };

  private constructor(socket: Socket, endpoint: UdpEndpoint, opts: UdpHubOptions) {
    this.socket = socket;
    this.endpoint = endpoint;
    this.clock = opts.clock ?? new SystemClock();
    this.expireMs = opts.expireMs ?? 30_000;
    for (const p of opts.peers ?? []) {
      const e = parseEndpoint(p);
      this.addPeer(e.address, e.port, true);
    }
    socket.on("message", (msg, rinfo) => this.onMessage(msg, rinfo));
    this.armSweep();
  }

  /** Binds the hub socket. Fails with EADDRINUSE when another hub already owns the port. */
  static async start(opts: UdpHubOptions = {}): Promise<UdpHub> {
    const endpoint = parseEndpoint(opts.listen ?? DEFAULT_WIRE_PORT);
    const socket = await bindUdp(endpoint);
    return new UdpHub(socket, endpoint, opts);
  }

  peers(): string[] {
    return this.peerList.map((p) => `${p.address}:${p.port}`);
  }

  /** Called with "address:port" each time the hub learns a peer (status displays, tests). */
  onPeer(cb: ((peer: string) => void) | null): void {
    this.peerListener = cb;
  }

  stats(): UdpHubStats {
    return { ...this.counters, peers: this.peerList.length };
  }

  /**
   * Makes the port at `address:port`, which lives in this process, a peer that frames are
   * handed to directly (`deliver`, synchronously): the node that hosts the hub then costs the
   * wire no datagram to itself and back. Returns how that port repeats its own frames.
   */
  attachLocal(address: string, port: number, deliver: (frame: Buffer) => void): LocalHubPort {
    const key = `${address}:${port}`;
    let peer = this.peerMap.get(key);
    if (peer === undefined) peer = this.addPeer(address, port, true);
    peer.fixed = true;
    peer.local = deliver;
    const self = peer;
    return {
      repeat: (frame, len, sent) => this.repeat(self, frame, len, sent),
    };
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.sweepTimer) this.clock.clearTimer(this.sweepTimer);
    this.socket.close();
  }

  private onMessage(msg: Buffer, rinfo: RemoteInfo): void {
    const src = this.touch(rinfo);
    if (msg.length < ETH_HEADER_LEN) {
      this.counters.hellos++;
      return;
    }
    this.counters.framesIn++;
    // Node gives each datagram its own Buffer, so it can be sent on as is.
    const list = this.peerList;
    for (let i = 0; i < list.length; i++) {
      const p = list[i]!;
      if (p === src) continue;
      this.counters.framesOut++;
      if (p.local !== null) p.local(msg);
      else this.socket.send(msg, p.port, p.address);
    }
  }

  /** A frame of the local port `from`: to every other peer; `sent` once every send is done
   * (the caller may reuse `frame` then). */
  private repeat(from: Peer, frame: Uint8Array, len: number, sent: (err: Error | null) => void): void {
    if (this.closed) return sent(null);
    this.counters.framesIn++;
    const list = this.peerList;
    if (list.length === 2) {
      // The common wire of two nodes: one datagram, and no callback to count sends with.
      const p = list[0] === from ? list[1]! : list[0]!;
      if (p.local !== null) return sent(null);
      this.counters.framesOut++;
      return this.socket.send(frame, 0, len, p.port, p.address, sent);
    }
    let pending = 1;
    let failed: Error | null = null;
    const one = (err: Error | null): void => {
      if (err) failed = err;
      if (--pending === 0) sent(failed);
    };
    for (let i = 0; i < list.length; i++) {
      const p = list[i]!;
      if (p === from || p.local !== null) continue;
      this.counters.framesOut++;
      pending++;
      this.socket.send(frame, 0, len, p.port, p.address, one);
    }
    one(null);
  }

  private touch(rinfo: RemoteInfo): Peer {
    const key = `${rinfo.address}:${rinfo.port}`;
    const known = this.peerMap.get(key);
    if (known) {
      known.lastHeard = this.clock.now();
      return known;
    }
    return this.addPeer(rinfo.address, rinfo.port, false);
  }

  private addPeer(address: string, port: number, fixed: boolean): Peer {
    const peer: Peer = { address, port, lastHeard: this.clock.now(), fixed, local: null };
    this.peerMap.set(`${address}:${port}`, peer);
    this.peerList.push(peer);
    this.peerListener?.(`${address}:${port}`);
    return peer;
  }

  private armSweep(): void {
    this.sweepTimer = this.clock.setTimer(Math.max(1000, this.expireMs / 3), () => {
      if (this.closed) return;
      const now = this.clock.now();
      for (let i = this.peerList.length - 1; i >= 0; i--) {
        const p = this.peerList[i]!;
        if (!p.fixed && now - p.lastHeard > this.expireMs) {
          this.peerList.splice(i, 1);
          this.peerMap.delete(`${p.address}:${p.port}`);
        }
      }
      this.armSweep();
    });
  }
}

/** Binds a UDP socket, turning bind errors into KernelErrors. */
export function bindUdp(endpoint: UdpEndpoint): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = createSocket({ type: "udp4", reuseAddr: false });
    const onError = (err: NodeJS.ErrnoException): void => {
      socket.close();
      const errno = err.code === "EADDRINUSE" ? "EADDRINUSE" : err.code === "EACCES" ? "EACCES" : "EIO";
      reject(new KernelError(errno, `cannot bind UDP ${formatEndpoint(endpoint)}: ${err.message}`));
    };
    socket.once("error", onError);
    socket.bind(endpoint.port, endpoint.address, () => {
      socket.off("error", onError);
      // Later socket errors (e.g. ICMP unreachable reports) must not crash the runtime.
      socket.on("error", () => undefined);
      resolve(socket);
    });
  });
}

/** `tsx hal/eth/udp-hub.ts [--listen 127.0.0.1:47300] [--peer 127.0.0.1:PORT]…` */
async function main(argv: string[]): Promise<void> {
  const opts: UdpHubOptions = { peers: [] };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--listen" || a === "-l") opts.listen = argv[++i] ?? "";
    else if (a === "--peer" || a === "-p") opts.peers!.push(argv[++i] ?? "");
    else throw new KernelError("EINVAL", `usage: udp-hub [--listen ADDR:PORT] [--peer ADDR:PORT]…`);
  }
  const hub = await UdpHub.start(opts);
  process.stdout.write(`udp-hub: listening on ${formatEndpoint(hub.endpoint)}\n`);
  const stop = (): void => hub.close();
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].replace(/^.*[\\/]/, "/"))) {
  main(process.argv.slice(2)).catch((e: Error) => {
    process.stderr.write(`udp-hub: ${e.message}\n`);
    process.exitCode = 1;
  });
}
