// Qnet's frame check: CRC-32 with polynomial 0x04C11DB7, MSB first, initial value 0 and no final
// XOR (the MPEG-2 shift with a zero seed), which is what Wireshark's qnet6 dissector checks.
// Table-driven and incremental so the hot path hashes header and payload without copying.

function makeTable(): Uint32Array {
  const t = new Uint32Array(256);
  for (let i = 0; i < 256; i++) {
    let c = i << 24;
    for (let k = 0; k < 8; k++) c = c & 0x80000000 ? (c << 1) ^ 0x04c11db7 : c << 1;
    t[i] = c >>> 0;
  }
  return t;
}

const TABLE = makeTable();

/** Continues `crc` over `b[from, to)`. Start with 0. */
export function crcUpdate(crc: number, b: Uint8Array, from: number, to: number): number {
  let c = crc >>> 0;
  for (let i = from; i < to; i++) c = ((c << 8) ^ TABLE[((c >>> 24) ^ b[i]) & 0xff]) >>> 0;
  return c;
}

/** Continues `crc` over `n` zero bytes (the CRC field's place in the coverage). */
export function crcZeros(crc: number, n: number): number {
  let c = crc >>> 0;
  for (let i = 0; i < n; i++) c = ((c << 8) ^ TABLE[(c >>> 24) & 0xff]) >>> 0;
  return c;
}
