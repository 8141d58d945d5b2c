// The DHCP client state machine (RFC 2131 §4.4, figure 5): INIT → SELECTING → REQUESTING →
// BOUND → RENEWING (T1) → REBINDING (T2) → expiry, plus INIT-REBOOT/REBOOTING for an address
// known from before, DECLINE (the address turned out to be in use) and RELEASE. It does no
// I/O: events go in (start, receive, tick, decline, release), actions come out (take: send a
// message, bind or unbind a lease, give up), and every timer is a deadline on the injected
// clock, so the program that drives it waits in one poll() and the tests step through a
// lease's life on a manual clock.
import {
  BOOTREPLY,
  BOOTREQUEST,
  DHCPACK,
  DHCPDECLINE,
  DHCPDISCOVER,
  DHCPNAK,
  DHCPOFFER,
  DHCPRELEASE,
  DHCPREQUEST,
  DHCP_FLAG_BROADCAST,
  OPT_CLIENT_ID,
  OPT_HOSTNAME,
  OPT_LEASE_TIME,
  OPT_MSG_TYPE,
  OPT_PARAM_LIST,
  OPT_REQUESTED_IP,
  OPT_SERVER_ID,
  dhcpType,
  u32Option,
  type DhcpMessage,
} from "../wire/dhcp.ts";
import { leaseFromAck, type Lease } from "./lease.ts";

export type DhcpState =
  | "INIT"
  | "SELECTING"
  | "REQUESTING"
  | "INIT-REBOOT"
  | "REBOOTING"
  | "BOUND"
  | "RENEWING"
  | "REBINDING"
  | "RELEASED";

export const INADDR_BROADCAST = 0xffff_ffff;

export type DhcpAction =
  /** Send `msg` to `to` (INADDR_BROADCAST, or the server's address once we have one). */
  | { kind: "send"; msg: DhcpMessage; to: number }
  /** Apply `lease`; `renewed` when it extends the lease already applied (same address). */
  | { kind: "bind"; lease: Lease; renewed: boolean }
  /** Remove what `lease` applied (NAK, expiry, release). */
  | { kind: "unbind"; lease: Lease; why: string }
  /** No server answered within the give-up time. */
  | { kind: "give-up" };

export interface DhcpMachineOptions {
  /** Our MAC (48 bits), sent as chaddr. */
  mac: number;
  /** Monotonic milliseconds (a kernel's injectable clock). */
  now: () => number;
  /** [0, 1): transaction ids and retransmission jitter. */
  random: () => number;
  /** Option 12 sent to the server. */
  hostname?: string;
  /** Option 61; the MAC (type 1) when absent. */
  clientId?: Uint8Array;
  /** Ask servers to broadcast their replies (we cannot receive unicast before we have an address). */
  broadcastReplies?: boolean;
  /** Option 51: the lease time asked for, seconds. */
  leaseSecs?: number;
  /** Accept replies from this server only. */
  server?: number;
  /** An address held before: start in INIT-REBOOT asking for it. */
  previous?: number;
  /** Give up (action "give-up") when no lease came within this many ms; 0: never. */
  giveUpMs?: number;
}

/** Options asked for in option 55: 1, 3, 6, 12, 15, 51, 54, 58, 59. */
const PARAMS = Uint8Array.of(1, 3, 6, 12, 15, 51, 54, 58, 59);
/** A renewal or rebinding REQUEST is not repeated more often than this (RFC 2131 §4.4.5). */
const MIN_RENEW_RETRY_MS = 60_000;
/** After a DECLINE, wait this long before DISCOVER again (RFC 2131 §3.1.5). */
const DECLINE_WAIT_MS = 10_000;
/** REQUESTING/REBOOTING: how many times REQUEST is sent before starting over. */
const REQUEST_TRIES = 4;

export class DhcpMachine {
  state: DhcpState = "INIT";
  /** The lease in force (BOUND, RENEWING, REBINDING). */
  lease: Lease | null = null;
  private readonly o: DhcpMachineOptions;
  private out: DhcpAction[] = [];
  private xid = 0;
  /** When the current exchange began (the `secs` field) and when its last REQUEST went out. */
  private began = 0;
  private requestedAt = 0;
  private tries = 0;
  private due = Infinity;
  private giveUpAt = Infinity;
  /** SELECTING → REQUESTING: the offer taken. */
  private offer: { addr: number; server: number } | null = null;

  constructor(o: DhcpMachineOptions) {
    this.o = o;
  }

  /** Actions produced since the last call, in order. */
  take(): DhcpAction[] {
    const a = this.out;
    this.out = [];
    return a;
  }

  /** When tick() next has something to do (ms on the clock); Infinity when nothing is pending. */
  deadline(): number {
    return Math.min(this.due, this.giveUpAt);
  }

  start(): void {
    const now = this.o.now();
    this.giveUpAt = this.o.giveUpMs ? now + this.o.giveUpMs : Infinity;
    if (this.o.previous) this.initReboot();
    else this.init();
  }

  /** Runs what is due at the clock's current time. */
  tick(): void {
    const now = this.o.now();
    if (now >= this.giveUpAt && this.lease === null) {
      this.giveUpAt = Infinity;
      this.due = Infinity;
      this.state = "INIT";
      this.out.push({ kind: "give-up" });
      return;
    }
    if (now < this.due) return;
    switch (this.state) {
      case "INIT":
        this.init();
        break;
      case "SELECTING":
        this.sendDiscover();
        break;
      case "REQUESTING":
      case "REBOOTING":
        if (this.tries >= REQUEST_TRIES) this.init();
        else this.sendRequest();
        break;
      case "BOUND":
        this.state = "RENEWING";
        this.xid = this.newXid();
        this.began = now;
        this.sendRequest();
        break;
      case "RENEWING":
        if (now >= this.at("t2")) this.state = "REBINDING";
        this.sendRequest();
        break;
      case "REBINDING":
        if (now >= this.at("expiry")) {
          this.drop("lease expired");
          this.init();
        } else this.sendRequest();
        break;
      default:
        this.due = Infinity;
    }
  }

  /** A message that arrived on the client port. */
  receive(m: DhcpMessage): void {
    if (m.op !== BOOTREPLY || m.xid !== this.xid || m.chaddr !== this.o.mac) return;
    const type = dhcpType(m);
    const server = m.options.get(OPT_SERVER_ID);
    const serverId = server?.length === 4 ? new DataView(server.buffer, server.byteOffset).getUint32(0) : 0;
    if (this.o.server !== undefined && serverId !== 0 && serverId !== this.o.server) return;
    if (type === DHCPOFFER && this.state === "SELECTING") {
      if (m.yiaddr === 0 || serverId === 0) return;
      this.offer = { addr: m.yiaddr, server: serverId };
      this.state = "REQUESTING";
      this.tries = 0;
      this.sendRequest();
      return;
    }
    const waiting =
      this.state === "REQUESTING" ||
      this.state === "REBOOTING" ||
      this.state === "RENEWING" ||
      this.state === "REBINDING";
    if (!waiting) return;
    if (type === DHCPNAK) {
      this.drop("the server refused the lease (NAK)");
      this.init();
      return;
    }
    if (type !== DHCPACK) return;
    const lease = leaseFromAck(m, this.requestedAt, serverId || (this.lease?.server ?? 0));
    if (lease === null) return;
    const renewed = this.lease !== null && this.lease.address === lease.address;
    if (this.lease !== null && !renewed) this.drop("the server moved us to another address");
    this.lease = lease;
    this.state = "BOUND";
    this.offer = null;
    this.giveUpAt = Infinity;
    this.due = this.at("t1");
    this.out.push({ kind: "bind", lease, renewed });
  }

  /** Gives the lease back (DHCPRELEASE, unicast to its server) and stops. */
  release(): void {
    const l = this.lease;
    if (l !== null) {
      this.xid = this.newXid();
      const msg = this.message(DHCPRELEASE, l.address, 0);
      msg.options.set(OPT_SERVER_ID, u32Option(l.server));
      this.out.push({ kind: "send", msg, to: l.server });
      this.drop("released");
    }
    this.state = "RELEASED";
    this.due = Infinity;
    this.giveUpAt = Infinity;
  }

  /**
   * The address of the lease just bound is in use by someone else (an ARP reply for it):
   * DHCPDECLINE to its server, unbind, and DISCOVER again after ten seconds.
   */
  decline(): void {
    const l = this.lease;
    if (l === null) return;
    this.xid = this.newXid();
    const msg = this.message(DHCPDECLINE, 0, 0);
    msg.options.set(OPT_REQUESTED_IP, u32Option(l.address));
    msg.options.set(OPT_SERVER_ID, u32Option(l.server));
    this.out.push({ kind: "send", msg, to: INADDR_BROADCAST });
    this.drop("the address is in use by another host (ARP): declined");
    this.state = "INIT";
    this.due = this.o.now() + DECLINE_WAIT_MS;
  }

  /** Stops without releasing (the lease stays applied until its server reclaims it). */
  stop(): void {
    this.state = "RELEASED";
    this.due = Infinity;
    this.giveUpAt = Infinity;
  }

  private at(which: "t1" | "t2" | "expiry"): number {
    const l = this.lease;
    if (l === null) return Infinity;
    const secs = which === "t1" ? l.t1Secs : which === "t2" ? l.t2Secs : l.leaseSecs;
    return secs === Infinity ? Infinity : l.since + secs * 1000;
  }

  private init(): void {
    this.state = "SELECTING";
    this.offer = null;
    this.tries = 0;
    this.xid = this.newXid();
    this.began = this.o.now();
    this.sendDiscover();
  }

  private initReboot(): void {
    this.state = "REBOOTING";
    this.tries = 0;
    this.xid = this.newXid();
    this.began = this.o.now();
    this.sendRequest();
  }

  private drop(why: string): void {
    if (this.lease !== null) this.out.push({ kind: "unbind", lease: this.lease, why });
    this.lease = null;
  }

  private newXid(): number {
    return Math.floor(this.o.random() * 0x1_0000_0000) >>> 0;
  }

  /** RFC 2131 §4.1: 4 s, 8 s … 64 s, each ±1 s at random. */
  private backoff(): number {
    const base = Math.min(64_000, 4000 * 2 ** this.tries);
    return base + Math.round((this.o.random() * 2 - 1) * 1000);
  }

  private message(type: number, ciaddr: number, flags: number): DhcpMessage {
    const options = new Map<number, Uint8Array>([[OPT_MSG_TYPE, Uint8Array.of(type)]]);
    const id = this.o.clientId ?? Uint8Array.of(1, ...macBytes(this.o.mac));
    options.set(OPT_CLIENT_ID, id);
    return {
      op: BOOTREQUEST,
      xid: this.xid,
      secs: Math.min(0xffff, Math.floor((this.o.now() - this.began) / 1000)),
      flags,
      ciaddr,
      yiaddr: 0,
      siaddr: 0,
      giaddr: 0,
      chaddr: this.o.mac,
      options,
    };
  }

  private asking(m: DhcpMessage): DhcpMessage {
    m.options.set(OPT_PARAM_LIST, PARAMS);
    if (this.o.hostname) m.options.set(OPT_HOSTNAME, new TextEncoder().encode(this.o.hostname));
    if (this.o.leaseSecs) m.options.set(OPT_LEASE_TIME, u32Option(this.o.leaseSecs));
    return m;
  }

  private get flags(): number {
    return this.o.broadcastReplies === false ? 0 : DHCP_FLAG_BROADCAST;
  }

  private sendDiscover(): void {
    const m = this.asking(this.message(DHCPDISCOVER, 0, this.flags));
    this.out.push({ kind: "send", msg: m, to: INADDR_BROADCAST });
    this.due = this.o.now() + this.backoff();
    this.tries++;
  }

  /** REQUEST as the state wants it (RFC 2131 table 5). */
  private sendRequest(): void {
    const now = this.o.now();
    let m: DhcpMessage;
    let to = INADDR_BROADCAST;
    if (this.state === "REQUESTING" || this.state === "REBOOTING") {
      const want =
        this.state === "REQUESTING" ? (this.offer as { addr: number }).addr : (this.o.previous ?? 0);
      m = this.asking(this.message(DHCPREQUEST, 0, this.flags));
      m.options.set(OPT_REQUESTED_IP, u32Option(want));
      if (this.state === "REQUESTING")
        m.options.set(OPT_SERVER_ID, u32Option((this.offer as { server: number }).server));
      this.due = now + this.backoff();
      this.tries++;
    } else {
      const l = this.lease as Lease;
      m = this.asking(this.message(DHCPREQUEST, l.address, 0));
      if (this.state === "RENEWING") to = l.server;
      // Half the time left to T2 (renewing) or to expiry (rebinding), at least 60 s, but never past them.
      const until = this.state === "RENEWING" ? this.at("t2") : this.at("expiry");
      this.due = Math.min(until, now + Math.max(MIN_RENEW_RETRY_MS, (until - now) / 2));
    }
    this.requestedAt = now;
    this.out.push({ kind: "send", msg: m, to });
  }
}

function macBytes(mac: number): number[] {
  const out: number[] = [];
  for (let i = 5; i >= 0; i--) out.push(Math.floor(mac / 2 ** (8 * i)) & 0xff);
  return out;
}
