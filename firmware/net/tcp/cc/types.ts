// The congestion-control interface: window growth only. Loss recovery (NewReno or SACK, in
// recovery.ts) is separate and calls these hooks. cwnd and ssthresh are in bytes.

export interface CongestionControl {
  readonly name: string;
  cwnd: number;
  ssthresh: number;
  /** New data acknowledged outside recovery. */
  onAck(acked: number, smss: number, now: number, srtt: number): void;
  /** Loss detected by dupacks or SACK: set ssthresh and cwnd for recovery. */
  onCongestion(flight: number, smss: number, now: number): void;
  /** Retransmission timeout. */
  onRto(flight: number, smss: number): void;
  /** The last onCongestion answered a loss that did not happen (the retransmission was
   * spurious, RFC 3522): back to the window and threshold from before it (RFC 4015). */
  undo(): void;
  /** Recovery ended with a full ACK. */
  onRecoveryExit(flight: number, smss: number): void;
  /** Idle longer than an RTO (RFC 5681 §4.1): restart from at most the initial window. */
  onIdleRestart(iw: number): void;
}

/** RFC 5681 §3.1 slow start with RFC 3465 ABC (L = 2 segments per ACK). */
export function slowStart(cc: CongestionControl, acked: number, smss: number): number {
  const inc = Math.min(acked, 2 * smss);
  cc.cwnd += inc;
  return acked - inc;
}
