// The floor for any stack on node-pcap: a responder that answers ARP for one address and
// echo requests with a reply written in place, with no stack, queue, pulse or worker between
// capture and inject. `npm run bench -- icmp` pings it beside our io-pkt, so the part of the
// round trip that is ours shows apart from node-pcap's own wake-up and inject.
import { PcapPort } from "../../../hal/eth/pcap-port.ts";
import { internetChecksum } from "../../../firmware/net/wire/checksum.ts";
import { parseIpv4 } from "../../../firmware/net/wire/ipv4-addr.ts";

export function startPcapEchoFloor(ifname: string, addr: string): PcapPort {
  const ip = parseIpv4(addr);
  if (ip === null) throw new Error(`bad address ${addr}`);
  const port = PcapPort.open(ifname, {});
  const mac = port.mac;
  const out = new Uint8Array(port.mtu + 18);
  const view = new DataView(out.buffer);
  port.onFrame((f, len) => {
    if (len < 42 || len > out.length) return;
    const fv = new DataView(f.buffer, f.byteOffset, len);
    const type = fv.getUint16(12);
    if (type === 0x0806) {
      if (fv.getUint16(20) !== 1 || fv.getUint32(38) !== ip) return;
      out.set(f.subarray(6, 12), 0);
      out.set(mac, 6);
      view.setUint32(12, 0x08060001); // type ARP, hardware Ethernet
      view.setUint32(16, 0x08000604); // protocol IPv4, lengths 6 and 4
      view.setUint16(20, 2); // reply
      out.set(mac, 22);
      view.setUint32(28, ip);
      out.set(f.subarray(22, 32), 32); // the asker's MAC and address
      port.send(out, 42);
      return;
    }
    if (type !== 0x0800 || f[23] !== 1 || fv.getUint32(30) !== ip) return;
    const ihl = (f[14] & 0x0f) * 4;
    const icmp = 14 + ihl;
    if (len < icmp + 8 || f[icmp] !== 8) return;
    out.set(f.subarray(0, len));
    out.set(f.subarray(6, 12), 0);
    out.set(mac, 6);
    out.set(f.subarray(30, 34), 26);
    out.set(f.subarray(26, 30), 30);
    out[icmp] = 0;
    view.setUint16(icmp + 2, 0);
    view.setUint16(icmp + 2, internetChecksum(out, icmp, len - icmp));
    port.send(out, len);
  });
  return port;
}
