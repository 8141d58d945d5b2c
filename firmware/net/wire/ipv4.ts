// The IPv4 header (RFC 791) at an offset: field readers, a writer, and validation that
// names the first thing wrong so the caller can count it in the matching statistic.
import { internetChecksum } from "./checksum.ts";

export const IP_HDR_LEN = 20;
export const IP_MAXPACKET = 65535;
export const IP_RF = 0x8000;
export const IP_DF = 0x4000;
export const IP_MF = 0x2000;
export const IP_OFFMASK = 0x1fff;

export const IPPROTO_ICMP = 1;
export const IPPROTO_IGMP = 2;
export const IPPROTO_TCP = 6;
export const IPPROTO_UDP = 17;
export const IPPROTO_QNET = 106;

export function ipVersion(b: Uint8Array, off: number): number {
  return b[off] >>> 4;
}
/** Header length in bytes (IHL × 4). */
export function ipHlen(b: Uint8Array, off: number): number {
  return (b[off] & 0x0f) << 2;
}
export function ipTos(b: Uint8Array, off: number): number {
  return b[off + 1];
}
export function ipTotalLen(b: Uint8Array, off: number): number {
  return (b[off + 2] << 8) | b[off + 3];
}
export function ipId(b: Uint8Array, off: number): number {
  return (b[off + 4] << 8) | b[off + 5];
}
/** The flags and fragment offset word (IP_DF, IP_MF, offset in 8-byte units). */
export function ipOffWord(b: Uint8Array, off: number): number {
  return (b[off + 6] << 8) | b[off + 7];
}
export function ipTtl(b: Uint8Array, off: number): number {
  return b[off + 8];
}
export function ipProto(b: Uint8Array, off: number): number {
  return b[off + 9];
}
export function ipCksum(b: Uint8Array, off: number): number {
  return (b[off + 10] << 8) | b[off + 11];
}
export function ipSrc(v: DataView, off: number): number {
  return v.getUint32(off + 12);
}
export function ipDst(v: DataView, off: number): number {
  return v.getUint32(off + 16);
}

export function setIpTotalLen(b: Uint8Array, off: number, len: number): void {
  b[off + 2] = len >>> 8;
  b[off + 3] = len & 0xff;
}
export function setIpOffWord(b: Uint8Array, off: number, w: number): void {
  b[off + 6] = w >>> 8;
  b[off + 7] = w & 0xff;
}
export function setIpCksum(b: Uint8Array, off: number, c: number): void {
  b[off + 10] = c >>> 8;
  b[off + 11] = c & 0xff;
}

/** Recomputes and stores the header checksum over `hlen` bytes. */
export function ipFillCksum(b: Uint8Array, off: number, hlen: number): void {
  b[off + 10] = 0;
  b[off + 11] = 0;
  setIpCksum(b, off, internetChecksum(b, off, hlen));
}

/** Writes a 20-byte header (no options) with its checksum. */
export function writeIpv4Header(
  b: Uint8Array,
  v: DataView,
  off: number,
  tos: number,
  totalLen: number,
  id: number,
  offWord: number,
  ttl: number,
  proto: number,
  src: number,
  dst: number,
): void {
  b[off] = 0x45;
  b[off + 1] = tos;
  setIpTotalLen(b, off, totalLen);
  b[off + 4] = (id >>> 8) & 0xff;
  b[off + 5] = id & 0xff;
  setIpOffWord(b, off, offWord);
  b[off + 8] = ttl;
  b[off + 9] = proto;
  v.setUint32(off + 12, src);
  v.setUint32(off + 16, dst);
  ipFillCksum(b, off, IP_HDR_LEN);
}

// Results of ipValidate, one per statistic the stack keeps (BSD ipstat names).
export const IPV_OK = 0;
export const IPV_TOOSHORT = 1; // fewer bytes than a header, or than the total length says
export const IPV_BADVERS = 2;
export const IPV_BADHLEN = 3; // IHL < 5 or larger than the bytes present
export const IPV_BADSUM = 4;
export const IPV_BADLEN = 5; // total length smaller than the header

/** Checks a received header against `avail` bytes present. Options are not interpreted. */
export function ipValidate(b: Uint8Array, off: number, avail: number): number {
  if (avail < IP_HDR_LEN) return IPV_TOOSHORT;
  if (b[off] >>> 4 !== 4) return IPV_BADVERS;
  const hlen = (b[off] & 0x0f) << 2;
  if (hlen < IP_HDR_LEN || hlen > avail) return IPV_BADHLEN;
  if (internetChecksum(b, off, hlen) !== 0) return IPV_BADSUM;
  const tlen = (b[off + 2] << 8) | b[off + 3];
  if (tlen < hlen) return IPV_BADLEN;
  if (tlen > avail) return IPV_TOOSHORT;
  return IPV_OK;
}

const PROTO_NAMES: Record<number, string> = {
  1: "ICMP",
  2: "IGMP",
  6: "TCP",
  17: "UDP",
  47: "GRE",
  50: "ESP",
};

/** tcpdump's name for an IP protocol number (`ip-proto-N` when it has none). */
export function ipProtoName(p: number): string {
  return PROTO_NAMES[p] ?? `ip-proto-${p}`;
}
