// A TCP engine on a virtual clock: inject one segment, read back exactly the segments emitted,
// parsed with the same parser the engine uses. Peer is REMOTE; we are LOCAL.
import { ManualClock } from "../../../../firmware/kernel/clock.ts";
import { ERRNO } from "../../../../firmware/kernel/errno.ts";
import { TimerService } from "../../../../firmware/net/stack/timers.ts";
import { parseIpv4 } from "../../../../firmware/net/wire/ipv4-addr.ts";
import { TH_ACK } from "../../../../firmware/net/wire/tcp.ts";
import { type TcpConfig } from "../../../../firmware/net/tcp/config.ts";
import { TcpEngine } from "../../../../firmware/net/tcp/engine.ts";
import { TcpOptions } from "../../../../firmware/net/tcp/options.ts";
import {
  TcpSegment,
  fillTcpChecksum,
  parseTcpSegment,
  writeTcpHeader,
} from "../../../../firmware/net/tcp/segment.ts";
import type { Tcb } from "../../../../firmware/net/tcp/tcb.ts";

export const LOCAL = parseIpv4("10.0.0.1")!;
export const REMOTE = parseIpv4("10.0.0.2")!;
export const KEY = new Uint8Array(32).fill(7);

export interface Sent {
  sport: number;
  dport: number;
  seq: number;
  ack: number;
  flags: number;
  win: number;
  mss: number;
  wscale: number;
  sackPerm: boolean;
  ts: [number, number] | null;
  sack: [number, number][];
  data: Buffer;
}

export interface Inject {
  seq: number;
  ack?: number;
  flags: number;
  win?: number;
  data?: Uint8Array | number;
  mss?: number;
  wscale?: number;
  sackPerm?: boolean;
  ts?: [number, number];
  sack?: [number, number][];
  sport?: number;
  dport?: number;
}

export function toSent(s: TcpSegment): Sent {
  const o = s.opts;
  const sack: [number, number][] = [];
  for (let i = 0; i < o.sackCount; i++) sack.push([o.sack[2 * i], o.sack[2 * i + 1]]);
  return {
    sport: s.sport,
    dport: s.dport,
    seq: s.seq,
    ack: s.ack,
    flags: s.flags,
    win: s.win,
    mss: o.mss,
    wscale: o.wscale,
    sackPerm: o.sackPerm,
    ts: o.hasTs ? [o.tsVal, o.tsEcr] : null,
    sack,
    data: Buffer.from(s.buf.subarray(s.dataOff, s.dataOff + s.dataLen)),
  };
}

export class Harness {
  readonly clock = new ManualClock();
  readonly timers = new TimerService(this.clock);
  out: Sent[] = [];
  /** Sequence numbers of segments the interface refuses once each (ENOBUFS: a full transmit
   * queue); a refused segment is not recorded in `out`. */
  refuseSeqs: number[] = [];
  readonly engine: TcpEngine;
  lport = 80;
  rport = 40_000;
  private readonly frame = new Uint8Array(70_000);
  private readonly parsed = new TcpSegment();

  /** `afterInput`: the engine's batch-end hook (absent: every second segment is ACKed at once). */
  constructor(config: Partial<TcpConfig> = {}, mtu = 1500, afterInput?: (fn: () => void) => void) {
    this.engine = new TcpEngine({
      afterInput,
      timers: this.timers,
      transmit: (src, dst, b, len) => {
        if (src !== LOCAL || dst !== REMOTE) throw new Error("segment to the wrong peer");

        const err = parseTcpSegment(b, 0, len, src, dst, true, this.parsed);
        if (err !== null) throw new Error(`engine emitted a bad segment: ${err}`);
        const refused = this.refuseSeqs.indexOf(this.parsed.seq);
        if (refused >= 0) {
          this.refuseSeqs.splice(refused, 1);
          return ERRNO.ENOBUFS;
        }
        this.out.push(toSent(this.parsed));
      },
      mtuFor: () => mtu,
      key: KEY,
      config: { recvspace: 65_535, sendspace: 65_535, ...config },
    });
  }

  get now(): number {
    return this.clock.now();
  }

  /** Moves the clock forward by `ms`, running every deadline on the way. */
  advance(ms: number): void {
    this.clock.advance(ms);
  }

  inject(i: Inject): void {
    const o = new TcpOptions();
    if (i.mss !== undefined) o.mss = i.mss;
    if (i.wscale !== undefined) o.wscale = i.wscale;
    if (i.sackPerm === true) o.sackPerm = true;
    if (i.ts !== undefined) {
      o.hasTs = true;
      o.tsVal = i.ts[0];
      o.tsEcr = i.ts[1];
    }
    if (i.sack !== undefined) {
      i.sack.forEach(([l, r], k) => {
        o.sack[2 * k] = l;
        o.sack[2 * k + 1] = r;
      });
      o.sackCount = i.sack.length;
    }
    const data =
      typeof i.data === "number" ? new Uint8Array(i.data).fill(0x61) : (i.data ?? new Uint8Array(0));
    const hlen = writeTcpHeader(
      this.frame,
      0,
      i.sport ?? this.rport,
      i.dport ?? this.lport,
      i.seq >>> 0,
      (i.ack ?? 0) >>> 0,
      i.flags,
      i.win ?? 65_535,
      o,
    );
    this.frame.set(data, hlen);
    fillTcpChecksum(this.frame, 0, hlen + data.length, REMOTE, LOCAL);
    this.engine.input(REMOTE, LOCAL, this.frame, 0, hlen + data.length);
  }

  /** The segments emitted since the last call. */
  take(): Sent[] {
    const o = this.out;
    this.out = [];
    return o;
  }

  /** An active open to REMOTE:80 from LOCAL:lport completed with the peer's options. */
  connect(
    peer: {
      irs?: number;
      mss?: number;
      wscale?: number;
      sackPerm?: boolean;
      ts?: boolean;
      win?: number;
    } = {},
  ): Tcb {
    this.rport = 80;
    this.lport = 50_000;
    const t = this.engine.connect(LOCAL, 50_000, REMOTE, 80, null);
    const [syn] = this.take();
    const irs = peer.irs ?? 1000;
    this.inject({
      seq: irs,
      ack: syn.seq + 1,
      flags: 0x12,
      win: peer.win ?? 65_535,
      mss: peer.mss ?? 1460,
      wscale: peer.wscale,
      sackPerm: peer.sackPerm,
      ts: peer.ts === true ? [5000, syn.ts?.[0] ?? 0] : undefined,
    });
    this.take();
    return t;
  }
}

export const ACK = TH_ACK;
