// Qnet's L4 reliable transport for one session between two nodes: messages of any size are cut
// into fragments that fit the link (FIRST/LAST flags, stream offset), every fragment gets the next
// sequence number, at most `window` fragments are unacknowledged at once, the receiver acks
// cumulatively (ACK's seq = the highest in-order fragment) and NACKs the first gap it sees (the
// sender resends that one fragment), and the sender retransmits everything unacknowledged when the
// retransmission timer fires. After `txRetries` timeouts in a row without progress the peer is
// declared dead (clients then see EHOSTDOWN). Time comes from the injectable clock; nothing here touches the stack directly: the
// owner hands frames in (`input`) and takes frames out (`output`). Design: docs/qnet.md.
import type { Clock, TimerHandle } from "../../kernel/clock.ts";
import { qnetFrame } from "./frame.ts";
import {
  emptyHeader,
  L4,
  L4_FLAG_CRC,
  L4_FLAG_FIRST,
  L4_FLAG_LAST,
  L4_FLAGS_WHOLE,
  QNET_HDR_LEN,
} from "./l4-header.ts";
import type { QnetHeader } from "./l4-header.ts";

export interface L4Options {
  clock: Clock;
  /**
   * Sends one Ethernet frame to the peer; false when the link refused it (counted, retried later).
   * `route` is what `send` was given (the owner's link-selection tag; 0 for acks) and `turn`
   * counts up with the sequence number and each retransmission, so an owner spreading frames
   * over several links sends a retransmission on another link than the lost original.
   */
  output: (frame: Uint8Array, route: number, turn: number) => boolean;
  /** A whole message arrived (reassembled), with the header of its first fragment (valid during
   * the call only: copy what is kept). */
  deliver: (h: QnetHeader, payload: Uint8Array) => void;
  /** The peer stopped answering: `txRetries` retransmission timeouts without progress. */
  dead: () => void;
  localMac: number;
  peerMac: number;
  /** Our connection id (sconn on what we send) and the peer's (dconn). */
  sconn: number;
  dconn: number;
  /** Our nd in the peer's table, and the peer's nd in ours. */
  srcNd: number;
  dstNd: number;
  /** Link MTU: the largest L4 header + payload (Ethernet: 1500). */
  mtu?: number;
  window?: number;
  rtoMs?: number;
  txRetries?: number;
  /** Ack at the latest this long after an unacknowledged in-order fragment. */
  ackDelayMs?: number;
  doCrc?: boolean;
}

interface Pending {
  seq: number;
  frame: Uint8Array;
  route: number;
  /** Transmissions so far. */
  tries: number;
}

export interface L4Stats {
  txFragments: number;
  retransmits: number;
  rxFragments: number;
  duplicates: number;
  outOfWindow: number;
  acksSent: number;
  nacksSent: number;
  refused: number;
  /** ACKs and NACKs for fragments never sent, ignored. */
  bogusAcks: number;
}

export class L4Session {
  private readonly o: Required<Omit<L4Options, "output" | "deliver" | "dead" | "clock">>;
  private readonly clock: Clock;
  private nextSeq = 1;
  /** Built but not yet sent (the window is full). */
  private readonly queue: Pending[] = [];
  /** Sent and not yet acknowledged, in sequence order. */
  private readonly inFlight: Pending[] = [];
  private rto: TimerHandle | null = null;
  private timeouts = 0;
  private expected = 1;
  /** Out-of-order fragments held until the gap before them fills. */
  private readonly held = new Map<number, { h: QnetHeader; data: Uint8Array }>();
  /** Fragments of the message being reassembled. */
  private parts: Uint8Array[] = [];
  private first: QnetHeader | null = null;
  private readonly txHeader = emptyHeader();
  private unacked = 0;
  private ackTimer: TimerHandle | null = null;
  private nacked = 0;
  private closed = false;
  readonly stats: L4Stats = {
    txFragments: 0,
    retransmits: 0,
    rxFragments: 0,
    duplicates: 0,
    outOfWindow: 0,
    acksSent: 0,
    nacksSent: 0,
    refused: 0,
    bogusAcks: 0,
  };

  private readonly opts: L4Options;

  constructor(opts: L4Options) {
    this.opts = opts;
    this.clock = opts.clock;
    this.o = {
      localMac: opts.localMac,
      peerMac: opts.peerMac,
      sconn: opts.sconn,
      dconn: opts.dconn,
      srcNd: opts.srcNd,
      dstNd: opts.dstNd,
      mtu: opts.mtu ?? 1500,
      window: opts.window ?? 32,
      rtoMs: opts.rtoMs ?? 200,
      txRetries: opts.txRetries ?? 5,
      ackDelayMs: opts.ackDelayMs ?? 5,
      doCrc: opts.doCrc ?? false,
    };
    if (this.o.mtu <= QNET_HDR_LEN) throw new RangeError(`qnet: mtu ${this.o.mtu} leaves no room for data`);
  }

  /** Fragments not yet acknowledged (queued or in flight). */
  get outstanding(): number {
    return this.queue.length + this.inFlight.length;
  }

  /**
   * Queues one message (`layer` says what it is for) and sends what the window allows; every
   * transmission of its fragments hands `route` to `output`.
   */
  send(payload: Uint8Array, layer: number, qosType = 0, route = 0): void {
    if (this.closed) throw new Error("qnet: session is closed");
    const max = this.o.mtu - QNET_HDR_LEN;
    let off = 0;
    do {
      const end = Math.min(payload.length, off + max);
      const flags = (off === 0 ? L4_FLAG_FIRST : 0) | (end === payload.length ? L4_FLAG_LAST : 0);
      const h = this.header(L4.DATA, flags, this.nextSeq++);
      h.layer = layer;
      h.qosType = qosType;
      h.offset = off;
      this.queue.push({
        seq: h.seq,
        frame: qnetFrame(this.o.peerMac, this.o.localMac, h, payload.subarray(off, end)),
        route,
        tries: 0,
      });
      off = end;
    } while (off < payload.length);
    this.pump();
  }

  /** A checked packet of this session (`h` read by checkQnetPacket, `data` its payload). */
  input(h: QnetHeader, data: Uint8Array): void {
    if (this.closed) return;
    if (h.type === L4.ACK) return this.acked(h.seq);
    if (h.type === L4.NACK) {
      if (h.seq > this.nextSeq || h.seq === 0) {
        this.stats.bogusAcks++;
        return;
      }
      this.acked(h.seq - 1);
      // Only the gap: the receiver holds what came after it. (Links of different speeds reorder
      // a ~loadbalance transfer; resending the whole window for each gap would double it.)
      const gap = this.inFlight[0];
      if (gap?.seq === h.seq) {
        this.stats.retransmits++;
        this.transmit(gap);
      }
      return;
    }
    if (h.type !== L4.DATA && h.type !== L4.USER) return;
    const seq = h.seq;
    if (seq < this.expected) {
      // Our ack was lost: say again what we have.
      this.stats.duplicates++;
      return this.sendAck(L4.ACK, this.expected - 1);
    }
    if (seq - this.expected >= this.o.window) {
      this.stats.outOfWindow++;
      return;
    }
    if (seq > this.expected) {
      if (this.held.has(seq)) this.stats.duplicates++;
      else this.held.set(seq, { h: { ...h }, data: data.slice() });
      // Ask once per gap for what is missing.
      if (this.nacked !== this.expected) {
        this.nacked = this.expected;
        this.sendAck(L4.NACK, this.expected);
      }
      return;
    }
    this.accept(h, data);
    for (let next = this.held.get(this.expected); next; next = this.held.get(this.expected)) {
      this.held.delete(this.expected);
      this.accept(next.h, next.data);
    }
    if (this.unacked >= this.o.window >> 1) this.flushAck();
    else if (this.ackTimer === null)
      this.ackTimer = this.clock.setTimer(this.o.ackDelayMs, () => this.flushAck());
  }

  /** Stops timers and forgets everything (the peer died or the session was torn down). */
  close(): void {
    this.closed = true;
    if (this.rto) this.clock.clearTimer(this.rto);
    if (this.ackTimer) this.clock.clearTimer(this.ackTimer);
    this.rto = this.ackTimer = null;
    this.queue.length = this.inFlight.length = 0;
    this.held.clear();
    this.parts = [];
  }

  private accept(h: QnetHeader, data: Uint8Array): void {
    this.expected++;
    this.unacked++;
    this.stats.rxFragments++;
    if ((h.flags & L4_FLAGS_WHOLE) === L4_FLAGS_WHOLE) {
      // A one-fragment message (every request and reply up to 1462 bytes): one copy, delivered
      // with the header as read (deliver must not keep `h`), no reassembly state.
      this.first = null;
      this.parts.length = 0;
      return this.opts.deliver(h, data.slice());
    }
    if (h.flags & L4_FLAG_FIRST) {
      this.first = { ...h };
      this.parts = [];
    }
    if (this.first === null) return; // the middle of a message whose start we never had
    this.parts.push(data.slice());
    if (h.flags & L4_FLAG_LAST) {
      const first = this.first;
      this.first = null;
      const whole = this.parts.length === 1 ? this.parts[0] : concat(this.parts);
      this.parts = [];
      first.flags |= L4_FLAGS_WHOLE;
      first.length = whole.length;
      this.opts.deliver(first, whole);
    }
  }

  private acked(seq: number): void {
    // An ack for what we never sent is forged or corrupt: believing it would lose data.
    if (seq >= this.nextSeq) {
      this.stats.bogusAcks++;
      return;
    }
    let progressed = false;
    while (this.inFlight.length > 0 && this.inFlight[0].seq <= seq) {
      this.inFlight.shift();
      progressed = true;
    }
    if (!progressed) return;
    this.timeouts = 0;
    if (this.rto) this.clock.clearTimer(this.rto);
    this.rto = null;
    this.pump();
  }

  private pump(): void {
    while (this.queue.length > 0 && this.inFlight.length < this.o.window) {
      const p = this.queue.shift() as Pending;
      this.inFlight.push(p);
      this.stats.txFragments++;
      this.transmit(p);
    }
    this.arm();
  }

  private arm(): void {
    if (this.rto === null && this.inFlight.length > 0)
      this.rto = this.clock.setTimer(this.o.rtoMs, () => this.timeout());
  }

  private timeout(): void {
    this.rto = null;
    if (++this.timeouts > this.o.txRetries) {
      this.close();
      this.opts.dead();
      return;
    }
    this.retransmit();
  }

  private retransmit(): void {
    for (const p of this.inFlight) {
      this.stats.retransmits++;
      this.transmit(p);
    }
    this.arm();
  }

  private transmit(p: Pending): void {
    if (!this.opts.output(p.frame, p.route, p.seq + p.tries++)) this.stats.refused++;
  }

  private flushAck(): void {
    if (this.ackTimer) this.clock.clearTimer(this.ackTimer);
    this.ackTimer = null;
    this.unacked = 0;
    this.sendAck(L4.ACK, this.expected - 1);
  }

  private sendAck(type: number, seq: number): void {
    if (type === L4.ACK) this.stats.acksSent++;
    else this.stats.nacksSent++;
    const turn = this.stats.acksSent + this.stats.nacksSent;
    this.opts.output(
      qnetFrame(this.o.peerMac, this.o.localMac, this.header(type, L4_FLAGS_WHOLE, seq)),
      0,
      turn,
    );
  }

  /** The header of the next frame to build, in the session's scratch header (qnetFrame writes
   * it out at once; nothing keeps it). */
  private header(type: number, flags: number, seq: number): QnetHeader {
    const h = this.txHeader;
    h.le = true;
    h.layer = h.qosType = h.qosIdx = h.offset = h.length = h.crc = 0;
    h.type = type;
    h.flags = flags | (this.o.doCrc ? L4_FLAG_CRC : 0);
    h.srcNd = this.o.srcNd;
    h.dstNd = this.o.dstNd;
    h.sconn = this.o.sconn;
    h.dconn = this.o.dconn;
    h.seq = seq;
    return h;
  }
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}
