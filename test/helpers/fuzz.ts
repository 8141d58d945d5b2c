// How many cases a fuzz test runs. FUZZ_ITERATIONS always wins; otherwise CI runs the full
// count an issue asks for (a million mutated inputs for the buildfile parser and the frame
// parsers) and a developer's `npm test` runs the quick count.
export function fuzzIterations(quick: number, full = quick): number {
  const env = process.env.FUZZ_ITERATIONS;
  if (env !== undefined && env !== "") return Number(env);
  return process.env.CI === "true" ? full : quick;
}

/** xorshift32: a seeded generator so failures reproduce. */
export function rng(seed: number) {
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

/** One to four mutations of `seed`: byte sets (biased to the headers), truncation, junk, 16-bit edge values, bit flips. */
export function mutate(r: () => number, seed: Uint8Array): Uint8Array {
  let f = seed.slice();
  const n = 1 + (r() % 4);
  for (let k = 0; k < n; k++) {
    switch (r() % 6) {
      case 0:
      case 1: // flip bytes, biased to the headers
        f[r() % Math.min(f.length, r() % 2 ? 64 : f.length)] = r() & 0xff;
        break;
      case 2: // truncate
        f = f.slice(0, r() % (f.length + 1));
        break;
      case 3: {
        // extend with junk
        const g = new Uint8Array(f.length + (r() % 64));
        g.set(f);
        for (let j = f.length; j < g.length; j++) g[j] = r() & 0xff;
        f = g;
        break;
      }
      case 4: // set a 16-bit field to an edge value
        if (f.length >= 2) {
          const o = r() % (f.length - 1);
          const edge = [0, 1, 0xffff, 0x8000, 0x7fff, 20, 0x2000, 0x1fff][r() % 8];
          f[o] = edge >> 8;
          f[o + 1] = edge & 0xff;
        }
        break;
      case 5: // bit flip
        if (f.length) f[r() % f.length] ^= 1 << (r() % 8);
        break;
    }
  }
  return f;
}
