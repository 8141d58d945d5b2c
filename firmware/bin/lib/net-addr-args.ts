// Address operands the network utilities share: hosts, networks with a length or a mask, and
// the classful default netmask BSD tools still fall back to when none is given.
import { UsageError } from "./getopt.ts";
import { parseIpv4, parseNetmask } from "../../net/wire/ipv4-addr.ts";

/** Class A /8, B /16, C /24 (what BSD ifconfig assumes when no netmask is given). */
export function classfulPrefix(addr: number): number {
  const top = addr >>> 24;
  if (top < 128) return 8;
  if (top < 192) return 16;
  return 24;
}

/** A dotted quad or throws a UsageError naming `what`. */
export function requireIpv4(text: string, what = "address"): number {
  const a = parseIpv4(text);
  if (a === null) throw new UsageError(`${text}: bad ${what}`);
  return a;
}

/** A netmask in any notation (`255.255.255.0`, `0xffffff00`, `24`, `/24`) as a prefix length. */
export function requireNetmask(text: string): number {
  const len = parseNetmask(text);
  if (len < 0) throw new UsageError(`${text}: bad netmask`);
  return len;
}

/**
 * `10.0.0.1`, `10.0.0.1/24`, and BSD's short network forms (`10/8`, `10.1/16`, `10.1`).
 * `prefixLen` is null when the text gave none.
 */
export function parseAddrOperand(text: string): { addr: number; prefixLen: number | null } | null {
  const slash = text.indexOf("/");
  const addrText = slash < 0 ? text : text.slice(0, slash);
  let prefixLen: number | null = null;
  if (slash >= 0) {
    const p = text.slice(slash + 1);
    if (!/^\d{1,2}$/.test(p) || Number(p) > 32) return null;
    prefixLen = Number(p);
  }
  const parts = addrText.split(".");
  if (parts.length > 4 || parts.some((x) => !/^\d{1,3}$/.test(x))) return null;
  const given = parts.length;
  while (parts.length < 4) parts.push("0");
  const addr = parseIpv4(parts.join("."));
  if (addr === null) return null;
  // `10.1` written short means the network 10.1/16.
  if (prefixLen === null && given < 4) prefixLen = given * 8;
  return { addr, prefixLen };
}
