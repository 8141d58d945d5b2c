import { describe, expect, it } from "vitest";
import { expandEscapes } from "../../../firmware/bin/lib/escapes.ts";

describe("echo escapes", () => {
  it("expands the C escapes", () => {
    expect(expandEscapes("a\\tb\\nc\\\\d\\e").text).toBe("a\tb\nc\\d\x1b");
    expect(expandEscapes("\\0101\\x41\\x4g").text).toBe("AA\x04g");
  });
  it("stops at \\c", () => {
    expect(expandEscapes("ab\\cde")).toEqual({ text: "ab", stop: true });
  });
  it("keeps unknown escapes and a trailing backslash", () => {
    expect(expandEscapes("\\q\\").text).toBe("\\q\\");
    expect(expandEscapes("\\xz").text).toBe("\\xz");
  });
});
