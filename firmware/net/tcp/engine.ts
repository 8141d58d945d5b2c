// One TCP instance of a stack: demultiplexes arriving segments (connection → TIME-WAIT record →
// listener with its SYN cache and cookies → RST), arms the connections' deadlines on the stack's
// timer service, answers for tuples that have no TCB (RSTs, rate-limited; TIME-WAIT ACKs;
// SYN-ACKs) and holds the sysctls and counters. IP hands it segments with `input` and it hands
// segments back with `transmit`; all time comes from the timer service's injectable clock.
import { randomBytes } from "node:crypto";
import type { Clock } from "../../kernel/clock.ts";
import type { NetTimer, TimerService } from "../stack/timers.ts";
import { ERRNO } from "../../kernel/errno.ts";
import { TH_ACK, TH_FIN, TH_RST, TH_SYN } from "../wire/tcp.ts";
import { TCP_SYSCTLS, type TcpConfig, defaultTcpConfig } from "./config.ts";
import { CONGCTL_NAMES } from "./cc/index.ts";
import { dropConnection } from "./close.ts";
import { tcpCtlinput } from "./ctlinput.ts";
import { tcpInput } from "./input.ts";
import { IsnGenerator } from "./isn.ts";
import { TcpOptions } from "./options.ts";
import { tcpOutput } from "./output.ts";
import { TcpSegment, fillTcpChecksum, parseTcpSegment, writeTcpHeader } from "./segment.ts";
import { seqGt } from "./seq.ts";
import { TCPS_LISTEN, TCPS_SYN_RECEIVED, TCPS_TIME_WAIT } from "./state.ts";
import { type TcpStats, newTcpStats } from "./stats.ts";
import { SynCache, SynEntry } from "./syncache.ts";
import { cookieCheck, cookieIss } from "./syncookie.ts";
import { Tcb, type TcbHost, type TcbListener } from "./tcb.ts";
import { tcpTimers } from "./timer-actions.ts";
import { earliestDeadline } from "./timers.ts";
import { TimeWaitRecord, TimeWaitTable } from "./timewait.ts";
import { TupleMap } from "./tuple-map.ts";
import { tcpConnect, windowShiftFor } from "./usrreq.ts";

export interface TcpEngineOptions {
  /** The stack's timer service (and through it the injectable clock). */
  timers: TimerService;
  /** Sends the TCP segment b[0, len) from `src` to `dst`; IP adds its header. Returns the
   * errno of a segment that did not leave (no return or 0: it left). */
  transmit(src: number, dst: number, b: Uint8Array, len: number): number | void;
  /** MTU of the route towards `dst`; our MSS option is this minus 40. */
  mtuFor?(dst: number): number;
  /** Secret for ISNs and SYN cookies (random when absent). */
  key?: Uint8Array;
  config?: Partial<TcpConfig>;
  /** Skip checksum verification (tests that build segments by hand still verify by default). */
  trustChecksums?: boolean;
  /**
   * Runs `fn` once the current input batch is over (the stack: when the synchronous run of
   * frames it is taking in ends). Without it every second full segment is ACKed at once.
   */
  afterInput?(fn: () => void): void;
}

export class TcpListener {
  readonly queue: Tcb[] = [];
  onConnection: ((l: TcpListener) => void) | null = null;
  congctl: string | null = null;
  nodelay = false;
  constructor(laddr: number, lport: number, backlog: number) {
    this.laddr = laddr;
    this.lport = lport;
    this.backlog = backlog;
  }
  readonly laddr: number;
  readonly lport: number;
  backlog: number;
}

/** One line of `netstat -an`. */
export interface TcpPcbInfo {
  state: number;
  laddr: number;
  lport: number;
  faddr: number;
  fport: number;
  recvQ: number;
  sendQ: number;
}

export class TcpEngine implements TcbHost {
  readonly config: TcpConfig;
  readonly stats: TcpStats = newTcpStats();
  readonly conns = new TupleMap<Tcb>();
  readonly timewait = new TimeWaitTable();
  readonly syncache: SynCache;
  readonly isn: IsnGenerator;
  private readonly listeners = new Map<number, TcpListener[]>();
  private readonly clock: Clock;
  private readonly syncacheTimer: NetTimer;
  private readonly timewaitTimer: NetTimer;
  private readonly seg = new TcpSegment();
  private readonly frame = new Uint8Array(128);
  private readonly rawOpts = new TcpOptions();
  private rstWindow = 0;
  private rstCount = 0;
  /** Connections owed an ACK at the end of the input batch (deferAck). */
  private readonly acksOwed: Tcb[] = [];
  private ackFlushQueued = false;
  private flushingAcks = false;
  private readonly flushAcksBound = (): void => this.flushAcks();

  private readonly opts: TcpEngineOptions;

  constructor(opts: TcpEngineOptions) {
    this.opts = opts;
    this.config = { ...defaultTcpConfig(), ...opts.config };
    this.syncache = new SynCache(this.config.syncacheBuckets, this.config.syncacheBucketLimit);
    this.clock = opts.timers.clock;
    this.isn = new IsnGenerator(opts.key ?? randomBytes(32), () => this.clock.now());
    this.syncacheTimer = opts.timers.create("tcp.syncache", () => this.syncacheTimers(this.now()));
    this.timewaitTimer = opts.timers.create("tcp.2msl", () => this.timewaitExpire());
  }

  // --- TcbHost -------------------------------------------------------------------------------
  now(): number {
    return this.clock.now();
  }
  transmit(t: Tcb, b: Uint8Array, len: number): number {
    return this.opts.transmit(t.laddr, t.faddr, b, len) ?? 0;
  }
  deferAck(t: Tcb): boolean {
    const after = this.opts.afterInput;
    if (after === undefined || this.flushingAcks || t.delackSegs >= this.config.ackBatchSegs) return false;
    if (!t.ackDeferred) {
      t.ackDeferred = true;
      this.acksOwed.push(t);
    }
    if (!this.ackFlushQueued) {
      this.ackFlushQueued = true;
      after(this.flushAcksBound);
    }
    return true;
  }

  /** The end of an input batch: the ACKs deferAck promised, unless a segment carried them. */
  private flushAcks(): void {
    this.ackFlushQueued = false;
    const owed = this.acksOwed;
    this.flushingAcks = true;
    try {
      for (let i = 0; i < owed.length; i++) {
        const t = owed[i] as Tcb;
        t.ackDeferred = false;
        // Still owed (no segment carried it): the ACK, or the window update coalesced with it.
        if (t.delackSegs === 0) continue;
        if (t.delackSegs >= 2) t.ackNow = true;
        tcpOutput(t);
      }
    } finally {
      this.flushingAcks = false;
      owed.length = 0;
    }
  }

  reschedule(t: Tcb): void {
    const at = earliestDeadline(t.deadlines);
    let timer = t.timer;
    if (at === 0) {
      if (timer !== null) timer.cancel();
      return;
    }
    if (timer === null) {
      const conn = t;
      timer = this.opts.timers.create("tcp", () => tcpTimers(conn, this.now()));
      t.timer = timer;
    }
    if (!timer.armed || timer.deadline !== at) timer.armAt(at);
  }
  detach(t: Tcb, timeWait: boolean): void {
    this.conns.delete(t);
    const parent = t.parent;
    if (parent instanceof TcpListener) {
      const i = parent.queue.indexOf(t);
      if (i >= 0) parent.queue.splice(i, 1);
    }
    if (!timeWait) return;
    const r = new TimeWaitRecord();
    r.laddr = t.laddr;
    r.lport = t.lport;
    r.faddr = t.faddr;
    r.fport = t.fport;
    r.sndNxt = t.sndNxt;
    r.rcvNxt = t.rcvNxt;
    r.rcvWnd = t.rcvBuf.capacity;
    r.rcvScale = t.rcvScale;
    r.tsOk = t.tsOk;
    r.tsRecent = t.tsRecent;
    r.tsOffset = t.tsOffset;
    r.expiry = this.now() + 2 * this.config.mslMs;
    this.timewait.add(r);
    if (!this.timewaitTimer.armed) this.timewaitTimer.armAt(r.expiry);
  }
  established(t: Tcb): void {
    const l = t.parent;
    if (!(l instanceof TcpListener)) return;
    l.queue.push(t);
    this.stats.accepts++;
    if (l.onConnection !== null) l.onConnection(l);
  }

  // --- API -----------------------------------------------------------------------------------
  /** Starts listening on (laddr, lport); laddr 0 is the wildcard. Bind rules are the PCB table's. */
  listen(laddr: number, lport: number, backlog: number): TcpListener {
    const l = new TcpListener(laddr >>> 0, lport, Math.max(1, backlog));
    const list = this.listeners.get(lport);
    if (list === undefined) this.listeners.set(lport, [l]);
    else list.push(l);
    return l;
  }

  /** Stops a listener: its queued connections are reset and its SYN cache entries dropped. */
  unlisten(l: TcpListener): void {
    const list = this.listeners.get(l.lport);
    if (list !== undefined) {
      const i = list.indexOf(l);
      if (i >= 0) list.splice(i, 1);
      if (list.length === 0) this.listeners.delete(l.lport);
    }
    for (const t of [...l.queue]) dropConnection(t, ERRNO.ECONNABORTED, true);
    for (const e of [...this.syncache.entries()]) if (e.listener === l) this.syncache.remove(e);
  }

  /** Takes the oldest completed connection of a listener, or null. */
  accept(l: TcpListener, onEvent: TcbListener | null): Tcb | null {
    const t = l.queue.shift();
    if (t === undefined) return null;
    t.parent = null;
    t.onEvent = onEvent;
    return t;
  }

  /** Active open from (laddr, lport) to (faddr, fport). */
  connect(
    laddr: number,
    lport: number,
    faddr: number,
    fport: number,
    onEvent: TcbListener | null,
    congctl?: string,
    setup?: (t: Tcb) => void,
  ): Tcb {
    const t = new Tcb(this, congctl);
    t.laddr = laddr >>> 0;
    t.lport = lport;
    t.faddr = faddr >>> 0;
    t.fport = fport;
    t.ourMss = this.mssFor(faddr);
    t.onEvent = onEvent;
    setup?.(t); // socket options that shape the SYN

    this.conns.set(t);
    tcpConnect(t, this.isn.isn(laddr, lport, faddr, fport), this.isn.tsOffset(laddr, lport, faddr, fport));
    return t;
  }

  /** An ICMP error quoting a segment of ours (tcp_ctlinput): to its connection, if any. */
  ctlinput(
    type: number,
    code: number,
    laddr: number,
    lport: number,
    faddr: number,
    fport: number,
    seq: number,
    mtu: number,
  ): void {
    const t = this.conns.get(laddr >>> 0, lport, faddr >>> 0, fport);
    if (t !== undefined) tcpCtlinput(t, type, code, seq >>> 0, mtu);
  }

  /** Is this 4-tuple in use (a connection or a TIME-WAIT record)? */
  tupleInUse(laddr: number, lport: number, faddr: number, fport: number): boolean {
    return (
      this.conns.get(laddr, lport, faddr, fport) !== undefined ||
      this.timewait.map.get(laddr, lport, faddr, fport) !== undefined
    );
  }

  private mssFor(dst: number): number {
    const mtu = this.opts.mtuFor?.(dst) ?? 1500;
    return Math.max(64, Math.min(65_495, mtu - 40));
  }

  /** `netstat -an` rows. */
  pcbs(): TcpPcbInfo[] {
    const rows: TcpPcbInfo[] = [];
    for (const list of this.listeners.values())
      for (const l of list)
        rows.push({
          state: TCPS_LISTEN,
          laddr: l.laddr,
          lport: l.lport,
          faddr: 0,
          fport: 0,
          recvQ: l.queue.length,
          sendQ: 0,
        });
    for (const e of this.syncache.entries())
      rows.push({
        state: TCPS_SYN_RECEIVED,
        laddr: e.laddr,
        lport: e.lport,
        faddr: e.faddr,
        fport: e.fport,
        recvQ: 0,
        sendQ: 0,
      });
    for (const t of this.conns.values())
      rows.push({
        state: t.state,
        laddr: t.laddr,
        lport: t.lport,
        faddr: t.faddr,
        fport: t.fport,
        recvQ: t.rcvBuf.length,
        sendQ: t.sndBuf.length,
      });
    for (const r of this.timewait.map.values())
      rows.push({
        state: TCPS_TIME_WAIT,
        laddr: r.laddr,
        lport: r.lport,
        faddr: r.faddr,
        fport: r.fport,
        recvQ: 0,
        sendQ: 0,
      });
    return rows;
  }

  /** `sysctl net.inet.tcp.<name>`: the value in the name's unit, or undefined. */
  getSysctl(name: string): number | string | boolean | undefined {
    const d = TCP_SYSCTLS[name];
    if (d === undefined) return undefined;
    const v = this.config[d.key];
    return typeof v === "number" && d.scale > 1 ? v / d.scale : v;
  }

  /** Sets a sysctl; returns 0 or −errno (ENOENT unknown name, EINVAL bad value). */
  setSysctl(name: string, value: string): number {
    const d = TCP_SYSCTLS[name];
    if (d === undefined) return -ERRNO.ENOENT;
    const cur = this.config[d.key];
    const cfg = this.config as unknown as Record<string, number | string | boolean>;
    if (typeof cur === "string") {
      if (!(CONGCTL_NAMES as readonly string[]).includes(value)) return -ERRNO.EINVAL;
      cfg[d.key] = value;
    } else if (typeof cur === "boolean") {
      if (value !== "0" && value !== "1") return -ERRNO.EINVAL;
      cfg[d.key] = value === "1";
    } else {
      const n = Number(value);
      if (!Number.isFinite(n) || n < 0) return -ERRNO.EINVAL;
      cfg[d.key] = d.scale > 1 ? n * d.scale : n;
    }
    return 0;
  }

  // --- time ----------------------------------------------------------------------------------
  private timewaitExpire(): void {
    this.timewait.expire(this.now());
    const next = this.timewait.nextExpiry();
    if (next !== 0) this.timewaitTimer.armAt(next);
  }

  private syncacheTimers(now: number): void {
    for (const e of [...this.syncache.entries()]) {
      if (e.due > now) continue;
      e.rexmits++;
      if (e.rexmits > this.config.syncacheRetries) {
        this.syncache.remove(e);
        this.stats.sc_timed_out++;
        continue;
      }
      this.stats.sc_retransmitted++;
      this.sendSynAck(e);
      e.due = now + Math.min(this.config.rtoMaxMs, this.config.rtoInitMs * 2 ** e.rexmits);
    }
    const next = this.syncache.nextDue();
    if (next !== 0) this.syncacheTimer.armAt(next);
  }

  // --- input ---------------------------------------------------------------------------------
  /** A TCP segment b[off, off+len) from `src` to `dst` (IP header already removed). */
  input(src: number, dst: number, b: Uint8Array, off: number, len: number): void {
    const s = this.seg;
    this.stats.rcvtotal++;
    const err = parseTcpSegment(b, off, len, src, dst, this.opts.trustChecksums !== true, s);
    if (err !== null) {
      if (err.includes("checksum")) this.stats.rcvbadsum++;
      else this.stats.rcvbadoff++;
      return;
    }
    const t = this.conns.get(s.dst, s.dport, s.src, s.sport);
    if (t !== undefined) {
      tcpInput(t, s);
      return;
    }
    const r = this.timewait.map.get(s.dst, s.dport, s.src, s.sport);
    if (r !== undefined && !this.timeWaitInput(r, s)) return;
    const l = this.findListener(s.dst, s.dport);
    if (l !== null) this.listenInput(l, s);
    else this.respondNoPcb(s);
  }

  private findListener(addr: number, port: number): TcpListener | null {
    const list = this.listeners.get(port);
    if (list === undefined) return null;
    let wild: TcpListener | null = null;
    for (const l of list) {
      if (l.laddr === addr) return l;
      if (l.laddr === 0) wild = l;
    }
    return wild;
  }

  /** TIME-WAIT (RFC 9293 §3.10.7.4, RFC 6191). Returns true when a new SYN may reopen the tuple. */
  private timeWaitInput(r: TimeWaitRecord, s: TcpSegment): boolean {
    const f = s.flags;
    if ((f & TH_RST) !== 0) {
      // RFC 1337 discusses ignoring RSTs here; with RFC 5961's exact-sequence rule we close.
      if (s.seq === r.rcvNxt) this.timewait.remove(r);
      return false;
    }
    if ((f & TH_SYN) !== 0 && (f & TH_ACK) === 0) {
      const newer = seqGt(s.seq, r.rcvNxt) || (r.tsOk && s.opts.hasTs && seqGt(s.opts.tsVal, r.tsRecent));
      if (newer) {
        this.timewait.remove(r);
        return true;
      }
    }
    if ((f & TH_FIN) !== 0) {
      this.timewait.restart(r, this.now() + 2 * this.config.mslMs);
    } else if (s.seq === r.rcvNxt && s.dataLen === 0 && (f & TH_SYN) === 0) return false;
    const o = this.rawOpts;
    o.reset();
    if (r.tsOk) {
      o.hasTs = true;
      o.tsVal = (Math.floor(this.now()) + r.tsOffset) >>> 0;
      o.tsEcr = r.tsRecent;
    }
    this.sendRaw(
      r.laddr,
      r.lport,
      r.faddr,
      r.fport,
      r.sndNxt,
      r.rcvNxt,
      TH_ACK,
      Math.min(r.rcvWnd >>> r.rcvScale, 65_535),
      o,
    );
    return false;
  }

  private listenInput(l: TcpListener, s: TcpSegment): void {
    const f = s.flags;
    const stats = this.stats;
    if ((f & TH_RST) !== 0) {
      const e = this.syncache.find(s.dst, s.dport, s.src, s.sport);
      if (e !== undefined && s.seq === (e.irs + 1) >>> 0) {
        this.syncache.remove(e);
        stats.sc_aborted++;
      }
      return;
    }
    if ((f & TH_ACK) !== 0) {
      if ((f & TH_SYN) !== 0) {
        this.rst(s.dst, s.dport, s.src, s.sport, s.ack, 0, TH_RST);
        return;
      }
      const e = this.syncache.find(s.dst, s.dport, s.src, s.sport);
      if (e !== undefined) {
        if (s.ack === (e.iss + 1) >>> 0) this.completeHandshake(l, s, e);
        else this.rst(s.dst, s.dport, s.src, s.sport, s.ack, 0, TH_RST);
        return;
      }
      if (this.config.syncookies > 0) {
        const irs = (s.seq - 1) >>> 0;
        const iss = (s.ack - 1) >>> 0;
        const mss = cookieCheck(this.isn, this.now(), s.dst, s.dport, s.src, s.sport, irs, iss);
        if (mss >= 0) {
          stats.sc_cookies_ok++;
          const c = this.entryFor(s, irs);
          c.iss = iss;
          c.peerMss = mss;
          this.completeHandshake(l, s, c);
          return;
        }
        stats.sc_cookies_bad++;
      }
      this.rst(s.dst, s.dport, s.src, s.sport, s.ack, 0, TH_RST);
      return;
    }
    if ((f & TH_SYN) === 0) return;
    if ((f & TH_FIN) !== 0) {
      stats.badsyn++;
      return;
    }
    const dup = this.syncache.find(s.dst, s.dport, s.src, s.sport);
    if (dup !== undefined) {
      // A client retransmits its SYN after its RTO; SYNs repeated faster than that (a flood
      // replaying frames) get no SYN-ACK each, so they cost no output.
      stats.sc_dupesyn++;
      if (this.now() - dup.lastSent >= this.config.rtoInitMs) this.sendSynAck(dup);
      return;
    }
    const queueFull = l.queue.length >= l.backlog;
    const mode = this.config.syncookies;
    const bucketFull = this.syncache.bucketFull(s.dst, s.dport, s.src, s.sport);
    if (mode === 2 || (mode === 1 && (bucketFull || queueFull))) {
      this.sendCookie(s);
      return;
    }
    if (queueFull) {
      stats.listendrop++;
      return;
    }
    const e = this.entryFor(s, s.seq);
    e.iss = this.isn.isn(s.dst, s.dport, s.src, s.sport);
    e.peerWscale = this.config.windowScaling ? s.opts.wscale : -1;
    e.sackOk = this.config.sack && s.opts.sackPerm;
    e.listener = l;
    e.due = this.now() + this.config.rtoInitMs;
    if (this.syncache.add(e) !== null) stats.sc_bucketoverflow++;
    stats.sc_added++;
    if (!this.syncacheTimer.armed || e.due < this.syncacheTimer.deadline) this.syncacheTimer.armAt(e.due);
    this.sendSynAck(e);
  }

  private synAckOptions(e: SynEntry, cookie: boolean): TcpOptions {
    const o = this.rawOpts;
    o.reset();
    o.mss = e.ourMss;
    if (!cookie && e.peerWscale >= 0) o.wscale = windowShiftFor(this.config.recvspace);
    o.sackPerm = !cookie && e.sackOk;
    if (e.tsOk) {
      o.hasTs = true;
      o.tsVal = (Math.floor(this.now()) + e.tsOffset) >>> 0;
      o.tsEcr = e.tsRecent;
    }
    return o;
  }

  private sendSynAck(e: SynEntry, cookie = false): void {
    e.lastSent = this.now();
    const o = this.synAckOptions(e, cookie);
    const win = Math.min(this.config.recvspace, 65_535);
    this.sendRaw(e.laddr, e.lport, e.faddr, e.fport, e.iss, (e.irs + 1) >>> 0, TH_SYN | TH_ACK, win, o);
  }

  /** What a SYN (or a cookie's ACK, with `irs` = SEG.SEQ − 1) tells about the peer. */
  private entryFor(s: TcpSegment, irs: number): SynEntry {
    const e = new SynEntry();
    e.laddr = s.dst;
    e.lport = s.dport;
    e.faddr = s.src;
    e.fport = s.sport;
    e.irs = irs;
    e.peerMss = s.opts.mss >= 0 ? s.opts.mss : this.config.mssDefault;
    e.ourMss = this.mssFor(s.src);
    e.tsOk = this.config.timestamps && s.opts.hasTs;
    e.tsRecent = s.opts.tsVal;
    e.tsOffset = this.isn.tsOffset(s.dst, s.dport, s.src, s.sport);
    return e;
  }

  private sendCookie(s: TcpSegment): void {
    const e = this.entryFor(s, s.seq);
    e.iss = cookieIss(this.isn, this.now(), s.dst, s.dport, s.src, s.sport, s.seq, e.peerMss);
    this.stats.sc_cookies_sent++;
    this.sendSynAck(e, true);
  }

  /** The final ACK of a handshake: a TCB in SYN-RECEIVED that input moves to ESTABLISHED. */
  private completeHandshake(l: TcpListener, s: TcpSegment, e: SynEntry): void {
    if (l.queue.length >= l.backlog) {
      // Accept queue full: drop the ACK silently; the client's retransmission retries (gVisor, Linux).
      this.stats.listendrop++;
      return;
    }
    this.syncache.remove(e);
    this.stats.sc_completed++;
    const t = new Tcb(this, l.congctl ?? undefined);
    t.laddr = e.laddr;
    t.lport = e.lport;
    t.faddr = e.faddr;
    t.fport = e.fport;
    t.iss = e.iss;
    t.sndUna = e.iss;
    t.sndNxt = (e.iss + 1) >>> 0;
    t.sndMax = t.sndNxt;
    t.recover = e.iss;
    t.irs = e.irs;
    t.rcvNxt = (e.irs + 1) >>> 0;
    t.lastAckSent = t.rcvNxt;
    t.rcvAdv = (t.rcvNxt + Math.min(this.config.recvspace, 65_535)) >>> 0;
    t.peerMss = e.peerMss;
    t.ourMss = e.ourMss;
    t.wsOk = e.peerWscale >= 0;
    t.sndScale = t.wsOk ? e.peerWscale : 0;
    t.requestRcvScale = windowShiftFor(t.rcvBuf.capacity);
    t.rcvScale = t.wsOk ? t.requestRcvScale : 0;
    t.tsOk = e.tsOk;
    t.tsRecent = e.tsRecent;
    t.tsRecentAge = this.now();
    t.tsOffset = e.tsOffset;
    t.sackOk = e.sackOk;
    t.nodelay = l.nodelay;
    t.setMss();
    t.lastRecvTime = this.now();
    t.state = TCPS_SYN_RECEIVED;
    t.parent = l;
    this.conns.set(t);
    tcpInput(t, s);
  }

  /** Segments for tuples nobody owns (RFC 9293 §3.10.7.1), at most rstRateLimit per second. */
  private respondNoPcb(s: TcpSegment): void {
    const f = s.flags;
    if ((f & TH_RST) !== 0) return;
    if ((f & TH_ACK) !== 0) this.rst(s.dst, s.dport, s.src, s.sport, s.ack, 0, TH_RST);
    else {
      const segLen = s.dataLen + ((f & TH_SYN) !== 0 ? 1 : 0) + ((f & TH_FIN) !== 0 ? 1 : 0);
      this.rst(s.dst, s.dport, s.src, s.sport, 0, (s.seq + segLen) >>> 0, TH_RST | TH_ACK);
    }
  }

  private rst(
    laddr: number,
    lport: number,
    faddr: number,
    fport: number,
    seq: number,
    ack: number,
    flags: number,
  ): void {
    const now = this.now();
    if (now - this.rstWindow >= 1000) {
      this.rstWindow = now;
      this.rstCount = 0;
    }
    if (this.rstCount >= this.config.rstRateLimit) {
      this.stats.rstratelimited++;
      return;
    }
    this.rstCount++;
    this.stats.sndrst++;
    this.sendRaw(laddr, lport, faddr, fport, seq, ack, flags, 0, null);
  }

  private sendRaw(
    laddr: number,
    lport: number,
    faddr: number,
    fport: number,
    seq: number,
    ack: number,
    flags: number,
    win: number,
    o: TcpOptions | null,
  ): void {
    const b = this.frame;
    const hlen = writeTcpHeader(b, 0, lport, fport, seq, ack, flags, win, o);
    fillTcpChecksum(b, 0, hlen, laddr, faddr);
    this.stats.sndtotal++;
    if ((flags & TH_RST) === 0) this.stats.sndctrl++;
    this.opts.transmit(laddr, faddr, b, hlen);
  }
}
