// Ethernet (MAC) addresses as plain numbers: 48 bits fit exactly in a double, so they compare
// with === and key Maps without allocating strings.

export const MAC_BROADCAST = 0xffff_ffff_ffff;
export const MAC_ZERO = 0;
const TWO32 = 0x1_0000_0000;

export function readMac(bytes: Uint8Array, off: number): number {
  const hi = (bytes[off] << 8) | bytes[off + 1];
  const lo = ((bytes[off + 2] << 24) | (bytes[off + 3] << 16) | (bytes[off + 4] << 8) | bytes[off + 5]) >>> 0;
  return hi * TWO32 + lo;
}

export function writeMac(bytes: Uint8Array, off: number, mac: number): void {
  const hi = Math.floor(mac / TWO32);
  const lo = mac >>> 0; // low 32 bits (ToUint32 takes the value modulo 2^32)
  bytes[off] = hi >>> 8;
  bytes[off + 1] = hi & 0xff;
  bytes[off + 2] = lo >>> 24;
  bytes[off + 3] = (lo >>> 16) & 0xff;
  bytes[off + 4] = (lo >>> 8) & 0xff;
  bytes[off + 5] = lo & 0xff;
}

/** Group bit (I/G) of the first octet: multicast and broadcast addresses. */
export function isGroupMac(mac: number): boolean {
  return (Math.floor(mac / 0x100_0000_0000) & 1) === 1;
}

/** `02:00:00:00:00:01`, lower case, as BSD tools print. */
export function formatMac(mac: number): string {
  let s = "";
  for (let shift = 5; shift >= 0; shift--) {
    const b = Math.floor(mac / 2 ** (shift * 8)) & 0xff;
    s += (b < 16 ? "0" : "") + b.toString(16) + (shift > 0 ? ":" : "");
  }
  return s;
}

/**
 * Parses `02:00:00:00:00:01`, `2:0:0:0:0:1`, `02-00-…` or the driver option form `020000000001`
 * (12 hex digits). Returns null when the text is not a MAC address.
 */
export function parseMac(text: string): number | null {
  let parts: string[];
  if (/^[0-9a-fA-F]{12}$/.test(text)) {
    parts = text.match(/../g) as string[];
  } else {
    parts = text.split(/[:-]/);
    if (parts.length !== 6) return null;
  }
  let mac = 0;
  for (const p of parts) {
    if (!/^[0-9a-fA-F]{1,2}$/.test(p)) return null;
    mac = mac * 256 + parseInt(p, 16);
  }
  return mac;
}

/** The Ethernet group address an IPv4 multicast address maps to (RFC 1112: 01:00:5e + low 23 bits). */
export function ipv4MulticastMac(group: number): number {
  return 0x01_00_5e * 0x100_0000 + (group & 0x7f_ffff);
}
