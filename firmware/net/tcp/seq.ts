// 32-bit modular sequence arithmetic (RFC 9293 §3.4) on plain numbers: `| 0` gives the signed
// distance, `>>> 0` keeps results unsigned. Everything in TCP compares sequence numbers with these.

/** a − b as a signed distance in (−2^31, 2^31]. */
export function seqDiff(a: number, b: number): number {
  return (a - b) | 0;
}
export function seqLt(a: number, b: number): boolean {
  return ((a - b) | 0) < 0;
}
export function seqLeq(a: number, b: number): boolean {
  return ((a - b) | 0) <= 0;
}
export function seqGt(a: number, b: number): boolean {
  return ((a - b) | 0) > 0;
}
export function seqGeq(a: number, b: number): boolean {
  return ((a - b) | 0) >= 0;
}
export function seqAdd(a: number, n: number): number {
  return (a + n) >>> 0;
}
export function seqMax(a: number, b: number): number {
  return seqGt(a, b) ? a : b;
}
export function seqMin(a: number, b: number): number {
  return seqLt(a, b) ? a : b;
}
