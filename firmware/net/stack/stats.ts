// Protocol counters, named after BSD's ipstat/icmpstat/arpstat so `netstat -s` reads familiar.
// Plain objects of numbers: the hot path does `stats.ip.badsum++` and nothing else.
import { ICMP_MAXTYPE } from "../wire/icmp.ts";

export function createIpStats() {
  return {
    total: 0, // packets received (including looped back)
    badsum: 0,
    tooshort: 0, // fewer bytes than the header or total length says
    toosmall: 0, // not enough data for a header
    badhlen: 0,
    badlen: 0, // total length < header length
    badvers: 0,
    badaddr: 0, // martian source (multicast, broadcast, loopback from a wire)
    fragments: 0, // fragments received
    fragdropped: 0, // fragments dropped (duplicates, overlaps, too long, out of memory)
    fragtimeout: 0, // fragments dropped after the reassembly timeout
    reassembled: 0, // datagrams reassembled
    toolong: 0, // reassembled datagram would exceed 65535 bytes
    forward: 0,
    cantforward: 0, // not for us and not forwardable (forwarding off, TTL, no route, DF)
    redirectsent: 0, // forwarded back out the interface it came in on, with a redirect to the sender
    noroute: 0,
    notmember: 0, // multicast to a group we did not join
    noproto: 0,
    delivered: 0, // to an upper-layer protocol
    localout: 0, // datagrams sent by this host
    odropped: 0, // output dropped: no buffers, interface down
    fragmented: 0, // datagrams fragmented on output
    ofragments: 0, // fragments created
    cantfrag: 0, // DF set but too big
    pfildrops: 0, // dropped by IP-layer filter hooks (in, out or forward)
    badoptions: 0, // malformed options, or source routes refused
  };
}
export type IpStats = ReturnType<typeof createIpStats>;

export function createIcmpStats() {
  return {
    error: 0, // calls to send an error
    oldicmp: 0, // no error because the packet was an ICMP error
    oldshortmsg: 0,
    ratelimited: 0, // errors not sent: rate limit
    badcode: 0,
    tooshort: 0,
    checksum: 0,
    badlen: 0,
    reflect: 0, // echo replies / responses sent
    bmcastecho: 0, // broadcast/multicast echo requests ignored
    badredirect: 0, // redirects refused: not from our first hop, gateway not on a link, …
    rtdynamic: 0, // host routes created by redirects (flag D)
    rtnewgateway: 0, // such routes given a new gateway by a later redirect (flag M)
    inhist: new Array<number>(ICMP_MAXTYPE + 1).fill(0),
    outhist: new Array<number>(ICMP_MAXTYPE + 1).fill(0),
  };
}
export type IcmpStats = ReturnType<typeof createIcmpStats>;

export function createArpStats() {
  return {
    txrequests: 0,
    txreplies: 0,
    received: 0, // ARP frames handed to ARP
    rxrequests: 0, // valid requests
    rxreplies: 0, // valid replies
    tooshort: 0,
    badhdr: 0, // not Ethernet/IPv4 sizes and types
    badop: 0,
    badaddr: 0, // broadcast/multicast sender hardware address, or our own frame looped
    dupips: 0, // someone else uses one of our addresses
    timeouts: 0, // resolutions given up after maxtries
    unsolicited: 0, // replies for addresses we never asked about (no entry made)
    evicted: 0, // entries dropped to make room (net.inet.arp.maxentries)
    held: 0, // packets queued waiting for a reply
    dropped: 0, // queued packets dropped (queue full, resolution failed)
  };
}
export type ArpStats = ReturnType<typeof createArpStats>;

export function createEtherStats() {
  return {
    frames: 0, // frames handed to ether_input
    tooshort: 0,
    notforus: 0, // unicast to another MAC, or a multicast group we did not join
    vlandrops: 0, // tagged frames with no matching VLAN interface
    unknowntype: 0, // no protocol for the ethertype
    pfildrops: 0,
    nobufs: 0, // frames not copied in: buffer pool exhausted
    handed: 0, // frames given to a registered ethertype handler (IPv6, Qnet …)
  };
}
export type EtherStats = ReturnType<typeof createEtherStats>;

export interface StackStats {
  ip: IpStats;
  icmp: IcmpStats;
  arp: ArpStats;
  ether: EtherStats;
}

export function createStackStats(): StackStats {
  return { ip: createIpStats(), icmp: createIcmpStats(), arp: createArpStats(), ether: createEtherStats() };
}

/**
 * Every frame handed to ether_input ends in exactly one of these outcomes (a drop counter, or a
 * delivery); packets that arrive through loopback add one IP outcome each, and a reassembled
 * datagram adds one (its fragments were each counted as `fragments`). So
 * `frameOutcomes(s) - loopbackPackets - s.ip.reassembled === s.ether.frames` must hold; the fuzz
 * test checks exactly that.
 */
export function frameOutcomes(s: StackStats): number {
  const e = s.ether;
  const a = s.arp;
  const i = s.ip;
  return (
    e.nobufs +
    e.tooshort +
    e.notforus +
    e.vlandrops +
    e.unknowntype +
    e.pfildrops +
    e.handed +
    a.rxrequests +
    a.rxreplies +
    a.tooshort +
    a.badhdr +
    a.badop +
    a.badaddr +
    i.badsum +
    i.tooshort +
    i.toosmall +
    i.badhlen +
    i.badlen +
    i.badvers +
    i.badaddr +
    i.fragments +
    i.forward +
    i.cantforward +
    i.notmember +
    i.noproto +
    i.delivered
  );
}
