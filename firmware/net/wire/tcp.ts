// The fixed part of the TCP header (RFC 793): enough for filters and tcpdump lines.

export const TCP_HDR_LEN = 20;
export const TH_FIN = 0x01;
export const TH_SYN = 0x02;
export const TH_RST = 0x04;
export const TH_PUSH = 0x08;
export const TH_ACK = 0x10;
export const TH_URG = 0x20;
export const TH_ECE = 0x40;
export const TH_CWR = 0x80;

export function tcpSrcPort(b: Uint8Array, off: number): number {
  return (b[off] << 8) | b[off + 1];
}
export function tcpDstPort(b: Uint8Array, off: number): number {
  return (b[off + 2] << 8) | b[off + 3];
}
export function tcpSeq(v: DataView, off: number): number {
  return v.getUint32(off + 4);
}
export function tcpAck(v: DataView, off: number): number {
  return v.getUint32(off + 8);
}
/** Data offset in bytes. */
export function tcpHlen(b: Uint8Array, off: number): number {
  return (b[off + 12] >>> 4) << 2;
}
export function tcpFlags(b: Uint8Array, off: number): number {
  return b[off + 13];
}
export function tcpWin(b: Uint8Array, off: number): number {
  return (b[off + 14] << 8) | b[off + 15];
}
