// The internet checksum (RFC 1071) over byte ranges, and its incremental update (RFC 1624).
// Sums are kept as plain numbers and folded at the end: no allocation, no per-byte DataView calls.

/** Adds the 16-bit big-endian words of bytes[off, off+len) to `sum` (unfolded). */
export function cksumAdd(bytes: Uint8Array, off: number, len: number, sum = 0): number {
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
