// The socket message protocol: what libsocket (client.ts) sends to `/dev/socket/<domain>`.
// A socket is one open of `<prefix>/dev/socket/<domain>`; every call on it is a devctl of
// class 'S' with a typed-binary request and reply (network byte order, codec.ts), modelled on
// QNX libsocket's DCMD_IP_* devctls. Plain read()/write() on the descriptor are recv()/send()
// on a connected socket. Layouts and semantics: docs/sockets.md. Numbers are stable.
import bin from "typed-binary";
import type { Parsed } from "typed-binary";
import { bytes } from "../control/codec.ts";

export const DCMD_SOCK_CLASS = 0x5300;

function cmd(n: number): number {
  return (0xc0000000 | DCMD_SOCK_CLASS | n) >>> 0;
}

export const SOCKCTL = {
  /** First message of an open: which kind of socket this open is. */
  SOCKET: cmd(1),
  BIND: cmd(2),
  CONNECT: cmd(3),
  LISTEN: cmd(4),
  ACCEPT: cmd(5),
  SHUTDOWN: cmd(6),
  GETSOCKNAME: cmd(7),
  GETPEERNAME: cmd(8),
  SETSOCKOPT: cmd(9),
  GETSOCKOPT: cmd(10),
  SENDMSG: cmd(11),
  RECVMSG: cmd(12),
  IOCTL: cmd(13),
  /** Many datagrams in one reply (recvmmsg): layout in recv-batch.ts. */
  RECVMMSG: cmd(15),
  /** This socket's id, domain, type and addresses (accept's side channel, fstat). */
  INFO: cmd(14),
  /** Every socket of the stack (netstat -an, fstat). Allowed on an open before SOCKET. */
  LIST: cmd(20),
} as const;

/** ioctl requests (BSD numbers). */
export const FIONREAD = 0x4004667f;
export const FIONBIO = 0x8004667e;

/** A socket address of any family: AF_INET uses addr/port, AF_LOCAL uses path. */
export const SockAddrSchema = bin.object({
  family: bin.u8,
  port: bin.u16,
  addr: bin.u32,
  path: bin.string,
});
export type SockAddr = Parsed<typeof SockAddrSchema>;

export const SocketRequest = bin.object({ type: bin.u8, protocol: bin.u8 });
/** ACCEPT, on a fresh open of the same domain: the listening socket's id (from INFO). */
export const AcceptRequest = bin.object({ listener: bin.u32 });
export const AddrMessage = bin.object({ addr: SockAddrSchema });
export const ListenRequest = bin.object({ backlog: bin.u32 });
export const ShutdownRequest = bin.object({ how: bin.u8 });
export const SockoptRequest = bin.object({ level: bin.u32, name: bin.u32, value: bytes });
export const SockoptValue = bin.object({ value: bytes });

/** sendmsg: `to.family` 0 sends to the connected peer. `ifindex`/`src` are IP_PKTINFO. */
export const SendRequest = bin.object({
  to: SockAddrSchema,
  flags: bin.u32,
  ifindex: bin.u32,
  src: bin.u32,
  data: bytes,
});
export const SendReply = bin.object({ nbytes: bin.u32 });

export const RecvRequest = bin.object({ max: bin.u32, flags: bin.u32 });
/** recvmsg's reply is a batch of one record (none at end of file): recv-batch.ts. */
/**
 * recvmmsg: up to `count` datagrams, each cut to `max` bytes, the reply within `bytes`. Blocks
 * (unless non-blocking) until at least one is queued, then takes what is there (MSG_WAITFORONE).
 */
export const RecvMmsgRequest = bin.object({ max: bin.u32, flags: bin.u32, count: bin.u32, bytes: bin.u32 });

export const IoctlRequest = bin.object({ request: bin.u32, arg: bin.i32 });
export const IoctlReply = bin.object({ value: bin.i32 });

export const SocketInfoSchema = bin.object({
  id: bin.u32,
  domain: bin.u8,
  type: bin.u8,
  protocol: bin.u8,
  local: SockAddrSchema,
  foreign: SockAddrSchema,
  recvQ: bin.u32,
  sendQ: bin.u32,
  state: bin.string,
  pid: bin.u32,
  drops: bin.u32,
});
export type SocketInfo = Parsed<typeof SocketInfoSchema>;
export const ListReply = bin.object({ sockets: bin.dynamicArrayOf(SocketInfoSchema) });

export const NO_ADDR: SockAddr = { family: 0, port: 0, addr: 0, path: "" };
