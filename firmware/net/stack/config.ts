// Tunables of one stack instance; the sysctl tree (sysctl.ts) reads and writes these fields.

export function createStackConfig() {
  return {
    /** net.inet.ip.forwarding: route packets not addressed to us. */
    forwarding: 0,
    /** net.inet.ip.ttl: default TTL of packets we originate. */
    ttl: 64,
    /** net.inet.ip.redirect: tell a sender on the link of a better first hop (ICMP redirect). */
    redirect: 1,
    /** net.inet.ip.directed-broadcast: forward packets to a directed broadcast address. */
    directedBroadcast: 0,
    /** net.inet.ip.allowsrcrt: follow loose/strict source routes (refused by default, as BSD). */
    allowsrcrt: 0,
    /** net.inet.ip.maxfragpackets: datagrams being reassembled at once. */
    maxfragpackets: 200,
    /** net.inet.ip.maxfragbytes: buffer bytes held by reassembly, all datagrams together. */
    maxfragbytes: 4 * 1024 * 1024,
    /** net.inet.ip.fragttl: seconds a datagram may take to reassemble. */
    fragttl: 30,
    /** net.inet.icmp.bmcastecho: answer echo requests sent to broadcast/multicast. */
    bmcastecho: 0,
    /** net.inet.icmp.errppslimit: ICMP errors per second (token bucket); 0 = no limit. */
    errppslimit: 100,
    /** net.inet.icmp.rediraccept: a host (not forwarding) follows redirects from its gateway. */
    rediraccept: 1,
    /** net.inet.icmp.redirtimeout: seconds a route learned from a redirect lasts; 0 = for good. */
    redirtimeout: 600,
    /** net.inet.icmp.returndatabytes: bytes of the offending datagram's payload quoted in errors. */
    returndatabytes: 8,
    /** net.inet.arp.keep: seconds an entry stays REACHABLE, then as long again STALE. */
    arpKeep: 1200,
    /** net.inet.arp.maxtries: requests sent before giving up on a resolution. */
    arpMaxtries: 5,
    /** net.inet.arp.maxhold: packets queued per entry while resolving. */
    arpMaxhold: 64,
    /** net.inet.arp.maxhold_total: packets queued over all entries; beyond it new ones are
     * dropped, so a flood towards unresolvable neighbours cannot take the buffers receive needs. */
    arpMaxholdTotal: 256,
    /** net.inet.arp.retry: milliseconds between requests while resolving. */
    arpRetryMs: 1000,
    /** net.inet.arp.maxentries: cache size; a new entry evicts the oldest dynamic one beyond it. */
    arpMaxentries: 1024,
  };
}

export type StackConfig = ReturnType<typeof createStackConfig>;
