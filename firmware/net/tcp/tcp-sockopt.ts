// TCP's socket options (setsockopt/getsockopt at IPPROTO_TCP, and the SOL_SOCKET ones TCP acts
// on: SO_KEEPALIVE, SO_LINGER). A socket keeps what was set in a TcpUserOptions record before it
// has a connection; the record is applied to the TCB when one exists (before the SYN of a
// connect, at accept for a listener's children, who inherit it) and on every later change.
// Integers are 4-byte big-endian as everywhere in the socket protocol; keepalive times in
// seconds, as BSD and Linux; TCP_CONGESTION a name; TCP_INFO a record (tcp-info.ts).
import { errnoName, KernelError } from "../../kernel/errno.ts";
import { SO_KEEPALIVE, SO_LINGER } from "../socket/constants.ts";
import { int32, readInt } from "../socket/sockopt.ts";
import type { Socket } from "../socket/socket.ts";
import { CONGCTL_NAMES } from "./cc/index.ts";
import type { TcpEngine } from "./engine.ts";
import type { Tcb } from "./tcb.ts";
import { encodeTcpInfo } from "./tcp-info.ts";
import {
  TCP_CONGESTION,
  TCP_INFO,
  TCP_KEEPCNT,
  TCP_KEEPIDLE,
  TCP_KEEPINTVL,
  TCP_MAXSEG,
  TCP_NODELAY,
  tcpInfo,
  tcpSetKeepalive,
  tcpSetLinger,
  tcpSetOption,
} from "./usrreq.ts";

/** What a socket set at IPPROTO_TCP; 0/null: the engine's default. */
export interface TcpUserOptions {
  nodelay: boolean;
  maxseg: number;
  keepIdle: number;
  keepIntvl: number;
  keepCnt: number;
  congctl: string | null;
}

export function newTcpUserOptions(): TcpUserOptions {
  return { nodelay: false, maxseg: 0, keepIdle: 0, keepIntvl: 0, keepCnt: 0, congctl: null };
}

const OPTION_NAMES: Record<number, string> = {
  [TCP_NODELAY]: "TCP_NODELAY",
  [TCP_MAXSEG]: "TCP_MAXSEG",
  [TCP_KEEPIDLE]: "TCP_KEEPIDLE",
  [TCP_KEEPINTVL]: "TCP_KEEPINTVL",
  [TCP_KEEPCNT]: "TCP_KEEPCNT",
  [TCP_INFO]: "TCP_INFO",
  [TCP_CONGESTION]: "TCP_CONGESTION",
};

function check(r: number, what: string, value: number | string): void {
  if (r < 0) throw new KernelError(errnoName(-r) ?? "EINVAL", `${what}: ${value} is not accepted`);
}

/** setsockopt(IPPROTO_TCP, name): records the value and applies it to `t` when there is one. */
export function setTcpOption(o: TcpUserOptions, t: Tcb | null, name: number, v: Uint8Array): void {
  const what = OPTION_NAMES[name];
  if (what === undefined) throw new KernelError("ENOPROTOOPT", `TCP option ${name} is not supported`);
  if (name === TCP_INFO) throw new KernelError("EINVAL", "TCP_INFO can only be read");
  if (name === TCP_CONGESTION) {
    const cc = new TextDecoder().decode(v).replace(/\0.*$/s, "");
    if (!(CONGCTL_NAMES as readonly string[]).includes(cc))
      throw new KernelError("ENOENT", `TCP_CONGESTION: no "${cc}" (have ${CONGCTL_NAMES.join(", ")})`);
    o.congctl = cc;
    if (t !== null) check(tcpSetOption(t, name, cc), what, cc);
    return;
  }
  const n = readInt(v, what);
  if (name === TCP_NODELAY) o.nodelay = n !== 0;
  else if (name === TCP_MAXSEG) {
    if (n < 64 || n > 65_495) throw new KernelError("EINVAL", `TCP_MAXSEG: ${n} is outside 64..65495`);
    o.maxseg = n;
  } else {
    if (n < 1 || n > 0x7fff) throw new KernelError("EINVAL", `${what}: ${n} is outside 1..32767`);
    if (name === TCP_KEEPIDLE) o.keepIdle = n;
    else if (name === TCP_KEEPINTVL) o.keepIntvl = n;
    else o.keepCnt = n;
  }
  if (t !== null) check(tcpSetOption(t, name, n), what, n);
}

/** getsockopt(IPPROTO_TCP, name): the connection's value, else what was set, else the default. */
export function getTcpOption(o: TcpUserOptions, t: Tcb | null, engine: TcpEngine, name: number): Uint8Array {
  const cfg = engine.config;
  switch (name) {
    case TCP_NODELAY:
      return int32((t?.nodelay ?? o.nodelay) ? 1 : 0);
    case TCP_MAXSEG:
      return int32(t !== null && t.smss > 0 ? t.smss : o.maxseg || cfg.mssDefault);
    case TCP_KEEPIDLE:
      return int32(Math.round((t?.keepIdleMs ?? (o.keepIdle * 1000 || cfg.keepIdleMs)) / 1000));
    case TCP_KEEPINTVL:
      return int32(Math.round((t?.keepIntvlMs ?? (o.keepIntvl * 1000 || cfg.keepIntvlMs)) / 1000));
    case TCP_KEEPCNT:
      return int32(t?.keepCnt ?? (o.keepCnt || cfg.keepCnt));
    case TCP_CONGESTION:
      return new TextEncoder().encode(t?.cc.name ?? o.congctl ?? cfg.congctl);
    case TCP_INFO:
      if (t === null) throw new KernelError("ENOTCONN", "TCP_INFO: the socket has no connection");
      return encodeTcpInfo(tcpInfo(t));
  }
  throw new KernelError("ENOPROTOOPT", `TCP option ${name} is not supported`);
}

/** Everything a socket set, onto its (new) TCB; SO_KEEPALIVE and SO_LINGER from the socket. */
export function applyTcpOptions(so: Socket, o: TcpUserOptions, t: Tcb): void {
  if (o.nodelay) tcpSetOption(t, TCP_NODELAY, 1);
  if (o.maxseg > 0) tcpSetOption(t, TCP_MAXSEG, o.maxseg);
  if (o.keepIdle > 0) tcpSetOption(t, TCP_KEEPIDLE, o.keepIdle);
  if (o.keepIntvl > 0) tcpSetOption(t, TCP_KEEPINTVL, o.keepIntvl);
  if (o.keepCnt > 0) tcpSetOption(t, TCP_KEEPCNT, o.keepCnt);
  if (o.congctl !== null && o.congctl !== t.cc.name) tcpSetOption(t, TCP_CONGESTION, o.congctl);
  applySocketOptions(so, t);
}

/** SO_KEEPALIVE and SO_LINGER as the socket holds them, onto `t`. */
export function applySocketOptions(so: Socket, t: Tcb): void {
  const keep = (so.options & SO_KEEPALIVE) !== 0;
  if (keep !== t.keepalive) tcpSetKeepalive(t, keep);
  tcpSetLinger(t, (so.options & SO_LINGER) !== 0, so.lingerSec);
}
