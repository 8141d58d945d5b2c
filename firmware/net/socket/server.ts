// The resource manager side of `/dev/socket/<domain>`: one open is one socket; its devctls
// (messages.ts) are the socket calls, read/write are recv/send on a connected socket, and
// _IO_NOTIFY reports and arms readiness (poll). Blocking calls defer the reply: only the
// calling thread waits, at its own priority, while io-pkt serves everyone else.
import { KernelError, errnoName } from "../../kernel/errno.ts";
import type { Clock, TimerHandle } from "../../kernel/clock.ts";
import type { Deferred, DevctlAnswer, IoContext, Ocb } from "../../resmgr/handlers.ts";
import * as C from "../../resmgr/io-constants.ts";
import { encodeDevctlReply } from "../../resmgr/messages.ts";
import { decode, encode } from "../control/codec.ts";
import * as K from "./constants.ts";
import type { SocketLayer } from "./layer.ts";
import * as M from "./messages.ts";
import type { SendControl } from "./protosw.ts";
import { SS_CANTRCVMORE, SS_CANTSENDMORE, SS_ISLISTENING, type SockData, type Socket } from "./socket.ts";
import { getSockopt, setSockopt } from "./sockopt.ts";
import { describeSocket } from "./describe.ts";
import { BATCH_MAX, batchSize, encodeBatch, encodeOne } from "./recv-batch.ts";

export type DevctlResult = DevctlAnswer;

/** What one open of /dev/socket/<domain> holds: the socket once SOCKET made it. */
export class SocketOpen {
  readonly domain: number;
  so: Socket | null = null;
  /** Tells armed polls of this open that readiness changed (the resmgr's notifyReady). */
  readonly notify: (flags: number) => void;
  constructor(domain: number, notify: (flags: number) => void) {
    this.domain = domain;
    this.notify = notify;
  }
}

const EMPTY = new Uint8Array(0);

/** Counters of what the socket resource manager refused (malformed or out-of-order messages). */
export function createSocketServerStats() {
  return { badmsg: 0, nosocket: 0 };
}

function ok(schema: Parameters<typeof encode>[0], value: unknown): DevctlResult {
  return { ret: 0, data: encode(schema, value as never) };
}

function sockOf(o: SocketOpen): Socket {
  if (o.so === null) throw new KernelError("ENOTSOCK", "send SOCKET first");
  if (o.so.closed) throw new KernelError("EBADF");
  return o.so;
}

function throwPending(so: Socket): void {
  const e = so.takeError();
  if (e !== 0) throw new KernelError(errnoName(e) ?? "EIO");
}

/** Readiness of a socket as NOTIFY_* flags (poll's POLLIN/POLLOUT/POLLHUP). */
export function socketReady(so: Socket): number {
  let r = 0;
  if (so.rcv.readable() || so.error !== 0 || so.acceptQ.length > 0) r |= C.NOTIFY_INPUT;
  if ((so.snd.space() >= so.snd.lowat && (so.state & SS_CANTSENDMORE) === 0) || so.error !== 0)
    r |= C.NOTIFY_OUTPUT;
  if (so.state & SS_CANTRCVMORE && so.state & SS_CANTSENDMORE) r |= C.NOTIFY_HUP;
  return r;
}

export class SocketServer {
  readonly layer: SocketLayer;
  readonly clock: Clock;
  readonly stats = createSocketServerStats();

  constructor(layer: SocketLayer, clock: Clock) {
    this.layer = layer;
    this.clock = clock;
  }

  async devctl(
    ctx: IoContext,
    ocb: Ocb,
    open: SocketOpen,
    dcmd: number,
    data: Uint8Array,
  ): Promise<DevctlResult | null> {
    try {
      return await this.dispatch(ctx, ocb, open, dcmd, data);
    } catch (e) {
      if (e instanceof KernelError && e.errno === "EBADMSG") this.stats.badmsg++;
      if (e instanceof KernelError && e.errno === "ENOTSOCK") this.stats.nosocket++;
      throw e;
    }
  }

  private async dispatch(
    ctx: IoContext,
    ocb: Ocb,
    open: SocketOpen,
    dcmd: number,
    data: Uint8Array,
  ): Promise<DevctlResult | null> {
    const S = M.SOCKCTL;
    switch (dcmd) {
      case S.SOCKET: {
        if (open.so !== null) throw new KernelError("EISCONN", "this open is a socket already");
        const r = decode(M.SocketRequest, data);
        // Anyone may listen to a routing socket (route monitor); raw IP is root's, as on BSD.
        if (r.type === K.SOCK_RAW && open.domain !== K.AF_ROUTE && ctx.cred.uid !== 0)
          throw new KernelError("EPERM", "raw sockets are for root (as on BSD)");
        const so = this.layer.create(open.domain, r.type, r.protocol, ctx.info.pid);
        this.adopt(open, so);
        return { ret: 0 };
      }
      case S.LIST:
        return ok(M.ListReply, { sockets: this.layer.list().map((so) => this.info(so)) });
      case S.ACCEPT: {
        // The side channel: a fresh open asks for the next connection of listener `id`.
        if (open.so !== null) throw new KernelError("EISCONN", "accept on a fresh open");
        const { listener: id } = decode(M.AcceptRequest, data);
        const listener = this.layer.get(id);
        if (listener === undefined || listener.pid !== ctx.info.pid)
          throw new KernelError("EBADF", "no such listening socket");
        if (!listener.listening) throw new KernelError("EINVAL", "socket is not listening");
        const take = (): DevctlResult | null => {
          const c = listener.acceptQ.shift();
          if (c === undefined) return null;
          c.pid = ctx.info.pid;
          this.adopt(open, c);
          return ok(M.AddrMessage, { addr: c.proto.peeraddr(c) });
        };
        return this.waitFor(ctx, listener, listener.nbio, listener.rcvTimeoMs, take, () => {
          throwPending(listener);
          return null;
        });
      }
    }
    const so = sockOf(open);
    switch (dcmd) {
      case S.BIND:
        so.proto.bind(so, decode(M.AddrMessage, data).addr);
        return { ret: 0 };
      case S.CONNECT: {
        const { addr } = decode(M.AddrMessage, data);
        if (addr.family === K.AF_UNSPEC) {
          so.proto.disconnect(so);
          return { ret: 0 };
        }
        so.proto.connect(so, addr);
        if (so.connected) return { ret: 0 };
        if (so.nbio) throw new KernelError("EINPROGRESS");
        return this.waitFor(
          ctx,
          so,
          false,
          so.sndTimeoMs,
          () => (so.connected ? { ret: 0 } : null),
          () => {
            throwPending(so);
            if (so.rcv.eof) throw new KernelError("ECONNREFUSED");
            return null;
          },
          "snd",
        );
      }
      case S.LISTEN: {
        if (so.proto.listen === undefined)
          throw new KernelError("EOPNOTSUPP", `${so.proto.name} sockets do not listen`);
        const { backlog } = decode(M.ListenRequest, data);
        so.proto.listen(so, backlog);
        so.backlog = Math.max(1, Math.min(backlog, 128));
        so.state |= SS_ISLISTENING;
        return { ret: 0 };
      }
      case S.SHUTDOWN: {
        const { how } = decode(M.ShutdownRequest, data);
        if (how > K.SHUT_RDWR) throw new KernelError("EINVAL", `shutdown how=${how}`);
        if (how !== K.SHUT_WR) {
          so.state |= SS_CANTRCVMORE;
          so.rcv.flush();
          so.rcv.eof = true;
          so.rcv.wake();
        }
        if (how !== K.SHUT_RD) so.state |= SS_CANTSENDMORE;
        so.proto.shutdown(so, how);
        so.snd.wake();
        return { ret: 0 };
      }
      case S.INFO:
        return ok(M.SocketInfoSchema, this.info(so));
      case S.GETSOCKNAME:
        return ok(M.AddrMessage, { addr: so.proto.sockaddr(so) });
      case S.GETPEERNAME:
        return ok(M.AddrMessage, { addr: so.proto.peeraddr(so) });
      case S.SETSOCKOPT: {
        const r = decode(M.SockoptRequest, data);
        setSockopt(so, r.level, r.name, r.value);
        so.rcv.wake();
        return { ret: 0 };
      }
      case S.GETSOCKOPT: {
        const r = decode(M.SockoptRequest, data);
        return ok(M.SockoptValue, { value: getSockopt(so, r.level, r.name) });
      }
      case S.SENDMSG: {
        const r = decode(M.SendRequest, data);
        const ctl: SendControl = {
          flags: r.flags,
          ifp: r.ifindex === 0 ? null : this.ifByIndex(r.ifindex),
          src: r.src,
          uid: ctx.cred.uid,
        };
        const n = await this.send(ctx, so, r.data, r.to.family === 0 ? null : r.to, ctl, (k) =>
          encode(M.SendReply, { nbytes: k }),
        );
        return n === null ? null : { ret: 0, data: n };
      }
      case S.RECVMSG: {
        const r = decode(M.RecvRequest, data);
        return this.recv(ctx, so, r.max, r.flags, (rec, trunc) => encodeOne(rec, r.max, trunc));
      }
      case S.RECVMMSG: {
        const r = decode(M.RecvMmsgRequest, data);
        if (so.type === K.SOCK_STREAM)
          throw new KernelError("EOPNOTSUPP", "recvmmsg is for datagram sockets; read a stream with recv");
        if (r.count === 0 || r.count > BATCH_MAX)
          throw new KernelError("EINVAL", `recvmmsg count ${r.count} (1-${BATCH_MAX})`);
        return this.recvBatch(ctx, so, r);
      }
      case S.IOCTL: {
        const r = decode(M.IoctlRequest, data);
        if (r.request === M.FIONREAD) {
          const first = so.rcv.peek();
          const n = so.type === K.SOCK_STREAM ? so.rcv.cc : (first?.size ?? 0);
          return ok(M.IoctlReply, { value: n });
        }
        if (r.request === M.FIONBIO) {
          so.nbio = r.arg !== 0;
          return ok(M.IoctlReply, { value: 0 });
        }
        throw new KernelError(
          "ENOTTY",
          `ioctl 0x${(r.request >>> 0).toString(16)} is not supported on sockets`,
        );
      }
      default:
        throw new KernelError("ENOTTY", `unknown socket command 0x${(dcmd >>> 0).toString(16)}`);
    }
  }

  private ifByIndex(index: number) {
    const ifp = this.layer.stack.interfaces().find((i) => i.index === index);
    if (ifp === undefined) throw new KernelError("ENXIO", `no interface with index ${index}`);
    return ifp;
  }

  private adopt(open: SocketOpen, so: Socket): void {
    open.so = so;
    so.onReady = () => open.notify(socketReady(so));
  }

  /** read(2) on a socket: recv() without the address. */
  read(ctx: IoContext, open: SocketOpen, nbytes: number): Promise<Uint8Array | null> {
    const so = sockOf(open);
    return this.recv(
      ctx,
      so,
      nbytes,
      0,
      (rec) => {
        if (rec === null) return EMPTY;
        return rec.data.byteLength > nbytes ? rec.data.subarray(0, nbytes) : rec.data;
      },
      true,
    ).then((r) => (r === null ? null : (r.data ?? EMPTY)));
  }

  /** write(2) on a socket: send() to the connected peer. */
  async write(ctx: IoContext, open: SocketOpen, data: Uint8Array): Promise<number | null> {
    const so = sockOf(open);
    const r = await this.send(
      ctx,
      so,
      data,
      null,
      { flags: 0, ifp: null, src: 0, uid: ctx.cred.uid },
      (n) => {
        const b = new Uint8Array(4);
        new DataView(b.buffer).setUint32(0, n);
        return b;
      },
      true,
    );
    if (r === null) return null;
    return new DataView(r.buffer, r.byteOffset, 4).getUint32(0);
  }

  /** `pidin fds`'s text for this open (_IO_FDINFO). */
  describe(open: SocketOpen): string {
    const so = open.so;
    if (so === null || so.closed) return `socket: domain ${open.domain}, not created`;
    return describeSocket(this.info(so), so.proto.name);
  }

  notifyFlags(open: SocketOpen, flags: number): number {
    if (open.so === null) return flags & (C.NOTIFY_INPUT | C.NOTIFY_OUTPUT);
    return socketReady(open.so) & (flags | C.NOTIFY_HUP);
  }

  /**
   * The last close of a socket. With SO_LINGER on and a nonzero time, a blocking close (BSD's
   * soclose) waits until the protocol says everything sent is acknowledged, then answers 0; when
   * the time runs out first the protocol resets the connection and close fails with
   * EWOULDBLOCK, as NetBSD's. A non-blocking socket, or a close without a caller to answer (the
   * process went away), lingers in the background instead.
   */
  close(open: SocketOpen, ctx: IoContext | null = null): void {
    const so = open.so;
    open.so = null;
    if (so === null) return;
    const drain = so.proto.lingerDrain?.bind(so.proto);
    const lingerMs = (so.options & K.SO_LINGER) !== 0 ? so.lingerSec * 1000 : 0;
    if (drain === undefined || lingerMs === 0 || ctx === null || so.nbio || drain(so, false)) {
      this.layer.close(so);
      return;
    }
    const d = ctx.defer();
    let timer: TimerHandle | null = null;
    const finish = (): void => {
      so.snd.unwait(waiter);
      if (timer !== null) this.clock.clearTimer(timer);
      timer = null;
      this.layer.close(so);
    };
    const waiter = (): boolean => {
      if (d.done) return true;
      if (!drain(so, false)) return false;
      finish();
      d.reply(EMPTY, 0);
      return true;
    };
    so.snd.wait(waiter);
    timer = this.clock.setTimer(lingerMs, () => {
      timer = null;
      // Unhooked first: the reset's own wake-up must not count as "acknowledged".
      so.snd.unwait(waiter);
      drain(so, true);
      finish();
      if (!d.done) d.error("EAGAIN", `SO_LINGER: not acknowledged within ${so.lingerSec} s`);
    });
    d.onCancel = finish;
  }

  // ---- blocking ----

  /**
   * Runs `attempt` now; when it returns null and blocking is allowed, defers the reply and runs it
   * again on every wake-up of the socket's buffer until it answers, `check` throws, or the timeout.
   */
  private waitFor(
    ctx: IoContext,
    so: Socket,
    nbio: boolean,
    timeoutMs: number,
    attempt: () => DevctlResult | null,
    check: () => null,
    which: "rcv" | "snd" = "rcv",
    raw = false,
  ): DevctlResult | null {
    check();
    const now = attempt();
    if (now !== null) return now;
    if (nbio) throw new KernelError("EAGAIN", "operation would block");
    const sb = which === "rcv" ? so.rcv : so.snd;
    const d: Deferred = ctx.defer();
    let timer: TimerHandle | null = null;
    const finish = (): void => {
      sb.unwait(waiter);
      if (timer !== null) this.clock.clearTimer(timer);
    };
    const answer = (r: DevctlResult): void => {
      if (raw) d.reply(r.data ?? EMPTY, r.ret);
      else d.reply(encodeDevctlReply(r.ret, r.data ?? EMPTY, r.headroom === true), 0);
    };
    const waiter = (): boolean => {
      if (d.done) return true;
      try {
        check();
        const r = attempt();
        if (r === null) return false;
        if (timer !== null) this.clock.clearTimer(timer);
        answer(r);
      } catch (e) {
        if (timer !== null) this.clock.clearTimer(timer);
        const k = KernelError.from(e);
        d.error(k.errno, k.message);
      }
      return true;
    };
    sb.wait(waiter);
    if (timeoutMs > 0)
      timer = this.clock.setTimer(timeoutMs, () => {
        timer = null;
        sb.unwait(waiter);
        if (!d.done) d.error("EAGAIN", "timed out (SO_RCVTIMEO/SO_SNDTIMEO)");
      });
    d.onCancel = finish;
    return null;
  }

  private recv(
    ctx: IoContext,
    so: Socket,
    max: number,
    flags: number,
    reply: (rec: SockData | null, trunc: boolean) => Uint8Array,
    raw = false,
  ): Promise<DevctlResult | null> {
    const peek = (flags & K.MSG_PEEK) !== 0;
    const attempt = (): DevctlResult | null => {
      if (so.type === K.SOCK_STREAM) {
        if (so.rcv.cc === 0) return so.rcv.eof ? { ret: 0, data: reply(null, false) } : null;
        const first = so.rcv.peek() as SockData;
        const bytes = peek ? first.data.subarray(0, max) : so.rcv.readBytes(max, (r) => r.data);
        if (!peek) so.proto.rcvd?.(so);
        const rec: SockData = { size: bytes.byteLength, data: bytes, from: first.from, dst: 0, ifindex: 0 };
        return { ret: raw ? bytes.byteLength : 0, data: reply(rec, false) };
      }
      const rec = peek ? so.rcv.peek() : so.rcv.shift();
      if (rec === undefined) return so.rcv.eof ? { ret: 0, data: reply(null, false) } : null;
      if (!peek) so.proto.rcvd?.(so);
      const n = Math.min(rec.data.byteLength, max);
      return { ret: raw ? n : 0, data: reply(rec, rec.data.byteLength > max) };
    };
    const nbio = so.nbio || (flags & K.MSG_DONTWAIT) !== 0;
    return Promise.resolve(
      this.waitFor(
        ctx,
        so,
        nbio,
        so.rcvTimeoMs,
        attempt,
        () => {
          if (so.rcv.cc === 0 || so.type !== K.SOCK_STREAM) throwPending(so);
          return null;
        },
        "rcv",
        raw,
      ),
    );
  }

  /** RECVMMSG: what is queued (at least one datagram, blocking like recv) in one reply. */
  private recvBatch(
    ctx: IoContext,
    so: Socket,
    r: { max: number; flags: number; count: number; bytes: number },
  ): DevctlResult | null {
    const peek = (r.flags & K.MSG_PEEK) !== 0;
    const attempt = (): DevctlResult | null => {
      const rcv = so.rcv;
      if (rcv.records === 0) return rcv.eof ? { ret: 0, data: encodeBatch(rcv, 0, 4, r.max) } : null;
      const { n, size } = batchSize(rcv, r.count, r.max, r.bytes);
      const data = encodeBatch(rcv, n, size, r.max);
      if (!peek) {
        for (let i = 0; i < n; i++) rcv.shift();
        so.proto.rcvd?.(so);
      }
      return { ret: 0, data, headroom: true };
    };
    const nbio = so.nbio || (r.flags & K.MSG_DONTWAIT) !== 0;
    return this.waitFor(ctx, so, nbio, so.rcvTimeoMs, attempt, () => {
      throwPending(so);
      return null;
    });
  }

  private send(
    ctx: IoContext,
    so: Socket,
    data: Uint8Array,
    to: M.SockAddr | null,
    ctl: SendControl,
    reply: (n: number) => Uint8Array,
    raw = false,
  ): Promise<Uint8Array | null> {
    if (so.state & SS_CANTSENDMORE) throw new KernelError("EPIPE");
    throwPending(so);
    let done = 0;
    const attempt = (): DevctlResult | null => {
      const n = so.proto.send(so, data.subarray(done), to, ctl);
      done += n;
      if (done < data.byteLength && so.type === K.SOCK_STREAM) return null;
      return { ret: raw ? done : 0, data: reply(done) };
    };
    const nbio = so.nbio || (ctl.flags & K.MSG_DONTWAIT) !== 0;
    const r = this.waitFor(
      ctx,
      so,
      nbio && done === 0,
      so.sndTimeoMs,
      attempt,
      () => {
        throwPending(so);
        if (so.state & SS_CANTSENDMORE) throw new KernelError("EPIPE");
        return null;
      },
      "snd",
      raw,
    );
    return Promise.resolve(r === null ? null : (r.data ?? EMPTY));
  }

  info(so: Socket): M.SocketInfo {
    let local = M.NO_ADDR;
    let foreign = M.NO_ADDR;
    try {
      local = so.proto.sockaddr(so);
    } catch {
      // not bound
    }
    try {
      foreign = so.proto.peeraddr(so);
    } catch {
      // not connected
    }
    return {
      id: so.id,
      domain: so.domain,
      type: so.type,
      protocol: so.protocol,
      local,
      foreign,
      recvQ: so.rcv.cc,
      sendQ: so.snd.cc,
      state: so.listening ? "LISTEN" : so.proto.stateText(so),
      pid: so.pid,
      drops: so.rcv.drops,
    };
  }
}
