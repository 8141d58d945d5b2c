// nicinfo's dot-leader layout, as io-pkt drivers print it:
//   en0:
//     devnp-pcap Ethernet Controller
//
//     Link is UP
//
//     Physical Node ID ........................... 02:00:00 00:00:01
import { IFF_PROMISC, IFF_UP } from "../../net/stack/ifnet.ts";
import { formatMac } from "../../net/wire/mac.ts";
import type { IfView } from "./net-view.ts";

/** The value column starts at 47, as in QNX's nicinfo. */
const VALUE_COLUMN = 47;

/** `  Label ........ value` with the value at column 47 (indent 2, or 4 for sub-items). */
export function dotLine(label: string, value: string | number, indent = 2): string {
  const lead = `${" ".repeat(indent)}${label} `;
  const dots = Math.max(3, VALUE_COLUMN - 1 - lead.length);
  return `${lead}${".".repeat(dots)} ${value}\n`;
}

/** One dotLine per `[label, value]` row, in order. */
export function dotLines(rows: readonly (readonly [string, string | number])[]): string {
  return rows.map(([label, value]) => dotLine(label, value)).join("");
}

/** `000bdb e5eec6`: nicinfo's node ID spelling (two groups of six hex digits). */
export function nodeId(mac: number): string {
  const hex = formatMac(mac).replaceAll(":", "");
  return `${hex.slice(0, 6)} ${hex.slice(6)}`;
}

export function formatNicinfo(ifv: IfView): string {
  let out = `${ifv.name}:\n`;
  out += `  ${ifv.description ?? `${ifv.driver ?? ifv.type} ${ifv.type === "loopback" ? "Loopback" : "Ethernet"} Controller`}\n\n`;
  out += `  Link is ${ifv.linkUp && ifv.flags & IFF_UP ? "UP" : "DOWN"}\n\n`;
  if (ifv.mac !== 0) {
    out += dotLine("Physical Node ID", nodeId(ifv.mac));
    out += dotLine("Current Physical Node ID", nodeId(ifv.mac));
  }
  if (ifv.speedMbps !== undefined) {
    const duplex = ifv.fullDuplex === false ? "half-duplex" : "full-duplex";
    out += dotLine("Current Operation Rate", `${ifv.speedMbps.toFixed(2)} Mb/s ${duplex}`);
  }
  out += dotLine("Maximum Transmittable data Unit", ifv.mtu);
  out += dotLine("Maximum Receivable data Unit", ifv.mru ?? ifv.mtu);
  if (ifv.priority !== undefined) out += dotLine("Receive Pulse Priority", ifv.priority);
  out += dotLine("Promiscuous Mode", ifv.flags & IFF_PROMISC ? "On" : "Off");
  out += dotLine("Multicast Support", "Enabled");
  const c = ifv.counters;
  out += "\n";
  out += dotLines([
    ["Packets Transmitted OK", c.opackets],
    ["Bytes Transmitted OK", c.obytes],
    ["Broadcast Packets Transmitted OK", c.obcasts],
    ["Multicast Packets Transmitted OK", c.omcasts],
    ["Transmit Errors", c.oerrors],
    ["Packets Dropped on Transmit", c.oqdrops],
  ]);
  out += "\n";
  out += dotLines([
    ["Packets Received OK", c.ipackets],
    ["Bytes Received OK", c.ibytes],
    ["Broadcast Packets Received OK", c.ibcasts],
    ["Multicast Packets Received OK", c.imcasts],
    ["Receive Errors", c.ierrors],
    ["Packets Dropped on Receive", c.iqdrops],
  ]);
  // Where those drops happened, bottom up; the rest of iqdrops is the stack's own (not for
  // us, unknown protocol, full loopback queue).
  const d = ifv.rxDrops;
  if (d !== undefined) {
    out += dotLine("Dropped by Host Interface", d.hostIf, 4);
    out += dotLine("Receive Ring Overruns", d.ring, 4);
    out += dotLine("Dropped by Port", d.port, 4);
    out += dotLine("Receive Queue Overflows", d.queue, 4);
    out += dotLine("Memory Allocation Failures on Receive", d.nobufs, 4);
  }
  out += "\n";
  out += dotLine("Collisions", c.collisions);
  return out;
}
