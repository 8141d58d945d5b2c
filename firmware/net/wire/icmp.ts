// ICMP for IPv4 (RFC 792) at an offset (the first byte after the IP header).
import { internetChecksum } from "./checksum.ts";

export const ICMP_HDR_LEN = 8;
export const ICMP_ECHOREPLY = 0;
export const ICMP_UNREACH = 3;
export const ICMP_SOURCEQUENCH = 4;
export const ICMP_REDIRECT = 5;
/** Redirect codes (RFC 792): for the network, for the host. */
export const ICMP_REDIRECT_NET = 0;
export const ICMP_REDIRECT_HOST = 1;
export const ICMP_ECHO = 8;
export const ICMP_ROUTERADVERT = 9;
export const ICMP_ROUTERSOLICIT = 10;
export const ICMP_TIMXCEED = 11;
export const ICMP_PARAMPROB = 12;
export const ICMP_TSTAMP = 13;
export const ICMP_TSTAMPREPLY = 14;
export const ICMP_MASKREQ = 17;
export const ICMP_MASKREPLY = 18;
export const ICMP_MAXTYPE = 40;

// ICMP_UNREACH codes
export const ICMP_UNREACH_NET = 0;
export const ICMP_UNREACH_HOST = 1;
export const ICMP_UNREACH_PROTOCOL = 2;
export const ICMP_UNREACH_PORT = 3;
export const ICMP_UNREACH_NEEDFRAG = 4;
export const ICMP_UNREACH_SRCFAIL = 5;
export const ICMP_UNREACH_NET_UNKNOWN = 6;
export const ICMP_UNREACH_HOST_UNKNOWN = 7;
export const ICMP_UNREACH_FILTER_PROHIB = 13;
// ICMP_TIMXCEED codes
export const ICMP_TIMXCEED_INTRANS = 0;
export const ICMP_TIMXCEED_REASS = 1;

export function icmpType(b: Uint8Array, off: number): number {
  return b[off];
}
export function icmpCode(b: Uint8Array, off: number): number {
  return b[off + 1];
}
export function icmpCksum(b: Uint8Array, off: number): number {
  return (b[off + 2] << 8) | b[off + 3];
}
/** Echo identifier (bytes 4–5). */
export function icmpId(b: Uint8Array, off: number): number {
  return (b[off + 4] << 8) | b[off + 5];
}
/** Echo sequence number (bytes 6–7). */
export function icmpSeq(b: Uint8Array, off: number): number {
  return (b[off + 6] << 8) | b[off + 7];
}
/** Next-hop MTU of a "fragmentation needed" message (RFC 1191, bytes 6–7). */
export function icmpNextMtu(b: Uint8Array, off: number): number {
  return (b[off + 6] << 8) | b[off + 7];
}

/** Writes type, code and the 4-byte rest-of-header; the checksum is filled by icmpFillCksum. */
export function writeIcmpHeader(b: Uint8Array, off: number, type: number, code: number, rest: number): void {
  b[off] = type;
  b[off + 1] = code;
  b[off + 2] = 0;
  b[off + 3] = 0;
  b[off + 4] = rest >>> 24;
  b[off + 5] = (rest >>> 16) & 0xff;
  b[off + 6] = (rest >>> 8) & 0xff;
  b[off + 7] = rest & 0xff;
}

/** Computes and stores the checksum over the whole ICMP message of `len` bytes. */
export function icmpFillCksum(b: Uint8Array, off: number, len: number): void {
  b[off + 2] = 0;
  b[off + 3] = 0;
  const c = internetChecksum(b, off, len);
  b[off + 2] = c >>> 8;
  b[off + 3] = c & 0xff;
}

/** True when the type is an error message (errors are never sent about errors). */
export function icmpIsError(type: number): boolean {
  return (
    type === ICMP_UNREACH ||
    type === ICMP_SOURCEQUENCH ||
    type === ICMP_REDIRECT ||
    type === ICMP_TIMXCEED ||
    type === ICMP_PARAMPROB
  );
}
