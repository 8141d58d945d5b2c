// What Linux says about a network interface, from /sys/class/net/<if>/ (root injectable so
// tests can use a fake tree).
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { KernelError } from "../../firmware/kernel/errno.ts";
import { parseMac } from "./mac.ts";

export const SYSFS_NET = "/sys/class/net";

function readAttr(root: string, ifname: string, attr: string): string | null {
  try {
    return readFileSync(join(root, ifname, attr), "utf8").trim();
  } catch {
    return null;
  }
}

/** Refuses names that would escape the sysfs directory. */
function checkName(ifname: string): void {
  if (ifname === "" || ifname.length > 15 || /[/\s]/.test(ifname) || ifname === "." || ifname === "..") {
    throw new KernelError("EINVAL", `invalid interface name "${ifname}"`);
  }
}

export function interfaceExists(ifname: string, root = SYSFS_NET): boolean {
  checkName(ifname);
  return readAttr(root, ifname, "address") !== null || readAttr(root, ifname, "operstate") !== null;
}

/** The interface's hardware address; ENODEV when there is no such interface. */
export function readMac(ifname: string, root = SYSFS_NET): Uint8Array {
  checkName(ifname);
  const text = readAttr(root, ifname, "address");
  if (text === null) throw new KernelError("ENODEV", `no network interface "${ifname}"`);
  return parseMac(text);
}

export function readMtu(ifname: string, root = SYSFS_NET): number | null {
  checkName(ifname);
  const text = readAttr(root, ifname, "mtu");
  const n = text === null ? NaN : Number(text);
  return Number.isInteger(n) && n > 0 ? n : null;
}

/** Carrier as Linux reports it: operstate "up", or "unknown" (drivers that do not report
 * operstate, e.g. tun) with carrier 1. A missing interface is down. */
export function readLinkUp(ifname: string, root = SYSFS_NET): boolean {
  checkName(ifname);
  const state = readAttr(root, ifname, "operstate");
  if (state === "up") return true;
  if (state === "unknown") return readAttr(root, ifname, "carrier") === "1";
  return false;
}

/** How often the carrier came and went (carrier_changes); null where Linux does not say. */
export function readCarrierChanges(ifname: string, root = SYSFS_NET): number | null {
  checkName(ifname);
  const text = readAttr(root, ifname, "carrier_changes");
  const n = text === null ? NaN : Number(text);
  return Number.isInteger(n) ? n : null;
}
