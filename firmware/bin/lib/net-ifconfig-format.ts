// ifconfig's output, NetBSD style (what QNX's io-pkt ifconfig prints):
//   en0: flags=8843<UP,BROADCAST,RUNNING,SIMPLEX,MULTICAST> mtu 1500
//           address: 02:00:00:00:00:01
//           media: Ethernet autoselect (1000baseT full-duplex)
//           status: active
//           inet 10.0.0.1 netmask 0xffffff00 broadcast 10.0.0.255
//           inet alias 10.0.0.2 netmask 0xffffff00 broadcast 10.0.0.255
import { formatIfFlags, IFF_LOOPBACK, IFF_UP } from "../../net/stack/ifnet.ts";
import { formatIpv4, prefixToMask } from "../../net/wire/ipv4-addr.ts";
import { formatMac } from "../../net/wire/mac.ts";
import type { IfView } from "./net-view.ts";

/** `0xffffff00`, as NetBSD prints netmasks. */
export function hexMask(prefixLen: number): string {
  return `0x${prefixToMask(prefixLen).toString(16).padStart(8, "0")}`;
}

/** The media line's text: the driver's media string plus speed/duplex when known. */
export function mediaText(ifv: IfView): string {
  if (!ifv.media) return "";
  if (ifv.speedMbps === undefined || ifv.media.includes("(")) return ifv.media;
  const base = ifv.speedMbps >= 1000 ? `${ifv.speedMbps}baseT` : `${ifv.speedMbps}baseTX`;
  return `${ifv.media} (${base}${ifv.fullDuplex === false ? " half-duplex" : " full-duplex"})`;
}

/** The whole stanza for one interface, newline-terminated. */
export function formatIfconfig(ifv: IfView): string {
  const lines = [`${ifv.name}: flags=${formatIfFlags(ifv.flags)} mtu ${ifv.mtu}`];
  const loopback = (ifv.flags & IFF_LOOPBACK) !== 0 || ifv.type === "loopback";
  if (!loopback && ifv.mac !== 0) lines.push(`\taddress: ${formatMac(ifv.mac)}`);
  const media = mediaText(ifv);
  if (!loopback && media) {
    lines.push(`\tmedia: ${media}`);
    lines.push(`\tstatus: ${ifv.linkUp ? "active" : "no carrier"}`);
  }
  ifv.addrs.forEach((a, i) => {
    const alias = i > 0 ? " alias" : "";
    const bcast = a.broadcast !== 0 ? ` broadcast ${formatIpv4(a.broadcast)}` : "";
    lines.push(`\tinet${alias} ${formatIpv4(a.addr)} netmask ${hexMask(a.prefixLen)}${bcast}`);
  });
  return lines.join("\n") + "\n";
}

/** `ifconfig -l`: the names on one line (`-u` only up ones, `-d` only down ones). */
export function formatIfList(ifs: readonly IfView[], only: "all" | "up" | "down" = "all"): string {
  const pick = ifs.filter((i) => only === "all" || ((i.flags & IFF_UP) !== 0) === (only === "up"));
  return pick.map((i) => i.name).join(" ") + "\n";
}
