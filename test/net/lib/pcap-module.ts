// Whether node-pcap (and the libpcap it links) loads here: the requirement every suite that
// drives devnp-pcap or PcapPort names.
import { createRequire } from "node:module";

export function hasPcapModule(): boolean {
  try {
    createRequire(import.meta.url)("pcap");
    return true;
  } catch {
    return false;
  }
}
