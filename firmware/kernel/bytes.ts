// Byte arrays the caller fills completely. `new Uint8Array(n)` zero-fills (and a fresh large
// allocation also page-faults on first write); a receive reply or a payload slab is overwritten
// right away, so on the per-datagram path that fill is a second pass over every byte for nothing.
import { Buffer } from "node:buffer";

/**
 * `n` bytes whose initial contents are unspecified (old heap memory): only for a caller that
 * writes every byte it ever exposes before the array leaves its hands. A plain Uint8Array over
 * an ArrayBuffer of its own, not a Buffer.
 */
export function unfilledBytes(n: number): Uint8Array {
  const b = Buffer.allocUnsafeSlow(n);
  return new Uint8Array(b.buffer, b.byteOffset, n);
}
