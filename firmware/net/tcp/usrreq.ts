// The socket-facing verbs (BSD tcp_usrreq): connect, send, receive, shutdown, close, abort and
// the TCP-level options. The only entry into a connection from the socket layer; errors are
// errno values.
import { ERRNO } from "../../kernel/errno.ts";
import { createCongestionControl } from "./cc/index.ts";
import { dropConnection } from "./close.ts";
import { tcpOutput } from "./output.ts";
import { TCP_MAX_WINSHIFT } from "./options.ts";
import {
  TCPS_CLOSE_WAIT,
  TCPS_CLOSED,
  TCPS_ESTABLISHED,
  TCPS_FIN_WAIT_1,
  TCPS_LAST_ACK,
  TCPS_LISTEN,
  TCPS_SYN_RECEIVED,
  TCPS_SYN_SENT,
  haveRcvdSyn,
} from "./state.ts";
import type { TcpInfo } from "./tcp-info.ts";
import type { Tcb } from "./tcb.ts";
import { TT_KEEP } from "./timers.ts";

/** The smallest shift that lets a `capacity`-byte buffer be advertised (RFC 7323 §2.3). */
export function windowShiftFor(capacity: number): number {
  let s = 0;
  while (s < TCP_MAX_WINSHIFT && 65_535 << s < capacity) s++;
  return s;
}

/** Active open: SYN-SENT and the SYN goes out. The caller chose the tuple, ISS and our MSS. */
export function tcpConnect(t: Tcb, iss: number, tsOffset: number): void {
  t.iss = iss;
  t.sndUna = iss;
  t.sndNxt = iss;
  t.sndMax = iss;
  t.recover = iss;
  t.tsOffset = tsOffset;
  t.requestRcvScale = windowShiftFor(t.rcvBuf.capacity);
  t.state = TCPS_SYN_SENT;
  t.lastRecvTime = t.host.now();
  t.host.stats.connattempt++;
  tcpOutput(t);
}

/** Appends to the send buffer; returns the bytes taken (0 when full) or −errno. */
export function tcpSend(t: Tcb, src: Uint8Array, off: number, len: number): number {
  if (t.error !== 0) return -t.error;
  if (t.state === TCPS_CLOSED || t.state === TCPS_LISTEN) return -ERRNO.ENOTCONN;
  if (t.finQueued) return -ERRNO.EPIPE;
  const n = t.sndBuf.write(src, off, len);
  if (haveRcvdSyn(t.state)) tcpOutput(t);
  return n;
}

/** Reads in-order bytes; returns the count (0 with `rcvFin`/nothing buffered: check state). */
export function tcpRead(t: Tcb, dst: Uint8Array, off: number, len: number): number {
  const n = t.rcvBuf.read(dst, off, len);
  if (n > 0 && haveRcvdSyn(t.state) && t.state !== TCPS_CLOSED) tcpOutput(t); // window update
  return n;
}

/** SHUT_WR: a FIN after the queued data (RFC 9293 §3.10.4). */
export function tcpShutdown(t: Tcb): void {
  switch (t.state) {
    case TCPS_SYN_SENT:
      dropConnection(t, 0, false);
      return;
    case TCPS_SYN_RECEIVED:
    case TCPS_ESTABLISHED:
      t.finQueued = true;
      t.state = TCPS_FIN_WAIT_1;
      break;
    case TCPS_CLOSE_WAIT:
      t.finQueued = true;
      t.state = TCPS_LAST_ACK;
      break;
    default:
      return;
  }
  tcpOutput(t);
}

/**
 * close(): unread data or SO_LINGER with a zero timeout abort with RST (RFC 2525 §2.17);
 * otherwise a FIN after the data.
 */
export function tcpClose(t: Tcb): void {
  if (t.rcvBuf.length > 0 || (t.lingerOn && t.lingerSec === 0)) {
    tcpAbort(t);
    return;
  }
  tcpShutdown(t);
}

/** Abort: RST when synchronized, then gone. */
export function tcpAbort(t: Tcb): void {
  dropConnection(t, 0, true);
}

export const TCP_NODELAY = 0x01;
export const TCP_MAXSEG = 0x02;
export const TCP_KEEPIDLE = 0x03;
export const TCP_KEEPINTVL = 0x05;
export const TCP_KEEPCNT = 0x06;
export const TCP_INFO = 0x09;
export const TCP_CONGESTION = 0x0d;

/** Sets a TCP-level option; returns 0 or −errno. Seconds for the keepalive times, as BSD. */
export function tcpSetOption(t: Tcb, name: number, value: number | string): number {
  switch (name) {
    case TCP_NODELAY:
      t.nodelay = value !== 0;
      if (t.nodelay && haveRcvdSyn(t.state)) tcpOutput(t);
      return 0;
    case TCP_MAXSEG:
      if (typeof value !== "number" || value < 64 || value > 65_495) return -ERRNO.EINVAL;
      t.userMaxSeg = value;
      if (haveRcvdSyn(t.state)) t.setMss();
      else t.ourMss = Math.min(t.ourMss, value);
      return 0;
    case TCP_KEEPIDLE:
    case TCP_KEEPINTVL:
    case TCP_KEEPCNT:
      if (typeof value !== "number" || value < 1) return -ERRNO.EINVAL;
      if (name === TCP_KEEPIDLE) t.keepIdleMs = value * 1000;
      else if (name === TCP_KEEPINTVL) t.keepIntvlMs = value * 1000;
      else t.keepCnt = value;
      return 0;
    case TCP_CONGESTION: {
      const cc = createCongestionControl(String(value), t.cc.cwnd);
      if (cc === null) return -ERRNO.ENOENT;
      cc.ssthresh = t.cc.ssthresh;
      t.cc = cc;
      return 0;
    }
    default:
      return -ERRNO.ENOPROTOOPT;
  }
}

/** SO_KEEPALIVE. */
export function tcpSetKeepalive(t: Tcb, on: boolean): void {
  t.keepalive = on;
  if (on && haveRcvdSyn(t.state)) t.setTimer(TT_KEEP, t.host.now() + t.keepIdleMs);
  else if (!on) t.setTimer(TT_KEEP, 0);
}

/** SO_LINGER. */
export function tcpSetLinger(t: Tcb, on: boolean, seconds: number): void {
  t.lingerOn = on;
  t.lingerSec = seconds;
}

/** TCP_INFO, with Linux's field names where they exist. Times in microseconds. */
export function tcpInfo(t: Tcb): TcpInfo {
  return {
    state: t.state,
    ca_state: t.inRecovery ? 3 : 0,
    retransmits: t.rexmtShift,
    backoff: t.rtt.backoff,
    options: (t.tsOk ? 1 : 0) | (t.sackOk ? 2 : 0) | (t.wsOk ? 4 : 0),
    snd_wscale: t.sndScale,
    rcv_wscale: t.rcvScale,
    rto: Math.round(t.rtt.current() * 1000),
    snd_mss: t.smss,
    rcv_mss: t.ourMss,
    rtt: Math.round(t.rtt.srtt * 1000),
    rttvar: Math.round(t.rtt.rttvar * 1000),
    snd_ssthresh: Math.min(t.cc.ssthresh, 0x7fffffff),
    snd_cwnd: Math.floor(t.cc.cwnd),
    snd_wnd: t.sndWnd,
    rcv_space: t.rcvBuf.free,
    unacked: t.flight(),
    total_retrans: t.totalRetrans,
    bytes_acked: t.bytesAcked,
    bytes_received: t.bytesReceived,
    segs_out: t.segsOut,
    segs_in: t.segsIn,
    congctl: t.cc.name,
  };
}
