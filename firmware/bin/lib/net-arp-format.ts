// `arp -a` lines, BSD style:
//   ? (10.0.0.2) at 02:00:00:00:00:02 on en0 expires in 1195 seconds [ethernet]
//   ? (10.0.0.9) at (incomplete) on en0 expired [ethernet]
//   ? (10.0.0.7) at 02:00:00:00:00:07 on en0 permanent published [ethernet]
import { formatIpv4 } from "../../net/wire/ipv4-addr.ts";
import { formatMac } from "../../net/wire/mac.ts";
import type { ArpView } from "./net-view.ts";

export function formatArpEntry(e: ArpView, name = "?"): string {
  const at = e.mac >= 0 ? formatMac(e.mac) : "(incomplete)";
  let life: string;
  if (e.state === "PERMANENT") life = "permanent";
  else if (e.mac < 0 || e.expiresInSec <= 0) life = "expired";
  else life = `expires in ${Math.ceil(e.expiresInSec)} seconds`;
  return `${name} (${formatIpv4(e.ip)}) at ${at} on ${e.ifname} ${life}${e.published ? " published" : ""} [ethernet]\n`;
}

export function formatArpTable(entries: readonly ArpView[]): string {
  return entries.map((e) => formatArpEntry(e)).join("");
}
