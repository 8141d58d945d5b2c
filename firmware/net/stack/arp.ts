// ARP (RFC 826): the neighbour cache of one stack, resolution with a bounded hold queue and
// retries, replies, gratuitous announcements and duplicate-address warnings, `arp -a/-d/-s`.
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

export const ARP_INCOMPLETE = "INCOMPLETE";
export const ARP_REACHABLE = "REACHABLE";
export const ARP_STALE = "STALE";
export const ARP_PERMANENT = "PERMANENT";
export type ArpState = typeof ARP_INCOMPLETE | typeof ARP_REACHABLE | typeof ARP_STALE | typeof ARP_PERMANENT;

/** RFC 5227 DEFEND_INTERVAL. */
const DEFEND_INTERVAL_MS = 10_000;

export interface ArpEntry {
  readonly ip: number;
  ifp: Ifnet;
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
  private readonly entries = new Map<number, ArpEntry>();
  /** When each of our addresses was last defended (RFC 5227: at most once per DEFEND_INTERVAL). */
  private readonly defended = new Map<number, number>();

  constructor(stack: Stack) {
    this.stack = stack;
  }

  get size(): number {
    return this.entries.size;
  }

  lookup(ip: number): ArpEntry | undefined {
    return this.entries.get(ip);
  }

  /**
   * The MAC for `ip` on `ifp`, or -1 when `pb` (at its IP header) was queued for the answer or
   * dropped. Owns `pb` only when returning -1.
   */
  resolve(ifp: Ifnet, ip: number, pb: Pbuf): number {
    const e = this.entries.get(ip);
    const now = this.stack.clock.now();
    if (e !== undefined && e.mac >= 0) {
      if (e.state === ARP_STALE && now >= e.nextRetry) {
        // Still usable; ask again (unicast) so the entry is confirmed or ages out.
        e.nextRetry = now + this.stack.config.arpRetryMs;
        this.sendRequest(e.ifp, ifp.sourceFor(ip), ip, e.mac);
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
      st.dropped++;
      pbufFree(old);
    }
    entry.hold.push(pb);
    st.held++;
    if (entry.asked === 0 || now >= entry.nextRetry) {
      entry.asked++;
      entry.nextRetry = now + this.stack.config.arpRetryMs;
      this.sendRequest(ifp, ifp.sourceFor(ip), ip, MAC_BROADCAST);
    }
    this.stack.armTimer();
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
    // Merge (RFC 826): update an existing entry; create one only if the packet is for us.
    if (spa !== 0) {
      const e = this.entries.get(spa);
      if (e !== undefined) this.update(e, ifp, sha);
      else if (mine) this.update(this.create(spa, ifp), ifp, sha);
    }
    if (op === ARPOP_REQUEST) {
      const pub = mine ? undefined : this.entries.get(tpa);
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
    this.entries.set(ip, e);
    return e;
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
    e.ifp = ifp;
    e.state = ARP_REACHABLE;
    e.asked = 0;
    const now = this.stack.clock.now();
    e.expires = now + this.stack.config.arpKeep * 1000;
    e.nextRetry = now;
    this.stack.armTimer();
    if (e.hold.length !== 0) {
      const held = e.hold.splice(0);
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
            this.sendRequest(e.ifp, e.ifp.sourceFor(e.ip), e.ip, MAC_BROADCAST);
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
    for (const p of e.hold.splice(0)) pbufFree(p);
    this.entries.delete(e.ip);
  }

  /** `arp -s`: a static (PERMANENT) entry, or a temporary one with `temp`; `pub` for proxy ARP. */
  addStatic(ifp: Ifnet, ip: number, mac: number, opts: { temp?: boolean; pub?: boolean } = {}): ArpEntry {
    const e = this.entries.get(ip) ?? this.create(ip, ifp);
    e.published = opts.pub ?? false;
    if (opts.temp) {
      e.state = ARP_INCOMPLETE; // so update() accepts it
      this.update(e, ifp, mac);
    } else {
      e.mac = mac;
      e.ifp = ifp;
      e.state = ARP_PERMANENT;
      e.expires = 0;
      if (e.hold.length !== 0)
        for (const p of e.hold.splice(0)) this.stack.ether.output(ifp, p, mac, ETHERTYPE_IPV4);
    }
    return e;
  }

  /** `arp -d`: ENOENT-like ESRCH when there is no entry (arp prints "… not in table"). */
  delete(ip: number): void {
    const e = this.entries.get(ip);
    if (e === undefined) throw new KernelError("ESRCH", `${formatIpv4(ip)}: not in table`);
    this.drop(e);
  }

  /** Drops every entry of an interface (address removed, interface destroyed). */
  flush(ifp: Ifnet, onlyDynamic = false): void {
    for (const e of [...this.entries.values()]) {
      if (e.ifp === ifp && !(onlyDynamic && e.state === ARP_PERMANENT)) this.drop(e);
    }
  }

  list(): ArpEntry[] {
    return [...this.entries.values()].sort((a, b) => a.ip - b.ip);
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
