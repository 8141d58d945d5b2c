// Whole Qnet frames: the Ethernet header, the L4 header and a payload, built for sending and
// checked on receipt. The check runs on every received frame, so it allocates nothing and returns
// the reason a frame is refused (for the drop counters) instead of throwing.
import { ETHER_HDR_LEN, ETHER_MIN_LEN, ETHERTYPE_QNET } from "../wire/ethernet.ts";
import { writeMac } from "../wire/mac.ts";
import {
  L4_FLAG_CRC,
  QNET_HDR_LEN,
  QNET_VERSION,
  qnetCrc,
  readQnetHeader,
  sealQnetHeader,
  writeQnetHeader,
} from "./l4-header.ts";
import type { QnetHeader } from "./l4-header.ts";

/** Builds an Ethernet frame carrying `h` and `payload` (h.length is set; padded to 60 bytes). */
export function qnetFrame(
  dst: number,
  src: number,
  h: QnetHeader,
  payload: Uint8Array = new Uint8Array(0),
): Uint8Array {
  const f = new Uint8Array(Math.max(ETHER_MIN_LEN, ETHER_HDR_LEN + QNET_HDR_LEN + payload.length));
  const v = new DataView(f.buffer);
  writeMac(f, 0, dst);
  writeMac(f, 6, src);
  f[12] = ETHERTYPE_QNET >>> 8;
  f[13] = ETHERTYPE_QNET & 0xff;
  h.length = payload.length;
  writeQnetHeader(f, v, ETHER_HDR_LEN, h);
  f.set(payload, ETHER_HDR_LEN + QNET_HDR_LEN);
  if (h.flags & L4_FLAG_CRC)
    h.crc = sealQnetHeader(f, v, ETHER_HDR_LEN, ETHER_HDR_LEN + QNET_HDR_LEN + payload.length);
  return f;
}

/** Why a received Qnet packet is refused. */
export type QnetDrop = "short" | "version" | "length" | "crc";

/**
 * Reads and checks the packet at `off` (first byte after the ethertype) up to `end` into `h`.
 * Returns null when it is acceptable, else the reason. With the CRC flag set the CRC must match;
 * without it (QNX's do_crc=0) the CRC field is not looked at.
 */
export function checkQnetPacket(
  b: Uint8Array,
  v: DataView,
  off: number,
  end: number,
  h: QnetHeader,
): QnetDrop | null {
  if (end - off < QNET_HDR_LEN) return "short";
  if ((b[off + 2] & 0x7f) !== QNET_VERSION) return "version";
  readQnetHeader(b, v, off, h);
  if (h.length > end - off - QNET_HDR_LEN) return "length";
  if (h.flags & L4_FLAG_CRC && qnetCrc(b, v, off, end) !== h.crc) return "crc";
  return null;
}

/**
 * Where the L4 payload of the Qnet frame `f` (Ethernet header on) ends — Ethernet padding and an
 * auth= trailer come after it — or -1 when `f` is too short to say or to hold it.
 */
export function qnetPayloadEnd(f: Uint8Array): number {
  const q = ETHER_HDR_LEN;
  if (f.length < q + QNET_HDR_LEN) return -1;
  const le = (f[q + 2] & 0x80) === 0;
  const end = q + QNET_HDR_LEN + new DataView(f.buffer, f.byteOffset + q + 30, 4).getUint32(0, le);
  return end > f.length ? -1 : end;
}
