// Ethernet station addresses: text form "02:00:5e:10:00:01" and helpers to make one.
import { KernelError } from "../../firmware/kernel/errno.ts";

const MAC_TEXT =
  /^([0-9a-f]{1,2})([:-])([0-9a-f]{1,2})\2([0-9a-f]{1,2})\2([0-9a-f]{1,2})\2([0-9a-f]{1,2})\2([0-9a-f]{1,2})$/i;
const MAC_BARE = /^[0-9a-f]{12}$/i;

/** Parses "aa:bb:cc:dd:ee:ff", "aa-bb-…" or "aabbccddeeff" (the io-pkt `mac=` forms). */
export function parseMac(text: string): Uint8Array {
  const t = text.trim();
  const mac = new Uint8Array(6);
  if (MAC_BARE.test(t)) {
    for (let i = 0; i < 6; i++) mac[i] = parseInt(t.slice(i * 2, i * 2 + 2), 16);
    return mac;
  }
  const m = MAC_TEXT.exec(t);
  if (!m) throw new KernelError("EINVAL", `invalid MAC address "${text}"`);
  const parts = [m[1], m[3], m[4], m[5], m[6], m[7]];
  for (let i = 0; i < 6; i++) mac[i] = parseInt(parts[i]!, 16);
  return mac;
}

export function formatMac(mac: Uint8Array): string {
  let s = "";
  for (let i = 0; i < 6; i++) s += (i ? ":" : "") + (mac[i] ?? 0).toString(16).padStart(2, "0");
  return s;
}

/** A locally administered unicast address (02:xx…) from a 32-bit seed, stable per seed. */
export function localMac(seed: number): Uint8Array {
  const s = seed >>> 0;
  return Uint8Array.of(0x02, 0x4e, (s >>> 24) & 0xff, (s >>> 16) & 0xff, (s >>> 8) & 0xff, s & 0xff);
}

export function isBroadcastOrMulticast(frame: Uint8Array): boolean {
  return ((frame[0] ?? 0) & 1) === 1;
}
