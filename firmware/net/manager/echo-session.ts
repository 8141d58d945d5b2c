// An ICMP echo session of one control open (ping): the echo identifier it owns, the replies
// and errors that arrived for it, and at most one blocked ECHO_RECV waiting for the next.
import type { Clock, TimerHandle } from "../../kernel/clock.ts";
import type { Deferred } from "../../resmgr/handlers.ts";
import type { EchoListener } from "../stack/icmp.ts";
import type { Pbuf } from "../stack/pbuf.ts";
import type { Stack } from "../stack/stack.ts";
import { IP_HDR_LEN, ipHlen } from "../wire/ipv4.ts";
import { ECHO_EV_ERROR, ECHO_EV_REPLY, ECHO_EV_TIMEOUT, type EchoEvent } from "../control/protocol.ts";

/** An ICMP error quoting an echo request: its 8-byte header, the 20-byte IP header and the
 * first 8 bytes of the request (RFC 792). */
const ICMP_ERROR_MIN_LEN = 8 + 20 + 8;

/** Events kept while nobody is receiving; older ones are dropped first. */
const MAX_QUEUED = 1024;

export type EchoReplySink = (ev: EchoEvent) => void;

interface Waiter {
  deferred: Deferred;
  timer: TimerHandle;
  send: EchoReplySink;
}

export class EchoSession implements EchoListener {
  readonly id: number;
  private readonly stack: Stack;
  private readonly clock: Clock;
  private readonly queue: EchoEvent[] = [];
  private waiter: Waiter | null = null;
  dropped = 0;

  constructor(stack: Stack, clock: Clock, preferredId: number) {
    this.stack = stack;
    this.clock = clock;
    this.id = stack.icmp.freeEchoId(preferredId);
    stack.icmp.addEchoListener(this.id, this);
  }

  reply(
    from: number,
    seq: number,
    ttl: number,
    icmpLen: number,
    pb: Pbuf,
    dataOff: number,
    dataLen: number,
  ): void {
    this.push({
      kind: ECHO_EV_REPLY,
      from,
      seq,
      ttl,
      icmpLen,
      type: 0,
      code: 0,
      mtu: 0,
      rxTimeUs: Math.round(this.clock.now() * 1000),
      data: pb.bytes.slice(dataOff, dataOff + dataLen),
      // The listener gets `pb` at the IP header: its options follow the fixed 20 bytes.
      ipOptions: pb.bytes.slice(pb.off + IP_HDR_LEN, pb.off + ipHlen(pb.bytes, pb.off)),
    });
  }

  /** `icmpLen`: the error's ICMP length (header, quoted IP header and data), what ping prints as
   * "N bytes from"; when the stack does not pass it, the minimum an error quoting our request has. */
  error(
    from: number,
    type: number,
    code: number,
    seq: number,
    mtu: number,
    icmpLen: number = ICMP_ERROR_MIN_LEN,
  ): void {
    this.push({
      kind: ECHO_EV_ERROR,
      from,
      seq,
      ttl: 0,
      icmpLen,
      type,
      code,
      mtu,
      rxTimeUs: Math.round(this.clock.now() * 1000),
      data: new Uint8Array(0),
      ipOptions: new Uint8Array(0),
    });
  }

  private push(ev: EchoEvent): void {
    const w = this.waiter;
    if (w !== null) {
      this.waiter = null;
      this.clock.clearTimer(w.timer);
      w.send(ev);
      return;
    }
    if (this.queue.length >= MAX_QUEUED) {
      this.queue.shift();
      this.dropped++;
    }
    this.queue.push(ev);
  }

  /** The next event now, or null after arranging for `send` to get it (or a timeout event) later. */
  next(timeoutMs: number, deferred: () => Deferred, send: EchoReplySink): EchoEvent | null {
    const ev = this.queue.shift();
    if (ev !== undefined) return ev;
    if (timeoutMs === 0) return timeoutEvent(this.clock);
    if (this.waiter !== null) this.cancelWaiter("EBUSY");
    const d = deferred();
    const timer = this.clock.setTimer(timeoutMs, () => {
      if (this.waiter?.deferred !== d) return;
      this.waiter = null;
      send(timeoutEvent(this.clock));
    });
    this.waiter = { deferred: d, timer, send };
    d.onCancel = () => {
      if (this.waiter?.deferred === d) {
        this.clock.clearTimer(timer);
        this.waiter = null;
      }
    };
    return null;
  }

  private cancelWaiter(errno: "EBUSY" | "EBADF"): void {
    const w = this.waiter;
    if (w === null) return;
    this.waiter = null;
    this.clock.clearTimer(w.timer);
    w.deferred.error(errno);
  }

  close(): void {
    this.cancelWaiter("EBADF");
    this.stack.icmp.removeEchoListener(this.id);
  }
}

function timeoutEvent(clock: Clock): EchoEvent {
  return {
    kind: ECHO_EV_TIMEOUT,
    from: 0,
    seq: 0,
    ttl: 0,
    icmpLen: 0,
    type: 0,
    code: 0,
    mtu: 0,
    rxTimeUs: Math.round(clock.now() * 1000),
    data: new Uint8Array(0),
    ipOptions: new Uint8Array(0),
  };
}
