// On a board, netrino's stack owns the Ethernet port: Linux must bring the interface up (so
// frames flow through the packet socket) but hold no address on it and answer nothing there.
// Done with sysctls (no nftables in the initramfs) and one `ip link set up`; /proc/sys and the
// link command are injectable for tests.
import { execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { KernelError } from "../../firmware/kernel/errno.ts";

export const PROC_SYS = "/proc/sys";

export interface QuietOptions {
  procSys?: string;
  /** Brings the interface up (default: `ip link set <if> up`, busybox's or iproute2's). */
  linkUp?: (ifname: string) => void;
}

/** The sysctls, relative to /proc/sys, that keep Linux silent on `ifname`. */
export function quietSysctls(ifname: string): [path: string, value: string][] {
  return [
    // Reply to no ARP request on this interface, whatever address it asks for.
    [`net/ipv4/conf/${ifname}/arp_ignore`, "8"],
    // No IPv6 on it: no link-local address, no router or neighbour solicitations.
    [`net/ipv6/conf/${ifname}/disable_ipv6`, "1"],
    // Linux has no address for our stack's ICMP, but must not answer pings it might route.
    ["net/ipv4/icmp_echo_ignore_all", "1"],
    ["net/ipv4/ip_forward", "0"],
  ];
}

function ipLinkUp(ifname: string): void {
  execFileSync("ip", ["link", "set", ifname, "up"], { stdio: ["ignore", "ignore", "pipe"] });
}

/** Applies quietSysctls and brings the link up; errors name the file or command that failed. */
export function quietHostInterface(ifname: string, opts: QuietOptions = {}): void {
  if (!/^[\w.-]{1,15}$/.test(ifname)) throw new KernelError("EINVAL", `invalid interface name "${ifname}"`);
  const root = opts.procSys ?? PROC_SYS;
  for (const [path, value] of quietSysctls(ifname)) {
    try {
      writeFileSync(join(root, path), value);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === "ENOENT" && path.includes(`/${ifname}/`))
        throw new KernelError("ENODEV", `${ifname}: no such interface (${join(root, path)} is missing)`);
      if (code === "ENOENT")
        throw new KernelError("EIO", `${join(root, path)} is missing (is /proc mounted?)`);
      if (code === "EACCES" || code === "EPERM" || code === "EROFS")
        throw new KernelError("EPERM", `${join(root, path)}: permission denied (needs root)`);
      throw new KernelError("EIO", `${join(root, path)}: ${(e as Error).message}`);
    }
  }
  try {
    (opts.linkUp ?? ipLinkUp)(ifname);
  } catch (e) {
    const msg = ((e as { stderr?: Buffer }).stderr?.toString() || (e as Error).message).trim();
    throw new KernelError("EIO", `ip link set ${ifname} up: ${msg}`);
  }
}
