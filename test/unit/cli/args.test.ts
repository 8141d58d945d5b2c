// The subcommands' option parsing (util.parseArgs underneath): values given apart or joined,
// repeated, flags, "--", and errors that name the option.
import { describe, expect, it } from "vitest";
import { parseArgs, parseDefines } from "../../../images/cli/args.ts";

describe("netrino CLI options", () => {
  it("takes -o and -D apart or joined, repeated, and leaves operands in order", () => {
    const r = parseArgs(["x.build", "-o", "out.img", "-DFOO=1", "-D", "BAR=2", "-oother"], ["-o", "-D"], []);
    expect(r.error).toBeUndefined();
    expect(r.positional).toEqual(["x.build"]);
    expect(r.options.get("-o")).toEqual(["out.img", "other"]);
    expect(r.options.get("-D")).toEqual(["FOO=1", "BAR=2"]);
  });

  it("reads flags, '-' as an operand and everything after '--' as operands", () => {
    const r = parseArgs(["--check", "-", "--", "-a"], [], ["--check"]);
    expect([...r.flags]).toEqual(["--check"]);
    expect(r.positional).toEqual(["-", "-a"]);
    expect(parseArgs(["a"], [], ["--check"]).flags.size).toBe(0);
  });

  it("names an unknown option and an option without its value", () => {
    expect(parseArgs(["-x", "a"], ["-o"], []).error).toBe("unknown option -x");
    expect(parseArgs(["--bogus"], [], ["--check"]).error).toBe("unknown option --bogus");
    expect(parseArgs(["a", "-o"], ["-o"], []).error).toBe("option -o requires an argument");
  });

  it("parses -D definitions and refuses a malformed one", () => {
    expect(parseDefines(["A=1", "B_2=x=y"])).toEqual({ defines: { A: "1", B_2: "x=y" } });
    expect(parseDefines(["1A=1"])).toEqual({ error: "-D 1A=1: expected NAME=VALUE" });
  });
});
