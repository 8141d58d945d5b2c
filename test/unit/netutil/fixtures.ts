// Sample records for the formatting tests: an Ethernet interface with an alias, lo0, routes.
import type { IfView, RouteView } from "../../../firmware/bin/lib/net-view.ts";
import { createIfCounters } from "../../../firmware/net/stack/ifnet.ts";

export const ip = (s: string): number => s.split(".").reduce((v, o) => v * 256 + Number(o), 0);

export function en0(): IfView {
  return {
    name: "en0",
    index: 2,
    type: "ethernet",
    flags: 0x8843,
    mtu: 1500,
    mac: 0x001122334455,
    linkUp: true,
    media: "Ethernet autoselect (1000baseT full-duplex)",
    addrs: [
      { addr: ip("192.168.1.100"), prefixLen: 24, broadcast: ip("192.168.1.255") },
      { addr: ip("192.168.1.101"), prefixLen: 24, broadcast: ip("192.168.1.255") },
    ],
    counters: { ...createIfCounters(), ipackets: 12, opackets: 10, ibytes: 1234, obytes: 980 },
    driver: "devnp-pcap",
    priority: 21,
  };
}

export function lo0(): IfView {
  return {
    name: "lo0",
    index: 1,
    type: "loopback",
    flags: 0x8049,
    mtu: 33192,
    mac: 0,
    linkUp: true,
    media: "",
    addrs: [{ addr: ip("127.0.0.1"), prefixLen: 8, broadcast: 0 }],
    counters: createIfCounters(),
  };
}

export function routes(): RouteView[] {
  const base = { refs: 0, use: 0, mtu: 0, gateway: 0 };
  return [
    { ...base, dst: 0, prefixLen: 0, gateway: ip("192.168.1.1"), flags: 0x803, ifname: "en0", ifindex: 2 },
    {
      ...base,
      dst: ip("127.0.0.0"),
      prefixLen: 8,
      gateway: ip("127.0.0.1"),
      flags: 0x1,
      ifname: "lo0",
      ifindex: 1,
      mtu: 33192,
    },
    {
      ...base,
      dst: ip("192.168.1.0"),
      prefixLen: 24,
      gateway: ip("192.168.1.100"),
      flags: 0x101,
      ifname: "en0",
      ifindex: 2,
      use: 7,
    },
    {
      ...base,
      dst: ip("10.9.8.7"),
      prefixLen: 32,
      gateway: ip("192.168.1.254"),
      flags: 0x807,
      ifname: "en0",
      ifindex: 2,
    },
  ];
}
