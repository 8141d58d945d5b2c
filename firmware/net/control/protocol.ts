// The io-pkt control protocol: what ifconfig, route, arp, netstat, nicinfo, sysctl, ping,
// tcpdump, mount and pidin send to io-pkt. Each operation is one devctl on
// `<prefix>/dev/socket/config` with a typed-binary request and reply (network byte order).
// Layouts and semantics: docs/io-pkt.md. Numbers are stable: utilities depend on them.
import bin from "typed-binary";
import type { Parsed } from "typed-binary";
import { bytes, i64 } from "./codec.ts";
import type { IfCounters as StackIfCounters } from "../stack/ifnet.ts";
import type { RxDrops as BindingRxDrops } from "../manager/interface-binding.ts";

/** devctl command class of the io-pkt control protocol ('N'). */
export const DCMD_NET_CLASS = 0x4e00;

function cmd(n: number): number {
  // Direction to-and-from, size 0 (variable): the data length travels in the message.
  return (0xc0000000 | DCMD_NET_CLASS | n) >>> 0;
}

export const NETCTL = {
  INFO: cmd(1),
  IF_LIST: cmd(2),
  IF_SET: cmd(3),
  IF_ADDR: cmd(4),
  IF_DESTROY: cmd(5),
  ROUTE_LIST: cmd(10),
  ROUTE_ADD: cmd(11),
  ROUTE_DELETE: cmd(12),
  ROUTE_GET: cmd(13),
  ARP_LIST: cmd(20),
  ARP_DELETE: cmd(21),
  ARP_SET: cmd(22),
  SYSCTL_GET: cmd(30),
  SYSCTL_SET: cmd(31),
  SYSCTL_LIST: cmd(32),
  STATS: cmd(40),
  NICINFO: cmd(41),
  ECHO_OPEN: cmd(50),
  ECHO_SEND: cmd(51),
  ECHO_RECV: cmd(52),
  ECHO_CLOSE: cmd(53),
  BPF_OPEN: cmd(60),
  BPF_READ: cmd(61),
  BPF_CLOSE: cmd(62),
  BPF_STATS: cmd(63),
  MODULE_LOAD: cmd(70),
  MODULE_UNLOAD: cmd(71),
  MODULE_LIST: cmd(72),
  THREADS: cmd(80),
} as const;

/** Largest reply a client accepts (the resmgr layer's IO_MAX_DATA). */
export const NETCTL_REPLY_MAX = 1 << 20;

// ---- shared pieces ---------------------------------------------------------------------------

const Name = bin.object({ name: bin.string });
export const NameRequest = Name;
export const EmptySchema = bin.object({});

export const IfAddrSchema = bin.object({
  addr: bin.u32,
  prefixLen: bin.u8,
  /** Directed broadcast, 0 on loopback. */
  broadcast: bin.u32,
});

/** BSD if_data counters (names as in firmware/net/stack/ifnet.ts). */
export const IfCountersSchema = bin.object({
  ipackets: i64,
  ierrors: i64,
  opackets: i64,
  oerrors: i64,
  collisions: i64,
  ibytes: i64,
  obytes: i64,
  imcasts: i64,
  omcasts: i64,
  ibcasts: i64,
  obcasts: i64,
  iqdrops: i64,
  oqdrops: i64,
  noproto: i64,
});

export const IfInfoSchema = bin.object({
  name: bin.string,
  index: bin.u32,
  /** "ethernet" | "loopback" | "vlan". */
  type: bin.string,
  /** IFF_* bits (BSD values: 0x8843 = UP,BROADCAST,RUNNING,SIMPLEX,MULTICAST). */
  flags: bin.u32,
  mtu: bin.u32,
  /** Largest MTU the interface's port carries (ifconfig mtu above it is EINVAL). */
  maxMtu: bin.u32,
  /** Largest payload taken in (the driver's mru=, else the MTU). */
  mru: bin.u32,
  /** MAC as "00:11:22:33:44:55" ("" for lo0). */
  mac: bin.string,
  /** ifconfig's media text ("Ethernet autoselect (1000baseT full-duplex)"). */
  media: bin.string,
  linkUp: bin.bool,
  addrs: bin.dynamicArrayOf(IfAddrSchema),
  counters: IfCountersSchema,
  /** Module that owns it ("devnp-vwire", "" for lo0). */
  driver: bin.string,
  /** Receive pulse priority in use (rx_prio unless the driver's priority= applies). */
  rxPriority: bin.u8,
  /** VLAN parent name and id (""/0 for others). */
  parent: bin.string,
  vlanId: bin.u16,
});
export type IfInfo = Parsed<typeof IfInfoSchema>;
export type IfCounters = Parsed<typeof IfCountersSchema>;
/** The wire record is the stack's record: a counter added to one and not the other fails to compile. */
export type IfCountersMatchStack = SameKeys<IfCounters, StackIfCounters>;
type SameKeys<A, B> = [keyof A] extends [keyof B] ? ([keyof B] extends [keyof A] ? true : never) : never;
// A compile-time check: `never` here means the two records differ.
true satisfies IfCountersMatchStack;
export const IfListReply = bin.object({ ifs: bin.dynamicArrayOf(IfInfoSchema) });

export const InfoReply = bin.object({
  /** tcpip prefix= ("" for the default stack). */
  prefix: bin.string,
  /** -i instance number. */
  instance: bin.u16,
  pid: bin.u32,
  rxPriority: bin.u8,
  timerPriority: bin.u8,
  workers: bin.u16,
  version: bin.string,
});
export type NetInfo = Parsed<typeof InfoReply>;

/** Set flags / MTU: -1 means "leave as is". */
export const IfSetRequest = bin.object({
  name: bin.string,
  up: bin.i8,
  promisc: bin.i8,
  mtu: bin.i32,
});

export const IFADDR_ADD = 0;
export const IFADDR_ALIAS = 1;
export const IFADDR_DELETE = 2;
export const IfAddrRequest = bin.object({
  name: bin.string,
  /** IFADDR_ADD replaces the primary address; IFADDR_ALIAS adds one; IFADDR_DELETE removes one. */
  op: bin.u8,
  addr: bin.u32,
  prefixLen: bin.u8,
  /** 0: the subnet's directed broadcast. */
  broadcast: bin.u32,
});

// ---- routes ----------------------------------------------------------------------------------

export const RouteInfoSchema = bin.object({
  dst: bin.u32,
  prefixLen: bin.u8,
  gateway: bin.u32,
  /** RTF_* bits (route.ts); letters via routeFlagLetters. */
  flags: bin.u32,
  ifname: bin.string,
  use: i64,
  mtu: bin.u32,
});
export type RouteInfo = Parsed<typeof RouteInfoSchema>;
export const RouteListReply = bin.object({ routes: bin.dynamicArrayOf(RouteInfoSchema) });

export const RouteAddRequest = bin.object({
  dst: bin.u32,
  prefixLen: bin.u8,
  gateway: bin.u32,
  /** "" = chosen from the gateway. */
  ifname: bin.string,
  reject: bin.bool,
  blackhole: bin.bool,
  mtu: bin.u32,
});
export const RouteDeleteRequest = bin.object({ dst: bin.u32, prefixLen: bin.u8 });
export const RouteGetRequest = bin.object({ dst: bin.u32 });
export const RouteGetReply = bin.object({
  route: RouteInfoSchema,
  dst: bin.u32,
  ifname: bin.string,
  gateway: bin.u32,
  src: bin.u32,
});
export type RouteGetInfo = Parsed<typeof RouteGetReply>;

// ---- ARP -------------------------------------------------------------------------------------

export const ArpInfoSchema = bin.object({
  ip: bin.u32,
  /** "" while INCOMPLETE. */
  mac: bin.string,
  ifname: bin.string,
  /** INCOMPLETE | REACHABLE | STALE | PERMANENT. */
  state: bin.string,
  /** Milliseconds left, -1 for permanent entries. */
  expiresMs: bin.i32,
  published: bin.bool,
  /** The line `arp -a` prints for it. */
  text: bin.string,
});
export type ArpInfo = Parsed<typeof ArpInfoSchema>;
export const ArpListReply = bin.object({ entries: bin.dynamicArrayOf(ArpInfoSchema) });
export const ArpDeleteRequest = bin.object({ ip: bin.u32 });
export const ArpSetRequest = bin.object({
  ip: bin.u32,
  /** "00:11:22:33:44:55". */
  mac: bin.string,
  /** "" = the interface whose subnet holds ip. */
  ifname: bin.string,
  temp: bin.bool,
  pub: bin.bool,
});

// ---- sysctl ----------------------------------------------------------------------------------

export const SysctlEntrySchema = bin.object({
  name: bin.string,
  /** "int" | "string" | "struct". */
  type: bin.string,
  /** Decimal for int, the text for string, JSON for struct. */
  value: bin.string,
  description: bin.string,
  writable: bin.bool,
});
export type SysctlEntry = Parsed<typeof SysctlEntrySchema>;
export const SysctlSetRequest = bin.object({ name: bin.string, value: bin.string });
export const SysctlListReply = bin.object({ entries: bin.dynamicArrayOf(SysctlEntrySchema) });

// ---- statistics and nicinfo ------------------------------------------------------------------

export const CounterSchema = bin.object({
  /** "ip" | "icmp" | "arp" | "ether" | "pfil" | "bpf" | "pool" | "iopkt". */
  group: bin.string,
  /** Field name (BSD names, see stats.ts); histograms as "inhist.8", hooks as "hook.<name>.dropped". */
  name: bin.string,
  value: i64,
});
export type Counter = Parsed<typeof CounterSchema>;
export const StatsRequest = bin.object({ group: bin.string });
export const StatsReply = bin.object({ counters: bin.dynamicArrayOf(CounterSchema) });

export const KeyValueSchema = bin.object({ label: bin.string, text: bin.string });
/** Receive losses below the stack, per place (firmware/net/manager/interface-binding.ts RxDrops). */
export const RxDropsSchema = bin.object({
  hostIf: i64,
  ring: i64,
  port: i64,
  queue: i64,
  nobufs: i64,
});
export type RxDrops = Parsed<typeof RxDropsSchema>;
true satisfies SameKeys<RxDrops, BindingRxDrops>;
export const NicinfoReply = bin.object({
  info: IfInfoSchema,
  /** Host-side port name ("eth0", "vwire:hub0/1"). */
  port: bin.string,
  /** Driver facts in display order ("Link speed" → "1000 Mbps" …). */
  details: bin.dynamicArrayOf(KeyValueSchema),
  portRxPackets: i64,
  portRxBytes: i64,
  portRxDropped: i64,
  portTxPackets: i64,
  portTxBytes: i64,
  portTxErrors: i64,
  rxDrops: RxDropsSchema,
});
export type Nicinfo = Parsed<typeof NicinfoReply>;

// ---- ICMP echo (ping) ------------------------------------------------------------------------

export const EchoOpenRequest = bin.object({ preferredId: bin.u16 });
export const EchoOpenReply = bin.object({ id: bin.u16 });
export const EchoSendRequest = bin.object({
  dst: bin.u32,
  seq: bin.u16,
  /** 0 = net.inet.ip.ttl. */
  ttl: bin.u8,
  df: bin.bool,
  /** 0 = chosen by the route. */
  src: bin.u32,
  /** Data after the 8-byte ICMP header (ping puts its timestamp here). */
  payload: bytes,
  /** IP options for the request (ping -R: an empty record route); empty for none. */
  ipOptions: bytes,
});
/** 0 or a QNX errno number (EHOSTUNREACH, EMSGSIZE, ENOBUFS …). */
export const EchoSendReply = bin.object({ errno: bin.u16 });

export const ECHO_EV_REPLY = 0;
export const ECHO_EV_ERROR = 1;
export const ECHO_EV_TIMEOUT = 2;
export const EchoRecvRequest = bin.object({ timeoutMs: bin.u32 });
export const EchoEventSchema = bin.object({
  /** ECHO_EV_REPLY | ECHO_EV_ERROR | ECHO_EV_TIMEOUT. */
  kind: bin.u8,
  from: bin.u32,
  seq: bin.u16,
  ttl: bin.u8,
  /** ICMP length of the reply ("64 bytes from …"). */
  icmpLen: bin.u32,
  /** For errors: ICMP type and code, and the next-hop MTU of "fragmentation needed". */
  type: bin.u8,
  code: bin.u8,
  mtu: bin.u16,
  /** Kernel clock when io-pkt received it, microseconds. */
  rxTimeUs: i64,
  data: bytes,
  /** The reply's IP options (record route, timestamp reflected by the peer); empty for none. */
  ipOptions: bytes,
});
export type EchoEvent = Parsed<typeof EchoEventSchema>;

// ---- BPF (tcpdump) ---------------------------------------------------------------------------

export const BPF_DIR_IN = 1;
export const BPF_DIR_OUT = 2;
export const BPF_DIR_INOUT = 3;
export const BpfOpenRequest = bin.object({
  /** "" or "any" = every interface. */
  ifname: bin.string,
  /** tcpdump filter expression ("" = everything). */
  expr: bin.string,
  dir: bin.u8,
  snaplen: bin.u32,
  /** Frames kept while nobody reads; more are counted as dropped. */
  bufferFrames: bin.u32,
});
export const BpfReadRequest = bin.object({ maxFrames: bin.u32, timeoutMs: bin.u32 });
export const BpfFrameSchema = bin.object({
  /** Wall clock, microseconds since the epoch (what pcap files store). */
  tsUs: i64,
  ifname: bin.string,
  dir: bin.u8,
  /** Length on the wire (data may be cut to snaplen). */
  origLen: bin.u32,
  data: bytes,
});
export type BpfFrame = Parsed<typeof BpfFrameSchema>;
export const BpfReadReply = bin.object({ frames: bin.dynamicArrayOf(BpfFrameSchema) });
export const BpfStatsReply = bin.object({ seen: i64, matched: i64, dropped: i64 });
export type BpfStats = Parsed<typeof BpfStatsReply>;

// ---- modules ---------------------------------------------------------------------------------

export const ModuleLoadRequest = bin.object({
  /** "devnp-vwire.so", "vwire", "/lib/dll/devnp-x.js", "lsm-sample" … */
  module: bin.string,
  /** The option string (comma separated). */
  options: bin.string,
});
export const ModuleLoadReply = bin.object({ interfaces: bin.dynamicArrayOf(bin.string) });
/** A module name, or an interface name (`en0`: destroys it; the driver goes with its last one). */
export const ModuleUnloadRequest = bin.object({ name: bin.string });
export const ModuleInfoSchema = bin.object({
  kind: bin.string,
  name: bin.string,
  options: bin.string,
  interfaces: bin.dynamicArrayOf(bin.string),
  /** "builtin" or the file it was loaded from. */
  source: bin.string,
});
export type ModuleInfoRecord = Parsed<typeof ModuleInfoSchema>;
export const ModuleListReply = bin.object({ modules: bin.dynamicArrayOf(ModuleInfoSchema) });

// ---- threads (pidin) -------------------------------------------------------------------------

export const WorkerInfoSchema = bin.object({
  tid: bin.u32,
  name: bin.string,
  priority: bin.u8,
  basePriority: bin.u8,
  state: bin.string,
  /** "main" | "l2" | "resmgr" | "timer". */
  role: bin.string,
  /** Pulses (receive, timer) this thread has handled. */
  pulses: i64,
  /** Frames it has processed. */
  frames: i64,
});
export type WorkerInfo = Parsed<typeof WorkerInfoSchema>;
export const ThreadsReply = bin.object({ threads: bin.dynamicArrayOf(WorkerInfoSchema) });

export { Name };
