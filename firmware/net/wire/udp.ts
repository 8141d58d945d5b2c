// UDP header (RFC 768) at an offset, with the pseudo-header checksum.
import { cksumAdd, cksumFinish, pseudoHeaderSum } from "./checksum.ts";
import { IPPROTO_UDP } from "./ipv4.ts";

export const UDP_HDR_LEN = 8;

export function udpSrcPort(b: Uint8Array, off: number): number {
  return (b[off] << 8) | b[off + 1];
}
export function udpDstPort(b: Uint8Array, off: number): number {
  return (b[off + 2] << 8) | b[off + 3];
}
export function udpLen(b: Uint8Array, off: number): number {
  return (b[off + 4] << 8) | b[off + 5];
}
export function udpCksum(b: Uint8Array, off: number): number {
  return (b[off + 6] << 8) | b[off + 7];
}

/** The checksum for a datagram of `len` bytes (header + data) at `off`; 0 is sent as 0xffff. */
export function udpChecksum(b: Uint8Array, off: number, len: number, src: number, dst: number): number {
  const c = cksumFinish(cksumAdd(b, off, len, pseudoHeaderSum(src, dst, IPPROTO_UDP, len)));
  return c === 0 ? 0xffff : c;
}

/** Verifies a received datagram (a zero checksum field means "not computed"). */
export function udpChecksumOk(b: Uint8Array, off: number, len: number, src: number, dst: number): boolean {
  if (udpCksum(b, off) === 0) return true;
  return cksumFinish(cksumAdd(b, off, len, pseudoHeaderSum(src, dst, IPPROTO_UDP, len))) === 0;
}

export function writeUdpHeader(b: Uint8Array, off: number, sport: number, dport: number, len: number): void {
  b[off] = sport >>> 8;
  b[off + 1] = sport & 0xff;
  b[off + 2] = dport >>> 8;
  b[off + 3] = dport & 0xff;
  b[off + 4] = len >>> 8;
  b[off + 5] = len & 0xff;
  b[off + 6] = 0;
  b[off + 7] = 0;
}

/** Fills the checksum of a datagram written with writeUdpHeader. */
export function udpFillCksum(b: Uint8Array, off: number, len: number, src: number, dst: number): void {
  const c = udpChecksum(b, off, len, src, dst);
  b[off + 6] = c >>> 8;
  b[off + 7] = c & 0xff;
}
