// The link state of a host interface as a pcap port sees it, polled from sysfs. Besides the
// carrier it notices what kills a capture: Linux fails a packet socket with ENETDOWN when its
// interface is set administratively down (`ip link set … down`), and libuv then stops polling
// the socket for good (its POLLERR path) while node-pcap keeps the session "open" — no error,
// no more frames. The socket would be hooked in again when the interface comes back, but
// nothing reads it any more, so the capture has to be opened anew: `revive` says when.
import { SystemClock } from "../../firmware/kernel/clock.ts";
import type { Clock, TimerHandle } from "../../firmware/kernel/clock.ts";
import { readCarrierChanges, readLinkUp } from "./sysfs-net.ts";

export interface LinkWatchOptions {
  /** Poll period in ms; 0: no timer (the carrier is read on demand, nothing is revived).
   * Default 1000. */
  linkPollMs?: number;
  clock?: Clock;
}

export interface LinkEvents {
  /** The carrier came or went. */
  change(up: boolean): void;
  /** The interface is up again after having been down (or bounced between two polls): the
   * capture opened before is dead and must be reopened. Called before `change(true)`. */
  revive(): void;
}

export class LinkWatch {
  private readonly ifname: string;
  private readonly sysfsRoot: string;
  private readonly pollMs: number;
  private readonly clock: Clock;
  private readonly events: LinkEvents;
  private carrier: boolean;
  private changes: number | null;
  /** Set when the interface was seen down since the capture was opened (set down, or only
   * without carrier: reopening then costs nothing, and covers an interface deleted and
   * created again). */
  private wasDown = false;
  private timer: TimerHandle | null = null;

  constructor(ifname: string, sysfsRoot: string, o: LinkWatchOptions, events: LinkEvents) {
    this.ifname = ifname;
    this.sysfsRoot = sysfsRoot;
    this.pollMs = o.linkPollMs ?? 1000;
    this.clock = o.clock ?? new SystemClock();
    this.events = events;
    this.carrier = readLinkUp(ifname, sysfsRoot);
    this.changes = readCarrierChanges(ifname, sysfsRoot);
    if (this.pollMs > 0) this.arm();
  }

  /** The carrier: the last poll's, or read now when not polling. */
  get up(): boolean {
    if (this.pollMs === 0) this.carrier = readLinkUp(this.ifname, this.sysfsRoot);
    return this.carrier;
  }

  stop(): void {
    if (this.timer) this.clock.clearTimer(this.timer);
    this.timer = null;
  }

  /** One poll (the timer's; tests may call it directly). */
  poll(): void {
    const { ifname, sysfsRoot } = this;
    const up = readLinkUp(ifname, sysfsRoot);
    const changes = readCarrierChanges(ifname, sysfsRoot);
    if (!up) this.wasDown = true;
    // A down and up between two polls leaves the carrier as it was but moves its counter.
    const bounced = changes !== null && this.changes !== null && changes !== this.changes;
    this.changes = changes;
    if (up && (this.wasDown || bounced)) {
      this.wasDown = false;
      this.events.revive();
    }
    if (up !== this.carrier) {
      this.carrier = up;
      this.events.change(up);
    }
  }

  private arm(): void {
    this.timer = this.clock.setTimer(this.pollMs, () => {
      this.timer = null;
      this.poll();
      this.arm();
    });
  }
}
