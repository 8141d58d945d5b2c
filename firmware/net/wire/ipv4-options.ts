// IPv4 options on the wire (RFC 791): option numbers, the record-route option ping -R sends,
// reading the route back from a reply, and the options an echo reply reflects (BSD's
// icmp_reflect keeps record route and timestamp). Processing on input is stack/ip4-options.ts.
import { IP_HDR_LEN, ipHlen } from "./ipv4.ts";

export const IPOPT_EOL = 0;
export const IPOPT_NOP = 1;
export const IPOPT_RR = 7;
export const IPOPT_TS = 68;
export const IPOPT_LSRR = 131;
export const IPOPT_SSRR = 137;
/** Offsets inside an option: type, length, pointer (1-based, RFC 791). */
export const OPT_LEN = 1;
export const OPT_PTR = 2;
/** The smallest legal pointer of RR/TS/source routes. */
export const OPT_MINPTR = 4;

/**
 * The length of the option at `cp` in `b[..end)`: 1 for NOP, 0 at EOL or the end, -1 when its
 * length byte is missing or impossible (the one walk every option reader uses).
 */
export function ipOptionLen(b: Uint8Array, cp: number, end: number): number {
  if (cp >= end || b[cp] === IPOPT_EOL) return 0;
  if (b[cp] === IPOPT_NOP) return 1;
  if (end - cp < 2) return -1;
  const len = b[cp + OPT_LEN];
  return len < 2 || len > end - cp ? -1 : len;
}
/**
 * The options an echo reply carries back (icmp_reflect keeps record route and timestamp):
 * copied from the request's header at `off`, padded to 4 bytes; null when there are none.
 */
export function reflectedOptions(b: Uint8Array, off: number): Uint8Array | null {
  const end = off + ipHlen(b, off);
  let out: number[] | null = null;
  for (let cp = off + IP_HDR_LEN, len: number; (len = ipOptionLen(b, cp, end)) > 0; cp += len) {
    const opt = b[cp];
    if (opt === IPOPT_RR || opt === IPOPT_TS) (out ??= []).push(...b.subarray(cp, cp + len));
  }
  if (out === null) return null;
  while (out.length % 4 !== 0) out.push(IPOPT_EOL);
  return Uint8Array.from(out);
}

/** Addresses recorded so far in the record-route option among `opts` (IP options bytes; ping -R). */
export function recordedRoute(opts: Uint8Array): number[] | null {
  const b = opts;
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  for (let cp = 0, len: number; (len = ipOptionLen(b, cp, b.length)) > 0; cp += len) {
    if (b[cp] === IPOPT_RR && len >= 3) {
      const used = Math.min(b[cp + OPT_PTR], len + 1) - OPT_MINPTR;
      const addrs: number[] = [];
      for (let i = 0; i + 4 <= used; i += 4) addrs.push(v.getUint32(cp + 3 + i));
      return addrs;
    }
  }
  return null;
}

/** A record-route option with room for `slots` addresses (ping -R asks for the most: 9). */
export function recordRouteOption(slots = 9): Uint8Array {
  const o = new Uint8Array(3 + 4 * slots + 1); // + one EOL, so 9 slots make the 40-byte maximum
  o[0] = IPOPT_RR;
  o[OPT_LEN] = 3 + 4 * slots;
  o[OPT_PTR] = OPT_MINPTR;
  return o;
}
