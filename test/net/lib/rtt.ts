// Round-trip times from Linux's ping: every `time=0.123 ms` line, and percentiles in µs.

/** The per-reply round-trip times (ms) of a `ping` run without -q. */
export function pingTimes(text: string): number[] {
  const out: number[] = [];
  for (const m of text.matchAll(/ time=([\d.]+) ms/g)) out.push(Number(m[1]));
  return out;
}

/** The p-th percentile (0..100) of `values`, nearest rank; NaN when empty. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank];
}

/** p50 and p99 in whole microseconds of times given in milliseconds. */
export function p50p99us(ms: readonly number[]): { p50: number; p99: number } {
  return { p50: Math.round(percentile(ms, 50) * 1000), p99: Math.round(percentile(ms, 99) * 1000) };
}
