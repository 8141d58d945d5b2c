// Rates over one time window while a flood runs: each counter is sampled at the start and the
// end of the same window, so frames still buffered in the kernel when the flood stops (and
// processed afterwards) are not credited to anyone.
import { performance } from "node:perf_hooks";

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Waits `warmupMs`, then returns each counter's increase per second over the next `ms`. */
export async function ratesOver<K extends string>(
  counters: Record<K, () => number>,
  warmupMs: number,
  ms: number,
): Promise<Record<K, number>> {
  const keys = Object.keys(counters) as K[];
  await sleep(warmupMs);
  const before = keys.map((k) => counters[k]());
  const t0 = performance.now();
  await sleep(ms);
  const after = keys.map((k) => counters[k]());
  const seconds = (performance.now() - t0) / 1000;
  const out = {} as Record<K, number>;
  keys.forEach((k, i) => (out[k] = Math.round((after[i] - before[i]) / seconds)));
  return out;
}
