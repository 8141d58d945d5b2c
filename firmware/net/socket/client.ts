// libsocket for this runtime: `ctx.sockets` (api.ts). Every call is a message to io-pkt's
// `<$SOCK>/dev/socket/<domain>` on the program's own thread, so a blocked call blocks only
// this program, at its priority. Errors are the server's KernelErrors (errno-shaped).
import { KernelError } from "../../kernel/errno.ts";
import type { Thread } from "../../kernel/thread.ts";
import * as client from "../../resmgr/client.ts";
import * as C from "../../resmgr/io-constants.ts";
import { encodeRequest, decodeNotifyReply } from "../../resmgr/messages.ts";
import { decode, encode } from "../control/codec.ts";
import { prefixFromEnv, socketDir } from "../control/paths.ts";
import { formatIpv4, parseIpv4 } from "../wire/ipv4-addr.ts";
import type { RecvMsgResult, SocketAddress, SocketClient, SocketListing, SockoptValue } from "./api.ts";
import { AF_INET, AF_LOCAL, MSG_TRUNC, POLLERR, POLLHUP, POLLIN, POLLNVAL, POLLOUT } from "./constants.ts";
import * as M from "./messages.ts";
import { decodeBatch } from "./recv-batch.ts";

type Runner = <T>(fn: (t: Thread) => Promise<T>) => Promise<T>;

const REPLY_MAX = 1 << 20;
const enc = new TextEncoder();
const asBytes = (d: string | Uint8Array): Uint8Array => (typeof d === "string" ? enc.encode(d) : d);
/** What recvmsg returns at end of file. */
const EOF_RESULT = { from: null, truncated: false, dstAddress: "0.0.0.0", ifindex: 0, timestampUs: 0 };
/** Pulse code poll arms notifications with. */
const POLL_PULSE = 0x21;

export function toWire(a: SocketAddress): M.SockAddr {
  if (a.family === "local") return { family: AF_LOCAL, port: 0, addr: 0, path: a.path };
  const ip = a.address === "" ? 0 : parseIpv4(a.address);
  if (ip === null) throw new KernelError("EINVAL", `bad IPv4 address '${a.address}'`);
  if (!Number.isInteger(a.port) || a.port < 0 || a.port > 65535)
    throw new KernelError("EINVAL", `bad port ${a.port}`);
  return { family: AF_INET, port: a.port, addr: ip, path: "" };
}

export function fromWire(a: M.SockAddr): SocketAddress | null {
  if (a.family === AF_INET) return { family: "inet", address: formatIpv4(a.addr), port: a.port };
  if (a.family === AF_LOCAL) return { family: "local", path: a.path };
  return null;
}

function optionBytes(v: SockoptValue): Uint8Array {
  if (v instanceof Uint8Array) return v;
  if (typeof v === "string") return enc.encode(v);
  const b = new Uint8Array(4);
  new DataView(b.buffer).setInt32(0, typeof v === "boolean" ? (v ? 1 : 0) : v);
  return b;
}

/** The SocketClient of a process; `env` is read at each socket() for SOCK=. */
export function makeSocketClient(run: Runner, env: Record<string, string | undefined>): SocketClient {
  const call = async <T>(
    fd: number,
    dcmd: number,
    data: Uint8Array,
    parse: (d: Uint8Array) => T,
  ): Promise<T> => run(async (t) => parse((await client.devctl(t, fd, dcmd, data, REPLY_MAX)).data));
  const none = (): void => undefined;
  const addrOf = (d: Uint8Array): SocketAddress => {
    const a = fromWire(decode(M.AddrMessage, d).addr);
    if (a === null) throw new KernelError("ENOTCONN");
    return a;
  };
  const dir = (): string => socketDir(prefixFromEnv(env));

  const api: SocketClient = {
    async socket(domain, type, protocol = 0) {
      return run(async (t) => {
        const fd = await client.open(t, `${dir()}/${domain}`, C.O_RDWR);
        try {
          await client.devctl(t, fd, M.SOCKCTL.SOCKET, encode(M.SocketRequest, { type, protocol }));
        } catch (e) {
          await client.close(t, fd);
          throw e;
        }
        return fd;
      });
    },
    bind: (fd, addr) => call(fd, M.SOCKCTL.BIND, encode(M.AddrMessage, { addr: toWire(addr) }), none),
    connect: (fd, addr) =>
      call(
        fd,
        M.SOCKCTL.CONNECT,
        encode(M.AddrMessage, { addr: addr === null ? M.NO_ADDR : toWire(addr) }),
        none,
      ),
    listen: (fd, backlog = 5) => call(fd, M.SOCKCTL.LISTEN, encode(M.ListenRequest, { backlog }), none),
    async accept(fd) {
      const info = await call(fd, M.SOCKCTL.INFO, new Uint8Array(0), (d) => decode(M.SocketInfoSchema, d));
      return run(async (t) => {
        const nfd = await client.open(t, `${dir()}/${info.domain}`, C.O_RDWR);
        try {
          const r = await client.devctl(
            t,
            nfd,
            M.SOCKCTL.ACCEPT,
            encode(M.AcceptRequest, { listener: info.id }),
            REPLY_MAX,
          );
          return { fd: nfd, from: fromWire(decode(M.AddrMessage, r.data).addr) };
        } catch (e) {
          await client.close(t, nfd);
          throw e;
        }
      });
    },
    send: (fd, data, flags = 0) => api.sendmsg(fd, data, { flags }),
    sendto: (fd, data, to, flags = 0) => api.sendmsg(fd, data, { to, flags }),
    async sendmsg(fd, data, o = {}) {
      const src = o.src === undefined ? 0 : parseIpv4(o.src);
      if (src === null) throw new KernelError("EINVAL", `bad source address '${o.src}'`);
      const req = encode(M.SendRequest, {
        to: o.to === undefined ? M.NO_ADDR : toWire(o.to),
        flags: o.flags ?? 0,
        ifindex: o.ifindex ?? 0,
        src,
        data: asBytes(data),
      });
      return call(fd, M.SOCKCTL.SENDMSG, req, (d) => decode(M.SendReply, d).nbytes);
    },
    recv: async (fd, max, flags) => (await api.recvmsg(fd, max, flags)).data,
    async recvfrom(fd, max, flags) {
      const r = await api.recvmsg(fd, max, flags);
      return { data: r.data, from: r.from, truncated: r.truncated };
    },
    async recvmsg(fd, max = 65536, flags = 0) {
      const d = await call(fd, M.SOCKCTL.RECVMSG, encode(M.RecvRequest, { max, flags }), (b) => b);
      // end of file: no record
      return batchResults(d)[0] ?? { ...EOF_RESULT, data: new Uint8Array(0) };
    },
    recvmmsg: (fd, o = {}) =>
      call(
        fd,
        M.SOCKCTL.RECVMMSG,
        encode(M.RecvMmsgRequest, {
          max: o.max ?? 65536,
          flags: o.flags ?? 0,
          count: o.count ?? 64,
          bytes: REPLY_MAX - 64,
        }),
        batchResults,
      ),
    shutdown: (fd, how) => call(fd, M.SOCKCTL.SHUTDOWN, encode(M.ShutdownRequest, { how }), none),
    close: (fd) => run((t) => client.close(t, fd)),
    getsockname: (fd) => call(fd, M.SOCKCTL.GETSOCKNAME, new Uint8Array(0), addrOf),
    getpeername: (fd) => call(fd, M.SOCKCTL.GETPEERNAME, new Uint8Array(0), addrOf),
    setsockopt: (fd, level, name, value) =>
      call(
        fd,
        M.SOCKCTL.SETSOCKOPT,
        encode(M.SockoptRequest, { level, name, value: optionBytes(value) }),
        none,
      ),
    getsockopt: (fd, level, name) =>
      call(
        fd,
        M.SOCKCTL.GETSOCKOPT,
        encode(M.SockoptRequest, { level, name, value: new Uint8Array(0) }),
        (d) => decode(M.SockoptValue, d).value,
      ),
    async getsockoptInt(fd, level, name) {
      const v = await api.getsockopt(fd, level, name);
      if (v.byteLength !== 4) throw new KernelError("EINVAL", "option is not an integer");
      return new DataView(v.buffer, v.byteOffset, 4).getInt32(0);
    },
    ioctl: (fd, request, arg = 0) =>
      call(
        fd,
        M.SOCKCTL.IOCTL,
        encode(M.IoctlRequest, { request, arg }),
        (d) => decode(M.IoctlReply, d).value,
      ),
    poll: (fds, timeoutMs) => run((t) => poll(t, fds, timeoutMs)),
    async list() {
      return run(async (t) => {
        const fd = await client.open(t, `${dir()}/${AF_INET}`, C.O_RDWR);
        try {
          const r = await client.devctl(t, fd, M.SOCKCTL.LIST, new Uint8Array(0), REPLY_MAX);
          return decode(M.ListReply, r.data).sockets.map((s): SocketListing => ({
            ...s,
            local: fromWire(s.local),
            foreign: fromWire(s.foreign),
          }));
        } finally {
          await client.close(t, fd);
        }
      });
    },
  };
  return api;
}

/**
 * A RECVMMSG reply as results. Consecutive datagrams from one sender (a flood, a stream of
 * requests) share the formatted address strings: one formatIpv4 per sender change.
 */
function batchResults(d: Uint8Array): RecvMsgResult[] {
  const recs = decodeBatch(d);
  const out = new Array<RecvMsgResult>(recs.length);
  let lastAddr = -1;
  let lastText = "";
  let lastDst = -1;
  let lastDstText = "";
  for (let i = 0; i < recs.length; i++) {
    const r = recs[i] as (typeof recs)[number];
    const f = r.from;
    let from: SocketAddress | null;
    if (f.family === AF_INET) {
      if (f.addr !== lastAddr) {
        lastAddr = f.addr;
        lastText = formatIpv4(f.addr);
      }
      from = { family: "inet", address: lastText, port: f.port };
    } else from = fromWire(f);
    if (r.dst !== lastDst) {
      lastDst = r.dst;
      lastDstText = formatIpv4(r.dst);
    }
    out[i] = {
      data: r.data,
      from,
      truncated: (r.flags & MSG_TRUNC) !== 0,
      dstAddress: lastDstText,
      ifindex: r.ifindex,
      timestampUs: r.tsUs,
    };
  }
  return out;
}

function toNotify(events: number): number {
  return (events & POLLIN ? C.NOTIFY_INPUT : 0) | (events & POLLOUT ? C.NOTIFY_OUTPUT : 0);
}

function fromNotify(flags: number, events: number): number {
  let r = 0;
  if (flags & C.NOTIFY_INPUT) r |= events & POLLIN;
  if (flags & C.NOTIFY_OUTPUT) r |= events & POLLOUT;
  if (flags & C.NOTIFY_HUP) r |= POLLHUP;
  return r;
}

/**
 * poll(2): asks every descriptor's manager what is ready and arms a notification (a pulse on a
 * private channel) where nothing is; waits for a pulse or the timeout, then asks again.
 */
async function poll(t: Thread, fds: { fd: number; events: number }[], timeoutMs: number): Promise<number[]> {
  const chid = t.ChannelCreate();
  const coid = t.ConnectAttach(0, t.process.pid, chid);
  const deadline = timeoutMs < 0 ? Infinity : t.kernel.clock.now() + timeoutMs;
  try {
    for (;;) {
      const revents: number[] = [];
      let any = false;
      for (let i = 0; i < fds.length; i++) {
        const { fd, events } = fds[i] as { fd: number; events: number };
        let r: number;
        try {
          const e = t.process.fds.get(fd);
          if (e === undefined || e.coid < 0) throw new KernelError("EBADF");
          const msg = encodeRequest({
            type: C.IO_NOTIFY,
            handle: e.handle,
            action: timeoutMs === 0 ? 0 : 1,
            priority: t.priority,
            flags: toNotify(events),
            code: POLL_PULSE,
            value: i,
            coid,
          });
          r = fromNotify(decodeNotifyReply(await t.MsgSend(e.coid, msg)), events);
        } catch (e) {
          r = e instanceof KernelError && e.errno === "EBADF" ? POLLNVAL : POLLERR;
        }
        revents.push(r);
        if (r !== 0) any = true;
      }
      const left = deadline - t.kernel.clock.now();
      if (any || left <= 0) return revents;
      try {
        await t.MsgReceive(chid, { timeoutMs: left === Infinity ? undefined : Math.max(1, Math.ceil(left)) });
      } catch (e) {
        if (e instanceof KernelError && e.errno === "ETIMEDOUT") return revents.map(() => 0);
        throw e;
      }
    }
  } finally {
    t.ConnectDetach(coid);
    t.ChannelDestroy(chid);
  }
}
