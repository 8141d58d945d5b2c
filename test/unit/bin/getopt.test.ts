import { describe, expect, it } from "vitest";
import { getopt, optionMap, parseCount, UsageError } from "../../../firmware/bin/lib/getopt.ts";

describe("getopt", () => {
  it("parses grouped flags and stops at the first operand", () => {
    const p = getopt(["-la", "-d", "dir", "-F"], "ladF");
    expect(p.opts.map((o) => o.opt)).toEqual(["l", "a", "d"]);
    expect(p.operands).toEqual(["dir", "-F"]);
  });
  it("takes attached and separate option arguments", () => {
    expect(getopt(["-n5", "f"], "n:").opts).toEqual([{ opt: "n", value: "5" }]);
    expect(getopt(["-vn", "7", "f"], "vn:").opts).toEqual([
      { opt: "v", value: "" },
      { opt: "n", value: "7" },
    ]);
  });
  it("treats -- and a lone - as the end of options", () => {
    expect(getopt(["--", "-l"], "l").operands).toEqual(["-l"]);
    expect(getopt(["-", "x"], "l").operands).toEqual(["-", "x"]);
  });
  it("reports an unknown option and a missing argument as BSD does", () => {
    expect(() => getopt(["-z"], "l")).toThrow(new UsageError("illegal option -- z"));
    expect(() => getopt(["-n"], "n:")).toThrow(new UsageError("option requires an argument -- n"));
    expect(() => getopt(["-:"], "a:")).toThrow(UsageError);
  });
  it("lets the last value win in the option map", () => {
    expect(optionMap(getopt(["-n", "1", "-n", "2"], "n:")).get("n")).toBe("2");
  });
  it("parses counts", () => {
    expect(parseCount("12", "line count")).toBe(12);
    expect(() => parseCount("-1", "line count")).toThrow("illegal line count -- -1");
    expect(() => parseCount("x", "line count")).toThrow(UsageError);
  });
});
