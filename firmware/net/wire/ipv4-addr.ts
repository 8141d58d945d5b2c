// IPv4 addresses as unsigned 32-bit numbers (host order), prefixes and masks.

export const INADDR_ANY = 0;
export const INADDR_BROADCAST = 0xffff_ffff;
export const INADDR_LOOPBACK = 0x7f00_0001;

/** Parses dotted quad `10.0.0.1` strictly (four decimal parts 0–255). Null if malformed. */
export function parseIpv4(text: string): number | null {
  const parts = text.split(".");
  if (parts.length !== 4) return null;
  let v = 0;
  for (const p of parts) {
    if (!/^\d{1,3}$/.test(p)) return null;
    const n = Number(p);
    if (n > 255) return null;
    v = v * 256 + n;
  }
  return v;
}

export function formatIpv4(addr: number): string {
  return `${addr >>> 24}.${(addr >>> 16) & 0xff}.${(addr >>> 8) & 0xff}.${addr & 0xff}`;
}

/** The netmask of a prefix length: 24 → 0xffffff00. */
export function prefixToMask(len: number): number {
  return len <= 0 ? 0 : (0xffff_ffff << (32 - len)) >>> 0;
}

/** The prefix length of a contiguous netmask, or -1 if the mask has holes. */
export function maskToPrefix(mask: number): number {
  const m = mask >>> 0;
  const len = Math.clz32(~m); // leading ones of the mask
  return prefixToMask(len) === m ? len : -1;
}

export function inSubnet(addr: number, net: number, mask: number): boolean {
  return ((addr ^ net) & mask) === 0;
}

/** Directed broadcast of a subnet: 10.0.0.0/24 → 10.0.0.255. */
export function subnetBroadcast(addr: number, mask: number): number {
  return (addr | ~mask) >>> 0;
}

export function isMulticast4(addr: number): boolean {
  return addr >>> 28 === 0xe;
}

export function isLoopback4(addr: number): boolean {
  return addr >>> 24 === 127;
}

/**
 * Parses `10.0.0.0/24`, `10.0.0.1` (host, /32), and the BSD short forms `10/8` and `10.1/16`
 * that netstat prints. Null if malformed.
 */
export function parseCidr(text: string): { addr: number; prefixLen: number } | null {
  const slash = text.indexOf("/");
  const addrText = slash < 0 ? text : text.slice(0, slash);
  let prefixLen = 32;
  if (slash >= 0) {
    const p = text.slice(slash + 1);
    if (!/^\d{1,2}$/.test(p) || Number(p) > 32) return null;
    prefixLen = Number(p);
  }
  const parts = addrText.split(".");
  if (slash >= 0 && parts.length < 4) while (parts.length < 4) parts.push("0");
  const addr = parseIpv4(parts.join("."));
  if (addr === null) return null;
  return { addr: (addr & prefixToMask(prefixLen)) >>> 0, prefixLen };
}

/**
 * Parses a netmask in either notation ifconfig accepts: dotted (`255.255.255.0`), hex
 * (`0xffffff00`) or a prefix length (`24`, `/24`). Returns the prefix length, or -1.
 */
export function parseNetmask(text: string): number {
  if (/^\/?\d{1,2}$/.test(text)) {
    const n = Number(text.replace("/", ""));
    return n <= 32 ? n : -1;
  }
  let mask: number | null;
  if (/^0x[0-9a-fA-F]{1,8}$/.test(text)) mask = parseInt(text.slice(2), 16);
  else mask = parseIpv4(text);
  return mask === null ? -1 : maskToPrefix(mask);
}

/** BSD netstat's short network notation: 10.0.0.0/24 → `10.0.0/24`, 127.0.0.0/8 → `127/8`. */
export function formatNetShort(net: number, prefixLen: number): string {
  if (prefixLen === 32) return formatIpv4(net);
  if (prefixLen === 0 && net === 0) return "default";
  const octets = [net >>> 24, (net >>> 16) & 0xff, (net >>> 8) & 0xff, net & 0xff];
  let keep = Math.max(1, Math.ceil(prefixLen / 8));
  while (keep < 4 && octets.slice(keep).some((o) => o !== 0)) keep++;
  return `${octets.slice(0, keep).join(".")}/${prefixLen}`;
}
