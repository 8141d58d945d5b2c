// Builders of raw frames for tests, written with the wire helpers.
import { writeArp } from "../../../firmware/net/wire/arp.ts";
import { ETHERTYPE_ARP, ETHERTYPE_IPV4, writeEtherHeader } from "../../../firmware/net/wire/ethernet.ts";
import { ICMP_ECHO, icmpFillCksum, writeIcmpHeader } from "../../../firmware/net/wire/icmp.ts";
import { IPPROTO_ICMP, IPPROTO_UDP, writeIpv4Header } from "../../../firmware/net/wire/ipv4.ts";
import { udpFillCksum, writeUdpHeader } from "../../../firmware/net/wire/udp.ts";

export const MAC_A = 0x020000000001;
export const MAC_B = 0x020000000002;

/** Ethernet + IPv4 (no options) around `payload`; offWord carries DF/MF/offset. */
export function ipFrame(o: {
  src: number;
  dst: number;
  proto: number;
  payload: Uint8Array;
  id?: number;
  offWord?: number;
  ttl?: number;
  dstMac?: number;
  srcMac?: number;
}): Uint8Array {
  const f = new Uint8Array(14 + 20 + o.payload.length);
  const v = new DataView(f.buffer);
  writeEtherHeader(f, 0, o.dstMac ?? MAC_B, o.srcMac ?? MAC_A, ETHERTYPE_IPV4);
  writeIpv4Header(
    f,
    v,
    14,
    0,
    20 + o.payload.length,
    o.id ?? 1,
    o.offWord ?? 0,
    o.ttl ?? 64,
    o.proto,
    o.src,
    o.dst,
  );
  f.set(o.payload, 34);
  return f;
}

/** An ICMP echo request message (header + data) with its checksum. */
export function echoMessage(id: number, seq: number, data: Uint8Array): Uint8Array {
  const m = new Uint8Array(8 + data.length);
  writeIcmpHeader(m, 0, ICMP_ECHO, 0, ((id << 16) | seq) >>> 0);
  m.set(data, 8);
  icmpFillCksum(m, 0, m.length);
  return m;
}

export function echoFrame(
  src: number,
  dst: number,
  id: number,
  seq: number,
  data: Uint8Array,
  dstMac = MAC_B,
) {
  return ipFrame({ src, dst, proto: IPPROTO_ICMP, payload: echoMessage(id, seq, data), dstMac });
}

/** Splits an IP payload into fragment frames of `chunk` bytes (multiple of 8). */
export function fragmentFrames(
  src: number,
  dst: number,
  proto: number,
  payload: Uint8Array,
  chunk: number,
  id = 77,
) {
  const out: Uint8Array[] = [];
  for (let start = 0; start < payload.length; start += chunk) {
    const end = Math.min(payload.length, start + chunk);
    const mf = end < payload.length ? 0x2000 : 0;
    out.push(
      ipFrame({ src, dst, proto, payload: payload.subarray(start, end), id, offWord: mf | (start >> 3) }),
    );
  }
  return out;
}

export function udpFrame(
  src: number,
  dst: number,
  sport: number,
  dport: number,
  data: Uint8Array,
  dstMac = MAC_B,
) {
  const u = new Uint8Array(8 + data.length);
  writeUdpHeader(u, 0, sport, dport, u.length);
  u.set(data, 8);
  udpFillCksum(u, 0, u.length, src, dst);
  return ipFrame({ src, dst, proto: IPPROTO_UDP, payload: u, dstMac });
}

export function arpFrame(
  op: number,
  sha: number,
  spa: number,
  tha: number,
  tpa: number,
  dstMac = 0xffffffffffff,
) {
  const f = new Uint8Array(42);
  writeEtherHeader(f, 0, dstMac, sha, ETHERTYPE_ARP);
  writeArp(f, new DataView(f.buffer), 14, op, sha, spa, tha, tpa);
  return f;
}
