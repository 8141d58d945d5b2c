// ARP (RFC 826): the neighbour cache of one stack, resolution with a bounded hold queue and
// retries, replies, gratuitous announcements and duplicate-address warnings, `arp -a/-d/-s`.
//
// Entries are keyed by (interface, address): two interfaces on overlapping subnets each keep
// their own neighbour. The cache holds at most net.inet.arp.maxentries entries; when full, a
// new entry evicts the oldest dynamic one (STALE first, then REACHABLE, then INCOMPLETE;
// PERMANENT and published entries never), counted in `evicted` and logged at most once per
// 10 s. As BSD, a reply we did not ask for creates no entry (it only refreshes one we hold);
// a request addressed to us does, since we answer it and will talk back.
import { KernelError } from "../../kernel/errno.ts";
import {
  ARP_LEN,
  ARPOP_REPLY,
  ARPOP_REQUEST,
  arpIsEtherIpv4,
  arpOp,
  arpSha,
  arpSpa,
  arpTpa,
  writeArp,
} from "../wire/arp.ts";
import { ETHERTYPE_ARP, ETHERTYPE_IPV4 } from "../wire/ethernet.ts";
import { formatIpv4 } from "../wire/ipv4-addr.ts";
import { MAC_BROADCAST, formatMac, isGroupMac, writeMac } from "../wire/mac.ts";
import { IFF_NOARP, type Ifnet } from "./ifnet.ts";
import { LOG_ERROR, LOG_INFO, LOG_WARNING } from "./log.ts";
import { pbufFree, type Pbuf } from "./pbuf.ts";
import type { Stack } from "./stack.ts";
import { SLOW_TIMER_MS, type NetTimer } from "./timers.ts";

export const ARP_INCOMPLETE = "INCOMPLETE";
export const ARP_REACHABLE = "REACHABLE";
export const ARP_STALE = "STALE";
export const ARP_PERMANENT = "PERMANENT";
export type ArpState = typeof ARP_INCOMPLETE | typeof ARP_REACHABLE | typeof ARP_STALE | typeof ARP_PERMANENT;

/** RFC 5227 DEFEND_INTERVAL. */
const DEFEND_INTERVAL_MS = 10_000;
/** At most one "cache full" log line per this many ms. */
const EVICT_LOG_INTERVAL_MS = 10_000;

/** The cache key of `ip` on `ifp`: one number, so lookups allocate nothing. */
function arpKey(ifp: Ifnet, ip: number): number {
  return ifp.index * 0x1_0000_0000 + (ip >>> 0);
}

export interface ArpEntry {
  readonly ip: number;
  readonly ifp: Ifnet;
  /** -1 while INCOMPLETE. */
  mac: number;
  state: ArpState;
  /** When the current state ends (ms on the stack clock); 0 for PERMANENT. */
  expires: number;
  /** Requests sent for the current resolution. */
  asked: number;
  nextRetry: number;
  /** Packets (at their IP header) waiting for the answer. */
  readonly hold: Pbuf[];
  /** Answer requests for this address on its behalf (proxy ARP, `arp -s … pub`). */
  published: boolean;
}

export class ArpTable {
  private readonly stack: Stack;
  /** By arpKey(ifp, ip); insertion order is age order (eviction scans from the front). */
  private readonly entries = new Map<number, ArpEntry>();
  /** Packets in every entry's hold queue together (bounded by net.inet.arp.maxhold_total). */
  private holding = 0;
  /** When each of our addresses was last defended (RFC 5227: at most once per DEFEND_INTERVAL). */
  private readonly defended = new Map<number, number>();
  /** Ages entries and retries resolutions while the cache holds anything dynamic. */
  private readonly timer: NetTimer;
  private lastEvictLog = -Infinity;

  constructor(stack: Stack) {
    this.stack = stack;
    this.timer = stack.timers.create("arp", () => {
      if (this.tick(stack.clock.now())) this.timer.arm(SLOW_TIMER_MS);
    });
  }

  get size(): number {
    return this.entries.size;
  }

  /** The entry for `ip` on `ifp`; without `ifp`, the first entry for `ip` on any interface. */
  lookup(ip: number, ifp?: Ifnet): ArpEntry | undefined {
    if (ifp !== undefined) return this.entries.get(arpKey(ifp, ip));
    for (const e of this.entries.values()) if (e.ip === ip >>> 0) return e;
    return undefined;
  }

  /**
   * The MAC for `ip` on `ifp`, or -1 when `pb` (at its IP header) was queued for the answer or
   * dropped. Owns `pb` only when returning -1.
   */
  resolve(ifp: Ifnet, ip: number, pb: Pbuf): number {
    const e = this.entries.get(arpKey(ifp, ip));
    const now = this.stack.clock.now();
    if (e !== undefined && e.mac >= 0) {
      if (e.state === ARP_STALE && now >= e.nextRetry) {
        // Still usable; ask again (unicast) so the entry is confirmed or ages out.
        e.nextRetry = now + this.stack.config.arpRetryMs;
        this.sendRequest(e.ifp, this.stack.ip.selectSource(ip, ifp), ip, e.mac);
      }
      return e.mac;
    }
    if (ifp.flags & IFF_NOARP) {
      this.stack.stats.arp.dropped++;
      pbufFree(pb);
      return -1;
    }
    const entry = e ?? this.create(ip, ifp);
    const st = this.stack.stats.arp;
    if (entry.hold.length >= this.stack.config.arpMaxhold) {
      // Bounded queue: drop the oldest, keep the newest (as BSD does with its one-packet hold).
      const old = entry.hold.shift() as Pbuf;
      this.holding--;
      st.dropped++;
      pbufFree(old);
    }
    if (this.holding >= this.stack.config.arpMaxholdTotal) {
      // Held packets share the pool with receive: many unresolvable neighbours at once (replies
      // to a spoofed flood) must not starve input, so past the total cap the packet is dropped.
      st.dropped++;
      pbufFree(pb);
    } else {
      entry.hold.push(pb);
      this.holding++;
      st.held++;
    }
    if (entry.asked === 0 || now >= entry.nextRetry) {
      entry.asked++;
      entry.nextRetry = now + this.stack.config.arpRetryMs;
      this.sendRequest(ifp, this.stack.ip.selectSource(ip, ifp), ip, MAC_BROADCAST);
    }
    this.timer.ensure(SLOW_TIMER_MS);
    return -1;
  }

  /** A request for `tpa` from `spa`; `dstMac` broadcast, or the known MAC when refreshing. */
  sendRequest(ifp: Ifnet, spa: number, tpa: number, dstMac: number): void {
    const pb = this.stack.pool.alloc();
    if (pb === null) return;
    writeArp(pb.bytes, pb.view, pb.off, ARPOP_REQUEST, ifp.mac, spa, 0, tpa);
    pb.len = ARP_LEN;
    this.stack.stats.arp.txrequests++;
    this.stack.ether.output(ifp, pb, dstMac, ETHERTYPE_ARP);
  }

  /** Announces an address just configured ("who-has A tell A"), which also detects duplicates. */
  gratuitous(ifp: Ifnet, addr: number): void {
    if (ifp.flags & IFF_NOARP || ifp.isLoopback) return;
    this.sendRequest(ifp, addr, addr, MAC_BROADCAST);
  }

  /** arpintr/in_arpinput: `pb.off` at the ARP header. Owns `pb`. */
  input(ifp: Ifnet, pb: Pbuf): void {
    const st = this.stack.stats.arp;
    st.received++;
    const b = pb.bytes;
    const off = pb.off;
    if (pb.len < ARP_LEN) {
      st.tooshort++;
      pbufFree(pb);
      return;
    }
    if (!arpIsEtherIpv4(b, off)) {
      st.badhdr++;
      pbufFree(pb);
      return;
    }
    const op = arpOp(b, off);
    if (op !== ARPOP_REQUEST && op !== ARPOP_REPLY) {
      st.badop++;
      pbufFree(pb);
      return;
    }
    const sha = arpSha(b, off);
    const spa = arpSpa(pb.view, off);
    const tpa = arpTpa(pb.view, off);
    if (sha === ifp.mac) {
      st.badaddr++; // our own frame, looped back by a hub or switch
      pbufFree(pb);
      return;
    }
    if (isGroupMac(sha)) {
      this.stack.log(LOG_ERROR, `arp: link address is broadcast for IP address ${formatIpv4(spa)}!`);
      st.badaddr++;
      pbufFree(pb);
      return;
    }
    if (op === ARPOP_REQUEST) st.rxrequests++;
    else st.rxreplies++;

    const mine = this.ownAddr(ifp, tpa);
    if (spa !== 0 && this.ownAddr(ifp, spa)) {
      st.dupips++;
      this.stack.log(
        LOG_WARNING,
        `arp: duplicate IP address ${formatIpv4(spa)} sent from link address ${formatMac(sha)} on ${ifp.name}`,
      );
      // Defend the address (announce ourselves again), but at most once per 10 s: two hosts
      // that both defend would otherwise ping-pong announcements forever.
      const now = this.stack.clock.now();
      const last = this.defended.get(spa);
      if (last === undefined || now - last >= DEFEND_INTERVAL_MS) {
        this.defended.set(spa, now);
        this.gratuitous(ifp, spa);
      }
      pbufFree(pb);
      return;
    }
    // Merge (RFC 826): update an entry we hold; create one only for a request to us (we answer
    // it and will talk back). A reply we never asked for creates nothing, as on BSD.
    if (spa !== 0) {
      const e = this.entries.get(arpKey(ifp, spa));
      if (e !== undefined) this.update(e, ifp, sha);
      else if (mine && op === ARPOP_REQUEST) this.update(this.create(spa, ifp), ifp, sha);
      else if (op === ARPOP_REPLY) st.unsolicited++;
    }
    if (op === ARPOP_REQUEST) {
      const pub = mine ? undefined : this.entries.get(arpKey(ifp, tpa));
      if (mine || (pub !== undefined && pub.published && pub.mac >= 0 && pub.ifp === ifp)) {
        const answerMac = mine ? ifp.mac : (pub as ArpEntry).mac;
        this.replyInPlace(ifp, pb, answerMac, tpa, sha, spa);
        return;
      }
    }
    pbufFree(pb);
  }

  /** Turns the request in `pb` into the reply and sends it back: no new buffer. */
  private replyInPlace(
    ifp: Ifnet,
    pb: Pbuf,
    answerMac: number,
    answerIp: number,
    toMac: number,
    toIp: number,
  ) {
    const b = pb.bytes;
    const off = pb.off;
    b[off + 7] = ARPOP_REPLY;
    writeMac(b, off + 8, answerMac);
    pb.view.setUint32(off + 14, answerIp);
    writeMac(b, off + 18, toMac);
    pb.view.setUint32(off + 24, toIp);
    pb.len = ARP_LEN;
    this.stack.stats.arp.txreplies++;
    this.stack.ether.output(ifp, pb, toMac, ETHERTYPE_ARP);
  }

  private ownAddr(ifp: Ifnet, ip: number): boolean {
    for (const a of ifp.addrs) if (a.addr === ip) return true;
    return false;
  }

  private create(ip: number, ifp: Ifnet): ArpEntry {
    if (this.entries.size >= this.stack.config.arpMaxentries) this.evict();
    const e: ArpEntry = {
      ip,
      ifp,
      mac: -1,
      state: ARP_INCOMPLETE,
      expires: 0,
      asked: 0,
      nextRetry: 0,
      hold: [],
      published: false,
    };
    this.entries.set(arpKey(ifp, ip), e);
    return e;
  }

  /** Makes room for one entry: the oldest STALE, else REACHABLE, else INCOMPLETE one goes. */
  private evict(): void {
    let victim: ArpEntry | undefined;
    for (const state of [ARP_STALE, ARP_REACHABLE, ARP_INCOMPLETE]) {
      for (const e of this.entries.values()) {
        if (e.state === state && !e.published) {
          victim = e;
          break;
        }
      }
      if (victim !== undefined) break;
    }
    if (victim === undefined) return; // all permanent: the limit yields to what the admin set
    this.stack.stats.arp.evicted++;
    const now = this.stack.clock.now();
    if (now - this.lastEvictLog >= EVICT_LOG_INTERVAL_MS) {
      this.lastEvictLog = now;
      this.stack.log(
        LOG_WARNING,
        `arp: table full (${this.stack.config.arpMaxentries} entries, net.inet.arp.maxentries): evicting ${formatIpv4(victim.ip)} on ${victim.ifp.name}`,
      );
    }
    this.drop(victim);
  }

  private update(e: ArpEntry, ifp: Ifnet, mac: number): void {
    if (e.state === ARP_PERMANENT) {
      if (e.mac !== mac) {
        this.stack.log(
          LOG_WARNING,
          `arp: attempt to overwrite permanent entry for ${formatIpv4(e.ip)} by ${formatMac(mac)} on ${ifp.name}`,
        );
      }
      return;
    }
    if (e.mac >= 0 && e.mac !== mac) {
      this.stack.log(
        LOG_INFO,
        `arp: ${formatIpv4(e.ip)} moved from ${formatMac(e.mac)} to ${formatMac(mac)} on ${ifp.name}`,
      );
    }
    e.mac = mac;
    e.state = ARP_REACHABLE;
    e.asked = 0;
    const now = this.stack.clock.now();
    e.expires = now + this.stack.config.arpKeep * 1000;
    e.nextRetry = now;
    this.timer.ensure(SLOW_TIMER_MS);
    if (e.hold.length !== 0) {
      const held = e.hold.splice(0);
      this.holding -= held.length;
      for (const p of held) this.stack.ether.output(ifp, p, mac, ETHERTYPE_IPV4);
    }
  }

  /** Ages entries and retries resolutions; true while there is still something to time. */
  tick(now: number): boolean {
    let pending = false;
    const cfg = this.stack.config;
    for (const e of [...this.entries.values()]) {
      switch (e.state) {
        case ARP_PERMANENT:
          break;
        case ARP_INCOMPLETE:
          if (now >= e.nextRetry) {
            if (e.asked >= cfg.arpMaxtries) {
              this.stack.stats.arp.timeouts++;
              this.drop(e);
              continue;
            }
            e.asked++;
            e.nextRetry = now + cfg.arpRetryMs;
            this.sendRequest(e.ifp, this.stack.ip.selectSource(e.ip, e.ifp), e.ip, MAC_BROADCAST);
          }
          pending = true;
          break;
        case ARP_REACHABLE:
          if (now >= e.expires) {
            e.state = ARP_STALE;
            e.expires = now + cfg.arpKeep * 1000;
          }
          pending = true;
          break;
        case ARP_STALE:
          if (now >= e.expires) {
            this.drop(e);
            continue;
          }
          pending = true;
          break;
      }
    }
    return pending;
  }

  private drop(e: ArpEntry): void {
    this.stack.stats.arp.dropped += e.hold.length;
    this.holding -= e.hold.length;
    for (const p of e.hold.splice(0)) pbufFree(p);
    this.entries.delete(arpKey(e.ifp, e.ip));
  }

  /** `arp -s`: a static (PERMANENT) entry, or a temporary one with `temp`; `pub` for proxy ARP. */
  addStatic(ifp: Ifnet, ip: number, mac: number, opts: { temp?: boolean; pub?: boolean } = {}): ArpEntry {
    const e = this.entries.get(arpKey(ifp, ip)) ?? this.create(ip, ifp);
    e.published = opts.pub ?? false;
    if (opts.temp) {
      e.state = ARP_INCOMPLETE; // so update() accepts it
      this.update(e, ifp, mac);
    } else {
      e.mac = mac;
      e.state = ARP_PERMANENT;
      e.expires = 0;
      this.holding -= e.hold.length;
      if (e.hold.length !== 0)
        for (const p of e.hold.splice(0)) this.stack.ether.output(ifp, p, mac, ETHERTYPE_IPV4);
    }
    return e;
  }

  /**
   * `arp -d`: the entry on `ifp`, or without `ifp` the entries for `ip` on every interface;
   * ENOENT-like ESRCH when there is none (arp prints "… not in table").
   */
  delete(ip: number, ifp?: Ifnet): void {
    let found = false;
    for (const e of [...this.entries.values()]) {
      if (e.ip !== ip >>> 0 || (ifp !== undefined && e.ifp !== ifp)) continue;
      found = true;
      this.drop(e);
    }
    if (!found) throw new KernelError("ESRCH", `${formatIpv4(ip)}: not in table`);
  }

  /** Drops every entry of an interface (address removed, interface destroyed). */
  flush(ifp: Ifnet, onlyDynamic = false): void {
    for (const e of [...this.entries.values()]) {
      if (e.ifp === ifp && !(onlyDynamic && e.state === ARP_PERMANENT)) this.drop(e);
    }
  }

  list(): ArpEntry[] {
    return [...this.entries.values()].sort((a, b) => a.ip - b.ip || a.ifp.index - b.ifp.index);
  }

  /** One `arp -a` line, BSD style: `? (10.0.0.1) at 02:00:00:00:00:01 on en0 expires in 1195 seconds [ethernet]`. */
  formatEntry(e: ArpEntry, name = "?"): string {
    const now = this.stack.clock.now();
    const at = e.mac >= 0 ? formatMac(e.mac) : "(incomplete)";
    let life: string;
    if (e.state === ARP_PERMANENT) life = "permanent";
    else if (e.mac < 0) life = "expired";
    else {
      // A STALE entry still serves; its remaining life is the stale period.
      const left = Math.max(0, Math.ceil((e.expires - now) / 1000));
      life = left > 0 ? `expires in ${left} seconds` : "expired";
    }
    return `${name} (${formatIpv4(e.ip)}) at ${at} on ${e.ifp.name} ${life}${e.published ? " published" : ""} [ethernet]`;
  }
}
