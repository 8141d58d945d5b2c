// hal/eth: Ethernet ports for devnp-* drivers.
export * from "./eth-port.ts";
export { formatMac, localMac, parseMac } from "./mac.ts";
export { ImpairedPath, Impairment, type ImpairmentCounters, type ImpairmentOptions } from "./impairment.ts";
export { ImpairedEthPort, type ImpairedPortOptions } from "./impaired-port.ts";
export { VirtualWire, VirtualWirePort, type VirtualWireOptions } from "./vwire.ts";
export { UdpEthPort, type UdpPortOptions } from "./udp-port.ts";
export { UdpHub, type UdpHubOptions, type UdpHubStats } from "./udp-hub.ts";
export { DEFAULT_WIRE_PORT, parseEndpoint, formatEndpoint, type UdpEndpoint } from "./udp-endpoint.ts";
export { PcapPort, type PcapPortOptions } from "./pcap-port.ts";
