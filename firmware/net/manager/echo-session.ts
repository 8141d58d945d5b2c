// An ICMP echo session of one control open (a control-protocol ping for tools and tests; the
// ping utility uses a raw ICMP socket): the echo identifier it owns, and the replies and errors
// that arrived for it in the one socket buffer, read by at most one blocked ECHO_RECV.
import type { Clock } from "../../kernel/clock.ts";
import type { Deferred } from "../../resmgr/handlers.ts";
import type { EchoListener } from "../stack/icmp.ts";
import type { Pbuf } from "../stack/pbuf.ts";
import type { Stack } from "../stack/stack.ts";
import { IP_HDR_LEN, ipHlen } from "../wire/ipv4.ts";
import { ECHO_EV_ERROR, ECHO_EV_REPLY, ECHO_EV_TIMEOUT, type EchoEvent } from "../control/protocol.ts";
import { SockBuf } from "../socket/sockbuf.ts";
import { SbReader } from "./sb-reader.ts";

/** An ICMP error quoting an echo request: its 8-byte header, the 20-byte IP header and the
 * first 8 bytes of the request (RFC 792). */
const ICMP_ERROR_MIN_LEN = 8 + 20 + 8;

/** Events kept while nobody is receiving; older ones are dropped first. */
const MAX_QUEUED = 1024;
/** Bytes an event costs in the buffer besides its data (its fields). */
const EVENT_OVERHEAD = 48;

export type EchoReplySink = (ev: EchoEvent) => void;

interface EchoRec {
  readonly size: number;
  readonly ev: EchoEvent;
}

export class EchoSession implements EchoListener {
  readonly id: number;
  private readonly stack: Stack;
  private readonly clock: Clock;
  private readonly reader: SbReader<EchoRec>;

  constructor(stack: Stack, clock: Clock, preferredId: number) {
    this.stack = stack;
    this.clock = clock;
    this.id = stack.icmp.freeEchoId(preferredId);
    this.reader = new SbReader(new SockBuf<EchoRec>(Number.MAX_SAFE_INTEGER, 1, MAX_QUEUED), clock);
    stack.icmp.addEchoListener(this.id, this);
  }

  /** Events thrown away because nobody read them in time. */
  get dropped(): number {
    return this.reader.sb.drops;
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
    this.reader.sb.appendDropOldest({ size: ev.data.byteLength + EVENT_OVERHEAD, ev });
  }

  /** The next event now, or null after arranging for `send` to get it (or a timeout event) later. */
  next(timeoutMs: number, deferred: () => Deferred, send: EchoReplySink): EchoEvent | null {
    return this.reader.read(
      {
        timeoutMs,
        take: () => this.reader.sb.shift()?.ev ?? null,
        timedOut: () => timeoutEvent(this.clock),
        defer: deferred,
        send,
      },
      "EBUSY",
    );
  }

  close(): void {
    this.reader.cancel("EBADF");
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
