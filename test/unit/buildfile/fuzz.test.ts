// Fuzz test of the parser and linter: mutated buildfiles (seeded, reproducible) must never
// crash or hang, and every failure must come back as a diagnostic with a valid position.
// CI runs the full million (about 2 min); a local run does 10k unless FUZZ_ITERATIONS says otherwise.
// The corpus is the shipped buildfiles plus test/corpus (every mkifs construct). `fmt` is
// checked for meaning: format, reparse, and the image (entries, script, findings) is the same.
import { mkdtempSync, readFileSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { formatBuildfile } from "../../../images/buildfile/format.ts";
import { parseBuildfile } from "../../../images/buildfile/parser.ts";
import { analyzeBuildfile, type Analysis } from "../../../images/buildfile/lint.ts";
import type { Diagnostic } from "../../../images/buildfile/ast.ts";
import { fuzzIterations, seededRandom } from "../../helpers/fuzz.ts";

const ITERATIONS = fuzzIterations(10_000, 1_000_000);
/** The linter is ~100× slower per input than the parser: a fixed share of the quick count. */
const LINT_ITERATIONS = fuzzIterations(200, 200);
/** fmt meaning checks run the whole analysis twice per input. */
const FMT_ITERATIONS = fuzzIterations(300, 30_000);
const CORPUS_DIR = join(import.meta.dirname, "../../corpus");
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
  "\\{",
  "\\\\",
  '\\"',
  "[virtual=x86_64,bios] boot ",
  " host/real.txt",
  "+dupignore ",
  "compress=1 ",
  "pri=10F ",
  "-dvwire ",
  "-vv ",
  "a#b",
  "} ",
];

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

function checkPositions(ds: readonly Diagnostic[], src: string, i: number): void {
  for (const d of ds) {
    if (!(
      d.pos.line >= 1 &&
      d.pos.col >= 1 &&
      d.pos.offset >= 0 &&
      d.pos.offset <= src.length &&
      d.length >= 1
    )) {
      throw new Error(
        `bad diagnostic position on iteration ${i}: ${JSON.stringify(d)}\n--- input ---\n${src}`,
      );
    }
  }
}

/** What a buildfile means: the image entries, the compiled script, and the kinds of findings. */
function meaning(a: Analysis): unknown {
  return {
    board: a.resolved.board,
    entries: a.resolved.entries.map((e) => ({ ...e, pos: undefined })),
    script: a.script.map((l) => ({ ...l, pos: undefined, line: undefined, argvPos: undefined })),
    findings: a.diagnostics.map((d) => `${d.severity} ${d.code}`).sort(),
  };
}

describe("parser fuzz", () => {
  const corpus = [
    ...["host.build", "rpi4.build", "bbb.build"].map((f) =>
      readFileSync(join(import.meta.dirname, "../../../buildfiles", f), "utf8"),
    ),
    ...readdirSync(CORPUS_DIR)
      .filter((f) => f.endsWith(".build"))
      .sort()
      .map((f) => readFileSync(join(CORPUS_DIR, f), "utf8")),
  ];

  it(`survives ${ITERATIONS} mutated buildfiles`, () => {
    const r = seededRandom(SEED);
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
      checkPositions(result.diagnostics, src, i);
      // Where it parses cleanly, formatting must be stable.
      if (result.diagnostics.length === 0 && i % 8 === 0) {
        const once = formatBuildfile(result.ast);
        expect(formatBuildfile(parseBuildfile(once, "f").ast)).toBe(once);
      }
    }
  }, 600_000);

  it("the linter survives mutated buildfiles too", () => {
    const r = seededRandom(SEED ^ 0xabcdef);
    const emptyDir = mkdtempSync(join(tmpdir(), "netrino-fuzz-"));
    const n = LINT_ITERATIONS;
    for (let i = 0; i < n; i++) {
      const src = mutate(corpus[i % corpus.length], r);
      // An empty base directory keeps host lookups cheap; absolute paths are bounded by the
      // host-tree limit.
      let a: Analysis | undefined;
      expect(() => (a = analyzeBuildfile(src, join(emptyDir, "fuzz.build"), { env: {} }))).not.toThrow();
      checkPositions(a!.diagnostics, src, i);
    }
  }, 600_000);

  it(`fmt keeps the meaning of ${FMT_ITERATIONS} mutated buildfiles`, () => {
    const r = seededRandom(SEED ^ 0x1234567);
    const opts = { env: {}, baseDir: CORPUS_DIR };
    let compared = 0;
    for (let i = 0; i < FMT_ITERATIONS; i++) {
      // Every corpus file once unmutated, then mutations.
      const src = i < corpus.length ? corpus[i] : mutate(corpus[i % corpus.length], r);
      const parsed = parseBuildfile(src, "fuzz.build");
      if (parsed.diagnostics.some((d) => d.severity === "error")) continue;
      const formatted = formatBuildfile(parsed.ast);
      const before = analyzeBuildfile(src, "fuzz.build", opts);
      const after = analyzeBuildfile(formatted, "fuzz.build", opts);
      const why = `iteration ${i} (seed ${SEED})\n--- input ---\n${src}\n--- formatted ---\n${formatted}`;
      expect(meaning(after), why).toEqual(meaning(before));
      expect(formatBuildfile(after.ast), why).toBe(formatted);
      compared++;
    }
    expect(compared).toBeGreaterThan(FMT_ITERATIONS / 10);
  }, 600_000);
});
