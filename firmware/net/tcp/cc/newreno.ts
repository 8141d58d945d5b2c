// NewReno window growth (RFC 5681, RFC 6582): slow start with ABC, one SMSS per window in
// congestion avoidance (byte counting), halving on loss.
import { type CongestionControl, slowStart } from "./types.ts";

export class NewReno implements CongestionControl {
  readonly name = "newreno";
  private acc = 0;
  private priorCwnd = 0;
  private priorSsthresh = 0;

  cwnd: number;
  ssthresh: number;

  constructor(cwnd: number, ssthresh = 0x7fffffff) {
    this.cwnd = cwnd;
    this.ssthresh = ssthresh;
  }

  onAck(acked: number, smss: number): void {
    if (this.cwnd < this.ssthresh) {
      slowStart(this, acked, smss);
      return;
    }
    this.acc += acked;
    if (this.acc >= this.cwnd) {
      this.acc -= this.cwnd;
      this.cwnd += smss;
    }
  }

  onCongestion(flight: number, smss: number): void {
    this.priorCwnd = this.cwnd;
    this.priorSsthresh = this.ssthresh;
    this.ssthresh = Math.max(flight / 2, 2 * smss);
    this.cwnd = this.ssthresh;
    this.acc = 0;
  }

  onRto(flight: number, smss: number): void {
    this.ssthresh = Math.max(flight / 2, 2 * smss);
    this.cwnd = smss;
    this.acc = 0;
  }

  undo(): void {
    this.cwnd = Math.max(this.cwnd, this.priorCwnd);
    this.ssthresh = Math.max(this.ssthresh, this.priorSsthresh);
  }

  onRecoveryExit(flight: number, smss: number): void {
    this.cwnd = Math.min(this.ssthresh, Math.max(flight, smss) + smss);
  }

  onIdleRestart(iw: number): void {
    this.cwnd = Math.min(this.cwnd, iw);
  }
}
