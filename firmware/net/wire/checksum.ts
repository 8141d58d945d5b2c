// The internet checksum (RFC 1071) over byte ranges, and its incremental update (RFC 1624).
// Sums are kept as plain numbers and folded at the end: no allocation, no per-byte DataView calls.

/** Whether this host stores words little-endian (every board and the development host do). */
const HOST_LE = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;
/** Ranges at least this long are summed 32 bits per load (a view costs more on short ones). */
const WIDE_MIN = 256;

/** Adds the 16-bit big-endian words of bytes[off, off+len) to `sum` (unfolded). */
export function cksumAdd(bytes: Uint8Array, off: number, len: number, sum = 0): number {
  if (len >= WIDE_MIN && ((bytes.byteOffset + off) & 1) === 0) return cksumAddWide(bytes, off, len, sum);
  let i = off;
  // Four words per turn (a received datagram's payload is summed on every input: the loop's
  // own cost matters), then the rest a word at a time.
  const end8 = off + (len & ~7);
  while (i < end8) {
    sum +=
      ((bytes[i] << 8) | bytes[i + 1]) +
      ((bytes[i + 2] << 8) | bytes[i + 3]) +
      ((bytes[i + 4] << 8) | bytes[i + 5]) +
      ((bytes[i + 6] << 8) | bytes[i + 7]);
    i += 8;
  }
  const end = off + len - 1;
  while (i < end) {
    sum += (bytes[i] << 8) | bytes[i + 1];
    i += 2;
  }
  if (i === end) sum += bytes[i] << 8; // odd trailing byte, padded with zero
  // Fold now and then so the number stays a small integer even for 64 KiB datagrams.
  return (sum & 0xffff) + Math.floor(sum / 0x10000);
}

/**
 * cksumAdd for long, even-aligned ranges (payloads of full-size frames): one 32-bit load per two
 * words, about 2–3× fewer operations than byte pairs. The one's-complement sum does not depend
 * on byte order (RFC 1071 §2(B)): words loaded in host order are summed, folded, and the folded
 * sum swapped back once.
 */
function cksumAddWide(bytes: Uint8Array, off: number, len: number, sum: number): number {
  let at = bytes.byteOffset + off;
  let i = off;
  if ((at & 2) !== 0) {
    sum += (bytes[i] << 8) | bytes[i + 1];
    i += 2;
    at += 2;
    len -= 2;
  }
  const n = len >>> 2;
  const w = new Uint32Array(bytes.buffer, at, n);
  // Low and high halves apart: each stays a small integer (n < 2^15 for any IPv4 datagram).
  let lo = 0;
  let hi = 0;
  let k = 0;
  const n4 = n & ~3;
  while (k < n4) {
    const w0 = w[k];
    const w1 = w[k + 1];
    const w2 = w[k + 2];
    const w3 = w[k + 3];
    lo += (w0 & 0xffff) + (w1 & 0xffff) + (w2 & 0xffff) + (w3 & 0xffff);
    hi += (w0 >>> 16) + (w1 >>> 16) + (w2 >>> 16) + (w3 >>> 16);
    k += 4;
  }
  while (k < n) {
    const x = w[k++];
    lo += x & 0xffff;
    hi += x >>> 16;
  }
  let s = lo + hi;
  while (s > 0xffff) s = (s & 0xffff) + (s >>> 16);
  if (HOST_LE) s = ((s & 0xff) << 8) | (s >>> 8);
  sum += s;
  i += n << 2;
  const end = i + (len & 3) - 1;
  while (i < end) {
    sum += (bytes[i] << 8) | bytes[i + 1];
    i += 2;
  }
  if (i === end) sum += bytes[i] << 8;
  return (sum & 0xffff) + Math.floor(sum / 0x10000);
}

/** Folds a running sum to 16 bits and complements it: the value to store in a header. */
export function cksumFinish(sum: number): number {
  while (sum > 0xffff) sum = (sum & 0xffff) + Math.floor(sum / 0x10000);
  return ~sum & 0xffff;
}

/** The checksum of bytes[off, off+len). A range that already holds its checksum sums to 0. */
export function internetChecksum(bytes: Uint8Array, off: number, len: number): number {
  return cksumFinish(cksumAdd(bytes, off, len, 0));
}

/** RFC 1624 eqn. 3: the new checksum after one 16-bit word changed from `oldWord` to `newWord`. */
export function cksumAdjust(cksum: number, oldWord: number, newWord: number): number {
  let sum = (~cksum & 0xffff) + (~oldWord & 0xffff) + (newWord & 0xffff);
  sum = (sum & 0xffff) + (sum >>> 16);
  sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

/** The sum of the IPv4 pseudo header used by UDP and TCP (RFC 768, RFC 793). */
export function pseudoHeaderSum(src: number, dst: number, proto: number, len: number): number {
  return (src >>> 16) + (src & 0xffff) + (dst >>> 16) + (dst & 0xffff) + proto + len;
}
