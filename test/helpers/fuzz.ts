// How many cases a fuzz test runs. FUZZ_ITERATIONS always wins; otherwise CI runs the full
// count an issue asks for (a million mutated inputs for the buildfile parser and the frame
// parsers) and a developer's `npm test` runs the quick count.
export function fuzzIterations(quick: number, full = quick): number {
  const env = process.env.FUZZ_ITERATIONS;
  if (env !== undefined && env !== "") return Number(env);
  return process.env.CI === "true" ? full : quick;
}
