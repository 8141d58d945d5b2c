// The floor for any stack on node-pcap: a responder that answers ARP for one address and
// echo requests with a reply written in place, with no stack, queue, pulse or worker between
// capture and inject. `npm run bench -- icmp` pings it beside our io-pkt, so the part of the
// round trip that is ours shows apart from node-pcap's own wake-up and inject.
import { PcapPort } from "../../../hal/eth/pcap-port.ts";
import { bytesToMac } from "../../../firmware/net/drivers/mac-bytes.ts";
import {
  ARPOP_REPLY,
  ARPOP_REQUEST,
  arpOp,
  arpSha,
  arpSpa,
  arpTpa,
  writeArp,
} from "../../../firmware/net/wire/arp.ts";
import {
  ETHER_HDR_LEN,
  ETHERTYPE_ARP,
  ETHERTYPE_IPV4,
  etherSrc,
  etherType,
  writeEtherHeader,
} from "../../../firmware/net/wire/ethernet.ts";
import { ICMP_ECHO, ICMP_ECHOREPLY, icmpFillCksum } from "../../../firmware/net/wire/icmp.ts";
import { parseIpv4 } from "../../../firmware/net/wire/ipv4-addr.ts";

export function startPcapEchoFloor(ifname: string, addr: string): PcapPort {
  const ip = parseIpv4(addr);
  if (ip === null) throw new Error(`bad address ${addr}`);
  const port = PcapPort.open(ifname, {});
  const mac = bytesToMac(port.mac);
  const out = new Uint8Array(port.mtu + 18);
  const view = new DataView(out.buffer);
  port.onFrame((f, len) => {
    if (len < 42 || len > out.length) return;
    const fv = new DataView(f.buffer, f.byteOffset, len);
    const type = etherType(f, 0);
    const from = etherSrc(f, 0);
    if (type === ETHERTYPE_ARP) {
      if (arpOp(f, ETHER_HDR_LEN) !== ARPOP_REQUEST || arpTpa(fv, ETHER_HDR_LEN) !== ip) return;
      writeEtherHeader(out, 0, from, mac, ETHERTYPE_ARP);
      writeArp(
        out,
        view,
        ETHER_HDR_LEN,
        ARPOP_REPLY,
        mac,
        ip,
        arpSha(f, ETHER_HDR_LEN),
        arpSpa(fv, ETHER_HDR_LEN),
      );
      port.send(out, 42);
      return;
    }
    const icmp = ETHER_HDR_LEN + (f[ETHER_HDR_LEN] & 0x0f) * 4;
    if (type !== ETHERTYPE_IPV4 || f[23] !== 1 || fv.getUint32(30) !== ip) return;
    if (len < icmp + 8 || f[icmp] !== ICMP_ECHO) return;
    // The request turned around: addresses swapped, type changed, checksum again.
    out.set(f.subarray(0, len));
    writeEtherHeader(out, 0, from, mac, ETHERTYPE_IPV4);
    out.set(f.subarray(30, 34), 26);
    out.set(f.subarray(26, 30), 30);
    out[icmp] = ICMP_ECHOREPLY;
    icmpFillCksum(out, icmp, len - icmp);
    port.send(out, len);
  });
  return port;
}
