// SYN cookies: when the SYN cache would overflow (or always, `net.inet.tcp.syncookies=2`) the
// SYN-ACK's ISS carries a 24-bit MAC, 6 bits of a 64 s counter and a 2-bit MSS index; nothing is
// stored. The returning ACK proves the handshake. Window scaling and SACK are off for such
// connections (no room to remember them); timestamps are echoed from the ACK.
import type { IsnGenerator } from "./isn.ts";

export const COOKIE_MSS = [536, 1300, 1440, 1460] as const;
const PERIOD_MS = 64_000;

function mssIndex(mss: number): number {
  let idx = 0;
  for (let i = 0; i < COOKIE_MSS.length; i++) if (COOKIE_MSS[i] <= mss) idx = i;
  return idx;
}

export function cookieIss(
  isn: IsnGenerator,
  now: number,
  laddr: number,
  lport: number,
  faddr: number,
  fport: number,
  irs: number,
  peerMss: number,
): number {
  const bits = ((Math.floor(now / PERIOD_MS) & 0x3f) << 2) | mssIndex(peerMss);
  return ((isn.cookieMac(laddr, lport, faddr, fport, irs, bits) << 8) | bits) >>> 0;
}

/** The MSS a valid cookie (ISS = ack − 1) encodes, or −1 when forged or older than 2 periods. */
export function cookieCheck(
  isn: IsnGenerator,
  now: number,
  laddr: number,
  lport: number,
  faddr: number,
  fport: number,
  irs: number,
  iss: number,
): number {
  const bits = iss & 0xff;
  const age = (Math.floor(now / PERIOD_MS) - (bits >> 2)) & 0x3f;
  if (age > 1) return -1;
  if (iss >>> 8 !== isn.cookieMac(laddr, lport, faddr, fport, irs, bits)) return -1;
  return COOKIE_MSS[bits & 3];
}
