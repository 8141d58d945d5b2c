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

/**
 * Feeds `n` mutated copies of `base` (cut short now and then, a few bytes from `from` on
 * overwritten) to `parse`: each must parse or throw an error `isFormatError` accepts; anything
 * else fails the test. Returns how many parsed and how many were dropped as malformed.
 */
export function fuzzParser(
  base: Uint8Array,
  n: number,
  parse: (b: Uint8Array) => void,
  isFormatError: (e: unknown) => boolean,
  from = 0,
): { parsed: number; dropped: number } {
  let seed = 12345;
  const rnd = () => (seed = (seed * 1103515245 + 12345) >>> 0) >>> 8;
  let parsed = 0;
  let dropped = 0;
  for (let i = 0; i < n; i++) {
    const b = base.slice(0, rnd() % 3 === 0 ? rnd() % (base.length + 1) : base.length);
    for (let k = rnd() % 5; k >= 0; k--)
      if (b.length > from) b[from + (rnd() % (b.length - from))] = rnd() & 0xff;
    try {
      parse(b);
      parsed++;
    } catch (e) {
      if (!isFormatError(e)) throw e;
      dropped++;
    }
  }
  return { parsed, dropped };
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
