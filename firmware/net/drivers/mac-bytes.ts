// The stack keeps MACs as 48-bit numbers, hal ports as six bytes.

export function macToBytes(mac: number): Uint8Array {
  const out = new Uint8Array(6);
  let v = mac;
  for (let i = 5; i >= 0; i--) {
    out[i] = v % 256;
    v = Math.floor(v / 256);
  }
  return out;
}

export function bytesToMac(b: Uint8Array): number {
  let v = 0;
  for (let i = 0; i < 6; i++) v = v * 256 + (b[i] ?? 0);
  return v;
}
