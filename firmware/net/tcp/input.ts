// Segment arrival for a connection that exists (RFC 9293 §3.10.7.3–4), in the RFC's order:
// SYN-SENT handling, then PAWS, sequence acceptability, RST (RFC 5961 §3), SYN (§4), ACK
// (§5 range check, dupacks, recovery, window update), data with the out-of-order queue and
// SACK, FIN. Every path ends in one tcpOutput. The engine has already found the TCB.
import { ERRNO } from "../../kernel/errno.ts";
import { TH_ACK, TH_FIN, TH_RST, TH_SYN } from "../wire/tcp.ts";
import { dropConnection, enterTimeWait } from "./close.ts";
import { sendAck, sendSegment, tcpOutput } from "./output.ts";
import type { TcpSegment } from "./segment.ts";
import { seqGeq, seqGt, seqLeq, seqLt, seqMax } from "./seq.ts";
import {
  TCPS_CLOSE_WAIT,
  TCPS_CLOSING,
  TCPS_ESTABLISHED,
  TCPS_FIN_WAIT_1,
  TCPS_FIN_WAIT_2,
  TCPS_LAST_ACK,
  TCPS_SYN_RECEIVED,
  TCPS_SYN_SENT,
} from "./state.ts";
import { TE_CONNECTED, TE_EOF, TE_READABLE, TE_WRITABLE, type Tcb } from "./tcb.ts";
import { TT_2MSL, TT_DELACK, TT_KEEP, TT_PERSIST, TT_REXMT } from "./timers.ts";

const PAWS_IDLE_MS = 24 * 24 * 3600 * 1000;

/** RFC 5961 §7: at most `challengeAckLimit` challenge ACKs per connection per second. */
export function challengeAck(t: Tcb): void {
  const now = t.host.now();
  if (now - t.challengeWindowStart >= 1000) {
    t.challengeWindowStart = now;
    t.challengeCount = 0;
  }
  if (t.challengeCount >= t.host.config.challengeAckLimit) return;
  t.challengeCount++;
  t.host.stats.challengeack++;
  sendAck(t);
}

/** Options from the peer's SYN decide what the connection uses (RFC 7323, RFC 2018). */
export function negotiateSynOptions(t: Tcb, s: TcpSegment, weOffered: boolean): void {
  const o = s.opts;
  const cfg = t.host.config;
  t.peerMss = o.mss >= 0 ? o.mss : cfg.mssDefault;
  t.wsOk = cfg.windowScaling && o.wscale >= 0 && weOffered;
  t.sndScale = t.wsOk ? o.wscale : 0;
  t.rcvScale = t.wsOk ? t.requestRcvScale : 0;
  t.tsOk = cfg.timestamps && o.hasTs;
  if (t.tsOk) {
    t.tsRecent = o.tsVal;
    t.tsRecentAge = t.host.now();
  }
  t.sackOk = cfg.sack && o.sackPerm;
  t.setMss();
}

/** SYN-RECEIVED or SYN-SENT → ESTABLISHED: windows, initial cwnd, RTO after a SYN timeout. */
function establish(t: Tcb, s: TcpSegment): void {
  t.state = TCPS_ESTABLISHED;
  // RFC 7323 §2.2: the window in a SYN is never scaled.
  t.sndWnd = (s.flags & TH_SYN) !== 0 ? s.win : s.win << t.sndScale;
  t.maxSndWnd = Math.max(t.maxSndWnd, t.sndWnd);
  t.sndWl1 = s.seq;
  t.sndWl2 = s.ack;
  t.cc.cwnd = t.initialWindow();
  if (t.rexmtShift > 0) t.rtt.resetAfterSynTimeout();
  t.rexmtShift = 0;
  t.rtt.backoff = 0;
  t.host.stats.connects++;
  if (t.keepalive) t.setTimer(TT_KEEP, t.host.now() + t.keepIdleMs);
}

function synSentInput(t: Tcb, s: TcpSegment): void {
  const f = s.flags;
  const ackOk = (f & TH_ACK) !== 0 && seqGt(s.ack, t.iss) && seqLeq(s.ack, t.sndMax);
  if ((f & TH_ACK) !== 0 && !ackOk) {
    if ((f & TH_RST) === 0) respondRst(t, s.ack);
    return;
  }
  if ((f & TH_RST) !== 0) {
    if (ackOk) dropConnection(t, ERRNO.ECONNREFUSED, false);
    return;
  }
  if ((f & TH_SYN) === 0) return;
  t.irs = s.seq;
  t.rcvNxt = (s.seq + 1) >>> 0;
  t.rcvAdv = t.rcvNxt;
  negotiateSynOptions(t, s, t.host.config.windowScaling);
  if (ackOk) {
    t.sndUna = s.ack;
    if (t.rtTiming && !t.tsOk && t.rexmtShift === 0) t.rtt.sample(t.host.now() - t.rtStart);
    else if (t.tsOk && s.opts.tsEcr !== 0) t.rtt.sample((t.tsNow() - s.opts.tsEcr) | 0);
    t.rtTiming = false;
    t.setTimer(TT_REXMT, 0);
    establish(t, s);
    t.ackNow = true;
    tcpOutput(t);
    t.emit(TE_CONNECTED);
    t.emit(TE_WRITABLE);
  } else {
    // Simultaneous open (RFC 9293 §3.5): answer with SYN-ACK from the same ISS.
    t.state = TCPS_SYN_RECEIVED;
    t.sndNxt = t.iss;
    t.setTimer(TT_REXMT, 0);
    tcpOutput(t);
  }
}

/** A RST for an unacceptable ACK: <SEQ=SEG.ACK><CTL=RST>. */
function respondRst(t: Tcb, seq: number): void {
  const saveNxt = t.sndNxt;
  sendSegment(t, seq, 0, TH_RST);
  t.sndNxt = saveNxt;
}

export function tcpInput(t: Tcb, s: TcpSegment): void {
  const host = t.host;
  const now = host.now();
  t.segsIn++;
  if (t.state === TCPS_SYN_SENT) {
    synSentInput(t, s);
    return;
  }
  const f = s.flags;
  const o = s.opts;
  const rst = (f & TH_RST) !== 0;
  // RFC 7323 §3.2: once agreed, a non-RST segment without timestamps is dropped.
  if (t.tsOk && !o.hasTs && !rst) return;
  // PAWS (RFC 7323 §5.3), not applied to RSTs; a TS.Recent idle for 24 days is invalid.
  if (t.tsOk && o.hasTs && !rst && seqLt(o.tsVal, t.tsRecent)) {
    if (now - t.tsRecentAge > PAWS_IDLE_MS) t.tsRecent = o.tsVal;
    else {
      host.stats.pawsdrop++;
      t.ackNow = true;
      tcpOutput(t);
      return;
    }
  }
  let seq = s.seq;
  let dataOff = s.dataOff;
  let dataLen = s.dataLen;
  let fin = (f & TH_FIN) !== 0;
  const syn = (f & TH_SYN) !== 0;
  const segLen = dataLen + (syn ? 1 : 0) + (fin ? 1 : 0);
  const wnd = Math.max(t.rcvBuf.free, (t.rcvAdv - t.rcvNxt) | 0);
  const wndEnd = (t.rcvNxt + wnd) >>> 0;
  let acceptable: boolean;
  if (segLen === 0) acceptable = wnd === 0 ? seq === t.rcvNxt : seqGeq(seq, t.rcvNxt) && seqLt(seq, wndEnd);
  else if (wnd === 0) acceptable = false;
  else {
    const last = (seq + segLen - 1) >>> 0;
    acceptable =
      (seqGeq(seq, t.rcvNxt) && seqLt(seq, wndEnd)) || (seqGeq(last, t.rcvNxt) && seqLt(last, wndEnd));
  }
  if (!acceptable) {
    if (rst) return;
    if (dataLen > 0 && seqLt(seq, t.rcvNxt)) {
      host.stats.rcvduppack++;
      host.stats.rcvdupbyte += dataLen;
      if (t.sackOk) t.sackRx.noteDuplicate(seq, (seq + dataLen) >>> 0);
    } else if (wnd === 0 && seq === t.rcvNxt) host.stats.rcvwinprobe++;
    else if (dataLen > 0) host.stats.rcvpackafterwin++;
    // A bare ACK at RCV.NXT into a zero window is still processed below (RFC 9293).
    if (!(segLen > 0 && wnd === 0 && seq === t.rcvNxt && (f & TH_ACK) !== 0)) {
      t.ackNow = true;
      tcpOutput(t);
      return;
    }
    // Zero-window probe: keep its ACK, drop its data.
    dataLen = 0;
    fin = false;
    t.ackNow = true;
  }
  if (rst) {
    if (seq === t.rcvNxt) {
      const st = t.state;
      if (st === TCPS_SYN_RECEIVED) dropConnection(t, ERRNO.ECONNREFUSED, false);
      else if (st === TCPS_CLOSING || st === TCPS_LAST_ACK) dropConnection(t, 0, false);
      else dropConnection(t, ERRNO.ECONNRESET, false);
    } else challengeAck(t);
    return;
  }
  if (syn) {
    challengeAck(t);
    return;
  }
  if ((f & TH_ACK) === 0) return;
  t.lastRecvTime = now;
  t.keepProbes = 0;
  if (t.keepalive && t.deadlines[TT_KEEP] !== 0) t.setTimer(TT_KEEP, now + t.keepIdleMs);
  // Trim what lies before RCV.NXT (a partial duplicate) and beyond the window.
  if (seqLt(seq, t.rcvNxt) && dataLen > 0) {
    const dup = Math.min((t.rcvNxt - seq) >>> 0, dataLen);
    if (t.sackOk) t.sackRx.noteDuplicate(seq, (seq + dup) >>> 0);
    host.stats.rcvpartduppack++;
    dataOff += dup;
    dataLen -= dup;
    seq = (seq + dup) >>> 0;
    t.ackNow = true;
  }
  if (dataLen > 0 && seqGt((seq + dataLen) >>> 0, wndEnd)) {
    dataLen = Math.max(0, (wndEnd - seq) | 0);
    fin = false;
  }
  // RFC 7323 §4.3: TS.Recent from a segment covering Last.ACK.sent.
  if (t.tsOk && o.hasTs && seqGeq(o.tsVal, t.tsRecent) && seqLeq(seq, t.lastAckSent)) {
    t.tsRecent = o.tsVal;
    t.tsRecentAge = now;
  }

  if (t.state === TCPS_SYN_RECEIVED) {
    if (seqGt(s.ack, t.sndUna) && seqLeq(s.ack, t.sndMax)) {
      t.sndUna = s.ack;
      t.setTimer(TT_REXMT, 0);
      establish(t, s);
      host.established(t);
      t.emit(TE_CONNECTED);
    } else {
      respondRst(t, s.ack);
      return;
    }
  }
  if (!ackProcessing(t, s, dataLen, fin)) return;

  // Data (RFC 9293 §3.10.7.4, seventh).
  const st = t.state;
  if (dataLen > 0 && (st === TCPS_ESTABLISHED || st === TCPS_FIN_WAIT_1 || st === TCPS_FIN_WAIT_2)) {
    receiveData(t, seq, s.buf, dataOff, dataLen);
    if (seq !== t.rcvNxt && seqGt((seq + dataLen) >>> 0, t.rcvNxt)) fin = false;
  }
  // FIN (eighth): only in order, after every byte before it.
  if (fin && (seq + dataLen) >>> 0 === t.rcvNxt) {
    if (!t.rcvFin) {
      t.rcvNxt = (t.rcvNxt + 1) >>> 0;
      t.rcvFin = true;
      t.emit(TE_EOF);
    }
    t.ackNow = true;
    switch (t.state) {
      case TCPS_ESTABLISHED:
        t.state = TCPS_CLOSE_WAIT;
        break;
      case TCPS_FIN_WAIT_1:
        t.state = TCPS_CLOSING;
        break;
      case TCPS_FIN_WAIT_2:
        tcpOutput(t);
        enterTimeWait(t);
        return;
      default:
        break;
    }
  }
  tcpOutput(t);
}

/** The ACK field (fifth step). Returns false when the segment is finished with. */
function ackProcessing(t: Tcb, s: TcpSegment, dataLen: number, fin: boolean): boolean {
  const host = t.host;
  const stats = host.stats;
  const ack = s.ack;
  const now = host.now();
  if (seqGt(ack, t.sndMax)) {
    stats.rcvacktoomuch++;
    challengeAck(t);
    return false;
  }
  if (seqLt(ack, (t.sndUna - t.maxSndWnd) >>> 0)) {
    challengeAck(t);
    return false;
  }
  const o = s.opts;
  const newWnd = s.win << t.sndScale;
  const acked = (ack - t.sndUna) | 0;
  let sackGrew = false;
  if (t.sackOk && o.sackCount > 0) sackGrew = t.scoreboard.update(o, seqMax(ack, t.sndUna), t.sndMax);

  if (acked <= 0) {
    const isDup =
      acked === 0 && dataLen === 0 && !fin && newWnd === t.sndWnd && t.sndWnd > 0 && t.flight() > 0;
    if (isDup) {
      t.dupAcks++;
      stats.rcvdupack++;
      if (t.inRecovery) {
        if (!t.sackOk) t.inflate += t.smss;
      } else if (t.dupAcks >= 3 || (t.sackOk && t.scoreboard.isLost(t.sndUna, t.smss))) {
        enterRecovery(t);
      } else if (t.dupAcks < 3) {
        t.inflate = t.dupAcks * t.smss; // RFC 3042 limited transmit
      }
    } else if (sackGrew && !t.inRecovery && t.scoreboard.isLost(t.sndUna, t.smss) && t.flight() > 0) {
      enterRecovery(t);
    }
  } else {
    // New data acknowledged.
    stats.rcvackpack++;
    stats.rcvackbyte += acked;
    if (t.tsOk && o.tsEcr !== 0) {
      const r = (t.tsNow() - o.tsEcr) | 0;
      if (r >= 0 && r < 600_000) t.rtt.sample(r);
      t.rtTiming = false;
    } else if (t.rtTiming && seqGt(ack, t.rtSeq)) {
      t.rtt.sample(now - t.rtStart);
      t.rtTiming = false;
    }
    const oldDataEnd = t.dataEnd();
    const finAcked = t.finQueued && seqGt(ack, oldDataEnd);
    const n = Math.min(acked, t.sndBuf.length);
    t.sndBuf.consume(n);
    t.bytesAcked += n;
    const flightBefore = t.flight();
    t.sndUna = ack;
    if (seqLt(t.sndNxt, ack)) t.sndNxt = ack;
    t.scoreboard.ack(ack);
    t.rexmtShift = 0;
    t.rtt.backoff = 0;
    if (t.inRecovery && t.rxtTsVal !== -1) {
      // RFC 3522: the first ACK of new data after the fast retransmission echoes the
      // original's timestamp: the segment was only reordered, so undo the window reduction
      // (RFC 4015) and go on repairing whatever else the scoreboard shows as lost.
      if (o.hasTs && seqLt(o.tsEcr, t.rxtTsVal)) {
        t.cc.undo();
        t.ccUndone = true;
        stats.sndrexmitbad++;
      }
      t.rxtTsVal = -1;
    }
    if (t.inRecovery) {
      // The new first hole was retransmitted already (when, is not kept): judge it from now.
      t.unaRxtMax = seqLt(ack, t.highRxt) ? t.sndMax : -1;
      if (seqGeq(ack, t.recover)) {
        t.inRecovery = false;
        t.inflate = 0;
        if (!t.ccUndone) t.cc.onRecoveryExit(t.flight(), t.smss);
      } else if (!t.sackOk) {
        // RFC 6582 partial ACK: resend the next hole, deflate, keep recovering.
        const len = Math.min(t.smss, t.sndBuf.length);
        if (len > 0) sendSegment(t, ack, len, TH_ACK);
        t.inflate -= acked;
        if (acked >= t.smss) t.inflate += t.smss;
        if (t.cc.cwnd + t.inflate < t.smss) t.inflate = t.smss - t.cc.cwnd;
      }
    } else {
      t.inflate = 0;
      if (flightBefore > 0) t.cc.onAck(acked, t.smss, now, t.rtt.srtt);
    }
    t.dupAcks = 0;
    t.setTimer(TT_REXMT, t.sndUna === t.sndMax ? 0 : now + t.rtt.current());
    if (n > 0) t.emit(TE_WRITABLE);
    if (finAcked) {
      switch (t.state) {
        case TCPS_FIN_WAIT_1:
          t.state = TCPS_FIN_WAIT_2;
          // A fully closed socket does not wait forever for the peer's FIN.
          t.setTimer(TT_2MSL, now + 2 * host.config.mslMs + t.keepIntvlMs);
          // Everything we sent is acknowledged: a close lingering on SO_LINGER may return.
          if (n === 0) t.emit(TE_WRITABLE);
          break;
        case TCPS_CLOSING:
          enterTimeWait(t);
          return false;
        case TCPS_LAST_ACK:
          dropConnection(t, 0, false);
          return false;
        default:
          break;
      }
    }
  }
  // Window update (RFC 9293 §3.10.7.4): from a newer segment, or the same one acking more.
  if (seqLt(t.sndWl1, s.seq) || (t.sndWl1 === s.seq && seqLeq(t.sndWl2, ack))) {
    if (newWnd !== t.sndWnd && acked === 0 && dataLen === 0) stats.rcvwinupd++;
    t.sndWnd = newWnd;
    t.sndWl1 = s.seq;
    t.sndWl2 = ack;
    if (newWnd > t.maxSndWnd) t.maxSndWnd = newWnd;
    if (newWnd > 0 && t.deadlines[TT_PERSIST] !== 0) {
      t.setTimer(TT_PERSIST, 0);
      t.persistShift = 0;
    }
  }
  return true;
}

/** Enter loss recovery: RFC 6675 with SACK, RFC 6582 NewReno without. */
function enterRecovery(t: Tcb): void {
  if (seqLt(t.sndUna, t.recover)) return; // stale dupacks from before the last RTO/recovery
  const stats = t.host.stats;
  stats.fastrexmt++;
  t.inRecovery = true;
  t.recover = t.sndMax;
  t.rescueRxt = -1;
  t.rtTiming = false;
  t.cc.onCongestion(t.flight(), t.smss, t.host.now());
  t.inflate = 0;
  const len = Math.min(t.smss, t.sndBuf.length);
  if (t.sackOk) stats.sackrecovery++;
  else t.inflate = 3 * t.smss;
  t.ccUndone = false;
  const sent = len > 0 && sendSegment(t, t.sndUna, len, TH_ACK);
  t.highRxt = sent ? (t.sndUna + len) >>> 0 : t.sndUna;
  // The retransmission carried TSval = tsNow(); an ACK echoing an older one was sent for the
  // original (late, reordered), not for it.
  t.rxtTsVal = sent && t.tsOk ? t.tsNow() : -1;
  t.unaRxtMax = sent ? t.sndMax : -1;
  t.setTimer(TT_REXMT, t.host.now() + t.rtt.current());
}

/** In-order data into the ring, out-of-order data at its offset with a SACK range; ACK policy. */
function receiveData(t: Tcb, seq: number, buf: Uint8Array, off: number, len: number): void {
  const stats = t.host.stats;
  const ring = t.rcvBuf;
  if (seq === t.rcvNxt) {
    const n = Math.min(len, ring.free);
    ring.writeAt(ring.length, buf, off, n);
    let adv = n;
    if (t.reass.count > 0) {
      adv += t.reass.advance((t.rcvNxt + n) >>> 0);
      t.ackNow = true; // a segment filling a hole is acknowledged at once (RFC 5681 §4.2)
    }
    ring.commit(adv);
    t.rcvNxt = (t.rcvNxt + adv) >>> 0;
    t.bytesReceived += adv;
    stats.rcvpack++;
    stats.rcvbyte += n;
    if (n >= t.smss || n === len) t.delackSegs++;
    if (t.delackSegs >= 2) {
      // Segments arriving together (one input batch) get one ACK at the batch's end, up to
      // ack_batch segments, as a receiver with GRO does; a lone pair is ACKed at once.
      if (t.host.deferAck?.(t) !== true) t.ackNow = true;
    } else if (!t.ackNow && t.deadlines[TT_DELACK] === 0)
      t.setTimer(TT_DELACK, t.host.now() + t.host.config.delackMs);
    t.emit(TE_READABLE);
    return;
  }
  // Out of order: beyond RCV.NXT, within the window (trimmed by the caller).
  const offset = (seq - t.rcvNxt) >>> 0;
  const n = Math.min(len, ring.free - offset);
  if (n > 0 && t.reass.add(seq, (seq + n) >>> 0)) {
    ring.writeAt(ring.length + offset, buf, off, n);
    if (t.sackOk) t.sackRx.noteArrival(seq);
    stats.rcvoopack++;
    stats.rcvoobyte += n;
  } else stats.reassdrop++;
  t.ackNow = true; // a duplicate ACK tells the sender about the hole
}
