import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { compileGrepPattern, posixToJs, RegexSyntaxError } from "../../../firmware/bin/lib/posix-regex.ts";

const bre = (p: string) => compileGrepPattern(p, { extended: false, fixed: false, ignoreCase: false });
const ere = (p: string) => compileGrepPattern(p, { extended: true, fixed: false, ignoreCase: false });

describe("POSIX regular expressions", () => {
  it.each([
    ["^ab*c$", "abbbc", true],
    ["^ab*c$", "xabc", false],
    ["a+b", "a+b", true],
    ["a+b", "aab", false],
    ["a\\+b", "aab", true],
    ["\\(ab\\)\\{2\\}", "abab", true],
    ["(ab)", "(ab)", true],
    ["a|b", "a|b", true],
    ["*a", "*a", true],
    ["a^b", "a^b", true],
    ["[[:digit:]][[:alpha:]]", "x1y", true],
    ["[]x]", "]", true],
    ["[^a-c]", "abc", false],
    ["[a\\]", "\\", true],
    ["a.c", "abc", true],
    ["1.5", "1x5", true],
  ])("BRE %s on %s → %s", (p, s, m) => {
    expect(bre(p).test(s)).toBe(m);
  });
  it.each([
    ["a+b", "aab", true],
    ["(ab){2}$", "xabab", true],
    ["cat|dog", "hotdog", true],
    ["^(x|y)?z", "z", true],
    ["\\.", "a", false],
  ])("ERE %s on %s → %s", (p, s, m) => {
    expect(ere(p).test(s)).toBe(m);
  });
  it("matches fixed strings and ignores case", () => {
    const r = compileGrepPattern("A.b*", { extended: false, fixed: true, ignoreCase: true });
    expect(r.test("xa.B*y")).toBe(true);
    expect(r.test("axbb")).toBe(false);
  });
  it("rejects malformed patterns with a syntax error", () => {
    expect(() => bre("[abc")).toThrow(RegexSyntaxError);
    expect(() => bre("a\\")).toThrow(RegexSyntaxError);
    expect(() => bre("[[:nope:]]")).toThrow(RegexSyntaxError);
    expect(() => ere("(a")).toThrow(RegexSyntaxError);
  });
  it("never throws anything but RegexSyntaxError (fuzz)", () => {
    const runs = Number(process.env.FUZZ_ITERATIONS ?? 20_000);
    fc.assert(
      fc.property(
        fc.string({ unit: fc.constantFrom(..."ab\\()[]{}|*+?^$.:-,1"), maxLength: 16 }),
        fc.boolean(),
        (p, x) => {
          try {
            new RegExp(posixToJs(p, x));
          } catch (e) {
            if (!(e instanceof RegexSyntaxError) && !(e instanceof SyntaxError)) throw e;
          }
          try {
            compileGrepPattern(p, { extended: x, fixed: false, ignoreCase: false });
          } catch (e) {
            if (!(e instanceof RegexSyntaxError)) throw e;
          }
        },
      ),
      { numRuns: runs },
    );
  });
});
