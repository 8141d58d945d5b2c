import { describe, expect, it } from "vitest";
import { formatSlog2info, formatSloginfo, SLOGINFO_HEADER } from "../../../firmware/bin/lib/slog-format.ts";

const r = {
  timeMs: Date.UTC(2024, 0, 13, 16, 37, 55, 42),
  major: 8,
  minor: 0,
  severity: 2,
  text: "tcpip starting",
};

describe("log formats", () => {
  it("prints sloginfo columns", () => {
    expect(SLOGINFO_HEADER).toBe("Time             Sev Major  Minor Args");
    expect(formatSloginfo(r, true)).toBe("Jan 13 16:37:55    2     8      0 tcpip starting");
  });
  it("prints slog2info lines", () => {
    expect(formatSlog2info({ ...r, source: "io-pkt", pid: 4099 }, true)).toBe(
      "Jan 13 16:37:55.042  io-pkt.4099          main      2  tcpip starting",
    );
    expect(formatSlog2info(r, true)).toContain(" major8 ");
  });
});
