// Random bytes and mutated scripts through the lexer, parser, pattern matcher and arithmetic:
// every input either parses or fails with a shell error; nothing crashes or hangs.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { evalArith } from "../../../firmware/shell/arith.ts";
import { ShellError, ShellSyntaxError } from "../../../firmware/shell/errors.ts";
import { matchPattern } from "../../../firmware/shell/glob.ts";
import { History } from "../../../firmware/shell/history.ts";
import { LineEditor } from "../../../firmware/shell/line-editor.ts";
import { parse } from "../../../firmware/shell/parser.ts";

const ITERATIONS = Number(process.env.FUZZ_ITERATIONS ?? 3000);

const SEEDS = [
  "echo hi | cat > /tmp/x 2>&1 && ls || echo no &",
  "if [ -d /tmp ]; then cd /tmp; elif true; then :; else exit 1; fi",
  "for i in 1 2 3; do echo ${i:-x} $((i * 2)); done",
  'while read a b; do case $a in x|y) echo "$b";; *) break;; esac; done < /etc/file',
  'f() { local x=$(echo `pwd`); return ${#x}; }\nfunction g { f "$@"; }',
  "cat <<EOF\nhello ${name}\nEOF\necho 'single' \"double $x\" back\\ slash",
  "( cd /; ls ) | { read x; echo $x; } ; ! false",
];

const TOKENS = [
  "'",
  '"',
  "`",
  "$(",
  "${",
  "$((",
  "))",
  ")",
  "(",
  "{",
  "}",
  "|",
  "&",
  ";",
  ";;",
  "<<",
  ">",
  "<",
  "\\",
  "\n",
  "if",
  "fi",
  "do",
  "done",
  "case",
  "esac",
  "$",
  "#",
  "*",
  "[",
  "]",
  " ",
];

function shellOk(src: string): void {
  try {
    parse(src);
  } catch (e) {
    if (!(e instanceof ShellSyntaxError)) throw e;
  }
}

describe("fuzz: parser", () => {
  it("random strings never crash the parser", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), (s) => shellOk(s)),
      { numRuns: ITERATIONS, seed: 42 },
    );
  });

  it("random bytes (decoded as latin-1) never crash the parser", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (b) => shellOk(String.fromCharCode(...b))),
      { numRuns: ITERATIONS, seed: 7 },
    );
  });

  it("mutated scripts never crash the parser", () => {
    const mutation = fc.tuple(fc.nat(), fc.constantFrom(...TOKENS), fc.integer({ min: 0, max: 2 }));
    fc.assert(
      fc.property(
        fc.constantFrom(...SEEDS),
        fc.array(mutation, { minLength: 1, maxLength: 8 }),
        (seed, muts) => {
          let s = seed;
          for (const [pos, tok, kind] of muts) {
            const p = pos % (s.length + 1);
            if (kind === 0) s = s.slice(0, p) + tok + s.slice(p);
            else if (kind === 1) s = s.slice(0, p) + s.slice(p + 1);
            else s = s.slice(0, p) + tok + s.slice(p + tok.length);
          }
          shellOk(s);
        },
      ),
      { numRuns: ITERATIONS, seed: 99 },
    );
  });
});

describe("fuzz: patterns and arithmetic", () => {
  it("patterns never throw", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 30 }), fc.string({ maxLength: 30 }), (p, s) => {
        expect(typeof matchPattern(p, s)).toBe("boolean");
      }),
      { numRuns: ITERATIONS, seed: 3 },
    );
  });

  it("arithmetic either evaluates or fails with a shell error", () => {
    const vars = new Map<string, string>([["x", "x+1"]]);
    const host = { get: (n: string) => vars.get(n), set: (n: string, v: string) => void vars.set(n, v) };
    fc.assert(
      fc.property(fc.stringMatching(/^[0-9a-z+\-*/%()<>=!&|^~?:, ]{0,40}$/), (e) => {
        try {
          const v = evalArith(e, host);
          expect(Number.isFinite(v)).toBe(true);
        } catch (err) {
          if (!(err instanceof ShellError)) throw err;
        }
      }),
      { numRuns: ITERATIONS, seed: 5 },
    );
  });
});

describe("fuzz: line editor", () => {
  it("bursts of line noise never wedge it: a clean line afterwards still reads", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.uint8Array({ minLength: 1, maxLength: 64 }), { maxLength: 6 }),
        async (chunks) => {
          // Noise without Enter, Ctrl-C or Ctrl-D (those legitimately end the line).
          const clean = chunks.map((c) =>
            c.map((b) => (b === 0x0d || b === 0x0a || b === 0x03 || b === 0x04 ? 0x41 : b)),
          );
          const queue: Uint8Array[] = [...clean, new TextEncoder().encode("\x18\x1b\x1b[0m\x05\x15ok\r")];
          const ed = new LineEditor({
            io: { read: async () => queue.shift() ?? null, write: async () => undefined },
            history: new History(),
            completer: async (_l, c) => ({ start: c, candidates: ["a", "ab"] }),
          });
          ed.width = 20;
          const r = await ed.readLine("$ ");
          expect(r).toEqual({ kind: "line", line: "ok" });
        },
      ),
      { numRuns: Math.max(50, Math.floor(ITERATIONS / 10)), seed: 11 },
    );
  });
});
