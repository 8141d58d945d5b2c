// The one "send what is allowed now" routine (BSD tcp_output): every state change ends in a call
// here. It decides SYN, data (Nagle, sender SWS, cwnd and rwnd, RFC 6675 NextSeg in recovery),
// FIN, window updates and bare ACKs, writes each segment in place into one scratch frame and arms
// the retransmit or persist timer.
import { TH_ACK, TH_FIN, TH_PUSH, TH_RST, TH_SYN, TCP_HDR_LEN } from "../wire/tcp.ts";
import { TcpOptions } from "./options.ts";
import { fillTcpChecksum, writeTcpHeader } from "./segment.ts";
import { seqGt, seqLt, seqMax } from "./seq.ts";
import {
  TCPS_CLOSED,
  TCPS_LISTEN,
  TCPS_SYN_RECEIVED,
  TCPS_SYN_SENT,
  TCPS_TIME_WAIT,
  finQueuedState,
} from "./state.ts";
import type { Tcb } from "./tcb.ts";
import { TT_DELACK, TT_PERSIST, TT_REXMT } from "./timers.ts";

const MAX_FRAME = 65_536 + 60;

/** Scratch space shared by every connection of one engine (output is synchronous). */
export class OutputScratch {
  readonly frame = new Uint8Array(MAX_FRAME);
  readonly opts = new TcpOptions();
  readonly hole = { len: 0 };
}

const scratches = new WeakMap<object, OutputScratch>();
function scratchFor(host: object): OutputScratch {
  let s = scratches.get(host);
  if (s === undefined) {
    s = new OutputScratch();
    scratches.set(host, s);
  }
  return s;
}

/** The window to advertise, in bytes (receiver SWS avoidance: never shrink, no tiny windows). */
export function receiveWindow(t: Tcb): number {
  const cap = t.rcvBuf.capacity;
  let win = t.rcvBuf.free;
  if (win < cap / 4 && win < t.smss) win = 0;
  const max = 65_535 << t.rcvScale;
  if (win > max) win = max;
  const promised = (t.rcvAdv - t.rcvNxt) | 0;
  return Math.max(win, promised, 0);
}

/**
 * Writes and transmits one segment: [seq, seq+len) of the send ring (len may be 0) with `flags`.
 * Keeps SND.NXT/SND.MAX, the RTT sample, the advertised edge and the timers right. Returns false
 * when the segment did not leave (the interface refused it: its transmit queue was full): then
 * nothing is counted as sent — SND.NXT/SND.MAX and the RTT sample are backed out, as BSD's
 * tcp_output does on ENOBUFS — so a local drop is sent again as it is, not recovered from as a
 * loss on the path (retransmission, fast recovery, a congestion response).
 */
export function sendSegment(t: Tcb, seq: number, len: number, flags: number): boolean {
  const host = t.host;
  if (len > 0) {
    // Never past the queued data: the FIN's sequence number is not a byte (a resend that reaches
    // the end of the data carries the FIN again when it was already sent).
    const room = (t.dataEnd() - seq) | 0;
    if (len >= room) {
      len = Math.max(0, room);
      if (t.finQueued && seqGt(t.sndMax, t.dataEnd()) && (flags & TH_SYN) === 0) flags |= TH_FIN;
    }
  }
  const sc = scratchFor(host);
  const o = sc.opts;
  o.reset();
  const syn = (flags & TH_SYN) !== 0;
  if (syn) {
    o.mss = t.ourMss;
    const cfg = host.config;
    if (t.state === TCPS_SYN_SENT) {
      if (cfg.windowScaling) o.wscale = t.requestRcvScale;
      o.sackPerm = cfg.sack;
      o.hasTs = cfg.timestamps;
    } else {
      if (t.wsOk) o.wscale = t.rcvScale;
      o.sackPerm = t.sackOk;
      o.hasTs = t.tsOk;
    }
  } else {
    o.hasTs = t.tsOk;
  }
  if (o.hasTs) {
    o.tsVal = t.tsNow();
    o.tsEcr = t.tsRecent;
  }
  if (t.sackOk && !syn && (flags & TH_ACK) !== 0 && (t.reass.count > 0 || t.sackRx.dsack)) {
    t.sackRx.fill(o, t.reass, t.tsOk ? 3 : 4);
  }
  let win = receiveWindow(t);
  let wfield: number;
  if (syn) wfield = Math.min(win, 65_535);
  else wfield = Math.min(win >>> t.rcvScale, 65_535);
  if ((flags & TH_RST) !== 0) wfield = 0;
  win = wfield << (syn ? 0 : t.rcvScale);
  const b = sc.frame;
  const ack = (flags & TH_ACK) !== 0 ? t.rcvNxt : 0;
  const hlen = writeTcpHeader(b, 0, t.lport, t.fport, seq, ack, flags, wfield, o);
  if (len > 0) {
    t.sndBuf.peek((seq - t.sndUna) >>> 0, len, b, hlen);
    if ((seq + len) >>> 0 === t.dataEnd()) b[13] |= TH_PUSH;
  }
  fillTcpChecksum(b, 0, hlen + len, t.laddr, t.faddr);

  // Bookkeeping before handing the frame off (transmit may recurse into input on loopback).
  const now = host.now();
  const stats = host.stats;
  let end = (seq + len) >>> 0;
  if (syn) end = (end + 1) >>> 0;
  if ((flags & TH_FIN) !== 0) end = (end + 1) >>> 0;
  const isRetransmit = seqLt(seq, t.sndMax);
  const nxtBefore = t.sndNxt;
  const maxBefore = t.sndMax;
  let timed = false;
  if (end !== seq) {
    if (!t.rtTiming && !isRetransmit) {
      t.rtTiming = true;
      t.rtSeq = seq;
      t.rtStart = now;
      timed = true;
    }
    if (seq === t.sndNxt || seqGt(end, t.sndNxt)) t.sndNxt = seqMax(t.sndNxt, end);
    if (seqGt(end, t.sndMax)) t.sndMax = end;
    if (t.deadlines[TT_REXMT] === 0) {
      t.setTimer(TT_REXMT, now + t.rtt.current());
      t.setTimer(TT_PERSIST, 0);
    }
  }
  if ((flags & TH_ACK) !== 0) {
    t.lastAckSent = t.rcvNxt;
    t.ackNow = false;
    t.delackSegs = 0;
    if (t.deadlines[TT_DELACK] !== 0) t.setTimer(TT_DELACK, 0);
    const edge = (t.rcvNxt + win) >>> 0;
    if (seqGt(edge, t.rcvAdv)) t.rcvAdv = edge;
  }
  t.lastSendTime = now;
  if (host.transmit(t, b, hlen + len) !== 0) {
    stats.selfquench++;
    if (t.sndNxt === end) t.sndNxt = nxtBefore;
    if (t.sndMax === end) t.sndMax = maxBefore;
    if (timed) t.rtTiming = false;
    // The ACK it carried did not leave either: the next output owes it.
    if ((flags & TH_ACK) !== 0 && (flags & TH_RST) === 0) t.ackNow = true;
    return false;
  }
  stats.sndtotal++;
  t.segsOut++;
  if (len > 0) {
    if (isRetransmit) {
      stats.sndrexmitpack++;
      stats.sndrexmitbyte += len;
      t.totalRetrans++;
    } else {
      stats.sndpack++;
      stats.sndbyte += len;
    }
  } else if ((flags & (TH_SYN | TH_FIN | TH_RST)) !== 0) stats.sndctrl++;
  else stats.sndacks++;
  return true;
}

/** Sends an ACK (and SACK/timestamps) now. */
export function sendAck(t: Tcb): void {
  sendSegment(t, t.sndNxt, 0, TH_ACK);
}

/** Bytes that may go out now beyond what is in flight. */
function usableWindow(t: Tcb): number {
  const wnd = Math.min(t.sndWnd, t.cc.cwnd + t.inflate);
  return wnd - ((t.sndNxt - t.sndUna) >>> 0);
}

/** Does the window update this ACK would carry deserve a segment of its own? */
function windowUpdateDue(t: Tcb): boolean {
  const adv = (t.rcvAdv - t.rcvNxt) | 0;
  const win = receiveWindow(t);
  const grow = win - adv;
  if (grow <= 0) return false;
  return grow >= 2 * t.smss || 2 * grow >= t.rcvBuf.capacity || (adv < t.smss && win >= t.smss);
}

/** RFC 6675 §5 while in SACK recovery: retransmit holes and send new data while cwnd − pipe ≥ SMSS. */
function sackRecoveryOutput(t: Tcb): boolean {
  const sb = t.scoreboard;
  const hole = scratchFor(t.host).hole;
  let sent = false;
  // A lost retransmission: data sent after the first hole's retransmission is SACKed (as much as
  // IsLost asks) while the hole is not. RFC 6675 leaves this to the RTO (a second, longer stall
  // and a window of one segment); resend the hole once more instead, as Linux does.
  if (t.unaRxtMax !== -1 && sb.isLost(t.unaRxtMax, t.smss)) {
    const len = Math.min(t.smss, (t.dataEnd() - t.sndUna) >>> 0);
    t.unaRxtMax = -1;
    if (len > 0 && sendSegment(t, t.sndUna, len, TH_ACK)) {
      t.unaRxtMax = t.sndMax;
      t.host.stats.lostrexmt++;
      sent = true;
    }
  }
  for (let guard = 0; guard < 64; guard++) {
    const pipe = sb.pipe(t.sndUna, t.sndMax, t.highRxt, t.smss);
    if (t.cc.cwnd - pipe < t.smss) break;
    const from = seqMax(t.highRxt, t.sndUna);
    let s = sb.nextHole(from, true, t.smss, hole);
    if (s < 0) {
      const dataEnd = t.dataEnd();
      const inWnd = (t.sndUna + t.sndWnd) >>> 0;
      if (seqLt(t.sndMax, dataEnd) && seqLt(t.sndMax, inWnd)) {
        const len = Math.min(t.smss, (dataEnd - t.sndMax) >>> 0, (inWnd - t.sndMax) >>> 0);
        t.sndNxt = t.sndMax;
        if (!sendSegment(t, t.sndMax, len, TH_ACK)) break;
        sent = true;
        continue;
      }
      s = sb.nextHole(from, false, t.smss, hole);
      if (s < 0) {
        // Rule 4: one rescue retransmission per episode of the highest un-SACKed data.
        const top = seqLt(t.dataEnd(), t.sndMax) ? t.dataEnd() : t.sndMax;
        if (t.rescueRxt < 0 && seqGt(top, sb.highest(t.sndUna))) {
          const len = Math.min(t.smss, (top - sb.highest(t.sndUna)) >>> 0);
          if (len > 0) {
            const start = (top - len) >>> 0;
            if (sendSegment(t, start, len, TH_ACK)) {
              t.rescueRxt = start;
              sent = true;
            }
          }
        }
        break;
      }
    }
    if (!sendSegment(t, s, hole.len, TH_ACK)) break;
    if (s === t.sndUna) t.unaRxtMax = t.sndMax;
    t.highRxt = (s + hole.len) >>> 0;
    sent = true;
  }
  return sent;
}

/** Sends whatever the state, windows, Nagle and pending ACKs allow. */
export function tcpOutput(t: Tcb): void {
  const state = t.state;
  if (state === TCPS_CLOSED || state === TCPS_LISTEN || state === TCPS_TIME_WAIT) return;
  if (state === TCPS_SYN_SENT || state === TCPS_SYN_RECEIVED) {
    if (t.sndNxt === t.iss) sendSegment(t, t.iss, 0, state === TCPS_SYN_SENT ? TH_SYN : TH_SYN | TH_ACK);
    else if (t.ackNow) sendSegment(t, t.sndNxt, 0, TH_ACK);
    return;
  }
  let sent = false;
  if (t.inRecovery && t.sackOk) sent = sackRecoveryOutput(t);
  for (let guard = 0; guard < 1024; guard++) {
    const dataEnd = t.dataEnd();
    const unsent = (dataEnd - t.sndNxt) | 0;
    const finSent = t.finQueued && seqGt(t.sndNxt, dataEnd);
    let len = Math.max(0, Math.min(unsent, t.smss));
    const usable = usableWindow(t);
    if (len > usable) len = Math.max(0, usable);
    let sendNow = false;
    if (len > 0) {
      const retransmit = seqLt(t.sndNxt, t.sndMax);
      const idle = t.sndNxt === t.sndUna;
      if (len === t.smss || retransmit) sendNow = true;
      else if (len === unsent && (t.nodelay || idle)) sendNow = true;
      else if (len >= t.maxSndWnd / 2 && t.maxSndWnd > 0) sendNow = true;
    }
    // Once our FIN is acknowledged the state leaves FIN-WAIT-1/CLOSING/LAST-ACK: no FIN after that.
    const fin = finQueuedState(state) && !finSent && (t.sndNxt + len) >>> 0 === dataEnd;
    if (sendNow || (fin && len === unsent)) {
      // A segment the interface refused ends this round: the next ACK (or the retransmit
      // timer, when nothing else is in flight) sends it again.
      if (!sendSegment(t, t.sndNxt, len, fin ? TH_ACK | TH_FIN : TH_ACK)) return;
      sent = true;
      continue;
    }
    break;
  }
  if (!sent && (t.ackNow || windowUpdateDue(t))) {
    // A window update while received data is owed an ACK anyway (the reader took it during
    // the input batch) rides on that ACK at the batch's end.
    if (t.ackNow || t.delackSegs === 0 || t.host.deferAck?.(t) !== true) {
      if (!t.ackNow) t.host.stats.sndwinup++;
      sendAck(t);
    }
  }
  // Persist when data waits behind a zero window and nothing is in flight to bring an update.
  const waiting = seqLt(t.sndNxt, t.dataEnd()) || (finQueuedState(state) && !seqGt(t.sndMax, t.dataEnd()));
  if (waiting && t.sndWnd === 0 && t.deadlines[TT_REXMT] === 0 && t.deadlines[TT_PERSIST] === 0) {
    t.persistShift = 0;
    t.setTimer(TT_PERSIST, t.host.now() + persistInterval(t));
  }
}

/** Persist interval: the RTO with its own backoff, clamped to 5..60 s as BSD does. */
export function persistInterval(t: Tcb): number {
  return Math.min(60_000, Math.max(5000, t.rtt.current() * 2 ** t.persistShift));
}

/**
 * The zero-window probe (RFC 9293 §3.8.6.1): the next byte beyond the closed window. SND.NXT is
 * left where it was so the byte is probed again, and the persist timer (not the retransmit
 * timer) owns it: probes the peer answers never time the connection out.
 */
export function sendWindowProbe(t: Tcb): void {
  const seq = t.sndNxt;
  if (seqLt(seq, t.dataEnd())) {
    sendSegment(t, seq, 1, TH_ACK);
    t.sndNxt = seq;
    t.setTimer(TT_REXMT, 0);
    t.host.stats.sndprobe++;
  } else sendAck(t);
}

export { TCP_HDR_LEN };
