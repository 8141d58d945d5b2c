// Fuzz test of the parser and linter: mutated buildfiles (seeded, reproducible) must never
// crash or hang, and every failure must come back as a diagnostic with a valid position.
// CI runs the full million (about 2 min); a local run does 10k unless FUZZ_ITERATIONS says otherwise.
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { formatBuildfile } from "../../../images/buildfile/format.ts";
import { parseBuildfile } from "../../../images/buildfile/parser.ts";
import { analyzeBuildfile } from "../../../images/buildfile/lint.ts";
import { fuzzIterations, rng } from "../../helpers/fuzz.ts";

const ITERATIONS = fuzzIterations(10_000, 1_000_000);
/** The linter is ~100× slower per input than the parser: a fixed share of the quick count. */
const LINT_ITERATIONS = fuzzIterations(200, 200);
const SEED = Number(process.env.FUZZ_SEED ?? 0x5eed);
const TOKENS = [
  "[",
  "]",
  "{",
  "}",
  "\\}",
  "=",
  '"',
  "'",
  "#",
  "\n",
  "&",
  "?",
  "+",
  "-",
  "${",
  "${X}",
  "\\",
  " ",
  "\t",
  "\r\n",
  "[+script]",
  ".script",
  "\u0000",
  "é",
  "waitfor",
  "io-pkt -d vwire ",
  "priority=",
  ",",
];

/** The shared seeded generator, as a fraction in [0, 1), so a failure can be replayed from its seed. */
function unitRng(seed: number): () => number {
  const next = rng(seed);
  return () => next() / 0x100000000;
}

function mutate(src: string, r: () => number): string {
  let s = src;
  const edits = 1 + Math.floor(r() * 4);
  for (let i = 0; i < edits; i++) {
    const at = Math.floor(r() * (s.length + 1));
    const op = Math.floor(r() * 4);
    if (op === 0) s = s.slice(0, at) + s.slice(at + 1 + Math.floor(r() * 8));
    else if (op === 1) s = s.slice(0, at) + TOKENS[Math.floor(r() * TOKENS.length)] + s.slice(at);
    else if (op === 2) s = s.slice(0, at) + String.fromCharCode(Math.floor(r() * 128)) + s.slice(at + 1);
    else {
      const from = Math.floor(r() * s.length);
      s = s.slice(0, at) + s.slice(from, from + Math.floor(r() * 40)) + s.slice(at);
    }
  }
  return s;
}

describe("parser fuzz", () => {
  const corpus = ["host.build", "rpi4.build", "bbb.build"].map((f) =>
    readFileSync(join(import.meta.dirname, "../../../buildfiles", f), "utf8"),
  );

  it(`survives ${ITERATIONS} mutated buildfiles`, () => {
    const r = unitRng(SEED);
    for (let i = 0; i < ITERATIONS; i++) {
      const src = mutate(corpus[i % corpus.length], r);
      let result;
      try {
        result = parseBuildfile(src, "fuzz.build");
      } catch (e) {
        throw new Error(
          `parser threw on iteration ${i} (seed ${SEED}): ${(e as Error).stack}\n--- input ---\n${src}`,
        );
      }
      for (const d of result.diagnostics) {
        if (!(
          d.pos.line >= 1 &&
          d.pos.col >= 1 &&
          d.pos.offset >= 0 &&
          d.pos.offset <= src.length &&
          d.length >= 1
        )) {
          throw new Error(`bad diagnostic position on iteration ${i}: ${JSON.stringify(d)}`);
        }
      }
      // Where it parses cleanly, formatting must be stable.
      if (result.diagnostics.length === 0 && i % 8 === 0) {
        const once = formatBuildfile(result.ast);
        expect(formatBuildfile(parseBuildfile(once, "f").ast)).toBe(once);
      }
    }
  }, 600_000);

  it("the linter survives mutated buildfiles too", () => {
    const r = unitRng(SEED ^ 0xabcdef);
    const emptyDir = mkdtempSync(join(tmpdir(), "netrino-fuzz-"));
    const n = LINT_ITERATIONS;
    for (let i = 0; i < n; i++) {
      const src = mutate(corpus[i % corpus.length], r);
      // An empty base directory keeps host lookups cheap; absolute paths are bounded by the
      // host-tree limit.
      expect(() => analyzeBuildfile(src, join(emptyDir, "fuzz.build"), { env: {} })).not.toThrow();
    }
  }, 600_000);
});
