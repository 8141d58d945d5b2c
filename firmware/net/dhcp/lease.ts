// A DHCP lease: what a DHCPACK grants (address, netmask, routers, DNS servers, domain, host
// name) and when it must be renewed (T1), rebound (T2) and given up (lease time). Times are
// seconds counted from `since`, the clock time the REQUEST that won it was sent (RFC 2131 §4.4.1).
import { maskToPrefix } from "../wire/ipv4-addr.ts";
import {
  OPT_DNS,
  OPT_DOMAIN,
  OPT_HOSTNAME,
  OPT_LEASE_TIME,
  OPT_ROUTER,
  OPT_SUBNET_MASK,
  OPT_T1,
  OPT_T2,
  optAddrs,
  optU32,
  type DhcpMessage,
} from "../wire/dhcp.ts";

export interface Lease {
  address: number;
  prefixLen: number;
  routers: number[];
  dns: number[];
  domain: string;
  /** Option 12 from the server ("" when none). */
  hostname: string;
  /** The server that granted it (option 54). */
  server: number;
  /** Infinity for an infinite lease (0xffffffff). */
  leaseSecs: number;
  t1Secs: number;
  t2Secs: number;
  /** Clock time (ms) the lease counts from. */
  since: number;
}

const INFINITE = 0xffff_ffff;

/** The lease an ACK grants; null when the ACK cannot be used (no address, bad netmask). */
export function leaseFromAck(m: DhcpMessage, since: number, server: number): Lease | null {
  if (m.yiaddr === 0 || m.yiaddr === INFINITE || server === 0) return null;
  const mask = optU32(m, OPT_SUBNET_MASK) ?? classfulMask(m.yiaddr);
  const prefixLen = maskToPrefix(mask);
  if (prefixLen <= 0) return null;
  const raw = optU32(m, OPT_LEASE_TIME) ?? INFINITE;
  const leaseSecs = raw === INFINITE ? Infinity : raw;
  let t1 = optU32(m, OPT_T1) ?? leaseSecs * 0.5;
  let t2 = optU32(m, OPT_T2) ?? leaseSecs * 0.875;
  // An infinite lease is never renewed; times that contradict each other fall back to the RFC's defaults.
  if (leaseSecs === Infinity) t1 = t2 = Infinity;
  else if (!(t1 < t2 && t2 < leaseSecs)) {
    t1 = leaseSecs * 0.5;
    t2 = leaseSecs * 0.875;
  }
  return {
    address: m.yiaddr,
    prefixLen,
    routers: optAddrs(m, OPT_ROUTER).filter((r) => r !== 0),
    dns: optAddrs(m, OPT_DNS).filter((r) => r !== 0),
    domain: text(m, OPT_DOMAIN),
    hostname: text(m, OPT_HOSTNAME),
    server,
    leaseSecs,
    t1Secs: t1,
    t2Secs: t2,
    since,
  };
}

/** Option text without NULs and with only printable ASCII kept (a host name is not a place for escapes). */
function text(m: DhcpMessage, code: number): string {
  const o = m.options.get(code);
  if (o === undefined) return "";
  let s = "";
  for (const c of o) {
    if (c === 0) break;
    if (c > 0x20 && c < 0x7f) s += String.fromCharCode(c);
  }
  return s;
}

function classfulMask(a: number): number {
  if (a >>> 31 === 0) return 0xff00_0000;
  if (a >>> 30 === 2) return 0xffff_0000;
  return 0xffff_ff00;
}

/** resolv.conf(5) text for a lease: the domain as search list, then its name servers. */
export function resolvConfText(l: Lease, format: (a: number) => string): string {
  let s = `# written by dhcp.client from the lease of ${format(l.address)}\n`;
  if (l.domain) s += `search ${l.domain}\n`;
  for (const d of l.dns) s += `nameserver ${format(d)}\n`;
  return s;
}
