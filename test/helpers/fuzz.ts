// How many cases a fuzz test runs. FUZZ_ITERATIONS always wins; otherwise CI runs the full
// count an issue asks for (a million mutated inputs for the buildfile parser and the frame
// parsers) and a developer's `npm test` runs the quick count.
export function fuzzIterations(quick: number, full = quick): number {
  const env = process.env.FUZZ_ITERATIONS;
  if (env !== undefined && env !== "") return Number(env);
  return process.env.CI === "true" ? full : quick;
}

/** xorshift32: a seeded generator of uint32 values, so a failure replays from its seed. */
export function xorshift32(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x;
  };
}

/** The same generator scaled to [0, 1). */
export function seededRandom(seed: number): () => number {
  const next = xorshift32(seed);
  return () => next() / 0x1_0000_0000;
}
