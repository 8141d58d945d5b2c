// What each expired deadline does: retransmit with backoff (RFC 6298 §5), probe a closed window
// (persist), keepalive probes (RFC 9293 §3.8.4), the delayed ACK and the FIN-WAIT-2 give-up.
import { ERRNO } from "../../kernel/errno.ts";
import { TH_ACK } from "../wire/tcp.ts";
import { dropConnection } from "./close.ts";
import { persistInterval, sendAck, sendSegment, sendWindowProbe, tcpOutput } from "./output.ts";
import { TCPS_CLOSE_WAIT, TCPS_ESTABLISHED, TCPS_SYN_RECEIVED, TCPS_SYN_SENT } from "./state.ts";
import type { Tcb } from "./tcb.ts";
import { TT_2MSL, TT_COUNT, TT_DELACK, TT_KEEP, TT_PERSIST, TT_REXMT } from "./timers.ts";

function retransmitTimeout(t: Tcb, now: number): void {
  const cfg = t.host.config;
  const stats = t.host.stats;
  t.rexmtShift++;
  const handshake = t.state === TCPS_SYN_SENT || t.state === TCPS_SYN_RECEIVED;
  if (t.rexmtShift > (handshake ? cfg.synRetries : cfg.rexmtLimit)) {
    dropConnection(t, t.softError || ERRNO.ETIMEDOUT, !handshake);
    return;
  }
  stats.rexmttimeo++;
  t.rtt.backoff++;
  t.rtTiming = false; // Karn: no sample from what is resent
  if (handshake) {
    t.sndNxt = t.iss;
  } else {
    t.cc.onRto(t.flight(), t.smss);
    t.recover = t.sndMax;
    t.inRecovery = false;
    t.inflate = 0;
    t.dupAcks = 0;
    t.scoreboard.clear(); // RFC 2018 §8: the receiver may have reneged
    t.sndNxt = t.sndUna;
  }
  t.deadlines[TT_REXMT] = 0;
  tcpOutput(t);
  if (t.deadlines[TT_REXMT] === 0 && t.flight() > 0) t.setTimer(TT_REXMT, now + t.rtt.current());
}

function keepTimeout(t: Tcb, now: number): void {
  const stats = t.host.stats;
  if (!t.keepalive || (t.state !== TCPS_ESTABLISHED && t.state !== TCPS_CLOSE_WAIT)) return;
  const idle = now - t.lastRecvTime;
  if (t.keepProbes >= t.keepCnt) {
    stats.keepdrops++;
    dropConnection(t, ERRNO.ETIMEDOUT, true);
    return;
  }
  if (idle >= t.keepIdleMs || t.keepProbes > 0) {
    stats.keeptimeo++;
    stats.keepprobe++;
    t.keepProbes++;
    // <SEQ=SND.UNA−1><ACK=RCV.NXT>: the peer must answer with an ACK.
    sendSegment(t, (t.sndUna - 1) >>> 0, 0, TH_ACK);
    t.setTimer(TT_KEEP, now + t.keepIntvlMs);
  } else t.setTimer(TT_KEEP, t.lastRecvTime + t.keepIdleMs);
}

/** Runs every deadline of `t` that is due at `now`. */
export function tcpTimers(t: Tcb, now: number): void {
  for (let i = 0; i < TT_COUNT; i++) {
    const at = t.deadlines[i];
    if (at === 0 || at > now) continue;
    t.deadlines[i] = 0;
    switch (i) {
      case TT_REXMT:
        retransmitTimeout(t, now);
        break;
      case TT_PERSIST:
        t.host.stats.persisttimeo++;
        sendWindowProbe(t);
        if (t.persistShift < 12) t.persistShift++;
        t.setTimer(TT_PERSIST, now + persistInterval(t));
        break;
      case TT_KEEP:
        keepTimeout(t, now);
        break;
      case TT_DELACK:
        t.host.stats.delack++;
        sendAck(t);
        break;
      case TT_2MSL:
        dropConnection(t, 0, false);
        break;
    }
  }
  if (t.state !== 0) t.host.reschedule(t);
}
