// CUBIC (RFC 9438): C = 0.4, β = 0.7, in bytes (C·SMSS), time in seconds from the start of the
// avoidance epoch, target W_cubic(t + RTT) clamped to [cwnd, 1.5·cwnd], Reno-friendly estimate,
// fast convergence, and K = 0 after an RTO (§4.8). Not NetBSD's 2008-draft port.
import { type CongestionControl, slowStart } from "./types.ts";

const C = 0.4;
const BETA = 0.7;
const ALPHA = (3 * (1 - BETA)) / (1 + BETA);

export class Cubic implements CongestionControl {
  readonly name = "cubic";
  private wMax = 0;
  private k = 0;
  private epochStart = -1;
  private cwndEpoch = 0;
  private wEst = 0;
  private cwndPrior = 0;
  private priorSsthresh = 0;
  private priorWMax = 0;

  cwnd: number;
  ssthresh: number;

  constructor(cwnd: number, ssthresh = 0x7fffffff) {
    this.cwnd = cwnd;
    this.ssthresh = ssthresh;
  }

  onAck(acked: number, smss: number, now: number, srtt: number): void {
    if (this.cwnd < this.ssthresh) {
      slowStart(this, acked, smss);
      return;
    }
    if (this.epochStart < 0) {
      this.epochStart = now;
      this.cwndEpoch = this.cwnd;
      this.wEst = this.cwnd;
      if (this.wMax <= this.cwnd) {
        this.k = 0;
        this.wMax = this.cwnd;
      } else {
        this.k = Math.cbrt((this.wMax - this.cwnd) / (C * smss));
      }
    }
    const t = (now - this.epochStart + srtt) / 1000;
    const wCubic = C * smss * (t - this.k) ** 3 + this.wMax;
    const target = Math.min(Math.max(wCubic, this.cwnd), 1.5 * this.cwnd);
    const alpha = this.wEst >= this.cwndPrior ? 1 : ALPHA;
    this.wEst += (alpha * smss * acked) / this.cwnd;
    if (this.wEst > wCubic) this.cwnd += (smss * acked) / this.cwnd;
    else this.cwnd += ((target - this.cwnd) * acked) / this.cwnd;
  }

  onCongestion(flight: number, smss: number): void {
    this.cwndPrior = this.cwnd;
    this.priorSsthresh = this.ssthresh;
    this.priorWMax = this.wMax;
    this.wMax = this.cwnd < this.wMax ? (this.cwnd * (1 + BETA)) / 2 : this.cwnd;
    this.ssthresh = Math.max(Math.floor(flight * BETA), 2 * smss);
    this.cwnd = this.ssthresh;
    this.epochStart = -1;
  }

  onRto(flight: number, smss: number): void {
    this.ssthresh = Math.max(Math.floor(flight * BETA), 2 * smss);
    this.cwnd = smss;
    this.wMax = 0; // next epoch: K = 0, W_max = cwnd at its start
    this.epochStart = -1;
  }

  undo(): void {
    this.cwnd = Math.max(this.cwnd, this.cwndPrior);
    this.ssthresh = Math.max(this.ssthresh, this.priorSsthresh);
    this.wMax = this.priorWMax;
    this.epochStart = -1;
  }

  onRecoveryExit(): void {
    this.cwnd = this.ssthresh;
  }

  onIdleRestart(iw: number): void {
    this.cwnd = Math.min(this.cwnd, iw);
    this.epochStart = -1;
  }
}
