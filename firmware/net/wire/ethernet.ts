// Ethernet II and 802.1Q headers over a byte array at an offset.
import { readMac, writeMac } from "./mac.ts";

export const ETHER_HDR_LEN = 14;
export const VLAN_TAG_LEN = 4;
export const ETHER_MIN_LEN = 60; // without FCS
export const ETHER_MAX_LEN = 1514; // without FCS, untagged

export const ETHERTYPE_IPV4 = 0x0800;
export const ETHERTYPE_ARP = 0x0806;
export const ETHERTYPE_VLAN = 0x8100;
export const ETHERTYPE_QNET = 0x8204;
export const ETHERTYPE_IPV6 = 0x86dd;

export function etherDst(b: Uint8Array, off: number): number {
  return readMac(b, off);
}

export function etherSrc(b: Uint8Array, off: number): number {
  return readMac(b, off + 6);
}

export function etherType(b: Uint8Array, off: number): number {
  return (b[off + 12] << 8) | b[off + 13];
}

export function writeEtherHeader(b: Uint8Array, off: number, dst: number, src: number, type: number): void {
  writeMac(b, off, dst);
  writeMac(b, off + 6, src);
  b[off + 12] = type >>> 8;
  b[off + 13] = type & 0xff;
}

/** The tag control information of an 802.1Q frame (the 16 bits after 0x8100). */
export function vlanTci(b: Uint8Array, off: number): number {
  return (b[off + 14] << 8) | b[off + 15];
}

/** The ethertype carried inside an 802.1Q tag. */
export function vlanInnerType(b: Uint8Array, off: number): number {
  return (b[off + 16] << 8) | b[off + 17];
}

export function vlanId(tci: number): number {
  return tci & 0x0fff;
}

export function vlanPcp(tci: number): number {
  return tci >>> 13;
}

/** Names tcpdump prints for ethertypes. */
export function ethertypeName(type: number): string {
  switch (type) {
    case ETHERTYPE_IPV4:
      return "IPv4";
    case ETHERTYPE_ARP:
      return "ARP";
    case ETHERTYPE_VLAN:
      return "802.1Q";
    case ETHERTYPE_IPV6:
      return "IPv6";
    case ETHERTYPE_QNET:
      return "QNX Qnet";
    default:
      return "Unknown";
  }
}
