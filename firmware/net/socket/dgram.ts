// Node's `dgram` shape over ctx.sockets, so a bundled program uses UDP as Node programmers know
// it: createSocket("udp4"), bind, send, on("message"), addMembership, setBroadcast, close.
// Errors are emitted as "error" (or passed to send's callback) as KernelErrors.
import { EventEmitter } from "node:events";
import { KernelError } from "../../kernel/errno.ts";
import type { RecvMsgResult, SocketClient } from "./api.ts";
import * as K from "./constants.ts";

export interface RemoteInfo {
  address: string;
  family: "IPv4";
  port: number;
  size: number;
}

export interface SocketOptions {
  type: "udp4";
  reuseAddr?: boolean;
  reusePort?: boolean;
  recvBufferSize?: number;
  sendBufferSize?: number;
}

/** Datagrams taken per receive message (recvmmsg). */
const RECV_BATCH = 64;

type Callback = (err: Error | null, bytes?: number) => void;

function mreq(group: string, iface: string | undefined): Uint8Array {
  const b = new Uint8Array(8);
  const v = new DataView(b.buffer);
  v.setUint32(0, ipv4(group));
  v.setUint32(4, iface === undefined ? 0 : ipv4(iface));
  return b;
}

function ipv4(s: string): number {
  const p = s.split(".").map(Number);
  if (p.length !== 4 || p.some((n) => !Number.isInteger(n) || n < 0 || n > 255))
    throw new KernelError("EINVAL", `bad IPv4 address '${s}'`);
  return ((p[0] << 24) | (p[1] << 16) | (p[2] << 8) | p[3]) >>> 0;
}

export class DgramSocket extends EventEmitter {
  private readonly api: SocketClient;
  private readonly opts: SocketOptions;
  private fd: Promise<number>;
  private bound: Promise<void> | null = null;
  private closed = false;
  private local: { address: string; family: "IPv4"; port: number } | null = null;

  constructor(api: SocketClient, opts: SocketOptions) {
    super();
    this.api = api;
    this.opts = opts;
    this.fd = this.open();
  }

  private async open(): Promise<number> {
    const fd = await this.api.socket(K.AF_INET, K.SOCK_DGRAM);
    const o = this.opts;
    if (o.reuseAddr) await this.api.setsockopt(fd, K.SOL_SOCKET, K.SO_REUSEADDR, 1);
    if (o.reusePort) await this.api.setsockopt(fd, K.SOL_SOCKET, K.SO_REUSEPORT, 1);
    if (o.recvBufferSize) await this.api.setsockopt(fd, K.SOL_SOCKET, K.SO_RCVBUF, o.recvBufferSize);
    if (o.sendBufferSize) await this.api.setsockopt(fd, K.SOL_SOCKET, K.SO_SNDBUF, o.sendBufferSize);
    return fd;
  }

  /** bind([port][, address][, callback]) or bind({ port, address }[, callback]). */
  bind(
    a?: number | { port?: number; address?: string } | (() => void),
    b?: string | (() => void),
    c?: () => void,
  ): this {
    let port = 0;
    let address = "0.0.0.0";
    let cb: (() => void) | undefined;
    if (typeof a === "object") {
      port = a.port ?? 0;
      address = a.address ?? address;
      cb = typeof b === "function" ? b : undefined;
    } else if (typeof a === "function") cb = a;
    else {
      port = a ?? 0;
      if (typeof b === "string") address = b;
      cb = typeof b === "function" ? b : c;
    }
    if (cb) this.once("listening", cb);
    this.bound = this.doBind(port, address);
    return this;
  }

  private async doBind(port: number, address: string): Promise<void> {
    try {
      const fd = await this.fd;
      await this.api.bind(fd, { family: "inet", address, port });
      const me = await this.api.getsockname(fd);
      if (me.family === "inet") this.local = { address: me.address, family: "IPv4", port: me.port };
      this.emit("listening");
      void this.receiveLoop(fd);
    } catch (e) {
      this.emit("error", e);
    }
  }

  private async receiveLoop(fd: number): Promise<void> {
    while (!this.closed) {
      let batch: RecvMsgResult[];
      try {
        // One message to io-pkt brings every datagram queued (up to a batch).
        batch = await this.api.recvmmsg(fd, { count: RECV_BATCH });
      } catch (e) {
        if (this.closed) return;
        // an ICMP error on a connected socket is reported, and the socket keeps receiving
        this.emit("error", e);
        continue;
      }
      if (batch.length === 0) return; // end of file: the socket was shut down for reading
      // In order; a listener that throws does not cost the rest of the batch (as with Node,
      // the throw surfaces: here as "error", after the batch).
      let thrown: unknown = null;
      for (const m of batch) {
        if (this.closed) return;
        if (m.from === null || m.from.family !== "inet") continue;
        const rinfo: RemoteInfo = {
          address: m.from.address,
          family: "IPv4",
          port: m.from.port,
          size: m.data.byteLength,
        };
        try {
          this.emit("message", Buffer.from(m.data.buffer, m.data.byteOffset, m.data.byteLength), rinfo);
        } catch (e) {
          thrown ??= e;
        }
      }
      if (thrown !== null) this.emit("error", thrown);
    }
  }

  /** send(msg[, offset, length], port[, address][, callback]); address defaults to 127.0.0.1. */
  send(msg: string | Uint8Array | readonly (string | Uint8Array)[], ...rest: unknown[]): void {
    let data = toBytes(msg);
    if (
      typeof rest[0] === "number" &&
      typeof rest[1] === "number" &&
      rest.length >= 3 &&
      typeof rest[2] === "number"
    ) {
      const [offset, length] = rest as [number, number];
      data = data.subarray(offset, offset + length);
      rest = rest.slice(2);
    }
    const cb = typeof rest[rest.length - 1] === "function" ? (rest.pop() as Callback) : undefined;
    const port = typeof rest[0] === "number" ? rest[0] : undefined;
    const address = typeof rest[1] === "string" ? rest[1] : "127.0.0.1";
    void (async () => {
      try {
        if (this.bound === null) this.bind();
        await this.bound;
        const fd = await this.fd;
        const n =
          port === undefined
            ? await this.api.send(fd, data)
            : await this.api.sendto(fd, data, { family: "inet", address, port });
        cb?.(null, n);
      } catch (e) {
        if (cb) cb(e as Error);
        else this.emit("error", e);
      }
    })();
  }

  connect(port: number, address = "127.0.0.1", cb?: () => void): void {
    void this.opt(async (fd) => {
      if (this.bound === null) this.bind();
      await this.bound;
      await this.api.connect(fd, { family: "inet", address, port });
      this.emit("connect");
      cb?.();
    });
  }

  disconnect(): void {
    void this.opt((fd) => this.api.connect(fd, null));
  }

  address(): { address: string; family: "IPv4"; port: number } {
    if (this.local === null) throw new KernelError("EBADF", "getsockname: not bound");
    return this.local;
  }

  setBroadcast(flag: boolean): void {
    void this.opt((fd) => this.api.setsockopt(fd, K.SOL_SOCKET, K.SO_BROADCAST, flag));
  }

  setTTL(ttl: number): void {
    void this.opt((fd) => this.api.setsockopt(fd, K.IPPROTO_IP, K.IP_TTL, ttl));
  }

  setMulticastTTL(ttl: number): void {
    void this.opt((fd) => this.api.setsockopt(fd, K.IPPROTO_IP, K.IP_MULTICAST_TTL, ttl));
  }

  setMulticastLoopback(flag: boolean): void {
    void this.opt((fd) => this.api.setsockopt(fd, K.IPPROTO_IP, K.IP_MULTICAST_LOOP, flag));
  }

  setMulticastInterface(iface: string): void {
    const b = new Uint8Array(4);
    new DataView(b.buffer).setUint32(0, ipv4(iface));
    void this.opt((fd) => this.api.setsockopt(fd, K.IPPROTO_IP, K.IP_MULTICAST_IF, b));
  }

  addMembership(group: string, iface?: string): void {
    void this.opt(async (fd) => {
      if (this.bound !== null) await this.bound;
      await this.api.setsockopt(fd, K.IPPROTO_IP, K.IP_ADD_MEMBERSHIP, mreq(group, iface));
    });
  }

  dropMembership(group: string, iface?: string): void {
    void this.opt((fd) => this.api.setsockopt(fd, K.IPPROTO_IP, K.IP_DROP_MEMBERSHIP, mreq(group, iface)));
  }

  setRecvBufferSize(n: number): void {
    void this.opt((fd) => this.api.setsockopt(fd, K.SOL_SOCKET, K.SO_RCVBUF, n));
  }

  setSendBufferSize(n: number): void {
    void this.opt((fd) => this.api.setsockopt(fd, K.SOL_SOCKET, K.SO_SNDBUF, n));
  }

  close(cb?: () => void): this {
    if (this.closed) return this;
    this.closed = true;
    if (cb) this.once("close", cb);
    void this.fd
      .then((fd) => this.api.close(fd))
      .catch(() => undefined)
      .then(() => this.emit("close"));
    return this;
  }

  /** Runs an option call in order after the socket exists; failures are "error" events. */
  private async opt(fn: (fd: number) => Promise<void>): Promise<void> {
    try {
      await fn(await this.fd);
    } catch (e) {
      this.emit("error", e);
    }
  }
}

function toBytes(msg: string | Uint8Array | readonly (string | Uint8Array)[]): Uint8Array {
  if (typeof msg === "string") return new TextEncoder().encode(msg);
  if (msg instanceof Uint8Array) return msg;
  const parts = msg.map((m) => (typeof m === "string" ? new TextEncoder().encode(m) : m));
  const out = new Uint8Array(parts.reduce((n, p) => n + p.byteLength, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.byteLength;
  }
  return out;
}

/** dgram.createSocket over a program's socket client: `createSocket(ctx.sockets, "udp4", onMessage)`. */
export function createSocket(
  api: SocketClient,
  type: "udp4" | SocketOptions,
  onMessage?: (msg: Buffer, rinfo: RemoteInfo) => void,
): DgramSocket {
  const opts: SocketOptions = typeof type === "string" ? { type } : type;
  if (opts.type !== "udp4")
    throw new KernelError("EAFNOSUPPORT", `${String(opts.type)}: only udp4 is supported`);
  const s = new DgramSocket(api, opts);
  if (onMessage) s.on("message", onMessage);
  return s;
}
