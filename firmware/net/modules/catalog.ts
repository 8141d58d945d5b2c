// The built-in io-pkt modules as data: kind, name and option schema. The buildfile linter
// checks `io-pkt -d/-p` options against these without loading any module code, and the
// module implementations reuse the same schemas, so the two can never disagree.
import { STANDARD_DRIVER_OPTIONS, type OptionSchema } from "../module-options.ts";

export type ModuleKind = "driver" | "protocol" | "filter";

export interface ModuleInfo {
  readonly kind: ModuleKind;
  /** Full module name: `devnp-pcap`, `lsm-sample`; `tcpip` is built into io-pkt. */
  readonly name: string;
  readonly description: string;
  readonly options: OptionSchema;
}

// hal/eth/udp-endpoint.ts accepts "127.0.0.1:47300", ":47300" or "47300".
const HOST_PORT = /^(?:(?:[0-9]{1,3}\.){3}[0-9]{1,3})?:?[0-9]{1,5}$/;

export const DEVNP_PCAP: ModuleInfo = {
  kind: "driver",
  name: "devnp-pcap",
  description: "Ethernet through libpcap on a host interface",
  options: [
    { name: "if", type: "string", description: "host interface to open (eth0, a veth …)" },
    {
      name: "snaplen",
      type: "int",
      min: 64,
      max: 65535,
      description: "capture length per frame (default 1600)",
    },
    { name: "bufsize", type: "int", min: 65536, max: 1 << 30, description: "capture buffer in bytes" },
    { name: "thread", type: "flag", description: "capture in a process of its own (bounded work per turn)" },
    {
      name: "quiet",
      type: "flag",
      description:
        "bring the host interface up with no address and keep Linux from answering on it (a board)",
    },
    { name: "nothread", type: "flag", description: "capture on the runtime's own event loop" },
    {
      name: "nice",
      type: "int",
      min: 0,
      max: 19,
      description: "host niceness of the capture process (implies thread; default 19 below rx_prio, else 0)",
    },
    ...STANDARD_DRIVER_OPTIONS,
  ],
};

export const DEVNP_VWIRE: ModuleInfo = {
  kind: "driver",
  name: "devnp-vwire",
  description: "virtual Ethernet wire: an in-process hub or raw frames over UDP on loopback",
  options: [
    { name: "hub", type: "string", description: "name of an in-process hub to attach to" },
    {
      name: "udp",
      type: "string",
      pattern: HOST_PORT,
      format: "ipv4:port (or a port on 127.0.0.1)",
      description: "UDP wire endpoint (127.0.0.1:47300) carrying raw Ethernet frames",
    },
    ...STANDARD_DRIVER_OPTIONS,
    {
      name: "peer",
      type: "string",
      pattern: HOST_PORT,
      format: "ipv4:port (or a port on 127.0.0.1)",
      description: "point to point without a hub: send every frame here (QEMU's udp=)",
    },
    {
      name: "local",
      type: "string",
      pattern: HOST_PORT,
      format: "ipv4:port (or a port on 127.0.0.1)",
      description: "UDP address to bind (QEMU's localaddr=; default 127.0.0.1, any port)",
    },
  ],
};

export const TCPIP: ModuleInfo = {
  kind: "protocol",
  name: "tcpip",
  description: "the TCP/IP stack built into io-pkt (`-p tcpip` only passes options)",
  options: [
    {
      name: "prefix",
      type: "string",
      pattern: /^\//,
      format: "an absolute path",
      description: "prefix for every path the stack registers (clients select it with SOCK=)",
    },
    {
      name: "rx_prio",
      type: "int",
      min: 1,
      max: 255,
      aliases: ["rx_pulse_prio"],
      description: "receive pulse priority (default 21)",
    },
    {
      name: "timer_pulse_prio",
      type: "int",
      min: 1,
      max: 255,
      description: "timer pulse priority (default 21)",
    },
    {
      name: "threads_min",
      type: "int",
      min: 1,
      max: 1000,
      description: "resource-manager threads kept (default 4)",
    },
    {
      name: "threads_max",
      type: "int",
      min: 1,
      max: 1000,
      description: "resource-manager thread limit (default 200)",
    },
    { name: "forward", type: "flag", description: "forward IPv4 packets between interfaces" },
    { name: "forward6", type: "flag", description: "forward IPv6 packets between interfaces" },
    {
      name: "fastforward",
      type: "int",
      min: 0,
      max: 1,
      valueOptional: true,
      implied: 1,
      description: "fast-forward path (fastforward[=0|1])",
    },
    { name: "somaxconn", type: "int", min: 1, max: 65535, description: "listen backlog limit" },
    {
      name: "reuseport_unicast",
      type: "flag",
      description: "SO_REUSEPORT delivers unicast to every bound socket",
    },
  ],
};

export const LSM_SAMPLE: ModuleInfo = {
  kind: "filter",
  name: "lsm-sample",
  description: "sample pfil filter: counts packets and can drop a protocol (a template for filters)",
  options: [
    {
      name: "drop",
      type: "enum",
      values: ["none", "icmp", "udp", "tcp"],
      description: "protocol to drop (default none)",
    },
    { name: "log", type: "flag", description: "log every packet to the system log" },
  ],
};

const NODE_NAME = /^[^./~,\s]+$/;

export const LSM_QNET: ModuleInfo = {
  kind: "protocol",
  name: "lsm-qnet",
  description: "Qnet: transparent message passing between nodes through /net/<node>",
  options: [
    {
      name: "bind",
      type: "string",
      repeatable: true,
      pattern: /^(ip|[a-z][a-z0-9]*[0-9])$/,
      format: "an interface name such as en0, or ip",
      description:
        "interface Qnet runs on; repeat for several (default: every Ethernet interface); ip: over IPv4, protocol 106",
    },
    {
      name: "resolve",
      type: "string",
      repeatable: true,
      pattern: /^(ndp|dns|file(:\/[^,\s]*)?)$/,
      format: "ndp, dns, file or file:/path",
      description:
        "how node names are resolved, tried in the order given (default ndp; file: /etc/qnet.hosts)",
    },
    {
      name: "auto_add",
      type: "int",
      min: 0,
      max: 100000,
      description: "ticks of 200 ms between announcements of this node (0: none; default 150)",
    },
    {
      name: "host",
      type: "string",
      pattern: NODE_NAME,
      format: "a node name without . / ~",
      description: "this node's name (default: from the hostname)",
    },
    {
      name: "domain",
      type: "string",
      pattern: /^[^/~,\s]*$/,
      format: "a domain name",
      description: "this node's domain (default none)",
    },
    {
      name: "mount",
      type: "string",
      pattern: /^\/[^,\s]*$/,
      format: "an absolute path",
      description: "where the node directory is (default /net)",
    },
    {
      name: "do_crc",
      type: "int",
      min: 0,
      max: 1,
      description: "1: put a CRC on every frame and check it (default 0)",
    },
    {
      name: "tx_retries",
      type: "int",
      min: 1,
      max: 1000,
      description: "timeouts without progress before a node is down (default 5)",
    },
    { name: "mapany", type: "int", min: 0, max: 0x7fffffff, description: "uid every remote client is given" },
    { name: "maproot", type: "int", min: 0, max: 0x7fffffff, description: "uid a remote root is given" },
    {
      name: "auth",
      type: "string",
      pattern: /^\/[^,\s]*$/,
      format: "an absolute path",
      description: "pre-shared key file: every frame carries a MAC and a replay counter (beyond QNX)",
    },
  ],
};

export const MODULE_CATALOG: readonly ModuleInfo[] = [DEVNP_PCAP, DEVNP_VWIRE, TCPIP, LSM_SAMPLE, LSM_QNET];

/** Strips the directory and a `.so` suffix: `/lib/dll/devnp-pcap.so` → `devnp-pcap`. */
function baseModuleName(name: string): string {
  const base = name.slice(name.lastIndexOf("/") + 1);
  return base.endsWith(".so") ? base.slice(0, -3) : base;
}

/** `-d pcap` / `-d devnp-pcap.so` → the devnp-pcap entry. */
export function findDriver(name: string): ModuleInfo | undefined {
  const base = baseModuleName(name);
  const full = base.startsWith("devnp-") ? base : `devnp-${base}`;
  return MODULE_CATALOG.find((m) => m.kind === "driver" && m.name === full);
}

/** `-p tcpip` / `-p sample` / `-p lsm-sample.so` → protocol or filter entry. */
export function findProtocol(name: string): ModuleInfo | undefined {
  const base = baseModuleName(name);
  const full = base === "tcpip" || base.startsWith("lsm-") ? base : `lsm-${base}`;
  return MODULE_CATALOG.find((m) => m.kind !== "driver" && m.name === full);
}

/** The module file name io-pkt would look for (`devnp-x.so`, `lsm-x.so`). */
export function moduleFileName(kind: "driver" | "protocol", name: string): string {
  const base = baseModuleName(name);
  if (kind === "driver") return (base.startsWith("devnp-") ? base : `devnp-${base}`) + ".so";
  return (base.startsWith("lsm-") ? base : `lsm-${base}`) + ".so";
}
