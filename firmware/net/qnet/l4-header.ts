// The Qnet L4 header that follows ethertype 0x8204 (or IP protocol 106): two padding bytes and
// 36 bytes of version, type, flags, layer, QoS fields, stream offset, payload length and CRC.
// Layout and meaning: docs/qnet.md ("Wire format"). Per-packet code, so DataView accessors over
// the frame at an offset, in the byte order the version byte announces (bit 0x80 = big endian).
import { crcUpdate, crcZeros } from "./crc.ts";

/** Bytes from the first byte after the ethertype to the payload (2 padding + 36). */
export const QNET_HDR_LEN = 38;
/** Version byte we send: 0x2A, little endian (what QNX on x86 and ARM sends). */
export const QNET_VERSION = 0x2a;
export const QNET_VERSION_BIG = 0xaa;

/** L4 packet types. */
export const L4 = {
  USER: 0,
  TCS_INIT: 1,
  TCS_REM_UP: 2,
  TCS_UP: 3,
  TCS_DOWN: 4,
  TCS_REM_DOWN: 5,
  DATA: 8,
  ACK: 9,
  NACK: 10,
  LRES: 11,
} as const;

export const L4_FLAG_FIRST = 0x01;
export const L4_FLAG_LAST = 0x02;
export const L4_FLAG_CRC = 0x04;
/** An unfragmented packet. */
export const L4_FLAGS_WHOLE = L4_FLAG_FIRST | L4_FLAG_LAST;

/** What the payload is for (the layer byte). */
export const LAYER = { KIF: 0, NR: 1, LR: 2, SEQ: 3 } as const;

/** QoS policies (qos_type). */
export const QOS = { LOADBALANCE: 0, REDUNDANT: 1, EXCLUSIVE: 2, PREFERRED: 3 } as const;

/** One header's fields. `le` is the byte order of every multi-byte field. */
export interface QnetHeader {
  le: boolean;
  type: number;
  flags: number;
  layer: number;
  /** The sender's node descriptor in the receiver's table. */
  srcNd: number;
  /** The receiver's node descriptor in the sender's table. */
  dstNd: number;
  sconn: number;
  dconn: number;
  seq: number;
  qosType: number;
  qosIdx: number;
  /** Offset of this fragment in its message. */
  offset: number;
  /** Payload bytes after the header. */
  length: number;
  crc: number;
}

export function emptyHeader(): QnetHeader {
  return {
    le: true,
    type: 0,
    flags: L4_FLAGS_WHOLE,
    layer: 0,
    srcNd: 0,
    dstNd: 0,
    sconn: 0,
    dconn: 0,
    seq: 0,
    qosType: 0,
    qosIdx: 0,
    offset: 0,
    length: 0,
    crc: 0,
  };
}

/** True when the version byte at `off` (the header start) announces little endian. */
export function qnetLittleEndian(b: Uint8Array, off: number): boolean {
  return (b[off + 2] & 0x80) === 0;
}

/** Fills `h` from the header at `off` (the first byte after the ethertype). Caller checks length. */
export function readQnetHeader(b: Uint8Array, v: DataView, off: number, h: QnetHeader): QnetHeader {
  const le = qnetLittleEndian(b, off);
  h.le = le;
  h.type = b[off + 3];
  h.flags = b[off + 4];
  h.layer = b[off + 5];
  h.srcNd = v.getUint16(off + 6, le);
  h.dstNd = v.getUint16(off + 8, le);
  h.sconn = v.getUint32(off + 10, le);
  h.dconn = v.getUint32(off + 14, le);
  h.seq = v.getUint32(off + 18, le);
  h.qosType = v.getUint16(off + 22, le);
  h.qosIdx = v.getUint16(off + 24, le);
  h.offset = v.getUint32(off + 26, le);
  h.length = v.getUint32(off + 30, le);
  h.crc = v.getUint32(off + 34, le);
  return h;
}

/**
 * Writes `h` at `off`. The CRC field is written as given; call `sealQnetHeader` after the payload
 * is in place to compute it.
 */
export function writeQnetHeader(b: Uint8Array, v: DataView, off: number, h: QnetHeader): void {
  const le = h.le;
  b[off] = 0;
  b[off + 1] = 0;
  b[off + 2] = le ? QNET_VERSION : QNET_VERSION_BIG;
  b[off + 3] = h.type;
  b[off + 4] = h.flags;
  b[off + 5] = h.layer;
  v.setUint16(off + 6, h.srcNd, le);
  v.setUint16(off + 8, h.dstNd, le);
  v.setUint32(off + 10, h.sconn, le);
  v.setUint32(off + 14, h.dconn, le);
  v.setUint32(off + 18, h.seq, le);
  v.setUint16(off + 22, h.qosType, le);
  v.setUint16(off + 24, h.qosIdx, le);
  v.setUint32(off + 26, h.offset, le);
  v.setUint32(off + 30, h.length, le);
  v.setUint32(off + 34, h.crc, le);
}

/**
 * The CRC of the header at `off` and its payload: header bytes 2–33, four zero bytes in place of
 * the CRC field, then the payload up to the L4 length (or the end of the data, `end`).
 */
export function qnetCrc(b: Uint8Array, v: DataView, off: number, end: number): number {
  const le = qnetLittleEndian(b, off);
  const length = v.getUint32(off + 30, le);
  const payload = off + QNET_HDR_LEN;
  let c = crcUpdate(0, b, off + 2, off + 34);
  c = crcZeros(c, 4);
  return crcUpdate(c, b, payload, Math.min(end, payload + length));
}

/** Computes and stores the CRC of a header and payload already written (do_crc=1). */
export function sealQnetHeader(b: Uint8Array, v: DataView, off: number, end: number): number {
  const crc = qnetCrc(b, v, off, end);
  v.setUint32(off + 34, crc, qnetLittleEndian(b, off));
  return crc;
}
