import { describe, expect, it } from "vitest";
import {
  formatControlChar,
  formatStty,
  parseControlChar,
  parseSttyArgs,
  SANE,
} from "../../../firmware/bin/lib/stty-settings.ts";
import { UsageError } from "../../../firmware/bin/lib/getopt.ts";
import type { Termios } from "../../../firmware/program.ts";

describe("stty settings", () => {
  it("understands BSD words", () => {
    expect(parseSttyArgs(["raw", "-echo"])).toEqual({
      icanon: false,
      isig: false,
      icrnl: false,
      onlcr: false,
      ixon: false,
      echo: false,
    });
    expect(parseSttyArgs(["-raw"])).toMatchObject({ icanon: true, isig: true });
    expect(parseSttyArgs(["sane"])).toEqual(SANE);
    expect(parseSttyArgs(["9600", "cs7", "parenb", "parodd", "cstopb"])).toEqual({
      baud: 9600,
      csize: 7,
      parity: "odd",
      cstopb: true,
    });
    expect(parseSttyArgs(["intr", "^X", "erase", "^?"])).toEqual({ vintr: 0x18, verase: 0x7f });
    expect(parseSttyArgs(["speed", "115200"])).toEqual({ baud: 115200 });
  });
  it("understands QNX key=value forms", () => {
    expect(parseSttyArgs(["baud=57600", "bits=8", "par=none", "stopb=2", "intr=^C"])).toEqual({
      baud: 57600,
      csize: 8,
      parity: "none",
      cstopb: true,
      vintr: 3,
    });
  });
  it("rejects unknown words and bad values", () => {
    expect(() => parseSttyArgs(["bogus"])).toThrow(UsageError);
    expect(() => parseSttyArgs(["12345"])).toThrow("unsupported baud rate: 12345");
    expect(() => parseSttyArgs(["intr"])).toThrow("missing argument to intr");
    expect(() => parseSttyArgs(["par=mark"])).toThrow(UsageError);
  });
  it("formats control characters", () => {
    expect(formatControlChar(3)).toBe("^C");
    expect(formatControlChar(0x7f)).toBe("^?");
    expect(formatControlChar(0)).toBe("<undef>");
    expect(parseControlChar("^c")).toBe(3);
    expect(parseControlChar("undef")).toBe(0);
  });
  it("reports all settings or only the differences", () => {
    const t: Termios = { ...SANE, baud: 115200, echo: false };
    expect(formatStty(t, { rows: 24, cols: 80 }, false)).toBe(
      "speed 115200 baud; 24 rows; 80 columns;\nlflags: -echo\n",
    );
    const all = formatStty({ ...SANE, baud: 9600 }, null, true);
    expect(all).toContain("speed 9600 baud;\n");
    expect(all).toContain("lflags: icanon isig echo\n");
    expect(all).toContain("cflags: cs8 -parenb -parodd -cstopb -crtscts\n");
    expect(all).toContain("cchars: eof = ^D; erase = ^?; intr = ^C; kill = ^U; quit = ^\\; susp = ^Z;\n");
  });
});
