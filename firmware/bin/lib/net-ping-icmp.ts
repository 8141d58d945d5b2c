// What ping reads off its raw ICMP socket: each datagram arrives whole (IP header first), as
// on BSD. An echo reply carrying our identifier, or an ICMP error quoting one of our echo
// requests, becomes an event; anything else (other pings' replies, requests to us) is null.
import { ECHO_EV_ERROR, ECHO_EV_REPLY } from "../../net/control/protocol.ts";
import type { EchoEvent } from "../../net/control/client.ts";
import {
  ICMP_ECHO,
  ICMP_ECHOREPLY,
  ICMP_HDR_LEN,
  ICMP_PARAMPROB,
  ICMP_SOURCEQUENCH,
  ICMP_TIMXCEED,
  ICMP_UNREACH,
  ICMP_UNREACH_NEEDFRAG,
  icmpFillCksum,
  writeIcmpHeader,
} from "../../net/wire/icmp.ts";
import { IP_HDR_LEN, IPPROTO_ICMP, ipHlen } from "../../net/wire/ipv4.ts";

/** An echo request with `data` after the 8-byte header, checksummed (raw sockets leave it to us). */
export function echoRequest(id: number, seq: number, data: Uint8Array): Uint8Array {
  const b = new Uint8Array(ICMP_HDR_LEN + data.byteLength);
  writeIcmpHeader(b, 0, ICMP_ECHO, 0, ((id & 0xffff) << 16) | (seq & 0xffff));
  b.set(data, ICMP_HDR_LEN);
  icmpFillCksum(b, 0, b.byteLength);
  return b;
}

function u16(b: Uint8Array, off: number): number {
  return (b[off] << 8) | b[off + 1];
}

/** The event `pkt` (a datagram from the raw socket, IP header first) means for echo id `id`. */
export function parseEchoDatagram(
  pkt: Uint8Array,
  from: number,
  id: number,
  rxTimeUs: number,
): EchoEvent | null {
  if (pkt.byteLength < IP_HDR_LEN) return null;
  const hlen = ipHlen(pkt, 0);
  const icmpLen = pkt.byteLength - hlen;
  if (hlen < IP_HDR_LEN || icmpLen < ICMP_HDR_LEN) return null;
  const type = pkt[hlen];
  const code = pkt[hlen + 1];
  const none = new Uint8Array(0);
  if (type === ICMP_ECHOREPLY) {
    if (u16(pkt, hlen + 4) !== (id & 0xffff)) return null;
    return {
      kind: ECHO_EV_REPLY,
      from,
      seq: u16(pkt, hlen + 6),
      ttl: pkt[8],
      icmpLen,
      type: 0,
      code: 0,
      mtu: 0,
      rxTimeUs,
      data: pkt.slice(hlen + ICMP_HDR_LEN),
      ipOptions: pkt.slice(IP_HDR_LEN, hlen),
    };
  }
  if (
    type !== ICMP_UNREACH &&
    type !== ICMP_TIMXCEED &&
    type !== ICMP_PARAMPROB &&
    type !== ICMP_SOURCEQUENCH
  )
    return null;
  // The error quotes our request's IP header and at least its first 8 bytes (RFC 792).
  const q = hlen + ICMP_HDR_LEN;
  if (pkt.byteLength < q + IP_HDR_LEN || pkt[q + 9] !== IPPROTO_ICMP) return null;
  const qi = q + ipHlen(pkt, q);
  if (pkt.byteLength < qi + ICMP_HDR_LEN || pkt[qi] !== ICMP_ECHO || u16(pkt, qi + 4) !== (id & 0xffff))
    return null;
  return {
    kind: ECHO_EV_ERROR,
    from,
    seq: u16(pkt, qi + 6),
    ttl: 0,
    icmpLen,
    type,
    code,
    mtu: type === ICMP_UNREACH && code === ICMP_UNREACH_NEEDFRAG ? u16(pkt, hlen + 6) : 0,
    rxTimeUs,
    data: none,
    ipOptions: none,
  };
}
