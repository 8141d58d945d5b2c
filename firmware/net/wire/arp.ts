// ARP packets for IPv4 over Ethernet (RFC 826), at an offset (the byte after the Ethernet header).
import { readMac, writeMac } from "./mac.ts";
import { ETHERTYPE_IPV4 } from "./ethernet.ts";

export const ARP_LEN = 28;
export const ARPHRD_ETHER = 1;
export const ARPOP_REQUEST = 1;
export const ARPOP_REPLY = 2;

export function arpHrd(b: Uint8Array, off: number): number {
  return (b[off] << 8) | b[off + 1];
}
export function arpPro(b: Uint8Array, off: number): number {
  return (b[off + 2] << 8) | b[off + 3];
}
export function arpHln(b: Uint8Array, off: number): number {
  return b[off + 4];
}
export function arpPln(b: Uint8Array, off: number): number {
  return b[off + 5];
}
export function arpOp(b: Uint8Array, off: number): number {
  return (b[off + 6] << 8) | b[off + 7];
}
export function arpSha(b: Uint8Array, off: number): number {
  return readMac(b, off + 8);
}
export function arpSpa(v: DataView, off: number): number {
  return v.getUint32(off + 14);
}
export function arpTha(b: Uint8Array, off: number): number {
  return readMac(b, off + 18);
}
export function arpTpa(v: DataView, off: number): number {
  return v.getUint32(off + 24);
}

/** True when the fixed part describes Ethernet/IPv4 (the only kind this stack resolves). */
export function arpIsEtherIpv4(b: Uint8Array, off: number): boolean {
  return (
    arpHrd(b, off) === ARPHRD_ETHER &&
    arpPro(b, off) === ETHERTYPE_IPV4 &&
    b[off + 4] === 6 &&
    b[off + 5] === 4
  );
}

export function writeArp(
  b: Uint8Array,
  v: DataView,
  off: number,
  op: number,
  sha: number,
  spa: number,
  tha: number,
  tpa: number,
): void {
  b[off] = 0;
  b[off + 1] = ARPHRD_ETHER;
  b[off + 2] = ETHERTYPE_IPV4 >>> 8;
  b[off + 3] = ETHERTYPE_IPV4 & 0xff;
  b[off + 4] = 6;
  b[off + 5] = 4;
  b[off + 6] = 0;
  b[off + 7] = op;
  writeMac(b, off + 8, sha);
  v.setUint32(off + 14, spa);
  writeMac(b, off + 18, tha);
  v.setUint32(off + 24, tpa);
}
