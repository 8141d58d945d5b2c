// Linux's own per-interface counters (sysfs), read in this process's namespace: the number of
// frames the veth actually carried to our end, independent of who counts them afterwards.
import { readFileSync } from "node:fs";

export function linkCounter(ifname: string, counter: "rx_packets" | "tx_packets" | "rx_dropped"): number {
  return Number(readFileSync(`/sys/class/net/${ifname}/statistics/${counter}`, "utf8").trim());
}
