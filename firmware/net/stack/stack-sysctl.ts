// The sysctl names of a stack (NetBSD/QNX spelling where one exists).
import type { Stack } from "./stack.ts";

export function registerStackSysctls(stack: Stack): void {
  const s = stack.sysctl;
  const c = stack.config;
  s.addInt("net.inet.ip.forwarding", c, "forwarding", "Enable IP forwarding", { min: 0, max: 1 });
  s.addInt("net.inet.ip.ttl", c, "ttl", "Default TTL", { min: 1, max: 255 });
  s.addInt("net.inet.ip.redirect", c, "redirect", "Send ICMP redirects", { min: 0, max: 1 });
  s.addInt("net.inet.ip.directed-broadcast", c, "directedBroadcast", "Forward directed broadcasts", {
    min: 0,
    max: 1,
  });
  s.addInt("net.inet.ip.allowsrcrt", c, "allowsrcrt", "Accept source-routed datagrams", { min: 0, max: 1 });
  s.addInt("net.inet.ip.maxfragpackets", c, "maxfragpackets", "Datagrams being reassembled at once", {
    min: 0,
  });
  s.addInt("net.inet.ip.maxfragbytes", c, "maxfragbytes", "Buffer bytes held for reassembly", { min: 0 });
  s.addInt("net.inet.ip.fragttl", c, "fragttl", "Seconds to complete a reassembly", { min: 1, max: 255 });
  s.addInt("net.inet.icmp.bmcastecho", c, "bmcastecho", "Respond to broadcast/multicast echo requests", {
    min: 0,
    max: 1,
  });
  s.addInt("net.inet.icmp.errppslimit", c, "errppslimit", "ICMP error packets per second (0: no limit)", {
    min: 0,
  });
  s.addInt("net.inet.icmp.rediraccept", c, "rediraccept", "Accept ICMP redirects (hosts only)", {
    min: 0,
    max: 1,
  });
  s.addInt(
    "net.inet.icmp.redirtimeout",
    c,
    "redirtimeout",
    "Seconds a route from a redirect lasts (0: no limit)",
    {
      min: 0,
      max: 86400,
    },
  );
  s.addInt("net.inet.icmp.returndatabytes", c, "returndatabytes", "Payload bytes quoted in ICMP errors", {
    min: 8,
    max: 512,
  });
  s.addInt("net.inet.arp.keep", c, "arpKeep", "Seconds an entry stays valid", { min: 1 });
  s.addInt("net.inet.arp.maxtries", c, "arpMaxtries", "Requests before giving up", { min: 1 });
  s.addInt("net.inet.arp.maxhold", c, "arpMaxhold", "Packets queued while resolving", { min: 1, max: 1024 });
  s.addInt("net.inet.arp.maxhold_total", c, "arpMaxholdTotal", "Packets queued over all entries", {
    min: 1,
    max: 65_536,
  });
  s.addInt("net.inet.arp.retry", c, "arpRetryMs", "Milliseconds between requests", { min: 10 });
  s.addInt(
    "net.inet.arp.maxentries",
    c,
    "arpMaxentries",
    "Cache entries (oldest dynamic one evicted beyond)",
    {
      min: 1,
    },
  );
  const struct = (name: string, description: string, get: () => Record<string, unknown>) =>
    s.add({ name, type: "struct", description, writable: false, get });
  struct("net.inet.ip.stats", "IP statistics", () => ({ ...stack.stats.ip }));
  struct("net.inet.icmp.stats", "ICMP statistics", () => ({
    ...stack.stats.icmp,
    inhist: [...stack.stats.icmp.inhist],
    outhist: [...stack.stats.icmp.outhist],
  }));
  struct("net.inet.arp.stats", "ARP statistics", () => ({ ...stack.stats.arp }));
  struct("net.link.ether.stats", "Ethernet input statistics", () => ({ ...stack.stats.ether }));
  struct("kern.pbuf.stats", "Packet buffer pool", () => ({
    ...stack.pool.stats,
    inuse: stack.pool.inUse,
    max: stack.pool.max,
  }));
}
