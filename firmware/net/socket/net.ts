// Node's `net` shape over ctx.sockets' stream sockets, so Node programs (and Node's own `http`)
// run on our TCP: createServer/listen/accept feed `connection` events with sockets that are
// real stream.Duplex objects; connect() gives the client side. Errors carry Node's `code`,
// `errno` and `syscall`. Leaves `_handle` undefined so http treats the socket as a plain Duplex.
import { EventEmitter } from "node:events";
import { Duplex } from "node:stream";
import { KernelError } from "../../kernel/errno.ts";
import type { SocketClient } from "./api.ts";
import { TCP_KEEPIDLE, TCP_NODELAY } from "../tcp/usrreq.ts";
import * as K from "./constants.ts";

/** Bytes per send message (a resmgr message carries at most a bounded payload). */
const SEND_CHUNK = 64 * 1024;

/** A KernelError (or anything) as the Error Node's net would give: code, errno, syscall. */
export function netError(e: unknown, syscall: string, address?: string, port?: number): Error {
  const code = e instanceof KernelError ? e.errno : ((e as { code?: string }).code ?? "EIO");
  const where = address === undefined ? "" : ` ${address}${port === undefined ? "" : `:${port}`}`;
  const err = new Error(`${syscall} ${code}${where}`) as Error & Record<string, unknown>;
  err.code = code;
  err.errno = e instanceof KernelError ? -e.code : undefined;
  err.syscall = syscall;
  if (address !== undefined) err.address = address;
  if (port !== undefined) err.port = port;
  return err;
}

export interface NetSocketOptions {
  allowHalfOpen?: boolean;
  noDelay?: boolean;
}

export class NetSocket extends Duplex {
  remoteAddress: string | undefined;
  remotePort: number | undefined;
  remoteFamily: string | undefined;
  localAddress: string | undefined;
  localPort: number | undefined;
  localFamily: string | undefined;
  bytesRead = 0;
  bytesWritten = 0;
  connecting = false;
  timeout = 0;
  server: unknown = undefined;
  private readonly api: SocketClient;
  private fd: number | null = null;
  private ready: Promise<void> | null = null;
  private reading = false;
  private idle: NodeJS.Timeout | null = null;
  private readonly noDelay: boolean;

  constructor(api: SocketClient, opts: NetSocketOptions & { fd?: number } = {}) {
    super({ allowHalfOpen: opts.allowHalfOpen ?? false });
    this.api = api;
    this.noDelay = opts.noDelay ?? false;
    if (opts.fd !== undefined) {
      this.fd = opts.fd;
      this.ready = this.learnAddresses();
    }
  }

  get pending(): boolean {
    return this.fd === null || this.connecting;
  }
  get readyState(): string {
    if (this.connecting) return "opening";
    if (this.readable && this.writable) return "open";
    if (this.readable) return "readOnly";
    if (this.writable) return "writeOnly";
    return "closed";
  }

  private async learnAddresses(): Promise<void> {
    const fd = this.fd as number;
    const me = await this.api.getsockname(fd);
    const peer = await this.api.getpeername(fd);
    if (me.family === "inet")
      [this.localAddress, this.localPort, this.localFamily] = [me.address, me.port, "IPv4"];
    if (peer.family === "inet")
      [this.remoteAddress, this.remotePort, this.remoteFamily] = [peer.address, peer.port, "IPv4"];
    if (this.noDelay) await this.api.setsockopt(fd, K.IPPROTO_TCP, TCP_NODELAY, 1);
  }

  /** connect(port[, host][, listener]). */
  connect(port: number, host = "127.0.0.1", listener?: () => void): this {
    if (listener) this.once("connect", listener);
    this.connecting = true;
    this.ready = (async () => {
      try {
        this.fd = await this.api.socket(K.AF_INET, K.SOCK_STREAM);
        await this.api.connect(this.fd, { family: "inet", address: host, port });
        await this.learnAddresses();
      } catch (e) {
        this.connecting = false;
        this.destroy(netError(e, "connect", host, port));
        throw e;
      }
      this.connecting = false;
      this.emit("connect");
      this.emit("ready");
    })();
    this.ready.catch(() => {});
    return this;
  }

  override _read(): void {
    if (this.reading) return;
    this.reading = true;
    void this.pump();
  }

  private async pump(): Promise<void> {
    try {
      await this.ready;
      for (;;) {
        if (this.fd === null || this.destroyed) return;
        const d = await this.api.recv(this.fd, 65_536);
        if (d.byteLength === 0) {
          this.push(null);
          return;
        }
        this.bytesRead += d.byteLength;
        this.touch();
        if (!this.push(Buffer.from(d))) return; // paused: _read resumes
      }
    } catch (e) {
      if (!this.destroyed) this.destroy(netError(e, "read"));
    } finally {
      this.reading = false;
    }
  }

  override _write(chunk: Buffer, _enc: BufferEncoding, cb: (err?: Error | null) => void): void {
    void (async () => {
      try {
        await this.ready;
        const data = new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength);
        let off = 0;
        while (off < data.byteLength)
          off += await this.api.send(this.fd as number, data.subarray(off, off + SEND_CHUNK));
        this.bytesWritten += data.byteLength;
        this.touch();
        cb();
      } catch (e) {
        cb(netError(e, "write"));
      }
    })();
  }

  override _final(cb: (err?: Error | null) => void): void {
    void (async () => {
      try {
        await this.ready;
        if (this.fd !== null) await this.api.shutdown(this.fd, K.SHUT_WR);
        cb();
      } catch (e) {
        cb(netError(e, "shutdown"));
      }
    })();
  }

  override _destroy(err: Error | null, cb: (err?: Error | null) => void): void {
    if (this.idle !== null) clearTimeout(this.idle);
    const fd = this.fd;
    this.fd = null;
    if (fd === null) return cb(err);
    this.api.close(fd).then(
      () => cb(err),
      () => cb(err),
    );
  }

  private touch(): void {
    if (this.timeout > 0 && this.idle !== null) this.idle.refresh();
  }

  /** An idle timer refreshed by I/O that only emits 'timeout' (as Node's). */
  setTimeout(ms: number, cb?: () => void): this {
    if (cb) this.once("timeout", cb);
    if (this.idle !== null) clearTimeout(this.idle);
    this.idle = null;
    this.timeout = ms;
    if (ms > 0) {
      this.idle = setTimeout(() => this.emit("timeout"), ms);
      this.idle.unref();
    }
    return this;
  }

  setNoDelay(on = true): this {
    void this.ready
      ?.then(() => this.api.setsockopt(this.fd as number, K.IPPROTO_TCP, TCP_NODELAY, on ? 1 : 0))
      .catch(() => {});
    return this;
  }

  /** As Node: `initialDelay` (ms) > 0 sets TCP_KEEPIDLE (whole seconds, at least 1). */
  setKeepAlive(on = false, initialDelay = 0): this {
    void this.ready
      ?.then(async () => {
        await this.api.setsockopt(this.fd as number, K.SOL_SOCKET, K.SO_KEEPALIVE, on ? 1 : 0);
        if (on && initialDelay > 0)
          await this.api.setsockopt(
            this.fd as number,
            K.IPPROTO_TCP,
            TCP_KEEPIDLE,
            Math.max(1, Math.ceil(initialDelay / 1000)),
          );
      })
      .catch(() => {});
    return this;
  }

  address(): { address: string; family: string; port: number } | Record<string, never> {
    return this.localAddress === undefined
      ? {}
      : { address: this.localAddress, family: "IPv4", port: this.localPort ?? 0 };
  }

  ref(): this {
    return this;
  }
  unref(): this {
    return this;
  }
  destroySoon(): void {
    this.end();
  }
  resetAndDestroy(): this {
    return this.destroy();
  }
}

export interface NetServerOptions {
  allowHalfOpen?: boolean;
  noDelay?: boolean;
}

export class NetServer extends EventEmitter {
  listening = false;
  maxConnections = 0;
  private readonly api: SocketClient;
  private readonly opts: NetServerOptions;
  private fd: number | null = null;
  private readonly conns = new Set<NetSocket>();
  private local: { address: string; family: string; port: number } | null = null;

  constructor(api: SocketClient, opts: NetServerOptions = {}, onConnection?: (s: NetSocket) => void) {
    super();
    this.api = api;
    this.opts = opts;
    if (onConnection) this.on("connection", onConnection);
  }

  /** listen(port[, host][, backlog][, cb]). */
  listen(
    port: number,
    host: string | (() => void) = "0.0.0.0",
    backlog: number | (() => void) = 511,
    cb?: () => void,
  ): this {
    if (typeof host === "function") [cb, host] = [host, "0.0.0.0"];
    if (typeof backlog === "function") [cb, backlog] = [backlog, 511];
    if (cb) this.once("listening", cb);
    const addr = host;
    const bl = backlog;
    void (async () => {
      try {
        this.fd = await this.api.socket(K.AF_INET, K.SOCK_STREAM);
        await this.api.setsockopt(this.fd, K.SOL_SOCKET, K.SO_REUSEADDR, 1);
        await this.api.bind(this.fd, { family: "inet", address: addr, port });
        await this.api.listen(this.fd, bl);
        const me = await this.api.getsockname(this.fd);
        if (me.family === "inet") this.local = { address: me.address, family: "IPv4", port: me.port };
      } catch (e) {
        this.emit("error", netError(e, "listen", addr, port));
        return;
      }
      this.listening = true;
      this.emit("listening");
      void this.acceptLoop();
    })();
    return this;
  }

  private async acceptLoop(): Promise<void> {
    while (this.fd !== null) {
      let fd: number;
      try {
        fd = (await this.api.accept(this.fd)).fd;
      } catch (e) {
        if (this.fd !== null) this.emit("error", netError(e, "accept"));
        return;
      }
      if (this.maxConnections > 0 && this.conns.size >= this.maxConnections) {
        await this.api.close(fd);
        continue;
      }
      const s = new NetSocket(this.api, {
        fd,
        allowHalfOpen: this.opts.allowHalfOpen,
        noDelay: this.opts.noDelay,
      });
      s.server = this;
      this.conns.add(s);
      s.once("close", () => {
        this.conns.delete(s);
        if (this.fd === null && this.conns.size === 0) this.emit("close");
      });
      this.emit("connection", s);
    }
  }

  address(): { address: string; family: string; port: number } | null {
    return this.local;
  }

  getConnections(cb: (err: Error | null, n: number) => void): this {
    cb(null, this.conns.size);
    return this;
  }

  /** Stops accepting; 'close' follows once every connection has closed. */
  close(cb?: (err?: Error) => void): this {
    if (cb) this.once("close", cb);
    const fd = this.fd;
    this.fd = null;
    this.listening = false;
    if (fd !== null) void this.api.close(fd).catch(() => {});
    if (this.conns.size === 0) queueMicrotask(() => this.emit("close"));
    return this;
  }

  ref(): this {
    return this;
  }
  unref(): this {
    return this;
  }
}

export function createServer(
  api: SocketClient,
  opts: NetServerOptions | ((s: NetSocket) => void) = {},
  onConnection?: (s: NetSocket) => void,
): NetServer {
  if (typeof opts === "function") return new NetServer(api, {}, opts);
  return new NetServer(api, opts, onConnection);
}

export function connect(api: SocketClient, port: number, host?: string, onConnect?: () => void): NetSocket {
  return new NetSocket(api).connect(port, host, onConnect);
}
