// The retransmission timer's estimator (RFC 6298): SRTT/RTTVAR from samples, Karn's rule left to
// the caller (no sample from a retransmission unless a timestamp pins it), exponential backoff.

export class RttEstimator {
  srtt = 0;
  rttvar = 0;
  rto: number;
  backoff = 0;
  hasSample = false;

  private readonly rtoMin: number;
  private readonly rtoMax: number;

  constructor(rtoInit: number, rtoMin: number, rtoMax: number) {
    this.rto = rtoInit;
    this.rtoMin = rtoMin;
    this.rtoMax = rtoMax;
  }

  /** RFC 6298 §2.2–2.3 with G taken as 1 ms. */
  sample(r: number): void {
    if (r < 0) return;
    if (!this.hasSample) {
      this.srtt = r;
      this.rttvar = r / 2;
      this.hasSample = true;
    } else {
      this.rttvar = 0.75 * this.rttvar + 0.25 * Math.abs(this.srtt - r);
      this.srtt = 0.875 * this.srtt + 0.125 * r;
    }
    this.rto = Math.min(this.rtoMax, Math.max(this.rtoMin, this.srtt + Math.max(1, 4 * this.rttvar)));
    this.backoff = 0;
  }

  /** The timeout to arm now: RTO doubled per backoff step, capped (RFC 6298 §5.5). */
  current(): number {
    return Math.min(this.rtoMax, this.rto * 2 ** this.backoff);
  }

  /** RFC 6298 §5.7: after the SYN timed out and no sample was taken, data starts at 3 s. */
  resetAfterSynTimeout(): void {
    if (!this.hasSample) this.rto = Math.max(this.rto, 3000);
    this.backoff = 0;
  }
}
