// What the network utilities print from: plain records, independent of how the control
// protocol carries them (net-api.ts adapts the io-pkt control client to these shapes).
// Addresses are unsigned 32-bit numbers (IPv4) and 48-bit numbers (MAC), as in firmware/net/wire.
// Records the stack already defines are reused, not restated.
import type { IfAddr, IfCounters } from "../../net/stack/ifnet.ts";
import type { RxDrops } from "../../net/manager/interface-binding.ts";

/** An interface address: the stack's record (stack/ifnet.ts IfAddr) without its back-pointer. */
export type IfAddrView = Pick<IfAddr, "addr" | "prefixLen" | "broadcast">;

/** Interface counters: the stack's own record (BSD if_data names), carried field for field. */
export type IfCountersView = IfCounters;

export interface IfView {
  name: string;
  index: number;
  type: "ethernet" | "loopback" | "vlan" | string;
  /** BSD IFF_* bits. */
  flags: number;
  mtu: number;
  /** Largest payload received (mru=); the MTU when absent. */
  mru?: number;
  /** 0 for interfaces without a link address (loopback). */
  mac: number;
  /** Carrier present. */
  linkUp: boolean;
  /** `Ethernet autoselect (1000baseT full-duplex)`; empty when the interface has none. */
  media: string;
  addrs: IfAddrView[];
  counters: IfCountersView;
  /** Where received frames were lost below the stack (nicinfo's receive error counters);
   * part of counters.iqdrops. Absent for interfaces without a driver (lo0, VLANs). */
  rxDrops?: RxDrops;
  /** Driver module (`devnp-pcap`) and details nicinfo shows; optional. */
  driver?: string;
  description?: string;
  /** Receive priority of the interface (driver `priority=`), if known. */
  priority?: number;
  /** Link speed in Mb/s and duplex, if known. */
  speedMbps?: number;
  fullDuplex?: boolean;
}

export interface RouteView {
  dst: number;
  prefixLen: number;
  /** Next hop for gateway routes; otherwise whatever the stack keeps (ignored for printing). */
  gateway: number;
  /** BSD RTF_* bits. */
  flags: number;
  ifname: string;
  ifindex: number;
  refs: number;
  use: number;
  /** Path MTU; 0 = the interface's. */
  mtu: number;
}

export interface RouteGetView {
  /** The address asked about. */
  dst: number;
  route: RouteView;
  /** Next hop (0 when directly connected). */
  gateway: number;
  ifname: string;
  /** Source address the stack would use. */
  src: number;
  /** MTU of the path (route MTU or interface MTU). */
  mtu: number;
}

export interface ArpView {
  ip: number;
  /** -1 while the resolution is incomplete. */
  mac: number;
  ifname: string;
  /** INCOMPLETE | REACHABLE | STALE | PERMANENT */
  state: string;
  /** Seconds left (meaningless for PERMANENT). */
  expiresInSec: number;
  published: boolean;
}

/** One sysctl node. Struct nodes carry an object of counters. */
export interface SysctlView {
  name: string;
  type: "int" | "string" | "struct" | string;
  value: number | string | Record<string, unknown>;
}

/** The per-protocol counters `netstat -s` prints (BSD ipstat/icmpstat/arpstat names). */
export interface NetStatsView {
  ip: Record<string, number>;
  icmp: Record<string, number | number[]>;
  arp: Record<string, number>;
  ether: Record<string, number>;
  /** TCP counters (NetBSD tcpstat names), when the stack reports them. */
  tcp?: Record<string, number>;
  /** Packet buffer pool counters, when the stack reports them. */
  pbuf?: Record<string, number>;
  udp?: Record<string, number>;
  igmp?: Record<string, number>;
}
