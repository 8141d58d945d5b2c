// The libpcap capture file format (what `tcpdump -w` writes and `-r` reads, and what tshark and
// Wireshark open): a 24-byte global header, then per packet a 16-byte record header and the
// captured bytes. We write microsecond resolution, little endian, LINKTYPE_ETHERNET; we read
// either byte order and micro- or nanosecond resolution.
import { KernelError } from "../../kernel/errno.ts";

export const PCAP_MAGIC_US = 0xa1b2c3d4;
export const PCAP_MAGIC_NS = 0xa1b23c4d;
export const LINKTYPE_ETHERNET = 1;
export const PCAP_GLOBAL_HDR_LEN = 24;
export const PCAP_RECORD_HDR_LEN = 16;
export const PCAP_DEFAULT_SNAPLEN = 262144;

export function pcapGlobalHeader(snaplen = PCAP_DEFAULT_SNAPLEN, linktype = LINKTYPE_ETHERNET): Uint8Array {
  const h = new Uint8Array(PCAP_GLOBAL_HDR_LEN);
  const v = new DataView(h.buffer);
  v.setUint32(0, PCAP_MAGIC_US, true);
  v.setUint16(4, 2, true);
  v.setUint16(6, 4, true);
  v.setInt32(8, 0, true); // thiszone
  v.setUint32(12, 0, true); // sigfigs
  v.setUint32(16, snaplen, true);
  v.setUint32(20, linktype, true);
  return h;
}

/** One record (header + at most `snaplen` bytes of the frame); `tsMs` is wall time in ms. */
export function pcapRecord(
  tsMs: number,
  frame: Uint8Array,
  off: number,
  len: number,
  snaplen = PCAP_DEFAULT_SNAPLEN,
) {
  const incl = Math.min(len, snaplen);
  const r = new Uint8Array(PCAP_RECORD_HDR_LEN + incl);
  const v = new DataView(r.buffer);
  const sec = Math.floor(tsMs / 1000);
  const usec = Math.min(999_999, Math.round((tsMs - sec * 1000) * 1000));
  v.setUint32(0, sec, true);
  v.setUint32(4, usec, true);
  v.setUint32(8, incl, true);
  v.setUint32(12, len, true);
  r.set(frame.subarray(off, off + incl), PCAP_RECORD_HDR_LEN);
  return r;
}

/** Accumulates a capture in memory (tests, small captures); tcpdump -w streams the same pieces. */
export class PcapWriter {
  private readonly chunks: Uint8Array[];
  readonly snaplen: number;
  count = 0;

  constructor(snaplen = PCAP_DEFAULT_SNAPLEN) {
    this.snaplen = snaplen;
    this.chunks = [pcapGlobalHeader(snaplen)];
  }

  add(tsMs: number, frame: Uint8Array, off = 0, len = frame.length): Uint8Array {
    const r = pcapRecord(tsMs, frame, off, len, this.snaplen);
    this.chunks.push(r);
    this.count++;
    return r;
  }

  bytes(): Uint8Array {
    const total = this.chunks.reduce((n, c) => n + c.length, 0);
    const out = new Uint8Array(total);
    let o = 0;
    for (const c of this.chunks) {
      out.set(c, o);
      o += c.length;
    }
    return out;
  }
}

export interface PcapPacket {
  /** Wall time in milliseconds (fractional; micro- or nanosecond precision from the file). */
  tsMs: number;
  tsSec: number;
  /** Fraction of the second in microseconds. */
  tsUsec: number;
  data: Uint8Array;
  origLen: number;
}

export interface PcapFile {
  linktype: number;
  snaplen: number;
  nanosecond: boolean;
  packets: PcapPacket[];
}

/** Parses a whole capture; EINVAL for a bad header; a truncated last record is ignored (as tcpdump does). */
export function readPcap(bytes: Uint8Array): PcapFile {
  if (bytes.length < PCAP_GLOBAL_HDR_LEN) throw new KernelError("EINVAL", "truncated dump file");
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let le: boolean;
  const m = v.getUint32(0, true);
  if (m === PCAP_MAGIC_US || m === PCAP_MAGIC_NS) le = true;
  else {
    const mb = v.getUint32(0, false);
    if (mb !== PCAP_MAGIC_US && mb !== PCAP_MAGIC_NS) throw new KernelError("EINVAL", "bad dump file format");
    le = false;
  }
  const nanosecond = v.getUint32(0, le) === PCAP_MAGIC_NS;
  const snaplen = v.getUint32(16, le);
  const linktype = v.getUint32(20, le) & 0x0fffffff;
  const packets: PcapPacket[] = [];
  let o = PCAP_GLOBAL_HDR_LEN;
  while (o + PCAP_RECORD_HDR_LEN <= bytes.length) {
    const sec = v.getUint32(o, le);
    const frac = v.getUint32(o + 4, le);
    const incl = v.getUint32(o + 8, le);
    const orig = v.getUint32(o + 12, le);
    if (incl > Math.max(snaplen, PCAP_DEFAULT_SNAPLEN))
      throw new KernelError("EINVAL", `bogus savefile header (caplen ${incl})`);
    if (o + PCAP_RECORD_HDR_LEN + incl > bytes.length) break;
    const usec = nanosecond ? Math.floor(frac / 1000) : frac;
    packets.push({
      tsSec: sec,
      tsUsec: usec,
      tsMs: sec * 1000 + (nanosecond ? frac / 1e6 : frac / 1000),
      data: bytes.slice(o + PCAP_RECORD_HDR_LEN, o + PCAP_RECORD_HDR_LEN + incl),
      origLen: orig,
    });
    o += PCAP_RECORD_HDR_LEN + incl;
  }
  return { linktype, snaplen, nanosecond, packets };
}
