// Multicast group membership of one stack (BSD's in_multi + IGMPv2, RFC 2236): sockets join
// groups on an interface; the first join programs the interface's multicast filter and sends
// an unsolicited Membership Report, repeated once at a random time within the Unsolicited
// Report Interval (a lost first report must not cost us the group); the last leave sends Leave
// Group. General and Group-Specific Queries are answered with a report at a random time within
// the query's Max Response Time, and another member's report heard first suppresses ours.
// Every delay is a timer of the stack's timer service (its injectable clock).
import type { Ifnet } from "../stack/ifnet.ts";
import type { IpProtocol } from "../stack/ip4.ts";
import { pbufFree, type Pbuf } from "../stack/pbuf.ts";
import type { Stack } from "../stack/stack.ts";
import type { NetTimer } from "../stack/timers.ts";
import { internetChecksum } from "../wire/checksum.ts";
import { IPPROTO_IGMP } from "../wire/ipv4.ts";
import { ipv4MulticastMac } from "../wire/mac.ts";

export const IGMP_HOST_MEMBERSHIP_QUERY = 0x11;
export const IGMP_V1_MEMBERSHIP_REPORT = 0x12;
export const IGMP_V2_MEMBERSHIP_REPORT = 0x16;
export const IGMP_V2_LEAVE_GROUP = 0x17;
const IGMP_LEN = 8;
const ALL_HOSTS = 0xe000_0001;
const ALL_ROUTERS = 0xe000_0002;
/** IP Router Alert option (RFC 2113), which IGMPv2 messages carry. */
const ROUTER_ALERT = new Uint8Array([148, 4, 0, 0]);
/** RFC 2236 §8.10: the Unsolicited Report Interval, within which the join report is repeated. */
export const UNSOLICITED_REPORT_MS = 10_000;
/** A query's Max Response Time is in tenths of a second; 0 is an IGMPv1 query (10 s). */
const V1_MAX_RESP_MS = 10_000;

export function createIgmpStats() {
  return {
    rcvtotal: 0,
    rcvtooshort: 0,
    rcvbadsum: 0,
    rcvqueries: 0,
    rcvreports: 0,
    sndreports: 0,
    sndleaves: 0,
  };
}

interface Membership {
  ifp: Ifnet;
  group: number;
  refs: number;
  /** The delayed report (the join's repeat, or the answer to a query). */
  timer: NetTimer;
}

export class Igmp implements IpProtocol {
  readonly stats = createIgmpStats();
  private readonly stack: Stack;
  private readonly members = new Map<string, Membership>();

  /** [0, 1): the random part of report delays. */
  private readonly random = Math.random;

  constructor(stack: Stack) {
    this.stack = stack;
    stack.ip.register(IPPROTO_IGMP, this);
  }

  /** Groups joined, for netstat -g style listings and tests. */
  list(): { ifname: string; group: number; refs: number }[] {
    return [...this.members.values()].map((m) => ({ ifname: m.ifp.name, group: m.group, refs: m.refs }));
  }

  join(group: number, ifp: Ifnet): void {
    const key = `${ifp.index}/${group}`;
    const m = this.members.get(key);
    if (m !== undefined) {
      m.refs++;
      return;
    }
    const timer = this.stack.timers.create("igmp-report", () =>
      this.send(ifp, IGMP_V2_MEMBERSHIP_REPORT, group, group),
    );
    this.members.set(key, { ifp, group, refs: 1, timer });
    ifp.mcastFilter.add(ipv4MulticastMac(group));
    this.stack.ip.groups.add(group);
    this.send(ifp, IGMP_V2_MEMBERSHIP_REPORT, group, group);
    if (group !== ALL_HOSTS && !ifp.isLoopback) timer.arm(this.random() * UNSOLICITED_REPORT_MS);
  }

  leave(group: number, ifp: Ifnet): void {
    const key = `${ifp.index}/${group}`;
    const m = this.members.get(key);
    if (m === undefined) return;
    if (--m.refs > 0) return;
    m.timer.cancel();
    this.members.delete(key);
    if (group !== ALL_HOSTS && ![...this.members.values()].some((o) => o.ifp === ifp && o.group === group))
      ifp.mcastFilter.delete(ipv4MulticastMac(group));
    if (![...this.members.values()].some((o) => o.group === group)) this.stack.ip.groups.delete(group);
    this.send(ifp, IGMP_V2_LEAVE_GROUP, ALL_ROUTERS, group);
  }

  /** The interface is going away: its memberships go with it. */
  forget(ifp: Ifnet): void {
    for (const [k, m] of this.members) {
      if (m.ifp !== ifp) continue;
      m.timer.cancel();
      this.members.delete(k);
      if (![...this.members.values()].some((o) => o.group === m.group)) this.stack.ip.groups.delete(m.group);
    }
  }

  input(pb: Pbuf, hlen: number): void {
    const st = this.stats;
    st.rcvtotal++;
    const b = pb.bytes;
    const off = pb.off + hlen;
    const len = pb.len - hlen;
    if (len < IGMP_LEN) {
      st.rcvtooshort++;
      pbufFree(pb);
      return;
    }
    if (internetChecksum(b, off, len) !== 0) {
      st.rcvbadsum++;
      pbufFree(pb);
      return;
    }
    const type = b[off];
    const group = pb.view.getUint32(off + 4);
    const ifp = pb.rcvif;
    if (type === IGMP_HOST_MEMBERSHIP_QUERY && ifp !== null) {
      st.rcvqueries++;
      const maxMs = b[off + 1] === 0 ? V1_MAX_RESP_MS : b[off + 1] * 100;
      const now = this.stack.timers.clock.now();
      for (const m of this.members.values()) {
        if (m.ifp !== ifp || m.group === ALL_HOSTS || (group !== 0 && group !== m.group)) continue;
        // A random delay within the Max Response Time; a report already due sooner stands.
        const at = now + this.random() * maxMs;
        if (!m.timer.armed || m.timer.deadline > at) m.timer.armAt(at);
      }
    } else if (type === IGMP_V1_MEMBERSHIP_REPORT || type === IGMP_V2_MEMBERSHIP_REPORT) {
      st.rcvreports++;
      // Another member spoke for the group on this link: ours would say nothing new.
      if (ifp !== null) this.members.get(`${ifp.index}/${group}`)?.timer.cancel();
    }
    pbufFree(pb);
  }

  private send(ifp: Ifnet, type: number, dst: number, group: number): void {
    if (dst === ALL_HOSTS || ifp.isLoopback) return; // never reported (RFC 2236 §6)
    const pb = this.stack.pool.alloc();
    if (pb === null) return;
    const b = pb.bytes;
    const o = pb.off;
    pb.len = IGMP_LEN;
    b[o] = type;
    b[o + 1] = 0;
    b[o + 2] = 0;
    b[o + 3] = 0;
    pb.view.setUint32(o + 4, group);
    const c = internetChecksum(b, o, IGMP_LEN);
    b[o + 2] = c >>> 8;
    b[o + 3] = c & 0xff;
    if (type === IGMP_V2_LEAVE_GROUP) this.stats.sndleaves++;
    else this.stats.sndreports++;
    this.stack.ip.output(pb, { dst, proto: IPPROTO_IGMP, ttl: 1, ifp, ipOptions: ROUTER_ALERT });
  }
}
