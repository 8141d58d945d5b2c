import { describe, expect, it } from "vitest";
import { formatSignalList, signalNameOf, signalOperand } from "../../../firmware/bin/lib/signals.ts";

describe("signals", () => {
  it("parses operands with QNX numbering", () => {
    expect(signalOperand("TERM")).toBe("SIGTERM");
    expect(signalOperand("sigkill")).toBe("SIGKILL");
    expect(signalOperand("18")).toBe("SIGCHLD");
    expect(signalOperand("CLD")).toBe("SIGCHLD");
    expect(signalOperand("IO")).toBe("SIGPOLL");
    expect(signalOperand("0")).toBe(0);
    expect(signalOperand("99")).toBeUndefined();
    expect(signalOperand("NOPE")).toBeUndefined();
  });
  it("names numbers and exit statuses", () => {
    expect(signalNameOf(2)).toBe("INT");
    expect(signalNameOf(143)).toBe("TERM");
    expect(signalNameOf(100)).toBeUndefined();
  });
  it("lists every signal in wrapped lines", () => {
    const text = formatSignalList();
    expect(text.startsWith("HUP INT QUIT ILL")).toBe(true);
    expect(text.split("\n").every((l) => l.length <= 72)).toBe(true);
    expect(text.trim().split(/\s+/)).toHaveLength(29);
  });
});
