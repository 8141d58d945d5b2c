// Network interfaces: what ifconfig, netstat -i and nicinfo show, and the driver's transmit seam.
import type { BpfTap } from "./bpf.ts";
import type { PfilHead } from "./pfil.ts";
import { subnetBroadcast, prefixToMask } from "../wire/ipv4-addr.ts";
import { ipv4MulticastMac } from "../wire/mac.ts";

/** The MAC of 224.0.0.1, which every IPv4 interface belongs to (RFC 1112; BSD's in_ifinit). */
export const ALL_HOSTS_MAC = ipv4MulticastMac(0xe000_0001);

// BSD interface flags (net/if.h values, so `flags=8843<…>` reads as on QNX/NetBSD).
export const IFF_UP = 0x1;
export const IFF_BROADCAST = 0x2;
export const IFF_DEBUG = 0x4;
export const IFF_LOOPBACK = 0x8;
export const IFF_POINTOPOINT = 0x10;
export const IFF_NOTRAILERS = 0x20;
export const IFF_RUNNING = 0x40;
export const IFF_NOARP = 0x80;
export const IFF_PROMISC = 0x100;
export const IFF_ALLMULTI = 0x200;
export const IFF_OACTIVE = 0x400;
export const IFF_SIMPLEX = 0x800;
export const IFF_LINK0 = 0x1000;
export const IFF_LINK1 = 0x2000;
export const IFF_LINK2 = 0x4000;
export const IFF_MULTICAST = 0x8000;

const FLAG_NAMES: ReadonlyArray<readonly [number, string]> = [
  [IFF_UP, "UP"],
  [IFF_BROADCAST, "BROADCAST"],
  [IFF_DEBUG, "DEBUG"],
  [IFF_LOOPBACK, "LOOPBACK"],
  [IFF_POINTOPOINT, "POINTOPOINT"],
  [IFF_NOTRAILERS, "NOTRAILERS"],
  [IFF_RUNNING, "RUNNING"],
  [IFF_NOARP, "NOARP"],
  [IFF_PROMISC, "PROMISC"],
  [IFF_ALLMULTI, "ALLMULTI"],
  [IFF_OACTIVE, "OACTIVE"],
  [IFF_SIMPLEX, "SIMPLEX"],
  [IFF_LINK0, "LINK0"],
  [IFF_LINK1, "LINK1"],
  [IFF_LINK2, "LINK2"],
  [IFF_MULTICAST, "MULTICAST"],
];

/** The names of the flags set: `UP,BROADCAST,RUNNING`. */
export function ifFlagNames(flags: number): string {
  return FLAG_NAMES.filter(([bit]) => flags & bit)
    .map(([, n]) => n)
    .join(",");
}

/** `8843<UP,BROADCAST,RUNNING,SIMPLEX,MULTICAST>` as ifconfig prints it. */
export function formatIfFlags(flags: number): string {
  return `${flags.toString(16)}<${ifFlagNames(flags)}>`;
}

/** One IPv4 address of an interface (an interface may carry several: aliases). */
export interface IfAddr {
  readonly addr: number;
  readonly prefixLen: number;
  readonly mask: number;
  /** Directed broadcast address (0 on loopback). */
  readonly broadcast: number;
  readonly ifp: Ifnet;
}

export function makeIfAddr(ifp: Ifnet, addr: number, prefixLen: number, broadcast?: number): IfAddr {
  const mask = prefixToMask(prefixLen);
  const bcast = ifp.flags & IFF_BROADCAST ? (broadcast ?? subnetBroadcast(addr, mask)) : 0;
  return { addr: addr >>> 0, prefixLen, mask, broadcast: bcast >>> 0, ifp };
}

/** Counters of `netstat -i` / nicinfo (BSD if_data names). */
export function createIfCounters() {
  return {
    ipackets: 0,
    ierrors: 0,
    opackets: 0,
    oerrors: 0,
    collisions: 0,
    ibytes: 0,
    obytes: 0,
    imcasts: 0,
    omcasts: 0,
    ibcasts: 0,
    obcasts: 0,
    iqdrops: 0, // dropped on input: no buffer, not for us, no protocol
    oqdrops: 0, // dropped on output: interface down, driver refused
    noproto: 0,
  };
}
export type IfCounters = ReturnType<typeof createIfCounters>;

/**
 * The driver's transmit function. `frame` starts at the Ethernet header and is valid only during
 * the call (the buffer goes back to the pool afterwards): inject it or copy it before returning.
 * Returning false counts the frame as an output drop.
 */
export type IfOutput = (frame: Uint8Array, len: number) => boolean | void;

export type IfType = "ethernet" | "loopback" | "vlan";

export class Ifnet {
  readonly name: string;
  readonly index: number;
  readonly type: IfType;
  flags: number;
  mtu: number;
  /** Largest MTU the driver's port can carry (`ifconfig mtu` above it is EINVAL). */
  readonly maxMtu: number;
  mac: number;
  /** Carrier present (link state), as reported by the driver. */
  linkUp = true;
  /** ifconfig's `media:` text, e.g. `Ethernet 1000baseT full-duplex`. */
  media = "Ethernet autoselect";
  readonly addrs: IfAddr[] = [];
  readonly counters: IfCounters = createIfCounters();
  /** Driver transmit (set by the driver; VLAN interfaces use their parent's). */
  output: IfOutput;
  /**
   * Ethernet multicast addresses joined (accepted on input when not promiscuous). All-hosts is
   * always in: without it IGMP General Queries never reach us and routers age our groups out.
   */
  readonly mcastFilter = new Set<number>([ALL_HOSTS_MAC]);
  /** 802.1Q: the parent of a VLAN interface, and its VLAN id. */
  readonly parent: Ifnet | null;
  readonly vlanId: number;
  /** VLAN interfaces stacked on this one, by VLAN id. */
  readonly vlans = new Map<number, Ifnet>();
  /** pfil hooks that apply to this interface only. */
  readonly pfil: PfilHead;
  /** BPF taps on this interface (tcpdump -i). Empty in the common case: one length check. */
  readonly taps: BpfTap[] = [];
  /** Free-form owner data for the driver / io-pkt (priority, module name …). */
  driverData: unknown = null;

  constructor(opts: {
    name: string;
    index: number;
    type: IfType;
    flags: number;
    mtu: number;
    maxMtu?: number;
    mac: number;
    output: IfOutput;
    pfil: PfilHead;
    parent?: Ifnet;
    vlanId?: number;
  }) {
    this.name = opts.name;
    this.index = opts.index;
    this.type = opts.type;
    this.flags = opts.flags;
    this.mtu = opts.mtu;
    this.maxMtu = opts.maxMtu ?? opts.mtu;
    this.mac = opts.mac;
    this.output = opts.output;
    this.pfil = opts.pfil;
    this.parent = opts.parent ?? null;
    this.vlanId = opts.vlanId ?? 0;
  }

  get isUp(): boolean {
    return (this.flags & (IFF_UP | IFF_RUNNING)) === (IFF_UP | IFF_RUNNING);
  }

  get isLoopback(): boolean {
    return (this.flags & IFF_LOOPBACK) !== 0;
  }

  /** The first address (the primary one, as ifconfig lists it first). */
  get primaryAddr(): IfAddr | undefined {
    return this.addrs[0];
  }

  /** Our address whose subnet holds `addr` (`addr` is on this link), if any. */
  subnetOf(addr: number): IfAddr | undefined {
    for (const a of this.addrs) if (((a.addr ^ addr) & a.mask) === 0) return a;
    return undefined;
  }

  /** True when `addr` is a directed broadcast (or the old all-zeros form) of one of our subnets. */
  isBroadcastAddr(addr: number): boolean {
    for (const a of this.addrs) {
      if (a.broadcast === 0) continue;
      if (addr === a.broadcast) return true;
      if (a.prefixLen < 31 && addr === (a.addr & a.mask) >>> 0) return true;
    }
    return false;
  }
}
