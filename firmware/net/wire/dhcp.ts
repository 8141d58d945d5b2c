// DHCP messages (RFC 2131 over BOOTP, options RFC 2132): the fixed 236-byte header, the magic
// cookie and the options a client uses (1 netmask, 3 routers, 6 DNS servers, 12 host name,
// 15 domain, 51 lease, 53 message type, 54 server id, 55 parameter list, 58/59 T1/T2).
// A malformed message throws DhcpFormatError naming what is wrong and where.

export const DHCP_SERVER_PORT = 67;
export const DHCP_CLIENT_PORT = 68;
const BOOTP_LEN = 236;
const MAGIC = 0x63825363;
export const BOOTREQUEST = 1;
export const BOOTREPLY = 2;
/** The flags bit asking the server to broadcast its answer (we have no address yet). */
export const DHCP_FLAG_BROADCAST = 0x8000;

export const DHCPDISCOVER = 1;
export const DHCPOFFER = 2;
export const DHCPREQUEST = 3;
export const DHCPDECLINE = 4;
export const DHCPACK = 5;
export const DHCPNAK = 6;
export const DHCPRELEASE = 7;

export const OPT_PAD = 0;
export const OPT_SUBNET_MASK = 1;
export const OPT_ROUTER = 3;
export const OPT_DNS = 6;
export const OPT_HOSTNAME = 12;
export const OPT_DOMAIN = 15;
export const OPT_REQUESTED_IP = 50;
export const OPT_LEASE_TIME = 51;
export const OPT_MSG_TYPE = 53;
export const OPT_SERVER_ID = 54;
export const OPT_PARAM_LIST = 55;
export const OPT_T1 = 58;
export const OPT_T2 = 59;
export const OPT_CLIENT_ID = 61;
export const OPT_END = 255;

export class DhcpFormatError extends Error {
  constructor(what: string, offset: number) {
    super(`malformed DHCP message: ${what} at byte ${offset}`);
  }
}

export interface DhcpMessage {
  op: number;
  xid: number;
  secs: number;
  flags: number;
  ciaddr: number;
  yiaddr: number;
  siaddr: number;
  giaddr: number;
  /** Client hardware address (Ethernet: 48 bits). */
  chaddr: number;
  /** Options by code; repeated codes are concatenated (RFC 3396). */
  options: Map<number, Uint8Array>;
}

/** Encodes a message (options in insertion order, then END). */
export function encodeDhcp(m: DhcpMessage): Uint8Array {
  let optLen = 4 + 1;
  for (const v of m.options.values()) optLen += 2 * Math.ceil(Math.max(v.length, 1) / 255) + v.length;
  const b = new Uint8Array(Math.max(300, BOOTP_LEN + optLen));
  const v = new DataView(b.buffer);
  b[0] = m.op;
  b[1] = 1; // htype Ethernet
  b[2] = 6; // hlen
  v.setUint32(4, m.xid >>> 0);
  v.setUint16(8, m.secs);
  v.setUint16(10, m.flags);
  v.setUint32(12, m.ciaddr >>> 0);
  v.setUint32(16, m.yiaddr >>> 0);
  v.setUint32(20, m.siaddr >>> 0);
  v.setUint32(24, m.giaddr >>> 0);
  v.setUint16(28, Math.floor(m.chaddr / 0x1_0000_0000));
  v.setUint32(30, m.chaddr >>> 0);
  v.setUint32(BOOTP_LEN, MAGIC);
  let p = BOOTP_LEN + 4;
  for (const [code, val] of m.options) {
    // Values longer than 255 bytes are split over several instances of the option.
    for (let o = 0; o < val.length || o === 0; o += 255) {
      const part = val.subarray(o, o + 255);
      b[p] = code;
      b[p + 1] = part.length;
      b.set(part, p + 2);
      p += 2 + part.length;
      if (val.length === 0) break;
    }
  }
  b[p] = OPT_END;
  return b;
}

/** Decodes a message; throws DhcpFormatError when it is not a well-formed DHCP message. */
export function decodeDhcp(b: Uint8Array): DhcpMessage {
  if (b.length < BOOTP_LEN + 4) throw new DhcpFormatError("shorter than the BOOTP header and cookie", 0);
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  if (b[1] !== 1 || b[2] !== 6) throw new DhcpFormatError("not Ethernet (htype/hlen)", 1);
  if (v.getUint32(BOOTP_LEN) !== MAGIC) throw new DhcpFormatError("no DHCP magic cookie", BOOTP_LEN);
  const options = new Map<number, Uint8Array>();
  let p = BOOTP_LEN + 4;
  for (;;) {
    if (p >= b.length) break; // END missing: tolerated, as most clients do
    const code = b[p];
    if (code === OPT_END) break;
    if (code === OPT_PAD) {
      p++;
      continue;
    }
    if (p + 1 >= b.length) throw new DhcpFormatError(`option ${code} has no length`, p);
    const len = b[p + 1];
    if (p + 2 + len > b.length) throw new DhcpFormatError(`option ${code} runs past the end`, p);
    const val = b.subarray(p + 2, p + 2 + len);
    const prev = options.get(code);
    if (prev === undefined) options.set(code, val.slice());
    else {
      const joined = new Uint8Array(prev.length + len);
      joined.set(prev);
      joined.set(val, prev.length);
      options.set(code, joined);
    }
    p += 2 + len;
  }
  return {
    op: b[0],
    xid: v.getUint32(4),
    secs: v.getUint16(8),
    flags: v.getUint16(10),
    ciaddr: v.getUint32(12),
    yiaddr: v.getUint32(16),
    siaddr: v.getUint32(20),
    giaddr: v.getUint32(24),
    chaddr: v.getUint16(28) * 0x1_0000_0000 + v.getUint32(30),
    options,
  };
}

/** An option holding one IPv4 address / 32-bit number; null when absent or the wrong size. */
export function optU32(m: DhcpMessage, code: number): number | null {
  const o = m.options.get(code);
  if (o === undefined || o.length < 4) return null;
  return ((o[0] << 24) | (o[1] << 16) | (o[2] << 8) | o[3]) >>> 0;
}

/** An option holding a list of IPv4 addresses (routers, DNS servers). */
export function optAddrs(m: DhcpMessage, code: number): number[] {
  const o = m.options.get(code);
  const out: number[] = [];
  if (o === undefined) return out;
  for (let i = 0; i + 4 <= o.length; i += 4)
    out.push(((o[i] << 24) | (o[i + 1] << 16) | (o[i + 2] << 8) | o[i + 3]) >>> 0);
  return out;
}

/** The DHCP message type (option 53), 0 when missing. */
export function dhcpType(m: DhcpMessage): number {
  return m.options.get(OPT_MSG_TYPE)?.[0] ?? 0;
}

/** Option bytes for a 32-bit value or address. */
export function u32Option(x: number): Uint8Array {
  return Uint8Array.of(x >>> 24, (x >>> 16) & 0xff, (x >>> 8) & 0xff, x & 0xff);
}
