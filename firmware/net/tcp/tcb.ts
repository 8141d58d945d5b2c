// The transmission control block: one monomorphic class with every RFC 9293 variable plus the
// extensions (RFC 7323 window scale and timestamps, SACK state, RFC 6298 estimator, congestion
// control, recovery), the two byte rings and the deadlines. Fields are initialised in the
// constructor in a fixed order so V8 keeps one hidden class.
import { createCongestionControl } from "./cc/index.ts";
import type { CongestionControl } from "./cc/types.ts";
import type { NetTimer } from "../stack/timers.ts";
import type { TcpConfig } from "./config.ts";
import { Reassembly } from "./reass.ts";
import { ByteRing } from "./ring.ts";
import { RttEstimator } from "./rtt.ts";
import { SackReporter, Scoreboard } from "./sack.ts";
import { TCPS_CLOSED } from "./state.ts";
import type { TcpStats } from "./stats.ts";
import { TT_COUNT } from "./timers.ts";

/** What a connection tells its socket. */
export const TE_CONNECTED = 1;
export const TE_READABLE = 2;
export const TE_WRITABLE = 3;
/** The peer's FIN arrived: reads drain and then see EOF. */
export const TE_EOF = 4;
/** `error` holds the errno; the connection is gone. */
export const TE_ERROR = 5;
/** Fully closed (after our FIN was acknowledged, or aborted). */
export const TE_CLOSED = 6;

export type TcbListener = (tcb: Tcb, event: number) => void;

/** The services a connection uses from the engine that owns it. */
export interface TcbHost {
  now(): number;
  readonly config: TcpConfig;
  readonly stats: TcpStats;
  /** Hands the segment b[0, len) from tcb.laddr to tcb.faddr to IP: 0, or the errno of a
   * segment that did not leave (ENOBUFS: the interface's transmit queue or buffers were full). */
  transmit(tcb: Tcb, b: Uint8Array, len: number): number;
  /** The connection's earliest deadline changed. */
  reschedule(tcb: Tcb): void;
  /** The connection ended; `timeWait` asks for a TIME-WAIT record in its place. */
  detach(tcb: Tcb, timeWait: boolean): void;
  /** A passive connection finished its handshake (SYN-RECEIVED → ESTABLISHED). */
  established(tcb: Tcb): void;
  /**
   * The ACK that data just received calls for may wait for the end of the current input batch
   * (true: the host sends it then, unless another segment carried it first).
   */
  deferAck?(tcb: Tcb): boolean;
}

export class Tcb {
  state = TCPS_CLOSED;
  laddr = 0;
  lport = 0;
  faddr = 0;
  fport = 0;
  // Send sequence space.
  iss = 0;
  sndUna = 0;
  sndNxt = 0;
  /** Highest sequence sent so far (BSD snd_max): sndNxt falls back to una on an RTO. */
  sndMax = 0;
  sndWnd = 0;
  sndWl1 = 0;
  sndWl2 = 0;
  maxSndWnd = 0;
  sndScale = 0;
  // Receive sequence space.
  irs = 0;
  rcvNxt = 0;
  /** Right edge of the window last advertised. */
  rcvAdv = 0;
  rcvScale = 0;
  /** Shift we offered in our SYN (used when the peer agrees). */
  requestRcvScale = 0;
  lastAckSent = 0;
  // Options agreed.
  wsOk = false;
  tsOk = false;
  sackOk = false;
  tsRecent = 0;
  tsRecentAge = 0;
  tsOffset = 0;
  /** Peer's MSS option (536 when absent). */
  peerMss = 536;
  /** Our MSS option value, from the route MTU. */
  ourMss = 1460;
  /** Largest payload we send: min(peer MSS, TCP_MAXSEG) minus options in every segment. */
  smss = 536;
  /** TCP_MAXSEG: 0 = unset. */
  userMaxSeg = 0;
  // Buffers.
  sndBuf: ByteRing;
  rcvBuf: ByteRing;
  reass: Reassembly;
  sackRx = new SackReporter();
  scoreboard = new Scoreboard();
  /** The user closed or shut down writing: a FIN follows the data. */
  finQueued = false;
  /** The peer's FIN was received. */
  rcvFin = false;
  // Congestion and loss recovery.
  cc: CongestionControl;
  rtt: RttEstimator;
  rtTiming = false;
  rtSeq = 0;
  rtStart = 0;
  dupAcks = 0;
  inRecovery = false;
  /** TSval of the retransmission that started this recovery, until the first ACK of new data
   * judges it (RFC 3522 Eifel detection); -1: none pending. */
  rxtTsVal = -1;
  /** This recovery's window reduction was undone (spurious retransmission, RFC 4015). */
  ccUndone = false;
  /** SND.MAX when the segment at SND.UNA was last retransmitted in this recovery; -1: not yet. */
  unaRxtMax = -1;
  /** NewReno `recover` / RFC 6675 RecoveryPoint. */
  recover = 0;
  highRxt = 0;
  rescueRxt = -1;
  /** NewReno window inflation during fast recovery, and RFC 3042 limited transmit, in bytes. */
  inflate = 0;
  /** Retransmissions of the current segment (RTO backoff steps). */
  rexmtShift = 0;
  persistShift = 0;
  keepProbes = 0;
  // Timers.
  readonly deadlines = new Float64Array(TT_COUNT);
  /** The stack timer armed at the earliest deadline (created on first use). */
  timer: NetTimer | null = null;
  // ACK policy.
  ackNow = false;
  delackSegs = 0;
  /** Queued for the ACK at the end of the input batch (TcbHost.deferAck). */
  ackDeferred = false;
  // Socket options.
  nodelay = false;
  keepalive = false;
  keepIdleMs: number;
  keepIntvlMs: number;
  keepCnt: number;
  lingerOn = false;
  lingerSec = 0;
  // RFC 5961 §7 throttle.
  challengeWindowStart = 0;
  challengeCount = 0;
  /** errno of a failure (ECONNREFUSED, ECONNRESET, ETIMEDOUT), 0 when none. */
  error = 0;
  /** The last ICMP error heard while synchronized: reported instead of ETIMEDOUT (BSD). */
  softError = 0;
  /** MSS allowed by the path MTU an ICMP fragmentation-needed reported, 0 when none. */
  pmtuMss = 0;
  lastRecvTime = 0;
  lastSendTime = 0;
  // Figures for TCP_INFO.
  totalRetrans = 0;
  bytesAcked = 0;
  bytesReceived = 0;
  segsOut = 0;
  segsIn = 0;
  /** The listener this passive connection belongs to until accepted. */
  parent: unknown = null;
  onEvent: TcbListener | null = null;
  readonly host: TcbHost;

  constructor(host: TcbHost, congctl?: string) {
    this.host = host;
    const cfg = host.config;
    this.sndBuf = new ByteRing(cfg.sendspace);
    this.rcvBuf = new ByteRing(cfg.recvspace);
    this.reass = new Reassembly(cfg.reassMaxRanges);
    this.cc =
      createCongestionControl(congctl ?? cfg.congctl, cfg.initCwndSegs * 536) ??
      createCongestionControl("newreno", cfg.initCwndSegs * 536)!;
    this.rtt = new RttEstimator(cfg.rtoInitMs, cfg.rtoMinMs, cfg.rtoMaxMs);
    this.keepIdleMs = cfg.keepIdleMs;
    this.keepIntvlMs = cfg.keepIntvlMs;
    this.keepCnt = cfg.keepCnt;
  }

  /** Bytes of options every data segment carries (timestamps). */
  optionOverhead(): number {
    return this.tsOk ? 12 : 0;
  }

  /** Recomputes SMSS after the handshake (RFC 6691: options subtracted once, here). */
  setMss(): void {
    let mss = Math.min(this.peerMss, this.ourMss);
    if (this.userMaxSeg > 0) mss = Math.min(mss, this.userMaxSeg);
    if (this.pmtuMss > 0) mss = Math.min(mss, this.pmtuMss);
    this.smss = Math.max(64, mss - this.optionOverhead());
  }

  /** Initial window (RFC 6928 with the configured segment count). */
  initialWindow(): number {
    return this.host.config.initCwndSegs * this.smss;
  }

  /** Bytes in flight: sent and not yet acknowledged. */
  flight(): number {
    return (this.sndMax - this.sndUna) >>> 0;
  }

  /** Sequence number just past the last queued data byte (where a FIN goes). */
  dataEnd(): number {
    return (this.sndUna + this.sndBuf.length) >>> 0;
  }

  /** The connection's own milliseconds clock for TSval. */
  tsNow(): number {
    return (Math.floor(this.host.now()) + this.tsOffset) >>> 0;
  }

  emit(event: number): void {
    if (this.onEvent !== null) this.onEvent(this, event);
  }

  setTimer(which: number, at: number): void {
    if (this.deadlines[which] === at) return;
    this.deadlines[which] = at;
    this.host.reschedule(this);
  }
}
