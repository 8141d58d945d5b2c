// Capture timestamps with microseconds. The wall clock (Date.now) only has milliseconds, so a
// tap's time is the wall time at an anchor plus the monotonic time since: consecutive frames
// keep their true spacing. The anchor moves only when the wall clock itself jumps (NTP setting
// a board's clock after boot), so timestamps never step back by the sub-millisecond rest.
import type { Clock } from "../../kernel/clock.ts";

/** A wall-clock step larger than this re-anchors (ms). */
const RESYNC_MS = 2;

export class TapTime {
  private readonly clock: Clock;
  private anchorWall = Number.NaN;
  private anchorMono = 0;

  constructor(clock: Clock) {
    this.clock = clock;
  }

  /** Milliseconds since the epoch, fractional. */
  now(): number {
    const mono = this.clock.now();
    const wall = this.clock.wallTime();
    const est = this.anchorWall + (mono - this.anchorMono);
    if (!(Math.abs(wall - est) <= RESYNC_MS)) {
      this.anchorWall = wall;
      this.anchorMono = mono;
      return wall;
    }
    return est;
  }
}
