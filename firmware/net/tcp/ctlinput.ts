// ICMP errors about segments a connection sent (BSD tcp_ctlinput, RFC 1122 §4.2.3.9, RFC 5927).
// The quoted sequence number must lie in [SND.UNA, SND.MAX), else the error is ignored as
// forged (RFC 5927 §4.1). Fragmentation needed lowers the path MSS and resends from SND.UNA
// (RFC 1191); unreachables abort a connection still in SYN-SENT (as Linux: ECONNREFUSED for port
// and protocol, EHOSTUNREACH / ENETUNREACH otherwise) and are soft errors once synchronized,
// reported instead of ETIMEDOUT if the connection later times out (BSD t_softerror).
import { ERRNO } from "../../kernel/errno.ts";
import { dropConnection } from "./close.ts";
import { tcpOutput } from "./output.ts";
import { seqGeq, seqLt } from "./seq.ts";
import { TCPS_SYN_SENT } from "./state.ts";
import type { Tcb } from "./tcb.ts";
import { TT_REXMT } from "./timers.ts";

export const ICMP_UNREACH = 3;
export const ICMP_TIMXCEED = 11;
const UNREACH_NET = 0;
const UNREACH_PROTOCOL = 2;
const UNREACH_PORT = 3;
export const UNREACH_NEEDFRAG = 4;
/** The smallest IPv4 MTU (RFC 791): a smaller "next-hop MTU" is not believed. */
const MIN_MTU = 68;

export function tcpCtlinput(t: Tcb, type: number, code: number, seq: number, mtu: number): void {
  const stats = t.host.stats;
  if (!(seqGeq(seq, t.sndUna) && seqLt(seq, t.sndMax))) {
    stats.icmpbadseq++;
    return;
  }
  if (type === ICMP_UNREACH && code === UNREACH_NEEDFRAG) {
    if (mtu < MIN_MTU) return;
    const mss = mtu - 40;
    if (t.pmtuMss !== 0 && mss >= t.pmtuMss) return;
    if (mss >= t.smss + t.optionOverhead() && t.pmtuMss === 0) return; // not smaller than we send
    t.pmtuMss = mss;
    t.setMss();
    stats.pmtuupdates++;
    // Everything in flight was too big: go back to SND.UNA in the new size (RFC 1191 §6.4).
    t.sndNxt = t.sndUna;
    t.deadlines[TT_REXMT] = 0;
    tcpOutput(t);
    return;
  }
  if (type !== ICMP_UNREACH && type !== ICMP_TIMXCEED) return;
  const errno =
    type === ICMP_TIMXCEED
      ? ERRNO.EHOSTUNREACH
      : code === UNREACH_PORT || code === UNREACH_PROTOCOL
        ? ERRNO.ECONNREFUSED
        : code === UNREACH_NET
          ? ERRNO.ENETUNREACH
          : ERRNO.EHOSTUNREACH;
  if (t.state === TCPS_SYN_SENT && type === ICMP_UNREACH) {
    stats.icmpdrops++;
    dropConnection(t, errno, false);
    return;
  }
  t.softError = errno;
}
