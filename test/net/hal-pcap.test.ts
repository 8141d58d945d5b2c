// PcapPort (libpcap on the runtime's event loop) on a real veth pair with Linux as the peer:
// the shared pcap port contract (test/net/lib/pcap-port-contract.ts).
import { describe } from "vitest";
import { PcapPort } from "../../hal/eth/pcap-port.ts";
import { canUseNetns, hasCommand, requirement } from "../helpers/requirements.ts";
import { pcapPortContract } from "./lib/pcap-port-contract.ts";
import { hasPcapModule } from "./lib/pcap-module.ts";

const skip = requirement("hal-pcap", {
  "root and network namespaces": canUseNetns(),
  "arping (iputils)": hasCommand("arping"),
  tcpdump: hasCommand("tcpdump"),
  'the npm package "pcap" with libpcap': hasPcapModule(),
});

describe.skipIf(skip)("PcapPort on a veth pair with Linux as the peer", () => {
  pcapPortContract("hp", "10.77.0", (ifname) => PcapPort.open(ifname, { linkPollMs: 100 }));
});
