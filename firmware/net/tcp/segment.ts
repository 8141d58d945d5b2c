// One TCP segment as the protocol sees it: the header fields, its options and where the payload
// lies in the caller's buffer. Parsed in place (no copy) and written in place with the checksum.
import { cksumAdd, cksumFinish, pseudoHeaderSum } from "../wire/checksum.ts";
import { IPPROTO_TCP } from "../wire/ipv4.ts";
import {
  TCP_HDR_LEN,
  tcpAck,
  tcpDstPort,
  tcpFlags,
  tcpHlen,
  tcpSeq,
  tcpSrcPort,
  tcpWin,
} from "../wire/tcp.ts";
import { TcpOptions, parseTcpOptions, writeTcpOptions } from "./options.ts";

export class TcpSegment {
  src = 0;
  dst = 0;
  sport = 0;
  dport = 0;
  seq = 0;
  ack = 0;
  flags = 0;
  /** The raw 16-bit window field (unscaled). */
  win = 0;
  buf: Uint8Array = new Uint8Array(0);
  dataOff = 0;
  dataLen = 0;
  readonly opts = new TcpOptions();
}

/**
 * Parses the TCP segment b[off, off+len) sent from `src` to `dst` into `out`. Returns null or a
 * message naming what is wrong. `verifySum` false skips the checksum (offloaded or already checked).
 */
export function parseTcpSegment(
  b: Uint8Array,
  off: number,
  len: number,
  src: number,
  dst: number,
  verifySum: boolean,
  out: TcpSegment,
): string | null {
  if (len < TCP_HDR_LEN) return `TCP segment of ${len} bytes is shorter than its 20-byte header`;
  const hlen = tcpHlen(b, off);
  if (hlen < TCP_HDR_LEN || hlen > len) return `TCP data offset ${hlen} is outside 20..${len}`;
  if (verifySum) {
    const sum = cksumAdd(b, off, len, pseudoHeaderSum(src, dst, IPPROTO_TCP, len));
    if (cksumFinish(sum) !== 0) return "TCP checksum is wrong";
  }
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  out.src = src >>> 0;
  out.dst = dst >>> 0;
  out.sport = tcpSrcPort(b, off);
  out.dport = tcpDstPort(b, off);
  out.seq = tcpSeq(v, off);
  out.ack = tcpAck(v, off);
  out.flags = tcpFlags(b, off);
  out.win = tcpWin(b, off);
  out.buf = b;
  out.dataOff = off + hlen;
  out.dataLen = len - hlen;
  const err = parseTcpOptions(b, off + TCP_HDR_LEN, hlen - TCP_HDR_LEN, out.opts);
  return err === null ? null : `TCP ${err}`;
}

/** Writes a header with options at b[off]; returns the header length. Payload goes after it. */
export function writeTcpHeader(
  b: Uint8Array,
  off: number,
  sport: number,
  dport: number,
  seq: number,
  ack: number,
  flags: number,
  win: number,
  opts: TcpOptions | null,
): number {
  const olen = opts === null ? 0 : writeTcpOptions(b, off + TCP_HDR_LEN, opts);
  const hlen = TCP_HDR_LEN + olen;
  b[off] = sport >>> 8;
  b[off + 1] = sport & 0xff;
  b[off + 2] = dport >>> 8;
  b[off + 3] = dport & 0xff;
  b[off + 4] = seq >>> 24;
  b[off + 5] = (seq >>> 16) & 0xff;
  b[off + 6] = (seq >>> 8) & 0xff;
  b[off + 7] = seq & 0xff;
  b[off + 8] = ack >>> 24;
  b[off + 9] = (ack >>> 16) & 0xff;
  b[off + 10] = (ack >>> 8) & 0xff;
  b[off + 11] = ack & 0xff;
  b[off + 12] = (hlen >> 2) << 4;
  b[off + 13] = flags;
  b[off + 14] = (win >>> 8) & 0xff;
  b[off + 15] = win & 0xff;
  b[off + 16] = 0;
  b[off + 17] = 0;
  b[off + 18] = 0;
  b[off + 19] = 0;
  return hlen;
}

/** Fills the checksum of the segment b[off, off+len) from `src` to `dst`. */
export function fillTcpChecksum(b: Uint8Array, off: number, len: number, src: number, dst: number): void {
  b[off + 16] = 0;
  b[off + 17] = 0;
  const c = cksumFinish(cksumAdd(b, off, len, pseudoHeaderSum(src, dst, IPPROTO_TCP, len)));
  b[off + 16] = c >>> 8;
  b[off + 17] = c & 0xff;
}
