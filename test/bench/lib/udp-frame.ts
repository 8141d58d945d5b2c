// A complete Ethernet II / IPv4 / UDP frame of an exact size with valid IP and UDP checksums,
// built with the stack's own wire writers so the flood is exactly what the stack accepts.
import { ETHERTYPE_IPV4, writeEtherHeader } from "../../../firmware/net/wire/ethernet.ts";
import { writeIpv4Header } from "../../../firmware/net/wire/ipv4.ts";
import { udpFillCksum, writeUdpHeader } from "../../../firmware/net/wire/udp.ts";

const ETH_HLEN = 14;
const IP_HLEN = 20;
const IPPROTO_UDP = 17;
/** The discard port: nothing answers it, which is the point of a receive flood. */
const DISCARD_PORT = 9;

export interface UdpFrameSpec {
  /** Frame length without the FCS (60 … 1514). */
  size: number;
  dstMac: number;
  srcMac: number;
  srcIp: number;
  dstIp: number;
}

export function udpFrame(s: UdpFrameSpec): Uint8Array {
  if (s.size < 60 || s.size > 1514) throw new RangeError(`frame size ${s.size} outside 60…1514`);
  const f = new Uint8Array(s.size);
  const v = new DataView(f.buffer);
  const ipLen = s.size - ETH_HLEN;
  const udpLen = ipLen - IP_HLEN;
  writeEtherHeader(f, 0, s.dstMac, s.srcMac, ETHERTYPE_IPV4);
  writeIpv4Header(f, v, ETH_HLEN, 0, ipLen, 1, 0, 64, IPPROTO_UDP, s.srcIp, s.dstIp);
  const u = ETH_HLEN + IP_HLEN;
  writeUdpHeader(f, u, 40000, DISCARD_PORT, udpLen);
  for (let i = u + 8; i < s.size; i++) f[i] = i & 0xff;
  udpFillCksum(f, u, udpLen, s.srcIp, s.dstIp);
  return f;
}
